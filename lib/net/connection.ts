/**
 * One connection to one broker: size-prefixed framing, correlation ids,
 * pipelined requests, per-request timeouts, API version negotiation, and
 * SASL authentication with KIP-368 re-authentication. (TLS is the
 * transport's: the socket it gives is already secured.)
 *
 * Both directions are stream pipelines:
 *
 * - outbound: `request()` / `send()` encode a frame and push it into an
 *   {@link OutboundQueue}, whose `ReadableStream` is piped into
 *   `socket.writable`. The pipe pulls the next chunk only when the socket can
 *   take more, so requests wait in that queue and nowhere else (the socket
 *   holds just the chunk it is writing): one place to measure, time out and,
 *   for a re-authentication, hold between two requests. It stays short
 *   because the sender keeps at most `maxInFlightRequestsPerConnection`
 *   requests unanswered per connection; records wait in the accumulator,
 *   where batches keep filling. A request's timeout runs from the moment it
 *   is queued; a failed pipe closes the connection with a NetworkError.
 * - inbound: socket bytes → {@link FrameSplitter} → a sink that matches each
 *   frame to the oldest request in flight (Kafka answers in order on a
 *   connection).
 *
 * @module
 */
import {
  authenticationChannel,
  connectChannel,
  disconnectChannel,
  requestChannel,
  responseChannel,
} from "../diagnostics/channels.ts";
import { errorMessage, errorName } from "../diagnostics/describe_error.ts";
import { log, type Logger } from "../diagnostics/logger.ts";
import {
  AuthenticationError,
  KafkaClientError,
  NetworkError,
  ProtocolError,
  TimeoutError,
} from "../errors.ts";
import type { ApiCodec } from "../protocol/api.ts";
import { ApiVersions } from "../protocol/messages/api_versions.ts";
import { ErrorCode, kafkaError } from "../protocol/error_codes.ts";
import { Fifo } from "../util/fifo.ts";
import { formatAddress } from "./address.ts";
import { decodeResponse, encodeRequest, responseCorrelationId } from "../protocol/envelope.ts";
import { FrameSplitter } from "./frame_splitter.ts";
import { OutboundQueue } from "./outbound.ts";
import { authenticate } from "./sasl/authenticate.ts";
import type { SaslMechanism } from "./sasl/mechanism.ts";
import type { Socket, TlsConnectOptions, Transport } from "./transport.ts";

/** How to open a {@link Connection}. */
export interface ConnectionOptions {
  /** Sent in every request header. */
  clientId: string;
  /**
   * Bound on the TCP connect, the TLS handshake, the ApiVersions exchange and
   * the SASL authentication together; and on each re-authentication.
   */
  connectTimeoutMs: number;
  /** Largest response frame accepted; a larger size prefix closes the connection. */
  maxFrameSize: number;
  /** Secure the socket with TLS (the transport does it). */
  tls?: TlsConnectOptions;
  /** Authenticate with this mechanism after ApiVersions, and again before each session ends. */
  sasl?: SaslMechanism;
  /** Where re-authentications and their failures are logged; none: silent. */
  logger?: Logger | null;
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
  /** `performance.now()` when queued, if `kafkats:response` had a subscriber then; else -1. */
  startedMs: number;
}

/** An `acks=0` request waiting for the socket to take its frame. */
interface PendingSend {
  apiName: string;
  timeoutMs: number;
  /** `Date.now()` past which it has waited too long. */
  deadlineMs: number;
  resolve(): void;
  reject(error: Error): void;
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
  #outbound = new OutboundQueue();
  #stopOutbound = new AbortController();
  #clientId: string;
  #nextCorrelationId = 0;
  /** `acks=0` sends not yet taken by the socket, oldest first (frames leave in order). */
  #sends = new Fifo<PendingSend>();
  /** One timer for all of them, armed for the earliest deadline while any wait. */
  #sendTimer: ReturnType<typeof setTimeout> | undefined;
  #onSendTaken = () => this.#sendTaken();
  /** Requests handed to the socket, in wire order: the order answers come in. */
  #queue = new Fifo<Pending>();
  /** Requests still queued for the socket (behind a re-authentication, or a busy socket). */
  #unhanded = new Set<Pending>();
  #closeReason: KafkaClientError | null = null;
  #resolveClosed!: (reason: KafkaClientError) => void;
  #versions = new Map<number, VersionRange>();
  /** Finalized max version level per feature name, from the ApiVersions answer. */
  #finalizedFeatures = new Map<string, number>();
  #finalizedFeaturesEpoch = -1n;
  #options: ConnectionOptions;
  /** Fires shortly before the SASL session ends, to re-authenticate. */
  #reauthTimer: ReturnType<typeof setTimeout> | undefined;
  /** The current re-authentication, while one runs. */
  #reauthenticating: Promise<void> | null = null;
  /** The broker answered a request other than ApiVersions. */
  #answered = false;
  /** `performance.now()` once {@link Connection.open} succeeded; -1 before. */
  #openedMs = -1;

