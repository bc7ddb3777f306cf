/**
 * The producer's connections: at most one per broker address, opened on
 * demand, reopened after a failure with exponential backoff
 * (`reconnect.backoff.ms` 50 → `reconnect.backoff.max.ms` 1000, ±20% jitter,
 * as in the Java client).
 *
 * @module
 */
import { errorMessage, errorName } from "../diagnostics/describe_error.ts";
import { log } from "../diagnostics/logger.ts";
import { connectingCannotHelp, KafkaClientError, NetworkError } from "../errors.ts";
import { backoffMs } from "../util/backoff.ts";
import { parseAddress } from "./address.ts";
import { Connection, type ConnectionOptions } from "./connection.ts";
import type { Transport } from "./transport.ts";

const RECONNECT_BACKOFF_MS = 50;
const RECONNECT_BACKOFF_MAX_MS = 1000;

/** The state of one broker address. */
interface Slot {
  connection: Connection | null;
  connecting: Promise<Connection> | null;
  failures: number;
  retryAtMs: number;
  /** The last connect failed in a way reconnecting cannot help (until one succeeds). */
  fatal: KafkaClientError | null;
}

/** Opens, caches and reopens {@link Connection}s by `host:port`. */
export class ConnectionPool {
  #transport: Transport;
  #options: ConnectionOptions;
  #onChange: () => void;
  #slots = new Map<string, Slot>();
  #closed = false;
  /** Ends connects still in progress when the pool closes. */
  #closing = new AbortController();

  /**
   * @param onChange called whenever a connection opens, fails or closes, so the
   * caller (the sender) can look again at what it can send.
   */
  constructor(transport: Transport, options: ConnectionOptions, onChange: () => void) {
    this.#transport = transport;
    this.#options = options;
    this.#onChange = onChange;
  }

  /**
   * The open connection to `address`, or `null` while it is being opened or
   * backing off after a failure (a connect is started if none is running and
   * the backoff has passed).
   */
  ready(address: string, nowMs: number): Connection | null {
    const slot = this.#slot(address);
    if (slot.connection) return slot.connection;
    if (!slot.connecting && nowMs >= slot.retryAtMs) {
      this.#connect(address, slot).catch(() => {});
    }
    return null;
  }

  /**
   * The failure of the last connect to `address` when connecting again
   * cannot help (TLS or SASL refused, see {@link connectingCannotHelp}),
   * until a connect succeeds; else null. Reconnects still go on, with
   * backoff: credentials can be fixed on the broker's side.
   */
  fatalErrorFor(address: string): KafkaClientError | null {
    return this.#slots.get(address)?.fatal ?? null;
  }

  /** Connections open now. */
  get connectionCount(): number {
    let count = 0;
    for (const slot of this.#slots.values()) if (slot.connection !== null) count++;
    return count;
  }

  /** When `address` may be tried again (0 when it may be tried now). */
  retryAtMs(address: string): number {
    return this.#slots.get(address)?.retryAtMs ?? 0;
  }

  /** Resolves with an open connection to `address`, connecting if needed. */
  get(address: string): Promise<Connection> {
    const slot = this.#slot(address);
    if (slot.connection) return Promise.resolve(slot.connection);
    return slot.connecting ?? this.#connect(address, slot);
  }

  /** Closes every connection and ends connects in progress; later calls to `get` reject. */
  close(): void {
    this.#closed = true;
    this.#closing.abort();
    for (const slot of this.#slots.values()) slot.connection?.close();
    this.#slots.clear();
  }

  #slot(address: string): Slot {
    let slot = this.#slots.get(address);
    if (!slot) {
      slot = { connection: null, connecting: null, failures: 0, retryAtMs: 0, fatal: null };
      this.#slots.set(address, slot);
    }
    return slot;
  }

  #connect(address: string, slot: Slot): Promise<Connection> {
    if (this.#closed) {
      return Promise.reject(new NetworkError("the producer's connections are closed"));
    }
    const broker = parseAddress(address);
    const opening = broker === null
      ? Promise.reject(new NetworkError(`cannot connect to ${address}: not host:port`))
      : Connection.open(
        this.#transport,
        broker.host,
        broker.port,
        this.#options,
        this.#closing.signal,
      );
    slot.connecting = opening.then(
      (connection) => {
        slot.connecting = null;
        if (this.#closed) {
          connection.close();
          throw new NetworkError("the producer's connections are closed");
        }
        slot.connection = connection;
        slot.failures = 0;
        slot.fatal = null;
        log(this.#options.logger ?? null, "debug", `connected to broker ${address}`, {
          broker: address,
        });
        connection.closed.then((reason) => {
          if (!this.#closed) {
            log(
              this.#options.logger ?? null,
              "info",
              `connection to broker ${address} closed: ${reason.message}`,
              { broker: address, errorName: reason.name },
            );
          }
          if (connectingCannotHelp(reason)) slot.fatal = reason; // re-authentication
          if (slot.connection === connection) {
            slot.connection = null;
            this.#backoff(slot);
          }
          this.#onChange();
        });
        this.#onChange();
        return connection;
      },
      (error) => {
        slot.connecting = null;
        const fatal = connectingCannotHelp(error);
        if (fatal) slot.fatal = error;
        this.#backoff(slot);
        if (!this.#closed) {
          log(
            this.#options.logger ?? null,
            fatal ? "error" : "warn",
            `connection to broker ${address} could not be established${
              fatal ? " (retrying cannot help until the configuration changes)" : ""
            }: ${errorMessage(error)}; next attempt in ${
              Math.max(slot.retryAtMs - Date.now(), 0)
            } ms`,
            { broker: address, errorName: errorName(error), failures: slot.failures },
          );
        }
        this.#onChange();
        throw error instanceof KafkaClientError
          ? error
          : new NetworkError(`cannot connect to ${address}`, { cause: error });
      },
    );
    return slot.connecting;
  }

  #backoff(slot: Slot): void {
    slot.failures++;
    slot.retryAtMs = Date.now() +
      backoffMs(slot.failures, RECONNECT_BACKOFF_MS, RECONNECT_BACKOFF_MAX_MS);
  }
}
