/**
 * Counters the producer keeps about its own work, read with
 * `producer.metrics()`.
 *
 * @module
 */

/** A snapshot of the producer's counters since it was created. */
export interface ProducerMetrics {
  /** Records acknowledged (or written, with `acks=0`). */
  readonly recordsSent: number;
  /** Batches acknowledged. */
  readonly batchesSent: number;
  /** Produce requests answered (or written, with `acks=0`). */
  readonly requestsSent: number;
  /** Records that failed for good. */
  readonly recordErrors: number;
  /** Batches sent again after a retriable error. */
  readonly retries: number;
  /** Batches split after MESSAGE_TOO_LARGE. */
  readonly splits: number;
  /** Idempotent producer epoch bumps. */
  readonly epochBumps: number;
  /** Average records per acknowledged batch. */
  readonly recordsPerBatch: number;
  /** Average records per Produce request. */
  readonly recordsPerRequest: number;
  /** Produce requests awaiting a response, over all brokers. */
  readonly requestsInFlight: number;
  /** Bytes of `bufferMemory` not in use. */
  readonly bufferAvailableBytes: number;
  /** Batches created and not yet completed. */
  readonly incompleteBatches: number;
  /** Sends waiting for their topic's metadata or for buffer memory. */
  readonly waitingSends: number;
  /** Bytes those sends are counted for against `maxBlockedBytes`. */
  readonly waitingSendBytes: number;
}

/** The mutable counters behind {@link ProducerMetrics}. */
export class MetricCounters {
  /** See {@link ProducerMetrics.recordsSent}. */
  recordsSent = 0;
  /** See {@link ProducerMetrics.batchesSent}. */
  batchesSent = 0;
  /** See {@link ProducerMetrics.requestsSent}. */
  requestsSent = 0;
  /** Records in answered requests (for {@link ProducerMetrics.recordsPerRequest}). */
  requestRecords = 0;
  /** See {@link ProducerMetrics.recordErrors}. */
  recordErrors = 0;
  /** See {@link ProducerMetrics.retries}. */
  retries = 0;
  /** See {@link ProducerMetrics.splits}. */
  splits = 0;
  /** See {@link ProducerMetrics.requestsInFlight}. */
  requestsInFlight = 0;
}
