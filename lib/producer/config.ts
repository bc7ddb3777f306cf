/**
 * Producer options: the Java client's names in camelCase, its 4.x defaults,
 * and validation that turns every bad value into a {@link ConfigError}.
 *
 * @module
 */
import type { Logger } from "../diagnostics/logger.ts";
import { ConfigError } from "../errors.ts";
import { parseAddress } from "../net/address.ts";
import type { SaslMechanism } from "../net/sasl/mechanism.ts";
import type { TlsConnectOptions, Transport } from "../net/transport.ts";
import {
  codecAvailable,
  CODECS,
  type CompressionCodec,
  type CompressionType,
  LEVELS,
} from "../protocol/compression/mod.ts";
import { utf8Length } from "../protocol/utf8.ts";
import { closestName } from "../util/closest.ts";
import { DEFAULTS } from "./defaults.ts";
import type { ProducerRecord } from "./record.ts";
import { resolveSasl, resolveTls, type SaslOptions, type TlsOptions } from "./security.ts";

/**
 * Chooses a partition for a record that names none. Gets the record and the
 * topic's partition count; returns a partition in `0..numPartitions-1`.
 */
export type Partitioner = (record: ProducerRecord, numPartitions: number) => number;

/** Options of a {@link Producer}; only `bootstrapServers` is required. */
export interface ProducerOptions {
  /** Brokers to bootstrap from, as `host:port` (`[::1]:9092` for IPv6). */
  bootstrapServers: readonly string[] | string;
  /**
   * Sent to the broker with every request (`client.id`).
   * @default `kafkats-producer-N` (N counts the producers created)
   */
  clientId?: string;
  /**
   * Acknowledgements the leader waits for (`acks`): `"all"` (or `-1`) for every
   * in-sync replica, `1` for the leader only, `0` for none.
   * @default "all"
   */
  acks?: "all" | -1 | 0 | 1;
  /**
   * Exactly-once per partition through producer ids and sequence numbers
   * (`enable.idempotence`); turned off silently when left unset and `acks`,
   * `retries` or `maxInFlightRequestsPerConnection` conflict, as in Java.
   * @default true
   */
  enableIdempotence?: boolean;
  /**
   * Makes the producer transactional (`transactional.id`): records are sent
   * inside `beginTransaction()` … `commitTransaction()` and become visible to
   * `read_committed` consumers together, or not at all. The id identifies
   * the producer across restarts: `initTransactions()` fences older
   * instances with the same id and finishes their open transaction. Implies
   * idempotence (setting `enableIdempotence: false` with it is a
   * {@link ConfigError}).
   * @default none
   */
  transactionalId?: string;
  /**
   * How long the transaction coordinator waits for a transaction to end
   * before aborting it (`transaction.timeout.ms`); the broker caps it at its
   * `transaction.max.timeout.ms` (15 minutes by default).
   * @default 60000
   */
  transactionTimeoutMs?: number;
  /**
   * How long a batch may wait for more records (`linger.ms`).
   * @default 5
   */
  lingerMs?: number;
  /**
   * Target size of a batch in bytes (`batch.size`).
   * @default 16384
   */
  batchSize?: number;
  /**
   * Codec of the record batches (`compression.type`): `"gzip"`, `"snappy"`,
   * `"lz4"`, `"zstd"` (needs node:zlib's zstd, as in Deno 2.9.6, Bun 1.4.5 and
   * Node ≥ 22.15; and a broker with Produce v7, Kafka ≥ 2.1) or `"none"`. A
   * batch is compressed once, when first sent; `batchSize` counts its
   * uncompressed bytes, `maxRequestSize` the compressed ones.
   * @default "none"
   */
  compressionType?: CompressionType;
  /**
   * Level of the chosen codec (Java's `compression.gzip.level`,
   * `compression.lz4.level`, `compression.zstd.level`): gzip 1–9 or -1
   * (zlib's default, 6), lz4 1–17 (default 9), zstd -131072–22 (default 3).
   * snappy and `"none"` have no levels and refuse one.
   * @default the codec's
   */
  compressionLevel?: number;
  /**
   * Bytes of records the producer may hold before `send` waits (`buffer.memory`):
   * the batches' buffers, and 1 KiB per record in them besides, for what a
   * record waiting for its acknowledgement costs in JS memory (its promise and
   * the caller's callback; Java counts buffers only). 32 MiB holds ~29,000
   * records of 100 bytes, ~16,000 of 1 KB.
   * @default 33554432 (32 MiB)
   */
  bufferMemory?: number;
  /**
   * Bytes of records whose `send` may wait at once for metadata or buffer
   * memory, counted as key, value and header bytes plus 256 per record. Past
   * it `send` rejects at once with `QueueFullError`, as librdkafka's queue-full
   * does.
   * @default `bufferMemory` (as set or defaulted)
   */
  maxBlockedBytes?: number;
  /**
   * Bytes of records (approximately: key, value and 32 bytes each) that
   * {@link Producer.writable} queues before it pushes back. Records are in
   * batches from the moment they are written, so this is the stream's window
   * of unacknowledged records: it needs to hold the bytes the brokers take in
   * one round trip (raise it for a distant cluster: throughput × round trip),
   * and a bigger window than that only makes records wait longer and costs
   * memory (measured in the README's Performance section).
   * @default 2 × `batchSize`, ≥ 262144 (and ≤ `bufferMemory` / 2)
   */
  writableHighWaterMark?: number;
  /**
   * How long `send` may wait for metadata or buffer memory (`max.block.ms`).
   * @default 60000
   */
  maxBlockMs?: number;
  /**
   * Upper bound on the time from `send` to success or failure, retries
   * included (`delivery.timeout.ms`). Must be ≥ `lingerMs` + `requestTimeoutMs`.
   * @default 120000
   */
  deliveryTimeoutMs?: number;
  /**
   * How long to wait for a broker's response (`request.timeout.ms`).
   * @default 30000
   */
  requestTimeoutMs?: number;
  /**
   * Retries of a failed batch (`retries`), bounded by `deliveryTimeoutMs`.
   * @default 2147483647
   */
  retries?: number;
  /**
   * First backoff before a retry (`retry.backoff.ms`).
   * @default 100
   */
  retryBackoffMs?: number;
  /**
   * Cap of the exponential retry backoff (`retry.backoff.max.ms`).
   * @default 1000
   */
  retryBackoffMaxMs?: number;
  /**
   * Unanswered requests per broker connection (`max.in.flight.requests.per.connection`).
   * @default 5
   */
  maxInFlightRequestsPerConnection?: number;
  /**
   * Largest Produce request, and so largest record (`max.request.size`).
   * @default 1048576 (1 MiB)
   */
  maxRequestSize?: number;
  /**
   * Age after which metadata is refreshed even without errors (`metadata.max.age.ms`).
   * @default 300000
   */
  metadataMaxAgeMs?: number;
  /**
   * How long a topic no record was sent to stays in the metadata refreshes
   * (`metadata.max.idle.ms`); then its cached metadata is dropped too, and
   * the next send to it fetches it again. At least 5000.
   * @default 300000
   */
  metadataMaxIdleMs?: number;
  /**
   * Bound on opening a connection: TCP connect, TLS handshake, version
   * handshake and SASL authentication together
   * (`socket.connection.setup.timeout.ms`); and on each re-authentication.
   * @default 10000
   */
  connectTimeoutMs?: number;
  /**
   * TLS to the brokers (Java's `security.protocol` SSL, or SASL_SSL with
   * `sasl`): `true` for the runtime's trust store, or PEM text for the CA,
   * a client certificate and its key. See {@link TlsOptions}.
   * @default off (plaintext)
   */
  tls?: TlsOptions;
  /**
   * SASL authentication on every connection, and re-authentication before
   * the broker's session ends (KIP-368): PLAIN, SCRAM-SHA-256 or
   * SCRAM-SHA-512 with a username and password, or OAUTHBEARER with a token
   * provider. See {@link SaslOptions}.
   * @default off
   */
  sasl?: SaslOptions;
  /**
   * Ignore keys when choosing partitions: keyed records go sticky too (`partitioner.ignore.keys`).
   * @default false
   */
  partitionerIgnoreKeys?: boolean;
  /**
   * The sticky partitioner's next partition favours partitions with fewer
   * batches queued, so a slow leader gets fewer new batches
   * (`partitioner.adaptive.partitioning.enable`, KIP-794); false picks
   * uniformly.
   * @default true
   */
  partitionerAdaptivePartitioning?: boolean;
  /**
   * A partitioner used instead of the built-in one for records without a partition.
   * @default built-in (murmur2 of the key, else sticky)
   */
  partitioner?: Partitioner;
  /**
   * Let the broker create (if it allows that) a topic a send waits for and
   * the producer does not know yet. Refreshes of topics already known never
   * ask for creation, so a deleted topic stays deleted (Java's producer asks
   * in every refresh).
   * @default true
   */
  allowAutoTopicCreation?: boolean;
  /**
   * The TCP transport. Tests use it to inject faults.
   * @default the runtime's (Deno, Bun or Node)
   */
  transport?: Transport;
  /**
   * Receives what the Java client logs at INFO and WARN: connections that
   * fail or close, retries and batches that expire, epoch bumps, producer
   * ids, fencing and transactions that must abort, metadata errors, SASL
   * failures and re-authentications; and an unexpected error caught in the
   * sender's loop (`"error"`). Messages and fields name brokers, topics and
   * causes, never a password, token, key or SASL bytes. See {@link Logger}.
   * @default none (silent)
   */
  logger?: Logger;
}

