/**
 * A chaos proxy for fault tests: a TCP listener on loopback in front of each
 * broker, forwarding bytes both ways, with faults switched on at will —
 * connection resets, stalls, responses lost after the broker processed the
 * request, delayed responses, a bandwidth limit, and random faults.
 *
 * The producer is pointed at it through its `transport` option:
 * {@link ChaosProxy.transport} connects each known broker address (bootstrap
 * and advertised alike) to the listener in front of that broker, so Metadata
 * needs no rewriting.
 *
 * @example
 * ```ts
 * const proxy = await ChaosProxy.start(["127.0.0.1:9092"]);
 * const producer = new Producer({ bootstrapServers: "127.0.0.1:9092", transport: proxy.transport() });
 * proxy.dropResponses(1); // the next Produce response is lost, its connection closed
 * await producer.send({ topic: "t", value: "v" }); // retried; the broker dedupes
 * await producer.close();
 * await proxy.close();
 * ```
 *
 * @module
 */
import type { Socket, Transport } from "../../lib/net/transport.ts";
import { denoTransport } from "../../lib/net/deno.ts";
import { type ChaosStats, type FaultState, ProxyPair } from "./chaos_pair.ts";
import { prng } from "./records.ts";

export type { ChaosStats } from "./chaos_pair.ts";

/** A `[min, max]` range of milliseconds; each interval is drawn uniformly from it. */
export type MsRange = readonly [min: number, max: number];

/** Random faults for {@link ChaosProxy.chaos}; each kind runs on its own random interval. */
export interface ChaosOptions {
  /** Abort every open pair ({@link ChaosProxy.resetAll}) every so often. */
  resetEveryMs?: MsRange;
  /** Stall all forwarding every so often, each stall lasting {@link ChaosOptions.stallMs}. */
  stallEveryMs?: MsRange;
  /** How long each random stall lasts. Default `[50, 500]`. */
  stallMs?: MsRange;
  /**
   * Drop one response of {@link ChaosOptions.dropApiKey} every so often (the
   * next one; nothing more is armed while a drop is still pending).
   */
  dropEveryMs?: MsRange;
  /** API key of the responses random drops apply to. Default 0 (Produce). */
  dropApiKey?: number;
  /** Seed of the random intervals, for a repeatable schedule. Default: `Math.random`. */
  seed?: number;
}

/** The Produce API key: the default target of drops and delays. */
const PRODUCE = 0;

/** A listener in front of one broker. */
interface Front {
  readonly upstream: { hostname: string; port: number };
  readonly listener: Deno.TcpListener;
  readonly port: number;
}

/** A TCP proxy in front of Kafka brokers that injects faults on demand. */
export class ChaosProxy {
  /** Live counters: read them at any time. */
  readonly stats: ChaosStats;

  #faults: FaultState;
  #fronts = new Map<string, Front>();
  #pairs = new Set<ProxyPair>();
  #tasks = new Set<Promise<void>>();
  #chaosTimers = new Set<ReturnType<typeof setTimeout>>();
  #closed = false;
  #closing: Promise<void> | null = null;

