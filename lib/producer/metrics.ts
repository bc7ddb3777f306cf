/**
 * Counters and windowed statistics the producer keeps about its own work,
 * read with `producer.metrics()`: Java's `producer-metrics` (and
 * `producer-node-metrics`) where they apply, camelCased. Everything is
 * counted per batch or per request, never per record, so keeping them costs
 * a record nothing.
 *
 * Rates, averages and maxima are windowed as in Java's metrics (see
 * `sampled_stat.ts`): two samples of 30 s (`metrics.num.samples` 2,
 * `metrics.sample.window.ms` 30000), so they cover the last 30–60 s; during
 * the first 30 s of a rate's samples it divides by the time elapsed plus
 * 30 s, so it reads low then, as Java's does. The totals count since the
 * producer was created.
 *
 * @module
 */
import { SampledStat } from "./sampled_stat.ts";

/** Java's `producer-node-metrics` of one broker. */
export interface NodeMetrics {
  /** The broker's node id. */
  readonly nodeId: number;
  /** Produce requests answered per second (windowed). */
  readonly requestRate: number;
  /** Mean ms from sending a Produce request to its response (windowed). */
  readonly requestLatencyAvg: number;
  /** Longest such wait, ms (windowed). */
  readonly requestLatencyMax: number;
}

/**
 * A snapshot of the producer's metrics. The `…Rate`, `…Avg` and `…Max`
 * fields are windowed over the last 30–60 s (see the module doc); the
 * others count since the producer was created, or say how things are now.
 */
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
  /**
   * Bytes of `bufferMemory` not in use (`buffer-available-bytes`): not in
   * batch buffers, nor counted for the records in them (1 KiB each).
   */
  readonly bufferAvailableBytes: number;
  /** `bufferMemory` (`buffer-total-bytes`). */
  readonly bufferTotalBytes: number;
  /** Batches created and not yet completed. */
  readonly incompleteBatches: number;
  /** Sends waiting for their topic's metadata or for buffer memory (Java's `waiting-threads`). */
  readonly waitingSends: number;
  /** Bytes those sends are counted for against `maxBlockedBytes`. */
  readonly waitingSendBytes: number;
  /** Records sent in Produce requests per second, retries included (`record-send-rate`). */
  readonly recordSendRate: number;
  /** Records that failed for good per second (`record-error-rate`). */
  readonly recordErrorRate: number;
  /** Records whose batch was retried, per second (`record-retry-rate`). */
  readonly recordRetryRate: number;
  /** Produce requests sent per second (`request-rate`). */
  readonly requestRate: number;
  /** Mean bytes of a batch as sent, compressed if it is (`batch-size-avg`). */
  readonly batchSizeAvg: number;
  /** Largest such batch, bytes (`batch-size-max`). */
  readonly batchSizeMax: number;
  /** Mean compressed / uncompressed size of the batches sent, 1 without compression (`compression-rate-avg`). */
  readonly compressionRateAvg: number;
  /** Mean records per Produce request sent (`records-per-request-avg`). */
  readonly recordsPerRequestAvg: number;
  /** Mean ms from a batch's creation to its (latest) send (`record-queue-time-avg`). */
  readonly recordQueueTimeAvg: number;
  /** The longest of those, ms (`record-queue-time-max`). */
  readonly recordQueueTimeMax: number;
  /** Mean ms from sending a Produce request to its response, over all brokers (`request-latency-avg`). */
  readonly requestLatencyAvg: number;
  /** The longest of those, ms (`request-latency-max`). */
  readonly requestLatencyMax: number;
  /** Mean `throttleTimeMs` of Produce responses (`produce-throttle-time-avg`). */
  readonly produceThrottleTimeAvg: number;
  /** The largest one (`produce-throttle-time-max`). */
  readonly produceThrottleTimeMax: number;
  /** Connections open to brokers (`connection-count`). */
  readonly connectionCount: number;
  /** Seconds since the metadata was last refreshed in full; 0 before the first (`metadata-age`). */
  readonly metadataAge: number;
  /**
   * Per broker, by `host:port`: Produce request rate and latency
   * (`producer-node-metrics`), for the brokers sent to.
   */
  readonly nodes: Readonly<Record<string, NodeMetrics>>;
}