/** Every option resolved to a value; what the producer works from. */
export interface ProducerConfig {
  /** Parsed bootstrap servers. */
  readonly bootstrapServers: readonly BrokerAddress[];
  /** See {@link ProducerOptions.clientId}. */
  readonly clientId: string;
  /** `-1`, `0` or `1`. */
  readonly acks: -1 | 0 | 1;
  /** Whether idempotence is on after resolving conflicts. */
  readonly enableIdempotence: boolean;
  /** See {@link ProducerOptions.transactionalId}; null when not transactional. */
  readonly transactionalId: string | null;
  /** See {@link ProducerOptions.transactionTimeoutMs}. */
  readonly transactionTimeoutMs: number;
  /** See {@link ProducerOptions.lingerMs}. */
  readonly lingerMs: number;
  /** See {@link ProducerOptions.batchSize}. */
  readonly batchSize: number;
  /** See {@link ProducerOptions.bufferMemory}. */
  readonly bufferMemory: number;
  /** See {@link ProducerOptions.compressionType}. */
  readonly compressionType: CompressionType;
  /** The codec of {@link ProducerConfig.compressionType}; null for `"none"`. */
  readonly compressionCodec: CompressionCodec | null;
  /** The codec's level (resolved to its default); undefined for a codec without levels. */
  readonly compressionLevel: number | undefined;
  /** See {@link ProducerOptions.maxBlockMs}. */
  readonly maxBlockMs: number;
  /** See {@link ProducerOptions.maxBlockedBytes}. */
  readonly maxBlockedBytes: number;
  /** See {@link ProducerOptions.writableHighWaterMark}. */
  readonly writableHighWaterMark: number;
  /** See {@link ProducerOptions.deliveryTimeoutMs}. */
  readonly deliveryTimeoutMs: number;
  /** See {@link ProducerOptions.requestTimeoutMs}. */
  readonly requestTimeoutMs: number;
  /** See {@link ProducerOptions.retries}. */
  readonly retries: number;
  /** See {@link ProducerOptions.retryBackoffMs}. */
  readonly retryBackoffMs: number;
  /** See {@link ProducerOptions.retryBackoffMaxMs}. */
  readonly retryBackoffMaxMs: number;
  /** See {@link ProducerOptions.maxInFlightRequestsPerConnection}. */
  readonly maxInFlightRequestsPerConnection: number;
  /** See {@link ProducerOptions.maxRequestSize}. */
  readonly maxRequestSize: number;
  /** See {@link ProducerOptions.metadataMaxAgeMs}. */
  readonly metadataMaxAgeMs: number;
  /** See {@link ProducerOptions.metadataMaxIdleMs}. */
  readonly metadataMaxIdleMs: number;
  /** See {@link ProducerOptions.connectTimeoutMs}. */
  readonly connectTimeoutMs: number;
  /** See {@link ProducerOptions.tls}; null for plaintext. */
  readonly tls: TlsConnectOptions | null;
  /** The mechanism of {@link ProducerOptions.sasl}; null for none. */
  readonly sasl: SaslMechanism | null;
  /** See {@link ProducerOptions.partitionerIgnoreKeys}. */
  readonly partitionerIgnoreKeys: boolean;
  /** See {@link ProducerOptions.partitionerAdaptivePartitioning}. */
  readonly partitionerAdaptivePartitioning: boolean;
  /** See {@link ProducerOptions.partitioner}. */
  readonly partitioner: Partitioner | null;
  /** See {@link ProducerOptions.allowAutoTopicCreation}. */
  readonly allowAutoTopicCreation: boolean;
  /** See {@link ProducerOptions.transport}; `null` means the runtime's. */
  readonly transport: Transport | null;
  /** See {@link ProducerOptions.logger}; null: silent. */
  readonly logger: Logger | null;
}

