/**
 * Idempotence, as the Java client's TransactionManager does it for a
 * non-transactional producer: one producer id and epoch from InitProducerId,
 * per-partition sequence numbers assigned when a batch is drained, at most
 * one batch "in line" while a partition retries, and a local epoch bump
 * (KIP-360) when a partition's sequences can no longer be trusted.
 *
 * @module
 */
import { ErrorCode } from "../protocol/error_codes.ts";
import { NO_SEQUENCE, type PartitionQueue, type ProducerBatch } from "./batch.ts";

const SEQUENCE_WRAP = 2147483648;

/** Sequence bookkeeping of one partition. */
interface PartitionState {
  /** Sequence of the next new batch. */
  nextSequence: number;
  /** Last sequence the broker acknowledged, -1 before any. */
  lastAckedSequence: number;
  /** Epoch the sequences above belong to. */
  epoch: number;
  /** Batches with a sequence, not yet completed, by sequence. */
  inflight: ProducerBatch[];
}

/** A producer id and epoch. */
export interface ProducerIdAndEpoch {
  /** The producer id. */
  readonly producerId: bigint;
  /** The epoch. */
  readonly epoch: number;
}

/** Producer id, epoch and the sequence state of every partition. */
export class IdempotenceManager {
  #pid: ProducerIdAndEpoch | null = null;
  #partitions = new Map<PartitionQueue, PartitionState>();
  #toResequence = new Set<PartitionQueue>();
  /**
   * Partitions with a batch of unknown fate, and the sequence that follows
   * the last such batch (Java's `partitionsWithUnresolvedSequences`).
   */
  #unresolved = new Map<PartitionQueue, number>();
  #bumpRequired = false;
  /** Epoch bumps done so far (reported in the producer's metrics). */
  epochBumps = 0;
  #transactional: boolean;

  /**
   * Creates the manager. A `transactional` producer's epoch is bumped by its
   * coordinator, never locally: a failed batch only leaves the partition's
   * bookkeeping (the transaction must be aborted, which bumps the epoch).
   */
  constructor(transactional = false) {
    this.#transactional = transactional;
  }

  /** The producer id and epoch in use, or null while there is none. */
  get producerIdAndEpoch(): ProducerIdAndEpoch | null {
    return this.#pid;
  }

  /** Whether a new producer id must be fetched before anything is sent. */
  get needsProducerId(): boolean {
    return this.#pid === null;
  }

