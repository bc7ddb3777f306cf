/**
 * Producer options by name, as `--property K=V` and a `--producer.config`
 * file give them: each option in our camelCase (`lingerMs`) or by Java's
 * dotted name (`linger.ms`), its text turned into the option's type. Java's
 * security names (`security.protocol`, `sasl.jaas.config`, `ssl.*`) are
 * passed on to java_security.ts. An unknown name is a {@link UsageError}
 * naming the closest known one.
 *
 * @module
 */
import type { ProducerOptions } from "../producer/config.ts";
import { closestName } from "../util/closest.ts";
import { UsageError } from "./errors.ts";
import { SECURITY_PROPERTIES } from "./java_security.ts";

/** How an option's text is read. */
type Kind = "int" | "boolean" | "string" | "acks" | "compression";

/** The producer options a property may set. */
export type SettableOption = Exclude<
  keyof ProducerOptions,
  | "tls"
  | "sasl"
  | "partitioner"
  | "transport"
  | "transactionalId"
  | "transactionTimeoutMs"
  | "logger"
>;

/** Options set from text: each one's value converted to its type. */
export type SettableOptions = {
  -readonly [K in SettableOption]?: ProducerOptions[K];
};

/** Every settable option and how its text is read. */
const KINDS: Readonly<Record<SettableOption, Kind>> = {
  bootstrapServers: "string",
  clientId: "string",
  acks: "acks",
  enableIdempotence: "boolean",
  lingerMs: "int",
  batchSize: "int",
  bufferMemory: "int",
  compressionType: "compression",
  compressionLevel: "int",
  maxBlockedBytes: "int",
  writableHighWaterMark: "int",
  maxBlockMs: "int",
  deliveryTimeoutMs: "int",
  requestTimeoutMs: "int",
  retries: "int",
  retryBackoffMs: "int",
  retryBackoffMaxMs: "int",
  maxInFlightRequestsPerConnection: "int",
  maxRequestSize: "int",
  metadataMaxAgeMs: "int",
  metadataMaxIdleMs: "int",
  connectTimeoutMs: "int",
  partitionerIgnoreKeys: "boolean",
  partitionerAdaptivePartitioning: "boolean",
  allowAutoTopicCreation: "boolean",
};

/** Java's producer config names and ours. */
export const JAVA_NAMES: Readonly<Record<string, SettableOption>> = {
  "bootstrap.servers": "bootstrapServers",
  "client.id": "clientId",
  acks: "acks",
  "enable.idempotence": "enableIdempotence",
  "linger.ms": "lingerMs",
  "batch.size": "batchSize",
  "buffer.memory": "bufferMemory",
  "compression.type": "compressionType",
  "max.block.ms": "maxBlockMs",
  "delivery.timeout.ms": "deliveryTimeoutMs",
  "request.timeout.ms": "requestTimeoutMs",
  retries: "retries",
  "retry.backoff.ms": "retryBackoffMs",
  "retry.backoff.max.ms": "retryBackoffMaxMs",
  "max.in.flight.requests.per.connection": "maxInFlightRequestsPerConnection",
  "max.request.size": "maxRequestSize",
  "metadata.max.age.ms": "metadataMaxAgeMs",
  "metadata.max.idle.ms": "metadataMaxIdleMs",
  "socket.connection.setup.timeout.ms": "connectTimeoutMs",
  "partitioner.ignore.keys": "partitionerIgnoreKeys",
  "partitioner.adaptive.partitioning.enable": "partitionerAdaptivePartitioning",
  "allow.auto.create.topics": "allowAutoTopicCreation",
};

/** Java's per-codec levels; the one of the chosen codec becomes `compressionLevel`. */
const LEVEL_NAMES: Readonly<Record<string, LevelCodec>> = {
  "compression.gzip.level": "gzip",
  "compression.lz4.level": "lz4",
  "compression.zstd.level": "zstd",
};

/** The codecs with levels. */
export type LevelCodec = "gzip" | "lz4" | "zstd";

/** Names that mean nothing here and are skipped with a warning (the CLI sends bytes as read). */
const IGNORED: Readonly<Record<string, string>> = {
  "key.serializer": "the CLI sends keys as the bytes it reads",
  "value.serializer": "the CLI sends values as the bytes it reads",
};

