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