/** A parsed `host:port`. */
export interface BrokerAddress {
  /** Host name or IP address (IPv6 without brackets). */
  readonly host: string;
  /** TCP port. */
  readonly port: number;
}

const INT32_MAX = 2147483647;
const INT16_MAX = 32767;
let clientIds = 0;

/**
 * Resolves options to a {@link ProducerConfig}.
 * @throws {ConfigError} naming the first invalid option.
 */
export function resolveConfig(options: ProducerOptions): ProducerConfig {
  if (options === null || typeof options !== "object") {
    throw new ConfigError("producer options must be an object");
  }
  checkOptionNames(options);
  const acks = parseAcks(options.acks === undefined ? DEFAULTS.acks : options.acks);
  const retries = int(options, "retries", 0, INT32_MAX);
  const maxInFlight = int(options, "maxInFlightRequestsPerConnection", 1, INT32_MAX);
  const transactionalId = resolveTransactionalId(options.transactionalId);
  const enableIdempotence = resolveIdempotence(
    options,
    acks,
    retries,
    maxInFlight,
    transactionalId,
  );
  const lingerMs = int(options, "lingerMs", 0, INT32_MAX);
  const requestTimeoutMs = int(options, "requestTimeoutMs", 1, INT32_MAX);
  const deliveryTimeoutMs = int(options, "deliveryTimeoutMs", 1, INT32_MAX);
  if (deliveryTimeoutMs < lingerMs + requestTimeoutMs) {
    throw new ConfigError(
      `deliveryTimeoutMs (${deliveryTimeoutMs}) must be at least lingerMs + requestTimeoutMs (${
        lingerMs + requestTimeoutMs
      })`,
    );
  }
  const batchSize = int(options, "batchSize", 0, INT32_MAX);
  const bufferMemory = int(options, "bufferMemory", 1, Number.MAX_SAFE_INTEGER);
  if (batchSize > bufferMemory) {
    throw new ConfigError(
      `batchSize (${batchSize}) must not exceed bufferMemory (${bufferMemory}): no batch would fit in the buffer`,
    );
  }
  const compressionType = options.compressionType ?? DEFAULTS.compressionType;
  const compressionCodec = resolveCodec(compressionType);
  const compressionLevel = resolveLevel(compressionType, options.compressionLevel);
  const retryBackoffMs = int(options, "retryBackoffMs", 0, INT32_MAX);
  const retryBackoffMaxMs = int(options, "retryBackoffMaxMs", 0, INT32_MAX);
  if (options.clientId !== undefined && typeof options.clientId !== "string") {
    throw new ConfigError(`clientId must be a string, got ${typeof options.clientId}`);
  }
  if (options.clientId !== undefined && utf8Length(options.clientId) > INT16_MAX) {
    throw new ConfigError(
      `clientId is ${
        utf8Length(options.clientId)
      } bytes in UTF-8; the request header holds at most ${INT16_MAX}`,
    );
  }
  const transport: unknown = options.transport;
  if (
    transport !== undefined && transport !== null &&
    (typeof transport !== "object" ||
      typeof (transport as { connect?: unknown }).connect !== "function")
  ) {
    throw new ConfigError("transport must be an object with a connect(host, port) method");
  }
  if (options.partitioner !== undefined && typeof options.partitioner !== "function") {
    throw new ConfigError("partitioner must be a function (record, numPartitions) => partition");
  }
  if (options.logger !== undefined && typeof options.logger !== "function") {
    throw new ConfigError("logger must be a function (level, message, fields) => void");
  }
  return {
    bootstrapServers: parseBootstrapServers(options.bootstrapServers),
    clientId: options.clientId ?? `kafkats-producer-${++clientIds}`,
    acks,
    enableIdempotence,
    transactionalId,
    transactionTimeoutMs: int(options, "transactionTimeoutMs", 1, INT32_MAX),
    lingerMs,
    batchSize,
    bufferMemory,
    compressionType,
    compressionCodec,
    compressionLevel,
    maxBlockMs: int(options, "maxBlockMs", 0, INT32_MAX),
    maxBlockedBytes: int(options, "maxBlockedBytes", 0, Number.MAX_SAFE_INTEGER, bufferMemory),
    writableHighWaterMark: int(
      options,
      "writableHighWaterMark",
      1,
      Number.MAX_SAFE_INTEGER,
      Math.min(Math.floor(bufferMemory / 2), Math.max(262144, 2 * batchSize)),
    ),
    deliveryTimeoutMs,
    requestTimeoutMs,
    retries,
    retryBackoffMs,
    retryBackoffMaxMs: Math.max(retryBackoffMs, retryBackoffMaxMs),
    maxInFlightRequestsPerConnection: maxInFlight,
    maxRequestSize: int(options, "maxRequestSize", 1, INT32_MAX),
    metadataMaxAgeMs: int(options, "metadataMaxAgeMs", 0, INT32_MAX),
    metadataMaxIdleMs: int(options, "metadataMaxIdleMs", 5000, INT32_MAX),
    connectTimeoutMs: int(options, "connectTimeoutMs", 1, INT32_MAX),
    tls: resolveTls(options.tls),
    sasl: resolveSasl(options.sasl),
    partitionerIgnoreKeys: bool(options, "partitionerIgnoreKeys"),
    partitionerAdaptivePartitioning: bool(options, "partitionerAdaptivePartitioning"),
    partitioner: options.partitioner ?? null,
    allowAutoTopicCreation: bool(options, "allowAutoTopicCreation"),
    transport: options.transport ?? null,
    logger: options.logger ?? null,
  };
}

