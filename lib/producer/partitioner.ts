/**
 * Partition choice, as the Java client makes it: keyed records by
 * `toPositive(murmur2(key)) % numPartitions`, the rest by the adaptive sticky
 * partitioner of KIP-794.
 *
 * @module
 */

/**
 * Kafka's murmur2 hash (`org.apache.kafka.common.utils.Utils.murmur2`),
 * bit-for-bit: same seed, same little-endian words, same tail handling.
 */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  const m = 0x5bd1e995;
  let h = 0x9747b28c ^ length;
  const words = length >> 2;
  for (let i = 0; i < words; i++) {
    const o = i << 2;
    let k = data[o] | (data[o + 1] << 8) | (data[o + 2] << 16) | (data[o + 3] << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const tail = words << 2;
  switch (length & 3) {
    case 3:
      h ^= data[tail + 2] << 16;
    // falls through
    case 2:
      h ^= data[tail + 1] << 8;
    // falls through
    case 1:
      h ^= data[tail];
      h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

/** Java's `Utils.toPositive`: clears the sign bit (not `Math.abs`). */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}

/** The partition Java's default partitioner gives a keyed record. */
export function keyedPartition(key: Uint8Array, numPartitions: number): number {
  return toPositive(murmur2(key)) % numPartitions;
}

/** Where the adaptive partitioner reads how many batches wait in each partition's queue. */
export interface QueuedBatches {
  /**
   * The queues of `topic` by partition index (holes where none was made
   * yet), each holding its batches not yet sent.
   */
  queuesOf(
    topic: string,
  ): readonly ({ readonly batches: { readonly length: number } } | undefined)[] | undefined;
}

/**
 * The sticky partitioner (KIP-794) for records without a key: all go to one
 * partition until its open batch is full, then a new partition is picked at
 * random among those with a leader. Switching when the next record would
 * open a new batch (rather than after a byte count, which rarely falls on a
 * batch boundary) leaves no small tail batch behind; like Java, a partition
 * is also left after twice `batchSize` bytes whatever its batches.
 *
 * Adaptive (given the queues), the pick is weighted as Java's
 * `BuiltInPartitioner` weighs it: a partition with `q` batches queued
 * weighs `max(q) + 1 - q`, so one behind a slow leader gets fewer new
 * batches. The weights are computed at the switch from the queues as they
 * are then (Java computes them in each `ready()` pass; a switch comes at
 * most that often here). Equal queues, or without the queues: uniform.
 */
export class StickyPartitioner {
  #batchSize: number;
  #queued: QueuedBatches | null;
  #current = new Map<string, { partition: number; bytes: number }>();
  /** Scratch: the cumulative weights of the last adaptive pick. */
  #cumulative: number[] = [];

  /**
   * @param batchSize `batch.size`: twice this many bytes move the partition on in any case.
   * @param queued the accumulator's queues for adaptive picks
   * (`partitionerAdaptivePartitioning`), or null for uniform ones.
   */
  constructor(batchSize: number, queued: QueuedBatches | null = null) {
    this.#batchSize = Math.max(batchSize, 1);
    this.#queued = queued;
  }

  /**
   * The partition for the next record of `topic`.
   * @param available partitions that have a leader now (may be empty).
   * @param hasRoom whether the partition's open batch can take the record;
   * when it can't and the partition already got records, the next one is picked.
   */
  partition(
    topic: string,
    numPartitions: number,
    available: readonly number[],
    hasRoom: (partition: number) => boolean = () => true,
  ): number {
    const state = this.#current.get(topic);
    if (state === undefined || state.partition >= numPartitions) {
      return this.#next(topic, numPartitions, available, -1);
    }
    if (state.bytes > 0 && !hasRoom(state.partition)) {
      return this.#next(topic, numPartitions, available, state.partition);
    }
    return state.partition;
  }

  /** Counts `bytes` appended to `partition`; moves on after twice `batchSize`. */
  onAppend(
    topic: string,
    partition: number,
    bytes: number,
    numPartitions: number,
    available: readonly number[],
  ): void {
    const state = this.#current.get(topic);
    if (state === undefined || state.partition !== partition) return;
    state.bytes += bytes;
    if (state.bytes >= 2 * this.#batchSize) this.#next(topic, numPartitions, available, partition);
  }

  #next(
    topic: string,
    numPartitions: number,
    available: readonly number[],
    previous: number,
  ): number {
    const partition = this.#pick(topic, numPartitions, available, previous);
    this.#current.set(topic, { partition, bytes: 0 });
    return partition;
  }

  /** Adaptive if the queues differ, else uniform over `available` other than `previous`. */
  #pick(
    topic: string,
    numPartitions: number,
    available: readonly number[],
    previous: number,
  ): number {
    if (available.length === 0) return Math.floor(Math.random() * numPartitions);
    if (available.length === 1) return available[0];
    const weighted = this.#queued === null ? -1 : this.#weightedPick(topic, available);
    if (weighted >= 0) return weighted;
    let partition: number;
    do {
      partition = available[Math.floor(Math.random() * available.length)];
    } while (partition === previous);
    return partition;
  }

  /**
   * A partition of `available` drawn with weight `max + 1 - queued` each
   * (Java's cumulative frequency table and binary search); -1 when every
   * queue is as long as the others.
   */
  #weightedPick(topic: string, available: readonly number[]): number {
    const queues = this.#queued!.queuesOf(topic);
    const cumulative = this.#cumulative;
    const n = available.length;
    let max = 0;
    let min = Number.MAX_SAFE_INTEGER;
    for (let i = 0; i < n; i++) {
      const queued = queues?.[available[i]]?.batches.length ?? 0;
      cumulative[i] = queued;
      if (queued > max) max = queued;
      if (queued < min) min = queued;
    }
    if (max === min) return -1;
    let total = 0;
    for (let i = 0; i < n; i++) cumulative[i] = total += max + 1 - cumulative[i];
    const point = Math.floor(Math.random() * total);
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] > point) hi = mid;
      else lo = mid + 1;
    }
    return available[lo];
  }
}