  private constructor() {
    this.stats = {
      connections: 0,
      resets: 0,
      stalls: 0,
      droppedResponses: 0,
      delayedResponses: 0,
      requests: 0,
      responses: 0,
      bytesUp: 0,
      bytesDown: 0,
    };
    this.#faults = {
      stats: this.stats,
      stalledUntil: 0,
      drops: new Map(),
      delays: new Map(),
      bytesPerSecond: 0,
      nextSendAtMs: 0,
    };
  }

  /**
   * Opens one loopback listener per broker address (`"host:port"`); give every
   * address the brokers advertise, or the producer reaches the missing ones
   * directly.
   */
  static start(upstreams: readonly string[]): Promise<ChaosProxy> {
    const proxy = new ChaosProxy();
    try {
      for (const upstream of upstreams) {
        const key = addressKey(upstream);
        if (proxy.#fronts.has(key)) continue;
        const [hostname, port] = splitAddress(upstream);
        const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
        const front = { upstream: { hostname, port }, listener, port: listener.addr.port };
        proxy.#fronts.set(key, front);
        proxy.#track(proxy.#accept(front));
      }
    } catch (error) {
      return proxy.close().then(() => Promise.reject(error));
    }
    return Promise.resolve(proxy);
  }

  /**
   * A transport for `ProducerOptions.transport`: connections to a broker this
   * proxy fronts go through it, others go directly.
   */
  transport(): Transport {
    return {
      connect: (host: string, port: number): Promise<Socket> => {
        const front = this.#fronts.get(addressKey(`${host}:${port}`));
        if (front === undefined) return denoTransport.connect(host, port);
        return denoTransport.connect("127.0.0.1", front.port);
      },
    };
  }

  /** The `127.0.0.1:port` of the listener in front of `upstream`, if it is proxied. */
  listenAddress(upstream: string): string | undefined {
    const front = this.#fronts.get(addressKey(upstream));
    return front === undefined ? undefined : `127.0.0.1:${front.port}`;
  }

  /** Connection pairs open now. */
  get openConnections(): number {
    return this.#pairs.size;
  }

  /** Aborts every open pair now: clients see their connection end mid-stream. */
  resetAll(): void {
    for (const pair of [...this.#pairs]) {
      this.stats.resets++;
      pair.close();
    }
  }

  /**
   * Stops forwarding in both directions on every pair (new ones too) for
   * `ms`; bytes already read are held and then forwarded in order. A stall
   * during a stall extends it.
   */
  stall(ms: number): void {
    checkMs(ms, "stall");
    this.stats.stalls++;
    this.#faults.stalledUntil = Math.max(this.#faults.stalledUntil, Date.now() + ms);
  }

  /**
   * Drops the next `n` responses of `apiKey` (default Produce) after the
   * broker processed their requests, closing each one's connection (the
   * responses queued before it are forwarded first): the client must retry a
   * request that was already applied. Adds to drops still pending.
   */
  dropResponses(n: number, apiKey: number = PRODUCE): void {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`dropResponses: bad count ${n}`);
    const drops = this.#faults.drops;
    drops.set(apiKey, (drops.get(apiKey) ?? 0) + n);
  }

  /**
   * Holds each response of `apiKey` (default Produce) `ms` before forwarding
   * it (0 turns it off); responses after it on the same connection wait
   * behind it. Use more than `requestTimeoutMs` to make the client time out.
   */
  delayResponses(ms: number, apiKey: number = PRODUCE): void {
    checkMs(ms, "delayResponses");
    if (ms === 0) this.#faults.delays.delete(apiKey);
    else this.#faults.delays.set(apiKey, ms);
  }

  /**
   * Limits client → broker bytes to `bytesPerSecond` over all pairs together
   * (0 = unlimited): a slow broker or network, for back-pressure tests.
   */
  limitBandwidth(bytesPerSecond: number): void {
    checkMs(bytesPerSecond, "limitBandwidth");
    this.#faults.bytesPerSecond = bytesPerSecond;
    this.#faults.nextSendAtMs = 0;
  }

  /** Injects faults at random intervals until {@link ChaosProxy.stopChaos}; replaces earlier chaos. */
  chaos(options: ChaosOptions): void {
    this.stopChaos();
    if (this.#closed) return;
    const random = options.seed === undefined ? Math.random : prng(options.seed);
    const between = ([min, max]: MsRange) => min + random() * (max - min);
    const every = (range: MsRange | undefined, fault: () => void) => {
      if (range === undefined) return;
      checkRange(range);
      const schedule = () => {
        const timer = setTimeout(() => {
          this.#chaosTimers.delete(timer);
          fault();
          schedule();
        }, between(range));
        this.#chaosTimers.add(timer);
      };
      schedule();
    };
    const stallMs = options.stallMs ?? [50, 500];
    checkRange(stallMs);
    every(options.resetEveryMs, () => this.resetAll());
    every(options.stallEveryMs, () => this.stall(between(stallMs)));
    // One drop armed at a time: while no response of that API flows (a partition waits out
    // a retry backoff), drops must not pile up and then take every response that follows.
    const dropApiKey = options.dropApiKey ?? PRODUCE;
    every(options.dropEveryMs, () => {
      if ((this.#faults.drops.get(dropApiKey) ?? 0) === 0) this.dropResponses(1, dropApiKey);
    });
  }

  /** Stops random faults; faults already set (a stall under way, pending drops) stay. */
  stopChaos(): void {
    for (const timer of this.#chaosTimers) clearTimeout(timer);
    this.#chaosTimers.clear();
  }

  /**
   * Turns every fault off — stall, drops, delays, bandwidth limit, chaos —
   * and lets held bytes go now (a stall ends at once, held responses leave).
   */
  heal(): void {
    this.stopChaos();
    const faults = this.#faults;
    faults.stalledUntil = 0;
    faults.drops.clear();
    faults.delays.clear();
    faults.bytesPerSecond = 0;
    for (const pair of this.#pairs) pair.release();
  }

  /** Closes the listeners and every pair; resolves once no socket, op or timer is left. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed = true;
      this.stopChaos();
      for (const front of this.#fronts.values()) {
        try {
          front.listener.close();
        } catch {
          // already closed
        }
      }
      for (const pair of [...this.#pairs]) pair.close();
      while (this.#tasks.size > 0) await Promise.allSettled([...this.#tasks]);
    })();
    return this.#closing;
  }

  /** Closes the proxy, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #accept(front: Front): Promise<void> {
    for (;;) {
      let client: Deno.TcpConn;
      try {
        client = await front.listener.accept();
      } catch {
        return; // the listener was closed
      }
      if (this.#closed) {
        client.close();
        return;
      }
      this.#track(this.#join(client, front));
    }
  }

  async #join(client: Deno.TcpConn, front: Front): Promise<void> {
    let broker: Deno.TcpConn;
    try {
      broker = await Deno.connect(front.upstream);
    } catch {
      // The broker is down: the client sees its connection end at once.
      client.close();
      return;
    }
    if (this.#closed) {
      client.close();
      broker.close();
      return;
    }
    client.setNoDelay(true);
    broker.setNoDelay(true);
    this.stats.connections++;
    const pair = new ProxyPair(client, broker, this.#faults, (p) => this.#pairs.delete(p));
    this.#pairs.add(pair);
    await pair.done;
  }

  #track(task: Promise<void>): void {
    this.#tasks.add(task);
    const forget = () => void this.#tasks.delete(task);
    task.then(forget, forget);
  }
}

function splitAddress(address: string): [string, number] {
  const colon = address.lastIndexOf(":");
  const port = Number(address.slice(colon + 1));
  if (colon <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new RangeError(`not a host:port address: "${address}"`);
  }
  return [address.slice(0, colon).replace(/^\[(.*)\]$/, "$1"), port];
}

/** The map key of an address: host without IPv6 brackets, lower case, `localhost` as 127.0.0.1. */
function addressKey(address: string): string {
  const [host, port] = splitAddress(address.trim());
  const h = host.toLowerCase();
  return `${h === "localhost" ? "127.0.0.1" : h}:${port}`;
}

function checkMs(value: number, what: string): void {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${what}: bad value ${value}`);
}

function checkRange(range: MsRange): void {
  const [min, max] = range;
  if (!(min > 0) || !(max >= min) || !Number.isFinite(max)) {
    throw new RangeError(`chaos: bad interval [${min}, ${max}]`);
  }
}
