/**
 * Every error the library throws or rejects with. Each is a subclass of
 * {@link KafkaClientError}, so `instanceof KafkaClientError` catches them all.
 *
 * @module
 */

/** Base class of every error thrown by this library. */
export class KafkaClientError extends Error {
  /** Creates the error; `cause` keeps the underlying error, if any. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** An option given to the producer is invalid; thrown by the constructor. */
export class ConfigError extends KafkaClientError {}

/** A record given to `send()` is invalid (bad topic, partition, timestamp, header …), or the options of that call are. */
export class InvalidRecordError extends KafkaClientError {}

/** A record (or its batch) is larger than `maxRequestSize` or `bufferMemory`, or than the broker accepts. */
export class RecordTooLargeError extends KafkaClientError {}

/**
 * A wait ran out of time: metadata or buffer memory within `maxBlockMs`,
 * a request within `requestTimeoutMs`, a record within `deliveryTimeoutMs`.
 */
export class TimeoutError extends KafkaClientError {}

/**
 * `send()` refused a record at once because `maxBlockedBytes` of earlier
 * sends already wait for metadata or buffer memory (librdkafka's queue-full).
 * Nothing was sent; try again once earlier sends settle.
 */
export class QueueFullError extends KafkaClientError {}

/** The producer was closed before, or while, the operation ran. */
export class ProducerClosedError extends KafkaClientError {}

/** A connection to a broker failed, was refused, or closed while requests were in flight. */
export class NetworkError extends KafkaClientError {}

/**
 * The broker refused who we are, or we refused it: retrying cannot help
 * until the configuration or the credentials change, so sends waiting for
 * that broker fail at once with it instead of after `maxBlockMs`. Catch this
 * class for both kinds; {@link TlsAuthenticationError} and
 * {@link SaslAuthenticationError} tell them apart. Its message names the
 * broker and the reason, never a password, token or key.
 *
 * @example
 * ```ts
 * import { AuthenticationError, Producer, SaslAuthenticationError } from "@kafkats/producer";
 * const producer = new Producer({
 *   bootstrapServers: ["127.0.0.1:9093"],
 *   tls: true,
 *   sasl: { mechanism: "SCRAM-SHA-512", username: "alice", password: "wrong" },
 * });
 * try {
 *   await producer.send({ topic: "orders", value: "x" });
 * } catch (err) {
 *   if (err instanceof SaslAuthenticationError) console.error("credentials refused:", err.code);
 *   else if (err instanceof AuthenticationError) console.error("TLS refused:", err.message);
 * }
 * ```
 */
export class AuthenticationError extends KafkaClientError {
  /** Always false: the same credentials will be refused again. */
  readonly retriable = false;
}

/**
 * The TLS handshake failed: the broker's certificate is not trusted or not
 * valid for its name, the broker wants a client certificate we did not send
 * (or refused ours), or the listener does not speak TLS (Java's
 * `SslAuthenticationException`).
 */
export class TlsAuthenticationError extends AuthenticationError {}

/**
 * SASL authentication failed: wrong credentials, a mechanism the broker does
 * not enable, a token the broker refused, or a broker whose SCRAM proof did
 * not verify (Java's `SaslAuthenticationException`). `code` is Kafka's error
 * code when the broker sent one (58 SASL_AUTHENTICATION_FAILED, 33
 * UNSUPPORTED_SASL_MECHANISM, 34 ILLEGAL_SASL_STATE), else -1.
 */
export class SaslAuthenticationError extends AuthenticationError {
  /** Kafka's error code from the broker, or -1 when the client found the fault. */
  readonly code: number;

  /** Creates the error; `code` defaults to -1 (found by the client). */
  constructor(message: string, options?: ErrorOptions & { code?: number }) {
    super(message, options);
    this.code = options?.code ?? -1;
  }
}

/**
 * Bytes received from a broker do not follow the Kafka protocol.
 * `retriable` is false when reconnecting cannot help — the listener speaks
 * TLS to this plaintext client — and sends waiting for metadata then fail at
 * once instead of after `maxBlockMs`.
 */
export class ProtocolError extends KafkaClientError {
  /** Whether another connection attempt may succeed. */
  readonly retriable: boolean;

