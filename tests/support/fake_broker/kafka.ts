/**
 * The fake broker's Kafka: one answer per request frame, for ApiVersions,
 * Metadata, InitProducerId and Produce (and SaslHandshake, SaslAuthenticate
 * with PLAIN when told to), and the coordinator APIs of transactions
 * (FindCoordinator, AddPartitionsToTxn, AddOffsetsToTxn, TxnOffsetCommit,
 * EndTxn: `transactions.ts`), from the options and hooks a test gives. Both
 * the in-memory transport (`memory.ts`) and the TCP listener (`tcp.ts`)
 * answer with it.
 *
 * It speaks one version per API (Metadata v12, InitProducerId v4, Produce
 * v11 unless told otherwise; ApiVersions at whatever version it is asked), so
 * the client negotiates exactly those; the coordinator APIs Kafka 4.1's
 * ranges (FindCoordinator 0–6, AddPartitionsToTxn 0–3, AddOffsetsToTxn 0–4,
 * TxnOffsetCommit 0–5, EndTxn 0–5), any of them changed with `apiVersions`.
 * The response bodies of the first ones are written here by hand; the
 * coordinator APIs' are encoded with the codecs' `response.encode`.
 *
 * @module
 */
import { ApiKey } from "../../../lib/protocol/api.ts";
import { Reader } from "../../../lib/protocol/reader.ts";
import { Writer } from "../../../lib/protocol/writer.ts";
import { defaultTopicId, readMetadataTopics, writeMetadata } from "./metadata.ts";
import { type ProducedTopic, readProduce, writeProduce } from "./produce.ts";
import {
  answerCoordinatorApi,
  COORDINATOR_APIS,
  COORDINATOR_VERSIONS,
  type FakeNode,
  type FakeTransactionalId,
  type TxnAnswer,
  type TxnRequest,
} from "./transactions.ts";

/** Produce v9 is the first flexible version, the first the fake can read and answer. */
const FIRST_ANSWERED_PRODUCE = 9;
/** Produce v13 names topics by id instead of by name. */
const PRODUCE_TOPIC_IDS_FROM = 13;

