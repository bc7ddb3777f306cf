/**
 * An in-memory Kafka broker behind the {@link Transport} interface, for
 * benchmarking the producer's own cost without sockets or a JVM. It answers
 * ApiVersions, Metadata (every topic asked for exists, with `partitions`
 * partitions led by node 1), InitProducerId and Produce (success for every
 * partition, base offsets counting up per partition); with `acks=0` it stays
 * silent, as a broker does. Record bytes are discarded.
 *
 * It speaks one version per API (Metadata v12, InitProducerId v4, Produce
 * v11 unless told otherwise; ApiVersions at whatever version it is asked), so
 * the client negotiates exactly those. The response bodies are written here:
 * `lib/protocol` only encodes requests and decodes responses.
 *
 * Tests give it faults a real broker can't produce on demand through hooks:
 * {@link FakeBrokerOptions.onProduce} picks each partition's error code,
 * {@link FakeBrokerOptions.onInitProducerId} InitProducerId's,
 * {@link FakeBrokerOptions.topicId} re-creates topics, and
 * {@link FakeBrokerOptions.onRequest} holds answers. Answers keep request
 * order per connection, as a broker's do.
 *
 * @module
 */
import { ApiKey } from "../../lib/protocol/api.ts";
import { Reader } from "../../lib/protocol/reader.ts";
import { uuidToString } from "../../lib/protocol/uuid.ts";
import { Writer } from "../../lib/protocol/writer.ts";
import type { Socket, Transport } from "../../lib/net/transport.ts";

/** Produce v13 names topics by id instead of by name. */
const PRODUCE_TOPIC_IDS_FROM = 13;

/** Options of {@link fakeBrokerTransport}. */
export interface FakeBrokerOptions {
  /** Partitions of every topic. Default 6. */
  partitions?: number;
  /** Host and port the fake advertises as node 1. Default `fake:9092`. */
  host?: string;
  /** See {@link FakeBrokerOptions.host}. */
  port?: number;
  /** The one Produce version the fake speaks, a flexible one (9–13). Default 11. */
  produceVersion?: number;
  /**
   * Topic id of a topic, asked at every Metadata request (so a test can
   * re-create a topic). Default: derived from the name. Produce v13 requests
   * may name any id handed out so far.
   */
  topicId?: (topic: string) => Uint8Array;
  /** Answer to one partition of a Produce request; default (or undefined): success. */
  onProduce?: (batch: ProducedBatch) => ProduceAnswer | undefined;
  /** Error code to answer an InitProducerId request with; default 0 (a new producer id, epoch 0). */
  onInitProducerId?: () => number;
  /**
   * Called as each request arrives, with its API key and the connection's
   * number (1, 2, … in connect order). A promise returned holds the answer,
   * and every later answer on that connection, until it settles.
   */
  onRequest?: (apiKey: number, connection: number) => Promise<void> | undefined;
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
}

/** How the fake answers one partition of a Produce request. */
export interface ProduceAnswer {
  /** Error code (0: success, records get offsets). */
  readonly errorCode: number;
  /** Log start offset in the answer. Default 0. */
  readonly logStartOffset?: bigint;
}

/** Counters a {@link FakeBroker} keeps. */
export interface FakeBrokerStats {
  /** Produce requests received. */
  produceRequests: number;
  /** Records in them (from the batches' headers). */
  records: number;
}

/** A fake broker: `transport` connects to it; `stats` counts what it got. */
export interface FakeBroker {
  /** Pass as `ProducerOptions.transport`. */
  readonly transport: Transport;
  /** What the broker received so far. */
  readonly stats: FakeBrokerStats;
}

/** Creates a fake broker; every connection of its transport shares its logs. */
export function fakeBroker(options: FakeBrokerOptions = {}): FakeBroker {
  const state: BrokerState = {
    partitions: options.partitions ?? 6,
    host: options.host ?? "fake",
    port: options.port ?? 9092,
    versions: new Map([
      [ApiKey.Produce, [options.produceVersion ?? 11, options.produceVersion ?? 11]],
      [ApiKey.Metadata, [12, 12]],
      [ApiKey.ApiVersions, [0, 4]],
      [ApiKey.InitProducerId, [4, 4]],
    ]),
    topicId: options.topicId ?? defaultTopicId,
    topicNames: new Map(),
    onProduce: options.onProduce,
    onInitProducerId: options.onInitProducerId,
    onRequest: options.onRequest,
    connections: 0,
    nextOffsets: new Map(),
    nextProducerId: 1000n,
    stats: { produceRequests: 0, records: 0 },
  };
  return {
    stats: state.stats,
    transport: {
      connect: () => Promise.resolve(openSocket(state, ++state.connections)),
    },
  };
}

