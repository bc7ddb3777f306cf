/**
 * An in-memory Kafka broker behind the {@link Transport} interface, for
 * benchmarking the producer's own cost without sockets or a JVM. It answers
 * ApiVersions, Metadata (every topic asked for exists, with `partitions`
 * partitions led by node 1), InitProducerId and Produce (success for every
 * partition, base offsets counting up per partition); with `acks=0` it stays
 * silent, as a broker does. Record bytes are discarded.
 *
 * It speaks one version per API (Metadata v12, InitProducerId v4, Produce
 * v11; ApiVersions at whatever version it is asked), so the client negotiates
 * exactly those. The response bodies are written here: `lib/protocol` only
 * encodes requests and decodes responses.
 *
 * @module
 */
import { ApiKey } from "../../lib/protocol/api.ts";
import { Reader } from "../../lib/protocol/reader.ts";
import { Writer } from "../../lib/protocol/writer.ts";
import type { Socket, Transport } from "../../lib/net/transport.ts";

/** The single version the fake speaks per API key. */
const VERSIONS: ReadonlyMap<number, readonly [min: number, max: number]> = new Map([
  [ApiKey.Produce, [11, 11]],
  [ApiKey.Metadata, [12, 12]],
  [ApiKey.ApiVersions, [0, 4]],
  [ApiKey.InitProducerId, [4, 4]],
]);

/** Options of {@link fakeBrokerTransport}. */
export interface FakeBrokerOptions {
  /** Partitions of every topic. Default 6. */
  partitions?: number;
  /** Host and port the fake advertises as node 1. Default `fake:9092`. */
  host?: string;
  /** See {@link FakeBrokerOptions.host}. */
  port?: number;
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
    nextOffsets: new Map(),
    nextProducerId: 1000n,
    stats: { produceRequests: 0, records: 0 },
  };
  return {
    stats: state.stats,
    transport: {
      connect: () => Promise.resolve(openSocket(state)),
    },
  };
}

interface BrokerState {
  partitions: number;
  host: string;
  port: number;
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

function openSocket(state: BrokerState): Socket {
  let toClient!: ReadableStreamDefaultController<Uint8Array>;
  let closed = false;
  let pending: Uint8Array | null = null;
  const readable = new ReadableStream<Uint8Array>({
    start(controller) {
      toClient = controller;
    },
  });
  const answer = (frame: Uint8Array) => {
    const response = handle(state, frame);
    if (response !== null && !closed) toClient.enqueue(response);
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
      writeApiVersions(w, header.apiVersion);
      break;
    case ApiKey.Metadata:
      writeMetadata(w, state, readMetadataTopics(r));
      break;
    case ApiKey.InitProducerId:
      w.int32(0).int16(0).int64(state.nextProducerId++).int16(0).taggedFields();
      break;
    case ApiKey.Produce: {
      const acks = readProduce(r, state);
      if (acks.acks === 0) return null;
      writeProduce(w, state, acks.topics);
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

function writeApiVersions(w: Writer, version: number): void {
  const flexible = version >= 3;
  w.int16(0);
  w.array([...VERSIONS], flexible, (w, [key, [min, max]]) => {
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
    w.int16(0).compactString(name).uuid(topicId(name)).bool(false);
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

function topicId(name: string): Uint8Array {
  const id = new Uint8Array(16);
  for (let i = 0; i < name.length; i++) id[i % 16] = (id[i % 16] * 31 + name.charCodeAt(i)) & 255;
  id[0] |= 1; // never the zero UUID
  return id;
}

interface ProducedTopic {
  name: string;
  partitions: { index: number; records: number }[];
}

/** Reads a Produce v11 request: acks and, per partition, how many records came. */
function readProduce(r: Reader, state: BrokerState): { acks: number; topics: ProducedTopic[] } {
  r.compactString(); // transactional id
  const acks = r.int16();
  r.int32(); // timeout
  const topics = r.array(true, (r) => {
    const name = r.compactString() ?? "";
    const partitions = r.array(true, (r) => {
      const index = r.int32();
      const records = countRecords(r.compactBytes());
      r.taggedFields();
      return { index, records };
    }) ?? [];
    r.taggedFields();
    return { name, partitions };
  }) ?? [];
  r.taggedFields();
  state.stats.produceRequests++;
  for (const t of topics) for (const p of t.partitions) state.stats.records += p.records;
  return { acks, topics };
}

/** Records in a run of RecordBatch v2 (recordsCount of each batch header). */
function countRecords(bytes: Uint8Array | null): number {
  if (bytes === null) return 0;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let n = 0;
  for (let pos = 0; pos + 61 <= bytes.length;) {
    n += view.getInt32(pos + 57);
    pos += 12 + view.getInt32(pos + 8);
  }
  return n;
}

function writeProduce(w: Writer, state: BrokerState, topics: ProducedTopic[]): void {
  w.array(topics, true, (w, t) => {
    w.compactString(t.name);
    w.array(t.partitions, true, (w, p) => {
      const key = `${t.name}\u0000${p.index}`;
      const base = state.nextOffsets.get(key) ?? 0n;
      state.nextOffsets.set(key, base + BigInt(p.records));
      w.int32(p.index).int16(0).int64(base).int64(-1n).int64(0n);
      w.uvarint(1); // record_errors: none
      w.compactString(null); // error_message
      w.taggedFields();
    });
    w.taggedFields();
  });
  w.int32(0).taggedFields();
}