/** How a fake broker answers. */
export interface FakeBrokerOptions {
  /** Partitions of every topic. Default 6. */
  partitions?: number;
  /**
   * Partition indexes Metadata lists for every topic instead of
   * 0..partitions-1: a hostile broker's (duplicates, gaps, negatives).
   */
  partitionIndexes?: readonly number[];
  /** Host and port the fake advertises as node 1. Default `fake:9092`. */
  host?: string;
  /** See {@link FakeBrokerOptions.host}. */
  port?: number;
  /**
   * Produce versions advertised, or null for none. Default `[11, 11]`.
   * Answered Produce requests must be flexible (v9–13); older versions only
   * with {@link FakeBrokerOptions.answerProduce} false.
   */
  produceVersions?: readonly [min: number, max: number] | null;
  /**
   * False: Produce requests are counted and never answered (a broker stuck
   * on writes); later requests on the connection still are. Default true.
   */
  answerProduce?: boolean;
  /** ApiVersions answered with this error code and no version ranges. Default 0. */
  apiVersionsError?: number;
  /**
   * Finalized features the ApiVersions answers (v3+) list, with their epoch,
   * e.g. `{ epoch: 5n, levels: { "transaction.version": 2 } }`. Default:
   * none (no feature tags sent).
   */
  finalizedFeatures?: FakeFeatures;
  /**
   * Topic id of a topic, asked at every Metadata request (so a test can
   * re-create a topic). Default: derived from the name. Produce v13 requests
   * may name any id handed out so far.
   */
  topicId?: (topic: string) => Uint8Array;
  /** Error code of a topic in Metadata answers (then listed without partitions); default 0. */
  topicErrorCode?: (topic: string) => number;
  /** Answer to one partition of a Produce request; default (or undefined): success. */
  onProduce?: (batch: ProducedBatch) => ProduceAnswer | undefined;
  /** `throttle_time_ms` of every Produce answer. Default 0. */
  produceThrottleTimeMs?: number;
  /**
   * Error code to answer an idempotent producer's InitProducerId (no
   * transactional id) with; default 0 (a new producer id, epoch 0).
   */
  onInitProducerId?: () => number;
  /**
   * Scripts the answer to each coordinator request: FindCoordinator,
   * InitProducerId with a transactional id, AddPartitionsToTxn,
   * AddOffsetsToTxn, TxnOffsetCommit, EndTxn. Called with the API key, the
   * decoded request and `attempt`, the number of requests of that API key
   * so far (1 for the first); see {@link TxnAnswer}. Default (or
   * undefined): the fake's own answer (success, or PRODUCER_FENCED for an
   * old epoch).
   */
  onTransactional?: (apiKey: number, request: TxnRequest, attempt: number) => TxnAnswer | undefined;
  /**
   * The coordinator FindCoordinator names for a key (`keyType` 0 group, 1
   * transactional id). Default (or undefined): node 1, this broker. Every
   * address connects to this same fake; `FakeRequest.address` tells them apart.
   */
  coordinator?: (keyType: number, key: string) => FakeNode | undefined;
  /**
   * Version ranges to advertise instead of the fake's own, per API key
   * (null: not advertised), e.g. `{ [ApiKey.FindCoordinator]: [0, 3] }`.
   * Only the coordinator APIs are answered at any version.
   */
  apiVersions?: Readonly<Record<number, readonly [min: number, max: number] | null>>;
  /** When given, every coordinator request (see `onTransactional`) and Produce request is appended here as decoded. */
  requestLog?: FakeRequest[];
  /**
   * Called as each request arrives, with its API key and the connection's
   * number (1, 2, … in connect order). A promise returned holds the answer,
   * and every later answer on that connection, until it settles.
   */
  onRequest?: (apiKey: number, connection: number) => Promise<void> | undefined;
  /**
   * SASL on every connection, as a SASL_PLAINTEXT listener does: see
   * {@link FakeSasl}. Default: none (SaslHandshake and SaslAuthenticate are
   * not advertised).
   */
  sasl?: FakeSasl;
  /** When given, every request frame received and every answer sent is appended here, in order. */
  frameLog?: FrameLogEntry[];
}

/**
 * The fake's SASL: SaslHandshake v0–1 and SaslAuthenticate v0–2, PLAIN
 * checked against `username` and `password` — read at each authentication,
 * so a test may change them between two. As on a Kafka broker, a request
 * other than ApiVersions before the connection authenticated, or between a
 * (re-)authentication's SaslHandshake and its end, hangs up the connection.
 */
export interface FakeSasl {
  /**
   * Mechanisms the listener enables (a handshake naming another gets 33).
   * Default `["PLAIN"]`; only PLAIN can succeed.
   */
  mechanisms?: readonly string[];
  /** The one user's name. */
  username: string;
  /** Its password. */
  password: string;
  /** `session_lifetime_ms` of each successful authentication (v1+). Default 0: none. */
  sessionLifetimeMs?: number;
}

/** One frame in {@link FakeBrokerOptions.frameLog}. */
export interface FrameLogEntry {
  /** The connection's number (1, 2, … in connect order). */
  readonly connection: number;
  /** A request received, or the answer to one sent. */
  readonly direction: "request" | "response";
  /** The request's API key. */
  readonly apiKey: number;
  /** The request's correlation id. */
  readonly correlationId: number;
  /** `performance.now()` when it came or went. */
  readonly atMs: number;
}