  private constructor(address: string, socket: Socket, options: ConnectionOptions) {
    this.address = address;
    this.#socket = socket;
    this.#options = options;
    this.#clientId = options.clientId;
    this.closed = new Promise((resolve) => this.#resolveClosed = resolve);
    this.#outbound.readable
      .pipeTo(socket.writable, { signal: this.#stopOutbound.signal })
      .catch((error) =>
        this.close(
          error instanceof KafkaClientError
            ? error
            : new NetworkError(`write to ${address} failed: ${errorMessage(error)}`, {
              cause: error,
            }),
        )
      );
    socket.readable
      .pipeThrough(new FrameSplitter(options.maxFrameSize, `broker ${address}`))
      .pipeTo(new WritableStream({ write: (frame) => this.#onFrame(frame) }))
      .then(
        () =>
          this.close(
            new NetworkError(`broker ${address} closed the connection${this.#closeHint()}`),
          ),
        (error) =>
          this.close(
            error instanceof KafkaClientError
              ? error
              : new NetworkError(`connection to ${address} failed`, { cause: error }),
          ),
      );
  }

  /**
   * Connects to `host:port` (with TLS when `options.tls` is set), negotiates
   * API versions and authenticates with `options.sasl`, all within
   * `connectTimeoutMs`; `signal` ends the attempt early (the producer closed).
   * @throws {AuthenticationError} when TLS or SASL refuses (retrying cannot help).
   */
  static async open(
    transport: Transport,
    host: string,
    port: number,
    options: ConnectionOptions,
    signal?: AbortSignal,
  ): Promise<Connection> {
    const address = formatAddress({ host, port });
    const startedMs = performance.now();
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
    const connecting =
      (async () =>
        await transport.connect(host, port, options.tls ? { tls: options.tls } : undefined))();
    let connection: Connection | undefined;
    try {
      const socket = await Promise.race([connecting, timeout]).catch((error) => {
        if (error instanceof TimeoutError || error === abandoned) {
          connecting.then((s) => s.close(), () => {});
          throw error;
        }
        if (error instanceof KafkaClientError) throw error; // a TLS refusal, already worded
        throw new NetworkError(`cannot connect to ${address}: ${errorMessage(error)}`, {
          cause: error,
        });
      });
      connection = new Connection(address, socket, options);
      await Promise.race([connection.#negotiate(options.connectTimeoutMs), timeout]);
      if (options.sasl) {
        await Promise.race([connection.#authenticate(options.sasl, false), timeout]);
      }
      connection.#openedMs = performance.now();
      if (connectChannel.hasSubscribers) {
        publishConnect(address, options, connection.#openedMs - startedMs, null);
      }
      return connection;
    } catch (error) {
      connection?.close(error instanceof KafkaClientError ? error : undefined);
      if (connectChannel.hasSubscribers) {
        publishConnect(address, options, performance.now() - startedMs, error);
      }
      throw error;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort!);
    }
  }

  /**
   * Number of requests awaiting their response: queued for the socket or
   * written, not yet answered (`acks=0` sends are not counted).
   */
  get inFlight(): number {
    return this.#queue.length + this.#unhanded.size;
  }

  /** Bytes of request frames queued for the socket, not yet handed to it. */
  get queuedBytes(): number {
    return this.#outbound.queuedBytes;
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
      throw kafkaError(
        ErrorCode.UNSUPPORTED_VERSION,
        `cannot use ${api.name} with broker ${this.address}`,
        `it supports ${api.name} versions ${
          range ? `${range.min}..${range.max}` : "none"
        }, this client ${api.minVersion}..${api.maxVersion}`,
      );
    }
    return max;
  }

  /**
   * The level the cluster has finalized for feature `name` (its
   * `maxVersionLevel`), as the broker's ApiVersions answer (v3+) said; null
   * when the answer did not list it. E.g. `transaction.version` ≥ 2 means
   * Transactions V2 (KIP-890). As in the Java client, the list is taken
   * whatever {@link Connection.finalizedFeaturesEpoch} says.
   */
  finalizedFeature(name: string): number | null {
    return this.#finalizedFeatures.get(name) ?? null;
  }

  /**
   * Epoch of the finalized features the broker's ApiVersions answer gave:
   * -1n when unknown (a broker before ApiVersions v3, or one that did not
   * send it). Connections to different brokers may differ for a while; the
   * highest epoch is the newest information.
   */
  get finalizedFeaturesEpoch(): bigint {
    return this.#finalizedFeaturesEpoch;
  }

  /**
   * Sends a request and resolves with the decoded response. Rejects with
   * {@link TimeoutError} after `timeoutMs` from this call, queueing for the
   * socket included (and closes the connection, as the Java client does), or
   * with {@link NetworkError} when the connection fails.
   */
  request<Req, Res>(
    api: ApiCodec<Req, Res>,
    version: number,
    req: Req,
    timeoutMs: number,
  ): Promise<Res> {
    return this.#request(api, version, req, timeoutMs, false);
  }

  /** {@link Connection.request}; an `urgent` request passes a held outbound queue. */
  #request<Req, Res>(
    api: ApiCodec<Req, Res>,
    version: number,
    req: Req,
    timeoutMs: number,
    urgent: boolean,
  ): Promise<Res> {
    if (this.#closeReason) return Promise.reject(this.#closeReason);
    const correlationId = this.#nextId();
    const frame = encodeRequest(api, version, correlationId, this.#clientId, req);
    if (requestChannel.hasSubscribers) this.#publishRequest(api, version, correlationId, true);
    const startedMs = responseChannel.hasSubscribers ? performance.now() : -1;
    return new Promise<Res>((resolve, reject) => {
      const timer = setTimeout(() => {
        const error = new TimeoutError(
          `${api.name} request to ${this.address} got no response within ${timeoutMs} ms`,
        );
        if (pending.startedMs >= 0) {
          this.#publishResponse(pending, error);
          pending.startedMs = -1; // the close below must not report it again
        }
        reject(error);
        this.close(
          new NetworkError(
            `connection to ${this.address} closed: a request timed out`,
            { cause: error },
          ),
        );
      }, timeoutMs);
      const pending: Pending = {
        correlationId,
        api,
        version,
        resolve: resolve as (value: unknown) => void,
        reject,
        timer,
        startedMs,
      };
      this.#unhanded.add(pending);
      this.#outbound.push(frame, null, urgent, () => {
        this.#unhanded.delete(pending);
        this.#queue.push(pending);
      });
    });
  }

  /**
   * Sends a request the broker will not answer (Produce with `acks=0`);
   * resolves once the socket has taken its frame (written it). Rejects with
   * {@link TimeoutError} when that takes longer than `timeoutMs` (and closes
   * the connection, as a request timeout does), or with the connection's
   * error when it fails first.
   */
  send<Req>(
    api: ApiCodec<Req, unknown>,
    version: number,
    req: Req,
    timeoutMs: number,
  ): Promise<void> {
    if (this.#closeReason) return Promise.reject(this.#closeReason);
    const correlationId = this.#nextId();
    const frame = encodeRequest(api, version, correlationId, this.#clientId, req);
    if (requestChannel.hasSubscribers) this.#publishRequest(api, version, correlationId, false);
    return new Promise<void>((resolve, reject) => {
      this.#sends.push({
        apiName: api.name,
        timeoutMs,
        deadlineMs: Date.now() + timeoutMs,
        resolve,
        reject,
      });
      this.#sendTimer ??= setTimeout(() => this.#checkSends(), timeoutMs);
      this.#outbound.push(frame, this.#onSendTaken);
    });
  }

  /**
   * Closes the socket and rejects every pending request with `reason`
   * (a {@link NetworkError} by default). Idempotent.
   */
  close(reason?: KafkaClientError): void {
    if (this.#closeReason) return;
    const error = reason ?? new NetworkError(`connection to ${this.address} closed`);
    this.#closeReason = error;
    const pendings = [...this.#queue.takeAll(), ...this.#unhanded];
    this.#unhanded.clear();
    if (this.#openedMs >= 0 && disconnectChannel.hasSubscribers) {
      disconnectChannel.publish({
        clientId: this.#clientId,
        broker: this.address,
        connectedMs: performance.now() - this.#openedMs,
        inFlightRequests: pendings.length,
        errorName: error.name,
        errorMessage: error.message,
      });
    }
    for (const pending of pendings) {
      clearTimeout(pending.timer);
      if (pending.startedMs >= 0) this.#publishResponse(pending, error);
      pending.reject(error);
    }
    clearTimeout(this.#sendTimer);
    clearTimeout(this.#reauthTimer);
    for (const pending of this.#sends.takeAll()) pending.reject(error);
    this.#outbound.close();
    this.#stopOutbound.abort(error);
    this.#socket.close();
    this.#resolveClosed(error);
  }

  #nextId(): number {
    const id = this.#nextCorrelationId;
    this.#nextCorrelationId = (id + 1) & 0x7fffffff;
    return id;
  }

  /** The socket took the oldest send's frame. */
  #sendTaken(): void {
    const pending = this.#sends.shift()!;
    if (this.#sends.length === 0) {
      clearTimeout(this.#sendTimer);
      this.#sendTimer = undefined;
    }
    pending.resolve();
  }

  /**
   * The send timer fired: closes the connection if a send waited past its
   * deadline (as a request timeout does), else waits for the earliest one.
   */
  #checkSends(): void {
    this.#sendTimer = undefined;
    const now = Date.now();
    let earliest: PendingSend | undefined;
    for (const pending of this.#sends.toArray()) {
      if (earliest === undefined || pending.deadlineMs < earliest.deadlineMs) earliest = pending;
    }
    if (earliest === undefined) return;
    if (earliest.deadlineMs > now) {
      this.#sendTimer = setTimeout(() => this.#checkSends(), earliest.deadlineMs - now);
      return;
    }
    const error = new TimeoutError(
      `${earliest.apiName} request to ${this.address} was not written within ${earliest.timeoutMs} ms`,
    );
    earliest.reject(error);
    this.close(
      new NetworkError(
        `connection to ${this.address} closed: a request could not be written in time`,
        { cause: error },
      ),
    );
  }

  /**
   * Why a broker may have closed the connection, when it closed it before
   * answering anything past ApiVersions: a SASL listener does that to a
   * client that does not authenticate. (A hint only: a broker shutting down
   * does it too, so the error stays retriable.)
   */
  #closeHint(): string {
    if (this.#answered || this.#options.sasl || this.inFlight === 0) return "";
    return " before answering its first request: a SASL_PLAINTEXT or SASL_SSL listener does that to a client without the sasl option";
  }

  #onFrame(frame: Uint8Array): void {
    const pending = this.#queue.peek();
    const correlationId = responseCorrelationId(frame);
    if (pending === undefined || pending.correlationId !== correlationId) {
      throw new ProtocolError(
        `broker ${this.address} answered correlation id ${correlationId}, expected ${
          pending?.correlationId ?? "none"
        }`,
      );
    }
    this.#queue.shift();
    clearTimeout(pending.timer);
    if (pending.api !== ApiVersions) this.#answered = true;
    let response: unknown;
    try {
      response = decodeResponse(pending.api, pending.version, frame);
    } catch (error) {
      if (pending.startedMs >= 0) this.#publishResponse(pending, error);
      pending.reject(error as Error);
      throw error;
    }
    if (pending.startedMs >= 0) this.#publishResponse(pending, null);
    pending.resolve(response);
  }

  #publishRequest(
    api: ApiCodec<unknown, unknown>,
    version: number,
    correlationId: number,
    expectResponse: boolean,
  ): void {
    requestChannel.publish({
      clientId: this.#clientId,
      broker: this.address,
      apiName: api.name,
      apiKey: api.apiKey,
      apiVersion: version,
      correlationId,
      expectResponse,
    });
  }

  /** Publishes how a timed request ended (`kafkats:response`), if the channel still has subscribers. */
  #publishResponse(pending: Pending, error: unknown): void {
    if (!responseChannel.hasSubscribers) return;
    responseChannel.publish({
      clientId: this.#clientId,
      broker: this.address,
      apiName: pending.api.name,
      apiKey: pending.api.apiKey,
      apiVersion: pending.version,
      correlationId: pending.correlationId,
      durationMs: performance.now() - pending.startedMs,
      errorName: error === null ? null : errorName(error),
      errorMessage: error === null ? null : errorMessage(error),
    });
  }

  /**
   * Runs a SASL authentication. A re-authentication (KIP-368) holds the
   * outbound queue first, so its requests go out between two others and the
   * rest wait behind them in order; responses to requests already written
   * still arrive first (a broker answers in order). When the broker gives
   * the session a lifetime, the next re-authentication is set for 85–95% of
   * it, as in the Java client. A failed one closes the connection with its
   * error, and the requests it held are never written.
   */
  async #authenticate(mechanism: SaslMechanism, again: boolean): Promise<void> {
    const timeoutMs = this.#options.connectTimeoutMs;
    if (again) this.#outbound.hold();
    const startedMs = performance.now();
    let lifetimeMs: number;
    try {
      lifetimeMs = await authenticate(
        {
          address: this.address,
          versionFor: (api) => this.versionFor(api),
          request: (api, version, req, ms) => this.#request(api, version, req, ms, again),
        },
        mechanism,
        timeoutMs,
      );
    } catch (error) {
      if (authenticationChannel.hasSubscribers) {
        this.#publishAuthentication(mechanism, again, startedMs, 0, error);
      }
      throw error;
    }
    if (authenticationChannel.hasSubscribers) {
      this.#publishAuthentication(mechanism, again, startedMs, lifetimeMs, null);
    }
    if (again) {
      log(
        this.#options.logger ?? null,
        "info",
        `re-authenticated with broker ${this.address} (SASL ${mechanism.name}); the session lasts ${lifetimeMs} ms`,
        { broker: this.address, mechanism: mechanism.name, sessionLifetimeMs: lifetimeMs },
      );
    }
    if (this.#closeReason) return;
    if (lifetimeMs > 0) {
      this.#reauthTimer = setTimeout(
        () => this.#reauthenticate(mechanism),
        lifetimeMs * (0.85 + 0.1 * Math.random()),
      );
    }
    // Only now: after a refusal, the held requests must not reach the broker (the connection closes).
    if (again) this.#outbound.release();
  }

  #publishAuthentication(
    mechanism: SaslMechanism,
    reauthentication: boolean,
    startedMs: number,
    sessionLifetimeMs: number,
    error: unknown,
  ): void {
    authenticationChannel.publish({
      clientId: this.#clientId,
      broker: this.address,
      mechanism: mechanism.name,
      reauthentication,
      durationMs: performance.now() - startedMs,
      sessionLifetimeMs,
      errorName: error === null ? null : errorName(error),
      errorMessage: error === null ? null : errorMessage(error),
    });
  }

  #reauthenticate(mechanism: SaslMechanism): void {
    if (this.#closeReason || this.#reauthenticating) return;
    this.#reauthenticating = this.#authenticate(mechanism, true).then(
      () => {
        this.#reauthenticating = null;
      },
      (error) => {
        this.#reauthenticating = null;
        log(
          this.#options.logger ?? null,
          "error",
          `re-authentication with broker ${this.address} failed; closing the connection: ${
            errorMessage(error)
          }`,
          { broker: this.address, mechanism: mechanism.name, errorName: errorName(error) },
        );
        this.close(
          error instanceof AuthenticationError ? error : new NetworkError(
            `re-authenticating with ${this.address} failed: ${errorMessage(error)}`,
            { cause: error },
          ),
        );
      },
    );
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
      if (response.errorCode === ErrorCode.NONE) {
        for (const f of response.finalizedFeatures) {
          this.#finalizedFeatures.set(f.name, f.maxVersionLevel);
        }
        this.#finalizedFeaturesEpoch = response.finalizedFeaturesEpoch;
        return;
      }
      const ours = this.#versions.get(ApiVersions.apiKey);
      if (response.errorCode === ErrorCode.UNSUPPORTED_VERSION && ours && ours.max < version) {
        version = ours.max;
        this.#versions.clear();
        continue;
      }
      throw kafkaError(response.errorCode, `ApiVersions to ${this.address} failed`);
    }
  }
}

/** Publishes how a connection attempt ended (`kafkats:connect`). */
function publishConnect(
  address: string,
  options: ConnectionOptions,
  durationMs: number,
  error: unknown,
): void {
  connectChannel.publish({
    clientId: options.clientId,
    broker: address,
    durationMs,
    tls: options.tls !== undefined,
    saslMechanism: options.sasl?.name ?? null,
    errorName: error === null ? null : errorName(error),
    errorMessage: error === null ? null : errorMessage(error),
  });
}