/**
 * Parses `bootstrapServers` (an array, or one comma-separated string).
 * @throws {ConfigError} for an empty list or a malformed address.
 */
export function parseBootstrapServers(value: unknown): BrokerAddress[] {
  const list = typeof value === "string"
    ? value.split(",").map((s) => s.trim()).filter((s) => s !== "")
    : value;
  if (!Array.isArray(list) || list.length === 0) {
    throw new ConfigError(
      'bootstrapServers must name at least one broker, e.g. ["127.0.0.1:9092"]',
    );
  }
  return list.map((entry) => {
    if (typeof entry !== "string") {
      throw new ConfigError(`bootstrapServers entry ${String(entry)} is not a string`);
    }
    const address = parseAddress(entry);
    if (address === null) {
      throw new ConfigError(
        `bootstrapServers entry "${entry}" is not host:port (e.g. "127.0.0.1:9092" or "[::1]:9092")`,
      );
    }
    return address;
  });
}

function parseAcks(value: unknown): -1 | 0 | 1 {
  if (value === "all" || value === -1 || value === "-1") return -1;
  if (value === 0 || value === "0") return 0;
  if (value === 1 || value === "1") return 1;
  throw new ConfigError(`acks must be "all", -1, 0 or 1, got ${JSON.stringify(value)}`);
}

