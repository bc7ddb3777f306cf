/**
 * One fake Kafka broker for tests and benchmarks. Its answers to
 * ApiVersions (with finalized features when told), Metadata, InitProducerId
 * and Produce, SASL PLAIN when asked, and the transaction coordinator's and
 * group coordinator's APIs (`kafka.ts`, with `metadata.ts`, `produce.ts` and
 * `transactions.ts`), are written once and served two ways: behind the
 * `Transport` interface in memory ({@link fakeBroker}: benchmarks, and tests
 * that script answers through hooks), and on a TCP listener on 127.0.0.1
 * ({@link startFakeBroker}: tests of what comes over a socket, including
 * listeners that are not Kafka at all).
 *
 * @module
 */
export type {
  FakeBrokerOptions,
  FakeBrokerStats,
  FakeFeatures,
  FakeRequest,
  FakeSasl,
  FrameLogEntry,
  ProduceAnswer,
  ProduceBody,
  ProducedBatch,
} from "./kafka.ts";
export type { FakeNode, TxnAnswer, TxnRequest } from "./transactions.ts";
export { type FakeBroker, fakeBroker } from "./memory.ts";
export { type FakeBehaviour, type FakeListener, startFakeBroker } from "./tcp.ts";
