/**
 * One proxied connection of the chaos proxy: a client socket and the broker
 * socket behind it, with a pump per direction.
 *
 * Client → broker bytes go through one reused buffer: read, scan the request
 * headers (to learn which response answers what), wait out a stall or the
 * bandwidth limit, write. Broker → client bytes are cut into whole response
 * frames, each copied into a queue with the time it may leave (a delayed
 * response holds back the ones after it: Kafka answers in order), and a
 * writer sends them on. A dropped response closes the pair right there.
 *
 * @module
 */
import {
  type RequestHead,
  RequestScanner,
  responseCorrelationId,
  ResponseFramer,
} from "./chaos_frames.ts";

/** Live counters of a chaos proxy. */
export interface ChaosStats {
  /** Client connections accepted and joined to their broker. */
  connections: number;
  /** Connection pairs aborted by `resetAll` (or a chaos reset). */
  resets: number;
  /** Calls of `stall` (including chaos stalls). */
  stalls: number;
  /** Responses dropped after the broker produced them. */
  droppedResponses: number;
  /** Responses held back by `delayResponses`. */
  delayedResponses: number;
  /** Requests seen going client → broker. */
  requests: number;
  /** Response frames forwarded broker → client. */
  responses: number;
  /** Bytes forwarded client → broker. */
  bytesUp: number;
  /** Bytes forwarded broker → client. */
  bytesDown: number;
}

/** The faults in force, shared by every pair of a proxy. */
export interface FaultState {
  /** Counters to update. */
  readonly stats: ChaosStats;
  /** Nothing is forwarded, in either direction, before this time (epoch ms). */
  stalledUntil: number;
  /** Responses still to drop, by API key. */
  readonly drops: Map<number, number>;
  /** How long to hold each response, by API key (ms). */
  readonly delays: Map<number, number>;
  /** Client → broker bytes per second over all pairs; 0 = unlimited. */
  bytesPerSecond: number;
  /** When the bandwidth limit lets the next bytes go (epoch ms). */
  nextSendAtMs: number;
}

/** Bytes read from a socket at a time. */
const READ_BUFFER_BYTES = 128 * 1024;
/** Largest response frame the proxy accepts. */
const MAX_RESPONSE_BYTES = 128 * 1024 * 1024;
/** Responses queued for the client beyond this make the pump stop reading the broker. */
const MAX_QUEUED_DOWN_BYTES = 4 * 1024 * 1024;
/** Responses written to the client in one write at most (coalesced). */
const MAX_WRITE_BYTES = 256 * 1024;

/** A response waiting to be forwarded, or the order to close after the ones before it. */
type Outgoing = { bytes: Uint8Array; releaseAtMs: number } | "close";

/** A pending sleep that `close()` can cut short. */
interface Sleep {
  timer: ReturnType<typeof setTimeout>;
  resolve(): void;
}

/** A client socket joined to a broker socket. */
export class ProxyPair {
  /** Resolves once both pumps stopped and both sockets are closed. */
  readonly done: Promise<void>;

  #client: Deno.Conn;
  #broker: Deno.Conn;
  #faults: FaultState;
  #onClose: (pair: ProxyPair) => void;
  #closed = false;
  #pending: RequestHead[] = [];
  #pendingHead = 0;
  #out: Outgoing[] = [];
  #outHead = 0;
  #outBytes = 0;
  #lastReleaseAtMs = 0;
  #sleeps = new Set<Sleep>();
  #wakeWriter: (() => void) | null = null;
  #wakeReader: (() => void) | null = null;
  #readerDone = false;