/** A request in {@link FakeBrokerOptions.requestLog}. */
export interface FakeRequest {
  /** The connection's number (1, 2, … in connect order). */
  readonly connection: number;
  /** The `host:port` the connection was opened to. */
  readonly address: string;
  /** The request's API key. */
  readonly apiKey: number;
  /** Its version. */
  readonly version: number;
  /** `performance.now()` when it was read. */
  readonly atMs: number;
  /** Requests of this API key so far, this one included (Produce: 0, not counted). */
  readonly attempt: number;
  /**
   * The decoded request (cast it to the codec's request type), or for
   * Produce its transactional id and what each partition carried.
   */
  readonly body: TxnRequest | ProduceBody;
  /** What `onTransactional` answered for it. */
  readonly scripted: TxnAnswer | undefined;
}

/** A Produce request in {@link FakeBrokerOptions.requestLog}. */
export interface ProduceBody {
  /** Its transactional id (null without one). */
  readonly transactionalId: string | null;
  /** What each topic's partitions carried. */
  readonly topics: readonly ProducedTopic[];
}

/** What the fake knows of one connection. */
export interface ConnectionState {
  /** Its number (1, 2, … in connect order). */
  readonly id: number;
  /** The `host:port` it was opened to. */
  readonly address: string;
  /** A SASL authentication succeeded, and no other has begun since. */
  authenticated: boolean;
  /** The mechanism of the SaslHandshake whose exchange is under way, else null. */
  saslMechanism: string | null;
}

/** What a Produce request carried for one partition (from its first batch's header). */
export interface ProducedBatch {
  /** Topic name (looked up by id from v13). */
  readonly topic: string;
  /** Topic id the request named (v13+), else null. */
  readonly topicId: Uint8Array | null;
  /** Partition index. */
  readonly partition: number;
  /** Records in the partition's batches. */
  readonly records: number;
  /** Producer id of the first batch (-1 without idempotence). */
  readonly producerId: bigint;
  /** Producer epoch of the first batch. */
  readonly producerEpoch: number;
  /** Base sequence of the first batch. */
  readonly baseSequence: number;
  /** Whether the first batch has the transactional bit (attributes bit 4) set. */
  readonly transactional: boolean;
  /** The request's transactional id (null without one). */
  readonly transactionalId: string | null;
  /** The Produce request's version. */
  readonly version: number;
  /** The partition's record batches as sent (null for none). */
  readonly bytes: Uint8Array | null;
}

/** The finalized features a fake broker's ApiVersions answers list. */
export interface FakeFeatures {
  /** FinalizedFeaturesEpoch (tag 1). */
  readonly epoch: bigint;
  /** Finalized level per feature name (FinalizedFeatures, tag 2; min and max level alike). */
  readonly levels: Readonly<Record<string, number>>;
}

/** How the fake answers one partition of a Produce request. */
export interface ProduceAnswer {
  /** Error code (0: success, records get offsets). */
  readonly errorCode: number;
  /** Log start offset in the answer. Default 0. */
  readonly logStartOffset?: bigint;
}

/** Counters a fake broker keeps. */
export interface FakeBrokerStats {
  /** Produce requests received. */
  produceRequests: number;
  /** Records in the Produce requests read (answered ones: see `answerProduce`). */
  records: number;
}