interface BrokerState {
  partitions: number;
  host: string;
  port: number;
  /** The one version spoken per API key. */
  versions: ReadonlyMap<number, readonly [min: number, max: number]>;
  topicId: (topic: string) => Uint8Array;
  /** Topic name of every id handed out, by the id's text form. */
  topicNames: Map<string, string>;
  onProduce: FakeBrokerOptions["onProduce"];
  onInitProducerId: FakeBrokerOptions["onInitProducerId"];
  onRequest: FakeBrokerOptions["onRequest"];
  /** Connections opened so far. */
  connections: number;
  /** Next offset per `topic\0partition`. */
  nextOffsets: Map<string, bigint>;
  nextProducerId: bigint;
  stats: FakeBrokerStats;
}

interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
}

function openSocket(state: BrokerState, id: number): Socket {
  let toClient!: ReadableStreamDefaultController<Uint8Array>;
  let closed = false;
  let pending: Uint8Array | null = null;
  /** Answers still held or queued behind a held one, in request order. */
  let backlog: Promise<void> | null = null;
  const readable = new ReadableStream<Uint8Array>({
    start(controller) {
      toClient = controller;
    },
  });
  const deliver = (frame: Uint8Array) => {
    const response = handle(state, frame);
    if (response !== null && !closed) toClient.enqueue(response);
  };
  const answer = (frame: Uint8Array) => {
    const hold = state.onRequest?.(new DataView(frame.buffer, frame.byteOffset).getInt16(0), id);
    if (hold === undefined && backlog === null) return deliver(frame);
    const copy = frame.slice();
    const mine: Promise<void> = Promise.all([backlog, hold]).then(() => deliver(copy)).catch(
      (error) => {
        if (!closed) toClient.error(error);
      },
    ).finally(() => {
      if (backlog === mine) backlog = null;
    });
    backlog = mine;
  };
  const writable = new WritableStream<Uint8Array>({
    write(chunk) {
      // The connection writes one whole frame per write; buffer anyway.
      let bytes = pending === null ? chunk : concat(pending, chunk);
      pending = null;
      while (bytes.length >= 4) {
        const size = new DataView(bytes.buffer, bytes.byteOffset, 4).getInt32(0);
        if (bytes.length < 4 + size) break;
        answer(bytes.subarray(4, 4 + size));
        bytes = bytes.subarray(4 + size);
      }
      if (bytes.length > 0) pending = bytes.slice();
    },
  });
  return {
    readable,
    writable,
    close() {
      if (closed) return;
      closed = true;
      try {
        toClient.close();
      } catch {
        // already closed or errored
      }
    },
  };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Answers one request frame (without its size prefix); null when no response is due. */
function handle(state: BrokerState, frame: Uint8Array): Uint8Array | null {
  const r = new Reader(frame);
  const header: RequestHeader = {
    apiKey: r.int16(),
    apiVersion: r.int16(),
    correlationId: r.int32(),
  };
  r.string(); // client id
  const flexible = isFlexibleRequest(header);
  if (flexible) r.taggedFields();
  // Response header v1 (tagged fields) for flexible versions, except ApiVersions (always v0).
  const w = new Writer(256).int32(0).int32(header.correlationId);
  if (flexible && header.apiKey !== ApiKey.ApiVersions) w.taggedFields();
  switch (header.apiKey) {
    case ApiKey.ApiVersions:
      writeApiVersions(w, state, header.apiVersion);
      break;
    case ApiKey.Metadata:
      writeMetadata(w, state, readMetadataTopics(r));
      break;
    case ApiKey.InitProducerId: {
      const errorCode = state.onInitProducerId?.() ?? 0;
      if (errorCode !== 0) w.int32(0).int16(errorCode).int64(-1n).int16(-1).taggedFields();
      else w.int32(0).int16(0).int64(state.nextProducerId++).int16(0).taggedFields();
      break;
    }
    case ApiKey.Produce: {
      const byId = header.apiVersion >= PRODUCE_TOPIC_IDS_FROM;
      const acks = readProduce(r, state, byId);
      if (acks.acks === 0) return null;
      writeProduce(w, state, acks.topics, byId);
      break;
    }
    default:
      throw new Error(`fake broker: unsupported API key ${header.apiKey}`);
  }
  w.patchInt32(0, w.length - 4);
  return w.finish();
}

function isFlexibleRequest(h: RequestHeader): boolean {
  switch (h.apiKey) {
    case ApiKey.ApiVersions:
      return h.apiVersion >= 3;
    case ApiKey.InitProducerId:
      return h.apiVersion >= 2;
    default:
      return h.apiVersion >= 9; // Produce and Metadata
  }
}

function writeApiVersions(w: Writer, state: BrokerState, version: number): void {
  const flexible = version >= 3;
  w.int16(0);
  w.array([...state.versions], flexible, (w, [key, [min, max]]) => {
    w.int16(key).int16(min).int16(max);
    if (flexible) w.taggedFields();
  });
  if (version >= 1) w.int32(0);
  if (flexible) w.taggedFields();
}

/** Topic names of a Metadata v12 request. */
function readMetadataTopics(r: Reader): string[] {
  const topics = r.array(true, (r) => {
    r.uuid();
    const name = r.compactString();
    r.taggedFields();
    return name;
  }) ?? [];
  return topics.filter((t): t is string => t !== null);
}

function writeMetadata(w: Writer, state: BrokerState, topics: string[]): void {
  const partitions = Array.from({ length: state.partitions }, (_, i) => i);
  w.int32(0); // throttle
  w.uvarint(2).int32(1).compactString(state.host).int32(state.port).compactString(null)
    .taggedFields();
  w.compactString("fake-cluster").int32(1);
  w.array(topics, true, (w, name) => {
    const id = state.topicId(name);
    state.topicNames.set(uuidToString(id), name);
    w.int16(0).compactString(name).uuid(id).bool(false);
    w.array(partitions, true, (w, p) => {
      w.int16(0).int32(p).int32(1).int32(0);
      w.uvarint(2).int32(1); // replicas
      w.uvarint(2).int32(1); // isr
      w.uvarint(1); // offline
      w.taggedFields();
    });
    w.int32(-2147483648).taggedFields(); // authorized operations: not asked
  });
  w.taggedFields();
}

function defaultTopicId(name: string): Uint8Array {
  const id = new Uint8Array(16);
  for (let i = 0; i < name.length; i++) id[i % 16] = (id[i % 16] * 31 + name.charCodeAt(i)) & 255;
  id[0] |= 1; // never the zero UUID
  return id;
}

interface ProducedTopic {
  name: string;
  topicId: Uint8Array | null;
  partitions: ProducedBatch[];
}

/** Reads a flexible Produce request: acks and, per partition, the batches' headers. */
function readProduce(
  r: Reader,
  state: BrokerState,
  byId: boolean,
): { acks: number; topics: ProducedTopic[] } {
  r.compactString(); // transactional id
  const acks = r.int16();
  r.int32(); // timeout
  const topics = r.array(true, (r) => {
    const topicId = byId ? r.uuid() : null;
    const name = topicId === null
      ? r.compactString() ?? ""
      : state.topicNames.get(uuidToString(topicId)) ?? "";
    const partitions = r.array(true, (r) => {
      const partition = r.int32();
      const batch = readBatches(name, topicId, partition, r.compactBytes());
      r.taggedFields();
      return batch;
    }) ?? [];
    r.taggedFields();
    return { name, topicId, partitions };
  }) ?? [];
  r.taggedFields();
  state.stats.produceRequests++;
  for (const t of topics) for (const p of t.partitions) state.stats.records += p.records;
  return { acks, topics };
}

/**
 * One partition's run of RecordBatch v2: the records of every batch
 * (recordsCount of each header) and the producer fields of the first.
 */
function readBatches(
  topic: string,
  topicId: Uint8Array | null,
  partition: number,
  bytes: Uint8Array | null,
): ProducedBatch {
  let records = 0;
  let producerId = -1n;
  let producerEpoch = -1;
  let baseSequence = -1;
  if (bytes !== null && bytes.length >= 61) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    producerId = view.getBigInt64(43);
    producerEpoch = view.getInt16(51);
    baseSequence = view.getInt32(53);
    for (let pos = 0; pos + 61 <= bytes.length;) {
      records += view.getInt32(pos + 57);
      pos += 12 + view.getInt32(pos + 8);
    }
  }
  return { topic, topicId, partition, records, producerId, producerEpoch, baseSequence };
}

function writeProduce(
  w: Writer,
  state: BrokerState,
  topics: ProducedTopic[],
  byId: boolean,
): void {
  w.array(topics, true, (w, t) => {
    if (byId) w.uuid(t.topicId!);
    else w.compactString(t.name);
    w.array(t.partitions, true, (w, p) => {
      const answer = state.onProduce?.(p);
      const errorCode = answer?.errorCode ?? 0;
      const key = `${t.name}\u0000${p.partition}`;
      const base = errorCode === 0 ? state.nextOffsets.get(key) ?? 0n : -1n;
      if (errorCode === 0) state.nextOffsets.set(key, base + BigInt(p.records));
      w.int32(p.partition).int16(errorCode).int64(base).int64(-1n);
      w.int64(answer?.logStartOffset ?? 0n);
      w.uvarint(1); // record_errors: none
      w.compactString(null); // error_message
      w.taggedFields();
    });
    w.taggedFields();
  });
  w.int32(0).taggedFields();
}