  /** Joins `client` to `broker` and starts forwarding; `onClose` runs once when the pair closes. */
  constructor(
    client: Deno.Conn,
    broker: Deno.Conn,
    faults: FaultState,
    onClose: (pair: ProxyPair) => void,
  ) {
    this.#client = client;
    this.#broker = broker;
    this.#faults = faults;
    this.#onClose = onClose;
    this.done = Promise.all([this.#pumpUp(), this.#readDown(), this.#writeDown()]).then(() => {});
  }

  /** Closes both sockets now; bytes not yet forwarded are lost. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const conn of [this.#client, this.#broker]) {
      try {
        conn.close();
      } catch {
        // already closed
      }
    }
    this.#cutSleeps();
    this.#wake();
    this.#onClose(this);
  }

  /**
   * Lets responses held by a delay go now and cuts every wait short (a
   * stall, the bandwidth limit): the pumps look at the faults again.
   */
  release(): void {
    for (let i = this.#outHead; i < this.#out.length; i++) {
      const item = this.#out[i];
      if (item !== "close") item.releaseAtMs = 0;
    }
    this.#lastReleaseAtMs = 0;
    this.#cutSleeps();
  }

  #cutSleeps(): void {
    for (const sleep of this.#sleeps) {
      clearTimeout(sleep.timer);
      sleep.resolve();
    }
    this.#sleeps.clear();
  }

  /** Client → broker: scan request headers, forward the same bytes. */
  async #pumpUp(): Promise<void> {
    const buffer = new Uint8Array(READ_BUFFER_BYTES);
    const stats = this.#faults.stats;
    const scanner = new RequestScanner((head) => {
      stats.requests++;
      if (head.expectsResponse) this.#pending.push(head);
    });
    try {
      while (!this.#closed) {
        const n = await this.#client.read(buffer);
        if (n === null) break;
        const chunk = buffer.subarray(0, n);
        scanner.scan(chunk);
        await this.#gate(n, true);
        if (this.#closed) break;
        await writeAll(this.#broker, chunk);
        stats.bytesUp += n;
      }
    } catch {
      // a socket closed or failed: the pair ends
    }
    this.close();
  }

  /** Broker → client, first half: frame the responses and queue them with their release time. */
  async #readDown(): Promise<void> {
    const buffer = new Uint8Array(READ_BUFFER_BYTES);
    const framer = new ResponseFramer(MAX_RESPONSE_BYTES);
    let stop = false;
    const onFrame = (frame: Uint8Array) => {
      if (stop) return;
      const apiKey = this.#requestFor(responseCorrelationId(frame))?.apiKey ?? -1;
      const faults = this.#faults;
      const drops = faults.drops.get(apiKey) ?? 0;
      if (drops > 0) {
        faults.drops.set(apiKey, drops - 1);
        faults.stats.droppedResponses++;
        this.#enqueue("close");
        stop = true;
        return;
      }
      const delay = faults.delays.get(apiKey) ?? 0;
      if (delay > 0) faults.stats.delayedResponses++;
      const releaseAtMs = Math.max(Date.now() + delay, this.#lastReleaseAtMs);
      this.#lastReleaseAtMs = releaseAtMs;
      this.#enqueue({ bytes: frame.slice(), releaseAtMs });
    };
    try {
      while (!this.#closed && !stop) {
        while (this.#outBytes > MAX_QUEUED_DOWN_BYTES && !this.#closed) {
          await new Promise<void>((resolve) => this.#wakeReader = resolve);
        }
        if (this.#closed) break;
        const n = await this.#broker.read(buffer);
        if (n === null) break;
        framer.push(buffer.subarray(0, n), onFrame);
      }
    } catch {
      // a socket closed or failed, or the broker sent a frame too large
      this.#enqueue("close");
    }
    // The broker closed: forward what is queued, then close the client.
    this.#readerDone = true;
    this.#wake();
  }

  /** Broker → client, second half: forward queued responses when due. */
  async #writeDown(): Promise<void> {
    const stats = this.#faults.stats;
    try {
      while (!this.#closed) {
        if (this.#outHead === this.#out.length) {
          if (this.#readerDone) break;
          await new Promise<void>((resolve) => this.#wakeWriter = resolve);
          continue;
        }
        const first = this.#out[this.#outHead];
        if (first === "close") break;
        const wait = first.releaseAtMs - Date.now();
        if (wait > 0) {
          await this.#sleep(wait);
          continue;
        }
        // Coalesce the responses that are due into one write.
        const parts: Uint8Array[] = [];
        let size = 0;
        const now = Date.now();
        while (this.#outHead < this.#out.length) {
          const next = this.#out[this.#outHead];
          if (next === "close" || next.releaseAtMs > now) break;
          if (parts.length > 0 && size + next.bytes.length > MAX_WRITE_BYTES) break;
          parts.push(next.bytes);
          size += next.bytes.length;
          this.#out[this.#outHead++] = undefined as unknown as Outgoing;
        }
        this.#compactOut();
        await this.#gate(size, false);
        if (this.#closed) break;
        await writeAll(this.#client, parts.length === 1 ? parts[0] : concat(parts, size));
        stats.bytesDown += size;
        stats.responses += parts.length;
        this.#outBytes -= size;
        this.#wakeReader?.();
        this.#wakeReader = null;
      }
    } catch {
      // the client socket closed or failed
    }
    this.close();
  }

  /**
   * The request a response answers. Kafka answers in order on a connection,
   * so requests before it that are still listed got no answer and are
   * dropped; an unknown correlation id leaves the list alone.
   */
  #requestFor(correlationId: number): RequestHead | undefined {
    const pending = this.#pending;
    for (let i = this.#pendingHead; i < pending.length; i++) {
      if (pending[i].correlationId !== correlationId) continue;
      const head = pending[i];
      this.#pendingHead = i + 1;
      if (this.#pendingHead === pending.length) {
        pending.length = 0;
        this.#pendingHead = 0;
      } else if (this.#pendingHead > 1024) {
        this.#pending = pending.slice(this.#pendingHead);
        this.#pendingHead = 0;
      }
      return head;
    }
    return undefined;
  }

  #enqueue(item: Outgoing): void {
    this.#out.push(item);
    if (item !== "close") this.#outBytes += item.bytes.length;
    this.#wakeWriter?.();
    this.#wakeWriter = null;
  }

  #compactOut(): void {
    if (this.#outHead === this.#out.length) {
      this.#out.length = 0;
      this.#outHead = 0;
    } else if (this.#outHead > 1024) {
      this.#out = this.#out.slice(this.#outHead);
      this.#outHead = 0;
    }
  }

  /** Waits out a stall, then (client → broker) the bandwidth limit for `bytes`. */
  async #gate(bytes: number, up: boolean): Promise<void> {
    const faults = this.#faults;
    for (;;) {
      const wait = faults.stalledUntil - Date.now();
      if (wait <= 0 || this.#closed) break;
      await this.#sleep(wait);
    }
    if (!up || faults.bytesPerSecond <= 0 || this.#closed) return;
    const now = Date.now();
    const at = Math.max(faults.nextSendAtMs, now);
    faults.nextSendAtMs = at + (bytes * 1000) / faults.bytesPerSecond;
    if (at > now) await this.#sleep(at - now);
  }

  #sleep(ms: number): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      const sleep: Sleep = {
        timer: setTimeout(() => {
          this.#sleeps.delete(sleep);
          resolve();
        }, ms),
        resolve,
      };
      this.#sleeps.add(sleep);
    });
  }

  #wake(): void {
    this.#wakeWriter?.();
    this.#wakeWriter = null;
    this.#wakeReader?.();
    this.#wakeReader = null;
  }
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) written += await conn.write(bytes.subarray(written));
}

function concat(parts: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
