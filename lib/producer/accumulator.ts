/**
 * The RecordAccumulator: one deque of {@link ProducerBatch}es per partition.
 * `send` appends records to the last batch of their partition; the sender asks
 * which brokers have batches ready and drains them into Produce requests.
 *
 * @module
 */
import { RECORD_BATCH_OVERHEAD, RecordBatchBuilder } from "../protocol/record_batch.ts";
import { type PartitionQueue, ProducerBatch, type RecordSettler } from "./batch.ts";
import { type BufferPool, RECORD_OVERHEAD } from "./buffer_pool.ts";
import type { ProducerConfig } from "./config.ts";
import type { EncodedRecord } from "./record.ts";

/** Where the sender can find a partition's leader. */
export interface LeaderLookup {
  /** Node id of the partition's leader, or -1 if unknown. */
  leaderFor(topic: string, partition: number): number;
}

/** What {@link RecordAccumulator.ready} found. */
export interface ReadyCheck {
  /** Leaders with at least one batch to send now. */
  readonly readyNodes: Set<number>;
  /** Partitions with batches, grouped by leader. */
  readonly queuesByNode: Map<number, PartitionQueue[]>;
  /** Topics with a batch whose partition has no known leader. */
  readonly unknownLeaderTopics: Set<string>;
  /** Time until some batch that is not ready now becomes ready. */
  readonly nextReadyCheckDelayMs: number;
}

/** Rules the drain must follow per partition (idempotence ordering, muting). */
export interface DrainPolicy {
  /** Whether the first batch of `queue` may be sent now. */
  canSend(batch: ProducerBatch): boolean;
  /** Called for each drained batch before it is encoded (assigns sequence numbers). */
  onDrain(batch: ProducerBatch): void;
}

/** Size of a batch with a single record at most this big. */
export function batchSizeFor(record: EncodedRecord): number {
  return RECORD_BATCH_OVERHEAD +
    RecordBatchBuilder.recordSizeUpperBound(record.key, record.value, record.headers);
}

/** Per-partition batch queues plus the buffer pool they draw from. */
export class RecordAccumulator {
  #config: ProducerConfig;
  #pool: BufferPool;
  #onNewBatch: (queue: PartitionQueue | null) => void;
  #topics = new Map<string, PartitionQueue[]>();
  #incomplete = new Set<ProducerBatch>();
  #flushes = 0;
  #closing = false;
  #drainIndex = new Map<number, number>();

  /**
   * @param onNewBatch called with its queue when a batch is created (the
   * previous one may now be full), with null when a flush or close begins:
   * the sender should look again.
   */
  constructor(
    config: ProducerConfig,
    pool: BufferPool,
    onNewBatch: (queue: PartitionQueue | null) => void,
  ) {
    this.#config = config;
    this.#pool = pool;
    this.#onNewBatch = onNewBatch;
  }

  /** Batches created and not yet completed, in or out of the queues. */
  get incompleteCount(): number {
    return this.#incomplete.size;
  }

  /** The queue of `topic`/`partition`, created on first use. */
  queue(topic: string, partition: number): PartitionQueue {
    let queues = this.#topics.get(topic);
    if (queues === undefined) {
      queues = [];
      this.#topics.set(topic, queues);
    }
    let queue = queues[partition];
    if (queue === undefined) {
      queue = { topic, partition, batches: [], inFlight: 0 };
      queues[partition] = queue;
    }
    return queue;
  }

  /** The queues of `topic` by partition index (holes where none was made yet), if any: the adaptive partitioner's load. */
  queuesOf(topic: string): readonly (PartitionQueue | undefined)[] | undefined {
    return this.#topics.get(topic);
  }

  /** Whether the partition's open batch surely has room for `record`. */
  hasRoom(topic: string, partition: number, record: EncodedRecord): boolean {
    const batches = this.#topics.get(topic)?.[partition]?.batches;
    const last = batches?.[batches.length - 1];
    return last !== undefined && !last.closed &&
      last.builder.remainingBytes >=
        RecordBatchBuilder.recordSizeUpperBound(record.key, record.value, record.headers);
  }

