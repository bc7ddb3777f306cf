/**
 * The default of every producer option that has a fixed one: Kafka 4.x's
 * Java defaults. `resolveConfig` takes them from here; the `@default` tags on
 * `ProducerOptions` and the README's options table must say the same, which
 * tests/producer/defaults.test.ts checks. Defaults that follow from other
 * values (`clientId`, `maxBlockedBytes`, `partitioner`, `transport`) and
 * options that are off unless given (`transactionalId`, `tls`, `sasl`,
 * `logger`) are
 * computed in `resolveConfig` and are not in this table, nor is
 * `compressionLevel` (each codec has its own, see compression/mod.ts).
 *
 * @module
 */
import type { ProducerOptions } from "./config.ts";

/** Fixed option defaults, by option name. */
export const DEFAULTS = {
  acks: "all",
  enableIdempotence: true,
  transactionTimeoutMs: 60000,
  lingerMs: 5,
  batchSize: 16384,
  bufferMemory: 32 * 1024 * 1024,
  compressionType: "none",
  maxBlockMs: 60000,
  deliveryTimeoutMs: 120000,
  requestTimeoutMs: 30000,
  retries: 2147483647,
  retryBackoffMs: 100,
  retryBackoffMaxMs: 1000,
  maxInFlightRequestsPerConnection: 5,
  maxRequestSize: 1024 * 1024,
  metadataMaxAgeMs: 300000,
  metadataMaxIdleMs: 300000,
  connectTimeoutMs: 10000,
  partitionerIgnoreKeys: false,
  partitionerAdaptivePartitioning: true,
  allowAutoTopicCreation: true,
} as const satisfies { readonly [K in keyof ProducerOptions]?: ProducerOptions[K] };