  /** Sets the id and epoch from an InitProducerId response; every partition restarts at 0. */
  setProducerId(pid: ProducerIdAndEpoch): void {
    this.#pid = pid;
    this.#bumpRequired = false;
    for (const [queue, state] of this.#partitions) this.#restart(queue, state);
    this.#toResequence.clear();
    this.#unresolved.clear();
  }

  /**
   * Applies a requested epoch bump, and resolves partitions with a batch of
   * unknown fate once no batch of theirs with a sequence is left unsettled
   * (bumping if a gap remains). Call before draining.
   * Returns true if a new producer id is needed (epoch exhausted).
   */
  maybeBumpEpoch(): boolean {
    for (const queue of this.#unresolved.keys()) {
      const state = this.#partitions.get(queue);
      // Resolved once every later sequenced batch has completed (as Java's
      // hasInflightBatches): their answers tell whether the gap is real.
      if (state !== undefined && state.inflight.length > 0) continue;
      this.#unresolved.delete(queue);
      if (state !== undefined && !this.#isNext(state, state.nextSequence)) {
        this.#requestBump(queue);
      }
    }
    if (!this.#bumpRequired || this.#pid === null) return false;
    this.#bumpRequired = false;
    if (this.#pid.epoch >= 32767) {
      this.#pid = null;
      return true;
    }
    this.#pid = { producerId: this.#pid.producerId, epoch: this.#pid.epoch + 1 };
    this.epochBumps++;
    for (const queue of this.#toResequence) {
      const state = this.#partitions.get(queue);
      if (state !== undefined) this.#restart(queue, state);
      this.#unresolved.delete(queue);
    }
    this.#toResequence.clear();
    return false;
  }

  /** Whether the first batch of a partition may be drained now. */
  canSend(batch: ProducerBatch): boolean {
    const pid = this.#pid;
    if (pid === null) return false;
    const state = this.#state(batch.queue);
    if (batch.baseSequence === NO_SEQUENCE) {
      // New batches wait while an earlier batch's fate is unknown; batches that
      // already have sequences go on (in line), and their answers resolve it.
      if (this.#unresolved.has(batch.queue)) return false;
      // New batches wait while older-epoch batches of the partition are unsettled.
      if (state.epoch !== pid.epoch && state.inflight.length > 0) return false;
      // Until the broker has acknowledged a batch of this partition in this
      // epoch it may hold no state for us there, and then it accepts any
      // sequence (KIP-360): a later batch could be written first if the first
      // is refused with a retriable error. So the first batch goes alone.
      if (state.lastAckedSequence < 0 && state.inflight.length > 0) return false;
      return true;
    }
    // A retried batch goes only when it is the first unacknowledged one: during
    // retries a partition has a single batch in flight, in sequence order.
    return state.inflight[0] === batch;
  }

  /** Gives a drained batch the producer state and its sequence numbers. */
  onDrain(batch: ProducerBatch): void {
    const pid = this.#pid!;
    const state = this.#state(batch.queue);
    if (batch.baseSequence !== NO_SEQUENCE) return;
    if (state.epoch !== pid.epoch) this.#restart(batch.queue, state);
    batch.producerId = pid.producerId;
    batch.producerEpoch = pid.epoch;
    batch.baseSequence = state.nextSequence;
    state.nextSequence = (state.nextSequence + batch.recordCount) % SEQUENCE_WRAP;
    state.inflight.push(batch);
  }

  /** A batch was written (or was a duplicate of a written one). */
  onSuccess(batch: ProducerBatch): void {
    const state = this.#partitions.get(batch.queue);
    if (state === undefined) return;
    this.#remove(state, batch);
    if (batch.producerEpoch === state.epoch) {
      state.lastAckedSequence = Math.max(state.lastAckedSequence, batch.lastSequence);
    }
  }

  /**
   * A batch failed for good. If it had a sequence, later batches of the
   * partition would meet a gap: bump the epoch and restart the partition's
   * sequences. `unknownFate` (expired while maybe written) waits until the
   * partition has nothing in flight and bumps only if needed.
   */
  onFailure(batch: ProducerBatch, unknownFate: boolean): void {
    const state = this.#partitions.get(batch.queue);
    if (state === undefined || batch.baseSequence === NO_SEQUENCE) return;
    this.#remove(state, batch);
    if (batch.producerEpoch !== state.epoch || this.#transactional) return;
    if (unknownFate) this.#markUnresolved(batch);
    else this.#requestBump(batch.queue);
  }

  /** Replaces a split batch by its parts, which take over its sequence numbers in order. */
  replace(batch: ProducerBatch, parts: readonly ProducerBatch[]): void {
    const state = this.#partitions.get(batch.queue);
    if (state === undefined || batch.baseSequence === NO_SEQUENCE) return;
    let sequence = batch.baseSequence;
    for (const part of parts) {
      part.producerId = batch.producerId;
      part.producerEpoch = batch.producerEpoch;
      part.baseSequence = sequence;
      sequence = (sequence + part.recordCount) % SEQUENCE_WRAP;
    }
    const i = state.inflight.indexOf(batch);
    if (i >= 0) state.inflight.splice(i, 1, ...parts);
  }

  /**
   * A batch answered with OUT_OF_ORDER_SEQUENCE_NUMBER or UNKNOWN_PRODUCER_ID
   * is about to be retried: an idempotent producer retries both (Java's
   * `TransactionManager.canRetry` returns true for them when not
   * transactional). Requests an epoch bump, which re-sequences the
   * partition, where Java does:
   *
   * - OUT_OF_ORDER_SEQUENCE_NUMBER on the next expected batch (lastAcked + 1,
   *   not already re-sequenced), or on the batch right after those of unknown
   *   fate: the broker lost records or state, the gap is real. On a later
   *   batch it only waits for an earlier one, which is resent in line.
   * - UNKNOWN_PRODUCER_ID with a known log start offset on a batch not yet
   *   re-sequenced: the broker dropped our state (retention removed our
   *   records). With log start offset -1 the partition may be moving: retry
   *   as is.
   */
  onSequenceError(batch: ProducerBatch, errorCode: number, logStartOffset: bigint): void {
    const state = this.#partitions.get(batch.queue);
    if (state === undefined || batch.baseSequence === NO_SEQUENCE) return;
    if (errorCode === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER) {
      const unresolvedNext = this.#unresolved.get(batch.queue);
      if (unresolvedNext === undefined) {
        if (!batch.sequenceReset && this.#isNext(state, batch.baseSequence)) {
          this.#requestBump(batch.queue);
        }
      } else if (batch.baseSequence === unresolvedNext) {
        this.#requestBump(batch.queue);
      }
    } else if (errorCode === ErrorCode.UNKNOWN_PRODUCER_ID) {
      if (logStartOffset !== -1n && !batch.sequenceReset) this.#requestBump(batch.queue);
    }
  }

  #isNext(state: PartitionState, sequence: number): boolean {
    return (state.lastAckedSequence + 1) % SEQUENCE_WRAP === sequence;
  }

  /** Remembers the sequence after `batch`, the farthest one of unknown fate so far. */
  #markUnresolved(batch: ProducerBatch): void {
    const next = (batch.lastSequence + 1) % SEQUENCE_WRAP;
    const current = this.#unresolved.get(batch.queue);
    // Sequences wrap: `next` is later than `current` when less than half the range ahead.
    if (
      current === undefined || (next - current + SEQUENCE_WRAP) % SEQUENCE_WRAP < SEQUENCE_WRAP / 2
    ) {
      this.#unresolved.set(batch.queue, next);
    }
  }

  #requestBump(queue: PartitionQueue): void {
    this.#bumpRequired = true;
    this.#toResequence.add(queue);
  }

  #state(queue: PartitionQueue): PartitionState {
    let state = this.#partitions.get(queue);
    if (state === undefined) {
      state = {
        nextSequence: 0,
        lastAckedSequence: -1,
        epoch: this.#pid?.epoch ?? -1,
        inflight: [],
      };
      this.#partitions.set(queue, state);
    }
    return state;
  }

  /** Restarts a partition at sequence 0 under the current epoch, re-sequencing unsettled batches in order. */
  #restart(_queue: PartitionQueue, state: PartitionState): void {
    const pid = this.#pid!;
    let sequence = 0;
    for (const batch of state.inflight) {
      batch.producerId = pid.producerId;
      batch.producerEpoch = pid.epoch;
      batch.baseSequence = sequence;
      batch.sequenceReset = true;
      sequence = (sequence + batch.recordCount) % SEQUENCE_WRAP;
    }
    state.nextSequence = sequence;
    state.lastAckedSequence = -1;
    state.epoch = pid.epoch;
  }

  #remove(state: PartitionState, batch: ProducerBatch): void {
    const i = state.inflight.indexOf(batch);
    if (i >= 0) state.inflight.splice(i, 1);
  }
}