  /**
   * Appends to the partition's open batch, or to a new one if memory is free
   * now; `future` travels with the record (`null`: the batch's outcome tells
   * its fate). Returns the record's batch, or `null` when a new batch needs
   * memory the pool cannot give without waiting (then see
   * {@link RecordAccumulator.allocate}).
   */
  tryAppend(
    record: EncodedRecord,
    partition: number,
    nowMs: number,
    future: RecordSettler | null,
  ): ProducerBatch | null {
    const queue = this.queue(record.topic, partition);
    const last = queue.batches[queue.batches.length - 1];
    const pool = this.#pool;
    if (last !== undefined && last.tryAppend(record, future)) {
      pool.charge(RECORD_OVERHEAD);
      return last;
    }
    const buffer = pool.tryAllocate(this.#newBatchSize(record));
    if (buffer === null) return null;
    const batch = this.#newBatch(queue, buffer, nowMs);
    batch.tryAppend(record, future);
    pool.charge(RECORD_OVERHEAD);
    return batch;
  }

  /**
   * Waits up to `maxBlockMs` (or until `signal` aborts) for the memory of a
   * new batch big enough for `record`; pass it to
   * {@link RecordAccumulator.appendWithBuffer}.
   */
  allocate(record: EncodedRecord, maxBlockMs: number, signal?: AbortSignal): Promise<Uint8Array> {
    return this.#pool.allocate(this.#newBatchSize(record), maxBlockMs, signal);
  }

  /**
   * Appends to the partition's open batch if the record fits there (giving
   * `buffer` back to the pool), else to a new batch in `buffer`.
   */
  appendWithBuffer(
    record: EncodedRecord,
    partition: number,
    buffer: Uint8Array,
    nowMs: number,
    future: RecordSettler | null,
  ): ProducerBatch {
    const queue = this.queue(record.topic, partition);
    const last = queue.batches[queue.batches.length - 1];
    this.#pool.charge(RECORD_OVERHEAD);
    if (last !== undefined && last.tryAppend(record, future)) {
      this.#pool.deallocate(buffer);
      return last;
    }
    const batch = this.#newBatch(queue, buffer, nowMs);
    batch.tryAppend(record, future);
    return batch;
  }

  /**
   * Finds the leaders that have a batch ready: full, lingered `lingerMs`
   * (or its retry backoff), or any batch while memory is exhausted or a
   * flush or close is in progress.
   */
  ready(
    leaders: LeaderLookup,
    nowMs: number,
    muted: (queue: PartitionQueue) => boolean,
  ): ReadyCheck {
    const readyNodes = new Set<number>();
    const queuesByNode = new Map<number, PartitionQueue[]>();
    const unknownLeaderTopics = new Set<string>();
    let nextReadyCheckDelayMs = Number.MAX_SAFE_INTEGER;
    const urgent = this.#pool.exhausted || this.#flushes > 0 || this.#closing;
    const linger = this.#config.lingerMs;
    for (const queues of this.#topics.values()) {
      for (const queue of queues) {
        if (queue === undefined || queue.batches.length === 0) continue;
        const leader = leaders.leaderFor(queue.topic, queue.partition);
        if (leader < 0) {
          unknownLeaderTopics.add(queue.topic);
          continue;
        }
        let list = queuesByNode.get(leader);
        if (list === undefined) queuesByNode.set(leader, list = []);
        list.push(queue);
        if (readyNodes.has(leader) || muted(queue)) continue;
        const batch = queue.batches[0];
        const waited = nowMs - batch.lastAttemptMs;
        const backingOff = batch.attempts > 0 && waited < batch.backoffMs;
        const timeToWait = backingOff ? batch.backoffMs : linger;
        const full = queue.batches.length > 1 || batch.closed;
        if (!backingOff && (full || urgent || waited >= timeToWait)) {
          readyNodes.add(leader);
        } else {
          nextReadyCheckDelayMs = Math.min(nextReadyCheckDelayMs, Math.max(timeToWait - waited, 0));
        }
      }
    }
    return { readyNodes, queuesByNode, unknownLeaderTopics, nextReadyCheckDelayMs };
  }

  /**
   * Takes from the partitions led by `node` at most one batch each, up to
   * `maxRequestSize` bytes in all as sent (compressed: this compresses the
   * batches it looks at; at least one batch), starting where the
   * last drain of that node stopped so no partition starves.
   */
  drain(
    node: number,
    queues: readonly PartitionQueue[],
    policy: DrainPolicy,
    nowMs: number,
  ): ProducerBatch[] {
    const drained: ProducerBatch[] = [];
    let size = 0;
    const start = (this.#drainIndex.get(node) ?? 0) % queues.length;
    for (let i = 0; i < queues.length; i++) {
      const index = (start + i) % queues.length;
      const queue = queues[index];
      const batch = queue.batches[0];
      if (batch === undefined) continue;
      if (batch.attempts > 0 && nowMs - batch.lastAttemptMs < batch.backoffMs) continue;
      if (drained.length > 0 && size + batch.wireSizeInBytes > this.#config.maxRequestSize) {
        this.#drainIndex.set(node, index);
        return drained;
      }
      if (!policy.canSend(batch)) continue;
      queue.batches.shift();
      batch.closed = true;
      policy.onDrain(batch);
      size += batch.wireSizeInBytes;
      drained.push(batch);
    }
    this.#drainIndex.set(node, start + 1);
    return drained;
  }

  /** Puts a batch to retry back at the front of its queue, in sequence order. */
  reenqueue(batch: ProducerBatch, nowMs: number): void {
    batch.lastAttemptMs = nowMs;
    this.#insertInSequence([batch]);
  }

  /**
   * Puts the parts of a split batch back at the front of their queue, in
   * sequence order: behind batches with lower sequences already waiting to
   * retry (only the first unacknowledged batch may be sent).
   */
  reenqueueSplit(parts: ProducerBatch[], nowMs: number): void {
    for (const part of parts) {
      part.lastAttemptMs = nowMs;
      this.#incomplete.add(part);
    }
    this.#insertInSequence(parts);
  }

  /** Inserts consecutive batches of one queue before the first batch with a higher or no sequence. */
  #insertInSequence(run: ProducerBatch[]): void {
    const batches = run[0].queue.batches;
    const sequence = run[0].baseSequence;
    let i = 0;
    if (sequence >= 0) {
      while (
        i < batches.length && batches[i].baseSequence >= 0 &&
        batches[i].baseSequence < sequence
      ) i++;
    }
    batches.splice(i, 0, ...run);
  }

  /** Batches waiting in a queue (not in flight) for longer than `deliveryTimeoutMs`; removed. */
  expiredBatches(nowMs: number): ProducerBatch[] {
    const expired: ProducerBatch[] = [];
    const deadline = nowMs - this.#config.deliveryTimeoutMs;
    for (const queues of this.#topics.values()) {
      for (const queue of queues) {
        if (queue === undefined) continue;
        const batches = queue.batches;
        while (batches.length > 0 && batches[0].createdMs <= deadline) {
          const batch = batches.shift()!;
          batch.closed = true;
          expired.push(batch);
        }
      }
    }
    return expired;
  }

  /** Every batch still in a queue (not in flight); removed. For close without flush. */
  takeAll(): ProducerBatch[] {
    const all: ProducerBatch[] = [];
    for (const queues of this.#topics.values()) {
      for (const queue of queues) {
        if (queue === undefined) continue;
        all.push(...queue.batches.splice(0));
      }
    }
    return all;
  }

  /**
   * Forgets a completed batch and returns its memory to the pool: its buffer
   * and what its records were charged (the parts of a split batch hold
   * neither: their records' charge returns with the batch they came from).
   */
  deallocate(batch: ProducerBatch): void {
    if (this.#incomplete.delete(batch) && batch.pooled) {
      this.#pool.deallocate(batch.builder.buffer, batch.recordCount * RECORD_OVERHEAD);
    }
  }

  /** Resolves once every batch that exists now is completed; sends them without lingering meanwhile. */
  async flush(): Promise<void> {
    this.#flushes++;
    try {
      const waiting = [...this.#incomplete].map((b) => b.settled);
      this.#onNewBatch(null);
      await Promise.all(waiting);
    } finally {
      this.#flushes--;
    }
  }

  /** From now on every batch is ready at once (the producer is closing). */
  beginClose(): void {
    this.#closing = true;
    this.#onNewBatch(null);
  }

  /** Bytes of a new batch for `record`: `batchSize`, or what the record needs alone if more. */
  #newBatchSize(record: EncodedRecord): number {
    return Math.max(this.#config.batchSize, batchSizeFor(record));
  }

  /** Closes the partition's open batch and opens a new one in `buffer`. */
  #newBatch(queue: PartitionQueue, buffer: Uint8Array, nowMs: number): ProducerBatch {
    const last = queue.batches[queue.batches.length - 1];
    if (last !== undefined) last.closed = true;
    const { compressionCodec, compressionLevel } = this.#config;
    const builder = new RecordBatchBuilder(buffer, compressionCodec, compressionLevel);
    const batch = new ProducerBatch(queue, builder, nowMs);
    queue.batches.push(batch);
    this.#incomplete.add(batch);
    this.#onNewBatch(queue);
    return batch;
  }
}