/** A fake broker's state, shared by all its connections. */
export interface KafkaState {
  /** Partitions listed per topic. */
  readonly partitionIndexes: readonly number[];
  /** Advertised host of node 1. */
  readonly host: string;
  /** Advertised port of node 1. */
  readonly port: number;
  /** The versions spoken per API key. */
  readonly versions: ReadonlyMap<number, readonly [min: number, max: number]>;
  /** See {@link FakeBrokerOptions.answerProduce}. */
  readonly answerProduce: boolean;
  /** See {@link FakeBrokerOptions.apiVersionsError}. */
  readonly apiVersionsError: number;
  /** See {@link FakeBrokerOptions.finalizedFeatures}. */
  readonly finalizedFeatures: FakeFeatures | undefined;
  /** See {@link FakeBrokerOptions.topicId}. */
  readonly topicId: (topic: string) => Uint8Array;
  /** See {@link FakeBrokerOptions.topicErrorCode}. */
  readonly topicErrorCode: ((topic: string) => number) | undefined;
  /** Topic name of every id handed out, by the id's text form. */
  readonly topicNames: Map<string, string>;
  /** See {@link FakeBrokerOptions.onProduce}. */
  readonly onProduce: FakeBrokerOptions["onProduce"];
  /** See {@link FakeBrokerOptions.produceThrottleTimeMs}. */
  readonly produceThrottleTimeMs: number;
  /** See {@link FakeBrokerOptions.onInitProducerId}. */
  readonly onInitProducerId: FakeBrokerOptions["onInitProducerId"];
  /** See {@link FakeBrokerOptions.onTransactional}. */
  readonly onTransactional: FakeBrokerOptions["onTransactional"];
  /** See {@link FakeBrokerOptions.coordinator}. */
  readonly coordinator: FakeBrokerOptions["coordinator"];
  /** See {@link FakeBrokerOptions.requestLog}. */
  readonly requestLog: FakeRequest[] | undefined;
  /** Coordinator requests received per API key (the next one's `attempt` minus 1). */
  readonly coordinatorAttempts: Map<number, number>;
  /** Producer id and epoch granted per transactional id. */
  readonly transactionalIds: Map<string, FakeTransactionalId>;
  /** See {@link FakeBrokerOptions.onRequest}. */
  readonly onRequest: FakeBrokerOptions["onRequest"];
  /** Next offset per `topic\0partition`. */
  readonly nextOffsets: Map<string, bigint>;
  /** The producer id the next InitProducerId grants. */
  nextProducerId: bigint;
  /** See {@link FakeBrokerOptions.sasl}. */
  readonly sasl: FakeSasl | undefined;
  /** See {@link FakeBrokerOptions.frameLog}. */
  readonly frameLog: FrameLogEntry[] | undefined;
  /** Connections opened so far. */
  connections: number;
  /** What the broker received. */
  readonly stats: FakeBrokerStats;
}

/** The state of a new fake broker. */
export function kafkaState(options: FakeBrokerOptions): KafkaState {
  const produce: readonly [number, number] | null = options.produceVersions === undefined
    ? [11, 11]
    : options.produceVersions;
  const answerProduce = options.answerProduce ?? true;
  if (produce !== null && answerProduce && produce[0] < FIRST_ANSWERED_PRODUCE) {
    throw new Error(`fake broker: Produce v${produce[0]} can be swallowed, not answered`);
  }
  const versions = new Map<number, readonly [number, number]>([
    [ApiKey.Metadata, [12, 12]],
    [ApiKey.ApiVersions, [0, 4]],
    [ApiKey.InitProducerId, [4, 4]],
    ...COORDINATOR_VERSIONS,
  ]);
  if (produce !== null) versions.set(ApiKey.Produce, produce);
  if (options.sasl) {
    versions.set(ApiKey.SaslHandshake, [0, 1]);
    versions.set(ApiKey.SaslAuthenticate, [0, 2]);
  }
  for (const [key, range] of Object.entries(options.apiVersions ?? {})) {
    if (range === null) versions.delete(Number(key));
    else versions.set(Number(key), range);
  }
  return {
    partitionIndexes: options.partitionIndexes ??
      Array.from({ length: options.partitions ?? 6 }, (_, i) => i),
    host: options.host ?? "fake",
    port: options.port ?? 9092,
    versions,
    answerProduce,
    apiVersionsError: options.apiVersionsError ?? 0,
    finalizedFeatures: options.finalizedFeatures,
    topicId: options.topicId ?? defaultTopicId,
    topicErrorCode: options.topicErrorCode,
    topicNames: new Map(),
    onProduce: options.onProduce,
    produceThrottleTimeMs: options.produceThrottleTimeMs ?? 0,
    onInitProducerId: options.onInitProducerId,
    onTransactional: options.onTransactional,
    coordinator: options.coordinator,
    requestLog: options.requestLog,
    coordinatorAttempts: new Map(),
    transactionalIds: new Map(),
    onRequest: options.onRequest,
    sasl: options.sasl,
    frameLog: options.frameLog,
    nextOffsets: new Map(),
    nextProducerId: 1000n,
    connections: 0,
    stats: { produceRequests: 0, records: 0 },
  };
}

interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
}

/** A response frame to send only after `delayMs` (and every later one on the connection after it). */
export interface DelayedAnswer {
  /** How long to hold it. */
  readonly delayMs: number;
  /** The response frame with its size prefix. */
  readonly frame: Uint8Array;
}

/**
 * Answers one request frame (without its size prefix) on connection `conn`:
 * the response frame with its size prefix (to send after a delay when
 * `onTransactional` says so), or null when no response is due.
 * @throws {Error} for an API the fake does not speak, or a request SASL does
 * not allow yet (the connection hangs up).
 */
export function answerRequest(
  state: KafkaState,
  frame: Uint8Array,
  conn: ConnectionState,
): Uint8Array | DelayedAnswer | null {
  const r = new Reader(frame);
  const header: RequestHeader = {
    apiKey: r.int16(),
    apiVersion: r.int16(),
    correlationId: r.int32(),
  };
  if (!state.versions.has(header.apiKey)) {
    throw new Error(`fake broker: unsupported API key ${header.apiKey}`);
  }
  if (
    state.sasl && !SASL_FREE.has(header.apiKey) && (!conn.authenticated || conn.saslMechanism)
  ) {
    throw new Error(
      `fake broker: API key ${header.apiKey} on connection ${conn.id} ${
        conn.saslMechanism ? "during a SASL exchange" : "before SASL authentication"
      }`,
    );
  }
  if (header.apiKey === ApiKey.Produce && !state.answerProduce) {
    state.stats.produceRequests++;
    return null;
  }
  r.string(); // client id
  const flexible = isFlexibleRequest(header);
  if (flexible) r.taggedFields();
  // Response header v1 (tagged fields) for flexible versions, except ApiVersions (always v0).
  const w = new Writer(256).int32(0).int32(header.correlationId);
  if (flexible && header.apiKey !== ApiKey.ApiVersions) w.taggedFields();
  let delayMs = 0;
  switch (header.apiKey) {
    case ApiKey.ApiVersions:
      writeApiVersions(w, state, header.apiVersion);
      break;
    case ApiKey.Metadata:
      writeMetadata(w, state, readMetadataTopics(r));
      break;
    case ApiKey.Produce: {
      const byId = header.apiVersion >= PRODUCE_TOPIC_IDS_FROM;
      const produce = readProduce(r, state, header.apiVersion);
      state.requestLog?.push({
        connection: conn.id,
        address: conn.address,
        apiKey: ApiKey.Produce,
        version: header.apiVersion,
        atMs: performance.now(),
        attempt: 0,
        body: { transactionalId: produce.transactionalId, topics: produce.topics },
        scripted: undefined,
      });
      if (produce.acks === 0) return null;
      writeProduce(w, state, produce.topics, byId);
      break;
    }
    case ApiKey.SaslHandshake:
      writeSaslHandshake(w, state.sasl!, conn, r.string() ?? "");
      break;
    case ApiKey.SaslAuthenticate: {
      const authBytes = (flexible ? r.compactBytes() : r.bytes()) ?? new Uint8Array(0);
      writeSaslAuthenticate(w, state.sasl!, conn, authBytes, header.apiVersion);
      break;
    }
    default: {
      const outcome = answerCoordinatorApi(state, conn, header.apiKey, header.apiVersion, r, w);
      if (outcome.hang) return null;
      delayMs = outcome.delayMs;
    }
  }
  w.patchInt32(0, w.length - 4);
  return delayMs > 0 ? { delayMs, frame: w.finish() } : w.finish();
}

