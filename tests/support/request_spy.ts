/**
 * A transport that wraps another and watches what the producer writes:
 * how many connections it opens, and how many requests of each API key go
 * out on each (the outbound bytes are parsed as Kafka frames: int32 size,
 * then the request header's int16 api key). For proving re-authentication
 * happens on the same connection.
 *
 * @module
 */
import type { ConnectOptions, Socket, Transport } from "../../mod.ts";

/** What a {@link RequestSpy} saw on one connection. */
export interface SpiedConnection {
  /** `host:port`. */
  address: string;
  /** Requests written, by API key. */
  requests: Map<number, number>;
}

/** A transport that counts connections and requests; see the module doc. */
export class RequestSpy implements Transport {
  /** Every connection opened, in order. */
  readonly connections: SpiedConnection[] = [];
  #inner: Transport;
  #onRequest: ((apiKey: number, address: string) => void) | undefined;

  /** Wraps `inner`; `onRequest` (optional) hears of each request as it is written. */
  constructor(inner: Transport, onRequest?: (apiKey: number, address: string) => void) {
    this.#inner = inner;
    this.#onRequest = onRequest;
  }

  /** How many connections were opened to each address. */
  connectsByAddress(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const { address } of this.connections) counts.set(address, (counts.get(address) ?? 0) + 1);
    return counts;
  }

  /** Requests of `apiKey` written over all connections. */
  count(apiKey: number): number {
    let n = 0;
    for (const c of this.connections) n += c.requests.get(apiKey) ?? 0;
    return n;
  }

  async connect(host: string, port: number, options?: ConnectOptions): Promise<Socket> {
    const socket = await this.#inner.connect(host, port, options);
    const seen: SpiedConnection = { address: `${host}:${port}`, requests: new Map() };
    this.connections.push(seen);
    const parser = frameParser((apiKey) => {
      seen.requests.set(apiKey, (seen.requests.get(apiKey) ?? 0) + 1);
      this.#onRequest?.(apiKey, seen.address);
    });
    const writer = socket.writable.getWriter();
    const writable = new WritableStream<Uint8Array>({
      async write(chunk) {
        parser(chunk);
        await writer.write(chunk);
      },
      close: () => writer.close(),
      abort: (reason) => writer.abort(reason),
    });
    return { readable: socket.readable, writable, close: () => socket.close() };
  }
}

/** Feeds bytes of size-prefixed request frames; calls `onRequest` with each api key. */
function frameParser(onRequest: (apiKey: number) => void): (chunk: Uint8Array) => void {
  let header = new Uint8Array(0); // the first bytes of the current frame, up to 6
  let remaining = 0; // bytes of the current frame still to skip after its header
  return (chunk) => {
    let at = 0;
    while (at < chunk.length) {
      if (remaining > 0) {
        const skip = Math.min(remaining, chunk.length - at);
        remaining -= skip;
        at += skip;
        continue;
      }
      const take = Math.min(6 - header.length, chunk.length - at);
      const next = new Uint8Array(header.length + take);
      next.set(header);
      next.set(chunk.subarray(at, at + take), header.length);
      header = next;
      at += take;
      if (header.length === 6) {
        const view = new DataView(header.buffer);
        const size = view.getInt32(0);
        if (size < 8) throw new Error(`request frame size ${size}: the spy lost the framing`);
        onRequest(view.getInt16(4));
        remaining = size - 2;
        header = new Uint8Array(0);
      }
    }
  };
}
