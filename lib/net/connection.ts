/**
 * One connection to one broker: size-prefixed framing, correlation ids,
 * pipelined requests, per-request timeouts and API version negotiation.
 *
 * Responses come back through a stream pipeline: socket bytes →
 * {@link FrameSplitter} → a sink that matches each frame to the oldest
 * request in flight (Kafka answers in order on a connection).
 *
 * @module
 */
import {
  KafkaClientError,
  KafkaError,
  NetworkError,
  ProtocolError,
  TimeoutError,
} from "../errors.ts";
import type { ApiCodec } from "../protocol/api.ts";
import { ApiVersions } from "../protocol/api_versions.ts";
import { errorCodeInfo } from "../protocol/error_codes.ts";
import { decodeResponse, encodeRequest, responseCorrelationId } from "../protocol/frame.ts";
import { FrameSplitter } from "./frames.ts";
import type { Socket, Transport } from "./transport.ts";

/** How to open a {@link Connection}. */
export interface ConnectionOptions {
  /** Sent in every request header. */
  clientId: string;
  /** Bound on the TCP connect plus the ApiVersions exchange. */
  connectTimeoutMs: number;
  /** Largest response frame accepted; a larger size prefix closes the connection. */
  maxFrameSize: number;
}

/** A request awaiting its response. */
interface Pending {
  correlationId: number;
  // deno-lint-ignore no-explicit-any
  api: ApiCodec<any, any>;
  version: number;
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

/** The version range a broker supports for one API. */
export interface VersionRange {
  /** Lowest version the broker accepts. */
  min: number;
  /** Highest version the broker accepts. */
  max: number;
}

/**
 * A connection to a broker. Open it with {@link Connection.open}; send with
 * {@link Connection.request}; it fails every pending request and closes on
 * any network, framing or timeout error.
 */
export class Connection {
  /** `host:port` of the broker. */
  readonly address: string;
  /** Resolves with the reason once the connection is closed. */
  readonly closed: Promise<KafkaClientError>;

  #socket: Socket;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #clientId: string;
  #nextCorrelationId = 0;
  #queue: Pending[] = [];
  #queueHead = 0;
  #closeReason: KafkaClientError | null = null;
  #resolveClosed!: (reason: KafkaClientError) => void;
  #versions = new Map<number, VersionRange>();

  private constructor(address: string, socket: Socket, options: ConnectionOptions) {
    this.address = address;
    this.#socket = socket;
    this.#clientId = options.clientId;
    this.#writer = socket.writable.getWriter();
    this.#writer.closed.catch((error) =>
      this.close(new NetworkError(`write to ${address} failed`, { cause: error }))
    );
    this.closed = new Promise((resolve) => this.#resolveClosed = resolve);
    socket.readable
      .pipeThrough(new FrameSplitter(options.maxFrameSize))
      .pipeTo(new WritableStream({ write: (frame) => this.#onFrame(frame) }))
      .then(
        () => this.close(new NetworkError(`broker ${address} closed the connection`)),
        (error) =>
          this.close(
            error instanceof KafkaClientError
              ? error
              : new NetworkError(`connection to ${address} failed`, { cause: error }),
          ),
      );
  }

  /**
   * Connects to `host:port` and negotiates API versions, all within
   * `connectTimeoutMs`; `signal` ends the attempt early (the producer closed).
   */
  static async open(
    transport: Transport,
    host: string,
    port: number,
    options: ConnectionOptions,
    signal?: AbortSignal,
  ): Promise<Connection> {
    const address = `${host}:${port}`;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let onAbort: (() => void) | undefined;
    const abandoned = new NetworkError(
      `connecting to ${address} was abandoned: the producer closed`,
    );
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new TimeoutError(
              `connecting to ${address} took longer than ${options.connectTimeoutMs} ms`,
            ),
          ),
        options.connectTimeoutMs,
      );
      onAbort = () => reject(abandoned);
      if (signal?.aborted) onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
    });
    // A transport that throws instead of rejecting must not skip the timer's cleanup below.
    const connecting = (async () => await transport.connect(host, port))();
    let connection: Connection | undefined;
    try {
      const socket = await Promise.race([connecting, timeout]).catch((error) => {
        if (error instanceof TimeoutError || error === abandoned) {
          connecting.then((s) => s.close(), () => {});
          throw error;
        }
        throw new NetworkError(`cannot connect to ${address}: ${describe(error)}`, {
          cause: error,
        });
      });
      connection = new Connection(address, socket, options);
      await Promise.race([connection.#negotiate(options.connectTimeoutMs), timeout]);
      return connection;
    } catch (error) {
      connection?.close(error instanceof KafkaClientError ? error : undefined);
      throw error;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort!);
    }
  }

  /** Number of requests written and not yet answered. */
  get inFlight(): number {
    return this.#queue.length - this.#queueHead;
  }