/** The windowed statistics of one broker. */
export interface NodeStats {
  /** The broker's node id. */
  readonly nodeId: number;
  /** Latency of its Produce requests, ms. */
  readonly latency: SampledStat;
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
  /** Records per batch sent (rate: {@link ProducerMetrics.recordSendRate}). */
  readonly recordSend: SampledStat = new SampledStat();
  /** Records per batch failed (rate: {@link ProducerMetrics.recordErrorRate}). */
  readonly recordError: SampledStat = new SampledStat();
  /** Records per batch retried (rate: {@link ProducerMetrics.recordRetryRate}). */
  readonly recordRetry: SampledStat = new SampledStat();
  /** Wire bytes per batch sent. */
  readonly batchSize: SampledStat = new SampledStat();
  /** Compressed / uncompressed size per batch sent. */
  readonly compressionRate: SampledStat = new SampledStat();
  /** Records per request sent (its count rate: {@link ProducerMetrics.requestRate}). */
  readonly requestRecordsStat: SampledStat = new SampledStat();
  /** Ms from creation to send, per batch sent. */
  readonly queueTime: SampledStat = new SampledStat();
  /** Ms from send to response, per Produce request answered. */
  readonly requestLatency: SampledStat = new SampledStat();
  /** `throttleTimeMs` per Produce response. */
  readonly throttleTime: SampledStat = new SampledStat();
  /** Per broker address. */
  readonly nodes: Map<string, NodeStats> = new Map();

  /** Records a Produce response from `address` (node `nodeId`) `latencyMs` after its request. */
  recordResponse(
    address: string,
    nodeId: number,
    latencyMs: number,
    throttleTimeMs: number,
    nowMs: number,
  ): void {
    this.requestLatency.record(latencyMs, nowMs);
    this.throttleTime.record(throttleTimeMs, nowMs);
    let node = this.nodes.get(address);
    if (node === undefined || node.nodeId !== nodeId) {
      node = { nodeId, latency: new SampledStat() };
      this.nodes.set(address, node);
    }
    node.latency.record(latencyMs, nowMs);
  }
}

/** What the snapshot needs besides the counters: the state of now. */
export interface MetricsState {
  /** Epoch bumps so far. */
  readonly epochBumps: number;
  /** Bytes of the buffer pool free. */
  readonly bufferAvailableBytes: number;
  /** The pool's size. */
  readonly bufferTotalBytes: number;
  /** Batches not completed. */
  readonly incompleteBatches: number;
  /** Sends waiting. */
  readonly waitingSends: number;
  /** Their bytes. */
  readonly waitingSendBytes: number;
  /** Open connections. */
  readonly connectionCount: number;
  /** When the metadata was last refreshed in full (epoch ms; 0: never). */
  readonly metadataRefreshedMs: number;
}

/** The {@link ProducerMetrics} of `c` and `state` at `nowMs`. */
export function metricsSnapshot(
  c: MetricCounters,
  state: MetricsState,
  nowMs: number,
): ProducerMetrics {
  const nodes: Record<string, NodeMetrics> = {};
  for (const [address, { nodeId, latency }] of c.nodes) {
    nodes[address] = {
      nodeId,
      requestRate: latency.countRate(nowMs),
      requestLatencyAvg: latency.avg(nowMs),
      requestLatencyMax: latency.max(nowMs),
    };
  }
  return {
    recordsSent: c.recordsSent,
    batchesSent: c.batchesSent,
    requestsSent: c.requestsSent,
    recordErrors: c.recordErrors,
    retries: c.retries,
    splits: c.splits,
    epochBumps: state.epochBumps,
    recordsPerBatch: c.batchesSent === 0 ? 0 : c.recordsSent / c.batchesSent,
    recordsPerRequest: c.requestsSent === 0 ? 0 : c.requestRecords / c.requestsSent,
    requestsInFlight: c.requestsInFlight,
    bufferAvailableBytes: state.bufferAvailableBytes,
    bufferTotalBytes: state.bufferTotalBytes,
    incompleteBatches: state.incompleteBatches,
    waitingSends: state.waitingSends,
    waitingSendBytes: state.waitingSendBytes,
    recordSendRate: c.recordSend.rate(nowMs),
    recordErrorRate: c.recordError.rate(nowMs),
    recordRetryRate: c.recordRetry.rate(nowMs),
    requestRate: c.requestRecordsStat.countRate(nowMs),
    batchSizeAvg: c.batchSize.avg(nowMs),
    batchSizeMax: c.batchSize.max(nowMs),
    compressionRateAvg: c.compressionRate.avg(nowMs),
    recordsPerRequestAvg: c.requestRecordsStat.avg(nowMs),
    recordQueueTimeAvg: c.queueTime.avg(nowMs),
    recordQueueTimeMax: c.queueTime.max(nowMs),
    requestLatencyAvg: c.requestLatency.avg(nowMs),
    requestLatencyMax: c.requestLatency.max(nowMs),
    produceThrottleTimeAvg: c.throttleTime.avg(nowMs),
    produceThrottleTimeMax: c.throttleTime.max(nowMs),
    connectionCount: state.connectionCount,
    metadataAge: state.metadataRefreshedMs === 0
      ? 0
      : Math.max(nowMs - state.metadataRefreshedMs, 0) / 1000,
    nodes,
  };
}
