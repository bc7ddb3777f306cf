/**
 * A Kafka producer for Deno, Bun and Node, written in TypeScript, speaking the
 * Kafka wire protocol itself. It follows Apache Kafka's Java producer: records
 * go into a RecordAccumulator (one queue of batches per partition), a Sender
 * drains ready batches per broker into Produce requests, and each record's
 * promise settles when the broker answers for its batch.
 *
 * To watch it: `producer.metrics()` (Java's producer metrics), events on
 * the `kafkats:*` `node:diagnostics_channel` channels ({@link channels},
 * {@link subscribe}), the `logger` option, and OpenTelemetry spans and
 * metrics from `@kafkats/producer/otel`.
 *
 * @example
 * ```ts
 * import { Producer } from "@kafkats/producer";
 *
 * await using producer = new Producer({ bootstrapServers: ["127.0.0.1:9092"] });
 * const md = await producer.send({ topic: "events", key: "user-1", value: "signed up" });
 * console.log(`written to ${md.topic}-${md.partition} at offset ${md.offset}`);
 * ```
 *
 * @module
 */
export { Producer } from "./lib/producer/producer.ts";
export type { CloseOptions, SendOptions } from "./lib/producer/producer.ts";
export type { Partitioner, ProducerOptions } from "./lib/producer/config.ts";
export type { CompressionType } from "./lib/protocol/compression/mod.ts";
export type { ProducerRecord, RecordHeaders, RecordMetadata } from "./lib/producer/record.ts";
export type { NodeMetrics, ProducerMetrics } from "./lib/producer/metrics.ts";
export { channels, subscribe } from "./lib/diagnostics/channels.ts";
export type { ProducerEventName, ProducerEvents } from "./lib/diagnostics/channels.ts";
export type {
  AuthenticationEvent,
  BatchExpiredEvent,
  ConnectEvent,
  DisconnectEvent,
  EpochBumpEvent,
  EventError,
  MetadataRefreshEvent,
  ProducerEventBase,
  RequestEvent,
  ResponseEvent,
  RetryEvent,
  TransactionEvent,
} from "./lib/diagnostics/events.ts";
export type { Logger, LogLevel } from "./lib/diagnostics/logger.ts";
export type { ConsumerGroupMetadata, TopicPartitionOffset } from "./lib/producer/offsets.ts";
export type { TransactionState } from "./lib/producer/transaction_state.ts";
export type { SaslOptions, TlsOptions } from "./lib/producer/security.ts";
export type { OAuthBearerToken } from "./lib/net/sasl/oauthbearer.ts";
export type { ConnectOptions, Socket, TlsConnectOptions, Transport } from "./lib/net/transport.ts";
export { cloudflareSocketsTransport } from "./lib/net/workerd.ts";
export type {
  CloudflareConnect,
  CloudflareSocket,
  CloudflareSocketOptions,
} from "./lib/net/workerd.ts";
export { murmur2, toPositive } from "./lib/producer/partitioner.ts";
export {
  AuthenticationError,
  ConfigError,
  InvalidArgumentError,
  InvalidRecordError,
  KafkaClientError,
  KafkaError,
  NetworkError,
  ProducerClosedError,
  ProducerFencedError,
  ProtocolError,
  QueueFullError,
  RecordTooLargeError,
  SaslAuthenticationError,
  TimeoutError,
  TlsAuthenticationError,
  TransactionAbortableError,
  TransactionAbortedError,
  TransactionStateError,
} from "./lib/errors.ts";