/** The codec named `type` (null for "none"), available on this runtime. */
function resolveCodec(type: unknown): CompressionCodec | null {
  if (type === "none") return null;
  const codec = typeof type === "string" ? CODECS.get(type) : undefined;
  if (codec === undefined) {
    throw new ConfigError(
      `compressionType must be one of "none", ${
        [...CODECS.keys()].map((n) => `"${n}"`).join(", ")
      }, got ${JSON.stringify(type)}`,
    );
  }
  if (!codecAvailable(codec)) {
    throw new ConfigError(
      `compressionType "${codec.name}" is not available on ${runtimeName()}: its node:zlib has no ${codec.name}`,
    );
  }
  return codec;
}

/** `level` checked against the codec's range, or the codec's default. */
function resolveLevel(type: CompressionType, level: unknown): number | undefined {
  const range = type === "none" ? undefined : LEVELS[type];
  if (level === undefined) return range?.default;
  if (range === undefined) {
    throw new ConfigError(`compressionLevel is set, but compressionType "${type}" has no levels`);
  }
  if (
    typeof level !== "number" || !Number.isInteger(level) ||
    (level !== range.alsoAccepted && (level < range.min || level > range.max))
  ) {
    throw new ConfigError(
      `compressionLevel for ${type} must be an integer in ${range.min}..${range.max}${
        range.alsoAccepted === undefined ? "" : ` or ${range.alsoAccepted}`
      }, got ${JSON.stringify(level)}`,
    );
  }
  return level;
}