  /**
   * The highest version of `api` both sides support.
   * @throws {KafkaError} UNSUPPORTED_VERSION when the ranges do not overlap.
   */
  versionFor(api: ApiCodec<unknown, unknown>): number {
    const range = this.#versions.get(api.apiKey);
    const max = Math.min(api.maxVersion, range?.max ?? -1);
    const min = Math.max(api.minVersion, range?.min ?? 0);
    if (range === undefined || max < min) {
      const info = errorCodeInfo(35);
      throw new KafkaError(
        35,
        info.name,
        false,
        `broker ${this.address} supports ${api.name} versions ${
          range ? `${range.min}..${range.max}` : "none"
        }, this client ${api.minVersion}..${api.maxVersion}`,
      );
    }
    return max;
  }

  /**
   * Sends a request and resolves with the decoded response. Rejects with
   * {@link TimeoutError} after `timeoutMs` (and closes the connection, as the
   * Java client does), or with {@link NetworkError} when the connection fails.
   */
  request<Req, Res>(
    api: ApiCodec<Req, Res>,
    version: number,
    req: Req,
    timeoutMs: number,
  ): Promise<Res> {
    if (this.#closeReason) return Promise.reject(this.#closeReason);
    const correlationId = this.#nextId();
    const frame = encodeRequest(api, version, correlationId, this.#clientId, req);
    return new Promise<Res>((resolve, reject) => {
      const timer = setTimeout(() => {
        const error = new TimeoutError(
          `${api.name} request to ${this.address} got no response within ${timeoutMs} ms`,
        );
        reject(error);
        this.close(
          new NetworkError(
            `connection to ${this.address} closed: a request timed out`,
            { cause: error },
          ),
        );
      }, timeoutMs);
      this.#queue.push({
        correlationId,
        api,
        version,
        resolve: resolve as (value: unknown) => void,
        reject,
        timer,
      });
      this.#write(frame);
    });
  }

  /**
   * Sends a request the broker will not answer (Produce with `acks=0`);
   * resolves once the bytes are written.
   */
  async send<Req>(api: ApiCodec<Req, unknown>, version: number, req: Req): Promise<void> {
    if (this.#closeReason) throw this.#closeReason;
    const frame = encodeRequest(api, version, this.#nextId(), this.#clientId, req);
    try {
      await this.#writer.write(frame);
    } catch (error) {
      throw this.#closeReason ??
        new NetworkError(`write to ${this.address} failed`, { cause: error });
    }
  }

  /**
   * Closes the socket and rejects every pending request with `reason`
   * (a {@link NetworkError} by default). Idempotent.
   */
  close(reason?: KafkaClientError): void {
    if (this.#closeReason) return;
    const error = reason ?? new NetworkError(`connection to ${this.address} closed`);
    this.#closeReason = error;
    for (let i = this.#queueHead; i < this.#queue.length; i++) {
      const pending = this.#queue[i];
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    this.#queue = [];
    this.#queueHead = 0;
    this.#writer.abort(error).catch(() => {});
    this.#socket.close();
    this.#resolveClosed(error);
  }

  #nextId(): number {
    const id = this.#nextCorrelationId;
    this.#nextCorrelationId = (id + 1) & 0x7fffffff;
    return id;
  }

  #write(frame: Uint8Array): void {
    this.#writer.write(frame).catch((error) =>
      this.close(
        this.#closeReason ??
          new NetworkError(`write to ${this.address} failed`, { cause: error }),
      )
    );
  }

  #onFrame(frame: Uint8Array): void {
    const pending = this.#queue[this.#queueHead];
    const correlationId = responseCorrelationId(frame);
    if (pending === undefined || pending.correlationId !== correlationId) {
      throw new ProtocolError(
        `broker ${this.address} answered correlation id ${correlationId}, expected ${
          pending?.correlationId ?? "none"
        }`,
      );
    }
    this.#queue[this.#queueHead++] = undefined as unknown as Pending;
    if (this.#queueHead === this.#queue.length) {
      this.#queue.length = 0;
      this.#queueHead = 0;
    } else if (this.#queueHead > 1024 && this.#queueHead * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#queueHead);
      this.#queueHead = 0;
    }
    clearTimeout(pending.timer);
    let response: unknown;
    try {
      response = decodeResponse(pending.api, pending.version, frame);
    } catch (error) {
      pending.reject(error as Error);
      throw error;
    }
    pending.resolve(response);
  }

  async #negotiate(timeoutMs: number): Promise<void> {
    let version = ApiVersions.maxVersion;
    for (;;) {
      const response = await this.request(ApiVersions, version, {
        clientSoftwareName: "kafkats",
        clientSoftwareVersion: "0.1.0",
      }, timeoutMs);
      for (const key of response.apiKeys) {
        this.#versions.set(key.apiKey, { min: key.minVersion, max: key.maxVersion });
      }
      if (response.errorCode === 0) return;
      const ours = this.#versions.get(ApiVersions.apiKey);
      if (response.errorCode === 35 && ours && ours.max < version) {
        version = ours.max;
        this.#versions.clear();
        continue;
      }
      const info = errorCodeInfo(response.errorCode);
      throw new KafkaError(
        info.code,
        info.name,
        info.retriable,
        `ApiVersions to ${this.address} failed: ${info.name}`,
      );
    }
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
