/**
 * The fake broker behind the {@link Transport} interface, in memory: no
 * sockets, so benchmarks measure the producer's own cost and tests control
 * every answer. Answers keep request order per connection, as a broker's do
 * (one held by `onRequest`, or delayed by `onTransactional`, holds the ones
 * after it). Every address connects to the same broker.
 *
 * @module
 */
import type { Socket, Transport } from "../../../lib/net/transport.ts";
import {
  answerRequest,
  type ConnectionState,
  type FakeBrokerOptions,
  type FakeBrokerStats,
  type KafkaState,
  kafkaState,
} from "./kafka.ts";

/** A fake broker: `transport` connects to it; `stats` counts what it got. */
export interface FakeBroker {
  /** Pass as `ProducerOptions.transport`. */
  readonly transport: Transport;
  /** What the broker received so far. */
  readonly stats: FakeBrokerStats;
}

/** Creates a fake broker; every connection of its transport shares its state. */
export function fakeBroker(options: FakeBrokerOptions = {}): FakeBroker {
  const state = kafkaState(options);
  return {
    stats: state.stats,
    transport: {
      connect: (host, port) => Promise.resolve(openSocket(state, `${host}:${port}`)),
    },
  };
}

/**
 * A new connection to the broker of `state`, opened to `address` (default:
 * the advertised one): request frames written to it are answered on its
 * readable side.
 */
export function openSocket(state: KafkaState, address = `${state.host}:${state.port}`): Socket {
  const id = ++state.connections;
  const conn: ConnectionState = { id, address, authenticated: false, saslMechanism: null };
  /** Timers of delayed answers, cleared when the connection closes. */
  const timers = new Set<ReturnType<typeof setTimeout>>();
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
  const log = (direction: "request" | "response", frame: Uint8Array) => {
    const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
    state.frameLog?.push({
      connection: id,
      direction,
      apiKey: view.getInt16(0),
      correlationId: view.getInt32(4),
      atMs: performance.now(),
    });
  };
  const send = (request: Uint8Array, response: Uint8Array) => {
    if (closed) return;
    if (state.frameLog) log("response", request);
    toClient.enqueue(response);
  };
  /** Answers `frame`; returns a promise when the answer is delayed (later ones wait for it). */
  const deliver = (frame: Uint8Array): Promise<void> | undefined => {
    const response = answerRequest(state, frame, conn);
    if (response === null) return;
    if (response instanceof Uint8Array) {
      send(frame, response);
      return;
    }
    const request = frame.slice();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        send(request, response.frame);
        resolve();
      }, response.delayMs);
      timers.add(timer);
    });
  };
  const answer = (frame: Uint8Array) => {
    if (state.frameLog) log("request", frame);
    const hold = state.onRequest?.(new DataView(frame.buffer, frame.byteOffset).getInt16(0), id);
    if (hold === undefined && backlog === null) {
      const delayed = deliver(frame);
      if (delayed === undefined) return;
      const mine: Promise<void> = delayed.finally(() => {
        if (backlog === mine) backlog = null;
      });
      backlog = mine;
      return;
    }
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
      // The connection writes one whole frame per write; a TCP peer may not.
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
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
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