/** This runtime and its version, for error messages. */
function runtimeName(): string {
  const g = globalThis as {
    Bun?: { version: string };
    Deno?: { version: { deno: string } };
    process?: { versions?: { node?: string } };
  };
  if (g.Bun !== undefined) return `Bun ${g.Bun.version}`;
  if (g.Deno !== undefined) return `Deno ${g.Deno.version.deno}`;
  return `Node ${g.process?.versions?.node ?? "(unknown version)"}`;
}

/** `transactionalId`: a non-empty string that fits a request's int16-length string, or null. */
function resolveTransactionalId(value: unknown): string | null {
  if (value === undefined) return null;
  if (typeof value !== "string" || value.length === 0) {
    throw new ConfigError(
      `transactionalId must be a non-empty string, got ${
        typeof value === "string" ? "an empty string" : typeof value
      }`,
    );
  }
  if (utf8Length(value) > INT16_MAX) {
    throw new ConfigError(
      `transactionalId is ${utf8Length(value)} bytes in UTF-8; requests hold at most ${INT16_MAX}`,
    );
  }
  return value;
}

function resolveIdempotence(
  options: ProducerOptions,
  acks: number,
  retries: number,
  maxInFlight: number,
  transactionalId: string | null,
): boolean {
  const explicit = bool(options, "enableIdempotence");
  if (transactionalId !== null && !explicit) {
    throw new ConfigError(
      "transactionalId requires idempotence: leave enableIdempotence unset or set it to true",
    );
  }
  const conflict = acks !== -1
    ? `acks must be "all" (got ${acks})`
    : retries === 0
    ? "retries must be greater than 0"
    : maxInFlight > 5
    ? `maxInFlightRequestsPerConnection must be at most 5 (got ${maxInFlight})`
    : null;
  if (conflict === null) return explicit;
  if (transactionalId !== null) {
    throw new ConfigError(`transactionalId requires idempotence, which requires that ${conflict}`);
  }
  if (options.enableIdempotence === true) {
    throw new ConfigError(`enableIdempotence requires that ${conflict}`);
  }
  return false;
}