/** Options that exist but cannot be set from text, and why. */
const REFUSED: Readonly<Record<string, string>> = {
  tls:
    "use --tls, --tls-ca, --tls-cert, --tls-key, --tls-server-name (or security.protocol and ssl.*)",
  sasl:
    "use --sasl-mechanism, --sasl-username, --sasl-password … (or sasl.mechanism and sasl.jaas.config)",
  partitioner:
    "a partitioner is a function; the built-in one is used (partitioner.ignore.keys tunes it)",
  "partitioner.class":
    "a partitioner is a function; the built-in one is used (partitioner.ignore.keys tunes it)",
  transport: "a transport is an object given in code",
  transactionalId: "the CLI does not produce in transactions",
  "transactional.id": "the CLI does not produce in transactions",
  transactionTimeoutMs: "the CLI does not produce in transactions",
  "transaction.timeout.ms": "the CLI does not produce in transactions",
};

/** What one property name means. */
export type PropertyTarget =
  | { readonly kind: "option"; readonly option: SettableOption }
  | { readonly kind: "level"; readonly codec: LevelCodec }
  | { readonly kind: "security"; readonly name: string }
  | { readonly kind: "ignored"; readonly why: string };

/**
 * What a property name sets: one of our options (camelCase or Java's
 * dotted name), a codec's level, a Java security setting, or nothing
 * (ignored, with the reason).
 *
 * @example
 * ```ts
 * import { propertyTarget } from "@kafkats/producer/cli";
 * propertyTarget("linger.ms", "--property"); // { kind: "option", option: "lingerMs" }
 * propertyTarget("lingerMs", "--property"); // the same
 * ```
 * @throws {UsageError} for an unknown name (naming the closest known one) or
 *   one that cannot be set from text (saying what to use instead).
 */
export function propertyTarget(name: string, where: string): PropertyTarget {
  if (Object.hasOwn(KINDS, name)) return { kind: "option", option: name as SettableOption };
  if (Object.hasOwn(JAVA_NAMES, name)) return { kind: "option", option: JAVA_NAMES[name] };
  if (Object.hasOwn(LEVEL_NAMES, name)) return { kind: "level", codec: LEVEL_NAMES[name] };
  if (SECURITY_PROPERTIES.has(name)) return { kind: "security", name };
  if (Object.hasOwn(IGNORED, name)) return { kind: "ignored", why: IGNORED[name] };
  if (Object.hasOwn(REFUSED, name)) {
    throw new UsageError(`${where} ${name} cannot be set here: ${REFUSED[name]}`);
  }
  const known = [
    ...Object.keys(KINDS),
    ...Object.keys(JAVA_NAMES),
    ...Object.keys(LEVEL_NAMES),
    ...SECURITY_PROPERTIES,
  ];
  const closest = closestName(name, known);
  throw new UsageError(
    `${where}: unknown producer option "${name.slice(0, 60)}"${
      closest === null ? "" : `; did you mean "${closest}"?`
    }`,
  );
}

/**
 * `text` as the value of `option`: integers, `true`/`false`, `acks`
 * (`all`, `-1`, `0`, `1`), the rest as given. Ranges are the producer's to
 * check (a `ConfigError` when it is created).
 *
 * @example
 * ```ts
 * import { optionValue } from "@kafkats/producer/cli";
 * optionValue("lingerMs", "20", "--property linger.ms"); // 20
 * optionValue("acks", "all", "--acks"); // "all"
 * ```
 * @throws {UsageError} naming `where` and the type wanted.
 */
export function optionValue<K extends SettableOption>(
  option: K,
  text: string,
  where: string,
): NonNullable<ProducerOptions[K]> {
  return convert(KINDS[option], option, text.trim(), where) as NonNullable<ProducerOptions[K]>;
}

/** A codec level's text as an integer. */
export function levelValue(text: string, where: string): number {
  return convert("int", "compressionLevel", text.trim(), where) as number;
}

function convert(kind: Kind, option: string, text: string, where: string): unknown {
  switch (kind) {
    case "int": {
      if (/^[+-]?\d+$/.test(text) && Number.isSafeInteger(Number(text))) return Number(text);
      throw new UsageError(`${where}: ${option} must be an integer, got "${text.slice(0, 40)}"`);
    }
    case "boolean": {
      const lower = text.toLowerCase();
      if (lower === "true" || lower === "false") return lower === "true";
      throw new UsageError(`${where}: ${option} must be true or false, got "${text.slice(0, 40)}"`);
    }
    case "acks": {
      if (text === "all" || text === "-1") return "all";
      if (text === "0" || text === "1") return Number(text);
      throw new UsageError(`${where}: acks must be all, -1, 0 or 1, got "${text.slice(0, 40)}"`);
    }
    case "compression": {
      const lower = text.toLowerCase();
      if (["none", "gzip", "snappy", "lz4", "zstd"].includes(lower)) return lower;
      throw new UsageError(
        `${where}: ${option} must be none, gzip, snappy, lz4 or zstd, got "${text.slice(0, 40)}"`,
      );
    }
    case "string":
      return text;
  }
}