function isFlexibleRequest(h: RequestHeader): boolean {
  switch (h.apiKey) {
    case ApiKey.ApiVersions:
      return h.apiVersion >= 3;
    case ApiKey.SaslHandshake:
      return false;
    case ApiKey.SaslAuthenticate:
      return h.apiVersion >= 2;
    default: {
      const coordinatorApi = COORDINATOR_APIS.get(h.apiKey); // InitProducerId too
      return h.apiVersion >= (coordinatorApi?.flexibleFrom ?? 9); // else Produce and Metadata
    }
  }
}

function writeApiVersions(w: Writer, state: KafkaState, version: number): void {
  const flexible = version >= 3;
  const ranges = state.apiVersionsError === 0 ? [...state.versions] : [];
  w.int16(state.apiVersionsError);
  w.array(ranges, flexible, (w, [key, [min, max]]) => {
    w.int16(key).int16(min).int16(max);
    if (flexible) w.taggedFields();
  });
  if (version >= 1) w.int32(0);
  const features = state.finalizedFeatures;
  if (flexible && features) {
    const levels = Object.entries(features.levels);
    w.taggedFields([
      { tag: 1, write: (w) => w.int64(features.epoch) },
      {
        tag: 2,
        write: (w) =>
          w.array(levels, true, (w, [name, level]) => {
            w.compactString(name).int16(level).int16(level).taggedFields();
          }),
      },
    ]);
  } else if (flexible) w.taggedFields();
}

/** Requests a SASL listener takes before (and during) authentication. */
const SASL_FREE = new Set<number>([
  ApiKey.ApiVersions,
  ApiKey.SaslHandshake,
  ApiKey.SaslAuthenticate,
]);

/** SaslHandshake response (v0–1): the mechanism accepted, or 33 with those enabled. */
function writeSaslHandshake(
  w: Writer,
  sasl: FakeSasl,
  conn: ConnectionState,
  mechanism: string,
): void {
  const enabled = sasl.mechanisms ?? ["PLAIN"];
  // A new exchange ends the session it replaces: nothing else until it is done.
  conn.authenticated = false;
  conn.saslMechanism = null;
  if (enabled.includes(mechanism)) conn.saslMechanism = mechanism;
  w.int16(enabled.includes(mechanism) ? 0 : 33);
  w.array(enabled, false, (w, name) => w.string(name));
}

/**
 * SaslAuthenticate response (v0–2) to PLAIN's `\0username\0password`: success
 * with the session lifetime, or 58 with Kafka's message (34 without a handshake).
 */
function writeSaslAuthenticate(
  w: Writer,
  sasl: FakeSasl,
  conn: ConnectionState,
  authBytes: Uint8Array,
  version: number,
): void {
  const flexible = version >= 2;
  let errorCode = 0;
  let errorMessage: string | null = null;
  if (conn.saslMechanism === null) {
    errorCode = 34;
    errorMessage = "SaslAuthenticate without a SaslHandshake";
  } else {
    const [, username, password] = new TextDecoder().decode(authBytes).split("\0");
    const ok = conn.saslMechanism === "PLAIN" && username === sasl.username &&
      password === sasl.password;
    if (!ok) {
      errorCode = 58;
      errorMessage = "Authentication failed: Invalid username or password";
    }
    conn.authenticated = ok;
    conn.saslMechanism = null;
  }
  w.int16(errorCode);
  if (flexible) w.compactString(errorMessage).compactBytes(new Uint8Array(0));
  else w.string(errorMessage).bytes(new Uint8Array(0));
  if (version >= 1) w.int64(errorCode === 0 ? BigInt(sasl.sessionLifetimeMs ?? 0) : 0n);
  if (flexible) w.taggedFields();
}