/** The options with a fixed numeric default in {@link DEFAULTS}. */
type NumericOption = {
  [K in keyof typeof DEFAULTS]: (typeof DEFAULTS)[K] extends number ? K : never;
}[
  keyof typeof DEFAULTS
];

/** The options with a fixed boolean default in {@link DEFAULTS}. */
type BooleanOption = {
  [K in keyof typeof DEFAULTS]: (typeof DEFAULTS)[K] extends boolean ? K : never;
}[
  keyof typeof DEFAULTS
];

/** Option `name` as an integer in `min..max`; its default from {@link DEFAULTS} unless derived (`fallback`). */
function int(
  options: ProducerOptions,
  name: NumericOption | "maxBlockedBytes" | "writableHighWaterMark",
  min: number,
  max: number,
  fallback: number = DEFAULTS[name as NumericOption],
): number {
  const value = options[name];
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(
      `${name} must be an integer in ${min}..${max}, got ${
        typeof value === "number" ? value : JSON.stringify(value) ?? typeof value
      }`,
    );
  }
  return value;
}

/** Option `name` as a boolean; its default from {@link DEFAULTS}. */
function bool(options: ProducerOptions, name: BooleanOption): boolean {
  const value = options[name];
  if (value === undefined) return DEFAULTS[name];
  if (typeof value !== "boolean") {
    throw new ConfigError(`${name} must be a boolean, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** Every option name; the type makes it list each key of {@link ProducerOptions}. */
const OPTION_NAMES: Record<keyof ProducerOptions, true> = {
  bootstrapServers: true,
  clientId: true,
  acks: true,
  enableIdempotence: true,
  transactionalId: true,
  transactionTimeoutMs: true,
  lingerMs: true,
  batchSize: true,
  bufferMemory: true,
  compressionType: true,
  compressionLevel: true,
  maxBlockedBytes: true,
  writableHighWaterMark: true,
  maxBlockMs: true,
  deliveryTimeoutMs: true,
  requestTimeoutMs: true,
  retries: true,
  retryBackoffMs: true,
  retryBackoffMaxMs: true,
  maxInFlightRequestsPerConnection: true,
  maxRequestSize: true,
  metadataMaxAgeMs: true,
  metadataMaxIdleMs: true,
  connectTimeoutMs: true,
  tls: true,
  sasl: true,
  partitionerIgnoreKeys: true,
  partitionerAdaptivePartitioning: true,
  partitioner: true,
  allowAutoTopicCreation: true,
  transport: true,
  logger: true,
};

/**
 * Refuses option names the producer does not know, naming the closest known
 * one (a JavaScript caller gets no type check, and a misspelt option would
 * otherwise be ignored in silence).
 */
function checkOptionNames(options: object): void {
  for (const name of Object.keys(options)) {
    if (Object.hasOwn(OPTION_NAMES, name)) continue;
    const camel = name.replace(/[._-]([a-z])/g, (_, c: string) => c.toUpperCase());
    const closest = Object.hasOwn(OPTION_NAMES, camel)
      ? camel
      : closestName(name, Object.keys(OPTION_NAMES));
    throw new ConfigError(
      `unknown option "${name}"${closest === null ? "" : `; did you mean "${closest}"?`}`,
    );
  }
}
