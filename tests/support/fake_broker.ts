/**
 * Tiny fake listeners on 127.0.0.1 for faults a real broker can't produce on
 * demand: a server speaking HTTP, one speaking TLS, one that accepts and
 * closes, one that never answers, and a minimal Kafka-speaking one
 * (ApiVersions and Metadata v1 answered, Produce swallowed or unsupported).
 * Deno only.
 *
 * @module
 */
import { FrameSplitter } from "../../lib/net/frames.ts";
import { Writer } from "../../lib/protocol/writer.ts";

/** How the fake behaves on each connection. */
export type FakeBehaviour =
  /** Answers the first bytes with an HTTP response, then closes. */
  | "http"
  /**
   * Answers the first bytes as a TLS listener answers a plaintext client: a
   * fatal alert record (TLS 1.2, decode_error), then closes.
   */
  | "tls-alert"
  /** Closes every connection as soon as it is accepted. */
  | "close"
  /** Reads and never answers. */
  | "silent"
  /** ApiVersions answered with this error code and no version ranges. */
  | { apiVersionsError: number }
  /**
   * Speaks just enough Kafka: ApiVersions (advertising `produce` versions, or
   * none) and Metadata v1 naming itself leader of `partitions` partitions of
   * any topic (indexes 0..partitions-1, or `partitionIndexes` if given: a
   * hostile broker's); Produce requests are read and never answered.
   */
  | {
    kafka: {
      produce: [number, number] | null;
      partitions: number;
      partitionIndexes?: readonly number[];
    };
  };

/** A running fake. */
export interface FakeBroker extends AsyncDisposable {
  /** `127.0.0.1:port`. */
  readonly address: string;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Produce requests received so far. */
  readonly produceRequests: number;
}

/** Starts a fake listener; dispose it to close the listener and every connection. */
export function startFakeBroker(behaviour: FakeBehaviour): FakeBroker {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const conns = new Set<Deno.Conn>();
  const tasks: Promise<void>[] = [];
  const stats = { accepted: 0, produceRequests: 0 };
  const accepting = (async () => {
    for await (const conn of listener) {
      stats.accepted++;
      conns.add(conn);
      tasks.push(
        serve(conn, behaviour, port, stats).catch(() => {}).finally(() => {
          conns.delete(conn);
          closeQuietly(conn);
        }),
      );
    }
  })().catch(() => {});
  return {
    address: `127.0.0.1:${port}`,
    get accepted() {
      return stats.accepted;
    },
    get produceRequests() {
      return stats.produceRequests;
    },
    async [Symbol.asyncDispose]() {
      listener.close();
      for (const conn of conns) closeQuietly(conn);
      await accepting;
      await Promise.allSettled(tasks);
    },
  };
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // already closed
  }
}

async function serve(
  conn: Deno.Conn,
  behaviour: FakeBehaviour,
  port: number,
  stats: { produceRequests: number },
): Promise<void> {
  if (behaviour === "close") return;
  if (behaviour === "http") {
    const reader = conn.readable.getReader();
    await reader.read();
    reader.releaseLock();
    const body = "<html>not kafka</html>";
    await conn.write(
      new TextEncoder().encode(
        `HTTP/1.1 400 Bad Request\r\nContent-Type: text/html\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      ),
    );
    return;
  }
  if (behaviour === "tls-alert") {
    const reader = conn.readable.getReader();
    await reader.read();
    reader.releaseLock();
    await conn.write(new Uint8Array([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x32]));
    return;
  }
  if (behaviour === "silent") {
    for await (const _ of conn.readable) { /* never answer */ }
    return;
  }
  const writer = conn.writable.getWriter();
  const frames = conn.readable.pipeThrough(new FrameSplitter(1 << 24));
  for await (const frame of frames) {
    const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
    const apiKey = view.getInt16(0);
    const version = view.getInt16(2);
    const correlationId = view.getInt32(4);
    const w = new Writer();
    w.int32(0).int32(correlationId);
    if (apiKey === 18) {
      if ("apiVersionsError" in behaviour) {
        apiVersions(w, version, behaviour.apiVersionsError, []);
      } else {
        const ranges: [number, number, number][] = [[18, 0, 4], [3, 1, 1]];
        if (behaviour.kafka.produce) ranges.push([0, ...behaviour.kafka.produce]);
        apiVersions(w, version, 0, ranges);
      }
    } else if (apiKey === 3 && "kafka" in behaviour) {
      const { partitions, partitionIndexes } = behaviour.kafka;
      metadataV1(w, frame, port, partitionIndexes ?? [...Array(partitions).keys()]);
    } else if (apiKey === 0) {
      stats.produceRequests++;
      continue; // never answered
    } else {
      return; // anything else: hang up
    }
    w.patchInt32(0, w.length - 4);
    await writer.write(w.finish());
  }
}

function apiVersions(
  w: Writer,
  version: number,
  errorCode: number,
  ranges: [number, number, number][],
): void {
  const flexible = version >= 3;
  w.int16(errorCode);
  w.array(ranges, flexible, (w, [key, min, max]) => {
    w.int16(key).int16(min).int16(max);
    if (flexible) w.taggedFields();
  });
  if (version >= 1) w.int32(0);
  if (flexible) w.taggedFields();
}

/** Metadata v1 response for the topics asked for: this fake leads every partition listed. */
function metadataV1(
  w: Writer,
  request: Uint8Array,
  port: number,
  partitionIndexes: readonly number[],
): void {
  const view = new DataView(request.buffer, request.byteOffset, request.byteLength);
  let at = 8;
  at += 2 + Math.max(view.getInt16(at), 0); // client id
  const count = view.getInt32(at);
  at += 4;
  const topics: string[] = [];
  for (let i = 0; i < count; i++) {
    const n = view.getInt16(at);
    topics.push(new TextDecoder().decode(request.subarray(at + 2, at + 2 + n)));
    at += 2 + n;
  }
  w.array([0], false, (w) => w.int32(1).string("127.0.0.1").int32(port).string(null));
  w.int32(1); // controller id
  w.array(topics, false, (w, name) => {
    w.int16(0).string(name).bool(false);
    w.array(partitionIndexes, false, (w, p) => {
      w.int16(0).int32(p).int32(1);
      w.array([1], false, (w, n) => w.int32(n));
      w.array([1], false, (w, n) => w.int32(n));
    });
  });
}