  /** Creates the error; `retriable` defaults to true. */
  constructor(message: string, options?: ErrorOptions & { retriable?: boolean }) {
    super(message, options);
    this.retriable = options?.retriable ?? true;
  }
}

/**
 * The broker answered with a Kafka error code.
 *
 * `code` and `name` follow Apache Kafka's `Errors` enum (for example `6` and
 * `"NOT_LEADER_OR_FOLLOWER"`), so `err.name` reads like the Java client's
 * exception; `retriable` says whether retrying the same request may succeed.
 *
 * @example
 * ```ts
 * import { KafkaError, Producer } from "@kafkats/producer";
 * const producer = new Producer({ bootstrapServers: ["127.0.0.1:9092"] });
 * try {
 *   await producer.send({ topic: "orders", value: "x" });
 * } catch (err) {
 *   if (err instanceof KafkaError) console.error(err.code, err.name);
 * }
 * ```
 */
export class KafkaError extends KafkaClientError {
  /** Kafka's numeric error code. */
  readonly code: number;
  /** Whether the Java client would retry after this error. */
  readonly retriable: boolean;

  /** Creates the error from a broker error code and its description. */
  constructor(
    code: number,
    errorName: string,
    retriable: boolean,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.code = code;
    this.name = errorName;
    this.retriable = retriable;
  }
}

/**
 * Whether connecting again cannot help after `error`: TLS or SASL refused
 * us, the listener speaks TLS to a plaintext client, or the transport cannot
 * do what the options ask. Sends waiting for a connection fail with such an
 * error at once.
 */
export function connectingCannotHelp(error: unknown): error is KafkaClientError {
  return error instanceof AuthenticationError || error instanceof ConfigError ||
    (error instanceof ProtocolError && !error.retriable);
}

/**
 * A transactional method was called in a state that does not allow it, e.g.
 * `commitTransaction()` with no transaction begun, or `send()` outside a
 * transaction on a producer with a `transactionalId` (Java's
 * `IllegalStateException`). `state` names the state the producer was in.
 *
 * @example
 * ```ts
 * import { Producer, TransactionStateError } from "@kafkats/producer";
 * const producer = new Producer({ bootstrapServers: "127.0.0.1:9092", transactionalId: "relay-1" });
 * try {
 *   producer.beginTransaction(); // initTransactions() not called yet
 * } catch (err) {
 *   if (err instanceof TransactionStateError) console.error(err.state); // "UNINITIALIZED"
 * }
 * ```
 */
export class TransactionStateError extends KafkaClientError {
  /** The state the transaction manager was in, by Java's names (`"READY"`, `"IN_TRANSACTION"` …). */
  readonly state: string;

  /** Creates the error for a call refused in `state`. */
  constructor(message: string, state: string, options?: ErrorOptions) {
    super(message, options);
    this.state = state;
  }
}

/**
 * The transaction cannot be committed: a record of it failed, or the broker
 * refused a step of it. Call `abortTransaction()`, then begin again; `cause`
 * holds the first error (Java's `TransactionAbortableException` and the
 * producer's ABORTABLE_ERROR state).
 */
export class TransactionAbortableError extends KafkaClientError {}

/**
 * The record was never written: its transaction was aborted before the
 * record was sent (Java's `TransactionAbortedException`). `cause` holds the
 * error that made the transaction abort, when one did.
 */
export class TransactionAbortedError extends KafkaClientError {}

/**
 * Another producer with the same `transactionalId` has called
 * `initTransactions()` since this one did, so the broker fences this one out
 * (Kafka's PRODUCER_FENCED, 90; INVALID_PRODUCER_EPOCH is reported the same
 * way). Fatal: every later call rejects with it; close the producer.
 */
export class ProducerFencedError extends KafkaError {
  /** Creates the error; the code is always 90 (PRODUCER_FENCED). */
  constructor(message: string, options?: ErrorOptions) {
    super(90, "PRODUCER_FENCED", false, message, options);
  }
}

/**
 * An argument of a producer method other than `send()` is invalid: the
 * offsets or the consumer group given to `sendOffsetsToTransaction()`, for
 * example. Nothing was sent.
 */
export class InvalidArgumentError extends KafkaClientError {}
