/**
 * A ProducerBatch: the records appended to one partition that travel
 * together, with one completion for all of them.
 *
 * @module
 */
import { RecordBatchBuilder, splitRecordBatch } from "../protocol/record_batch.ts";
import type { EncodedRecord, RecordMetadata } from "./record.ts";

/** The deque of batches of one partition, oldest first. */
export interface PartitionQueue {
  /** Topic name. */
  readonly topic: string;
  /** Partition index. */
  readonly partition: number;
  /** Batches waiting to be sent, oldest first; the last one takes appends. */
  readonly batches: ProducerBatch[];
  /** Batches of this partition sent and not yet answered. */
  inFlight: number;
}

/**
 * Settles a record's promise, kept by its batch until the broker answers:
 * the promise's resolve function, given the record's metadata or, to reject
 * it, a {@link Rejection}. Only the resolve function is kept per record (not
 * the reject function too, nor an object holding both): with a full buffer
 * some 250,000 records wait for their acknowledgement, and every object each
 * keeps alive is copied by the young-generation GC and then promoted.
 */
export type RecordSettler = (outcome: RecordMetadata | Rejection) => void;

/**
 * A thenable that rejects whatever adopts it: a promise resolved with it
 * rejects with `error` (two microtasks later), and no rejected promise of
 * its own exists that could be reported as unhandled.
 */
export class Rejection implements PromiseLike<never> {
  /** The error the adopting promise rejects with. */
  readonly error: Error;

  /** A rejection with `error`. */
  constructor(error: Error) {
    this.error = error;
  }

  /** Called by the promise that adopts it: rejects it. */
  then(
    _onFulfilled?: unknown,
    onRejected?: ((reason: Error) => unknown) | null,
  ): PromiseLike<never> {
    onRejected?.(this.error);
    return this;
  }
}

const noop = () => {};

/** No sequence number assigned yet. */
export const NO_SEQUENCE = -1;

/**
 * Records of one partition encoded into one RecordBatch v2, and the promise
 * of each record, settled together when the broker answers for the batch.
 */
export class ProducerBatch {
  /** The partition's queue this batch belongs to. */
  readonly queue: PartitionQueue;
  /** When the batch was created (epoch ms); the delivery timeout counts from here. */
  readonly createdMs: number;
  /** The encoder holding the records' bytes. */
  readonly builder: RecordBatchBuilder;
  /** Times the batch was sent. */
  attempts = 0;
  /** When the batch was last sent or re-enqueued (epoch ms). */
  lastAttemptMs: number;
  /** Whether no more records may be appended (full, drained or split). */
  closed = false;
  /** Whether the batch is in a request the broker has not answered. */
  inFlight = false;
  /** Producer id, epoch and first sequence number (idempotence), set when drained. */
  producerId = -1n;
  /** See {@link ProducerBatch.producerId}. */
  producerEpoch = -1;
  /** See {@link ProducerBatch.producerId}. */
  baseSequence = NO_SEQUENCE;
  /** Whether the batch belongs to a transaction (the attributes' transactional bit), set when drained. */
  transactional = false;
  /** Set when the batch was re-sequenced after an epoch bump. */
  sequenceReset = false;
  /** Why the last attempt failed, if it was retried (the cause of a later expiry). */
  lastError: Error | null = null;
  /** How long to wait after `lastAttemptMs` before the next attempt. */
  backoffMs = 0;
  /** Whether the buffer came from the pool and goes back to it. */
  pooled = true;
  /** Whether {@link ProducerBatch.complete} or {@link ProducerBatch.fail} ran. */
  done = false;
  /** Resolves once every record of the batch is settled (never rejects). */
  readonly settled: Promise<void>;

  #settle!: () => void;
  #outcome: Promise<void> | null = null;
  #error: Error | null = null;
  /** After a split: the batches that took over the records, in order. */
  #parts: ProducerBatch[] | null = null;
  #succeed: () => void = noop;
  #failOutcome: (error: Error) => void = noop;
  /** Per record: what settles its promise, or null for a record nobody waits on alone (see `outcome`). */
  #futures: (RecordSettler | null)[] = [];
  #timestamps: number[] = [];

  /** Creates an empty batch writing into `buffer` (or around a builder that holds records). */
  constructor(queue: PartitionQueue, buffer: Uint8Array | RecordBatchBuilder, nowMs: number) {
    this.queue = queue;
    this.builder = buffer instanceof RecordBatchBuilder ? buffer : new RecordBatchBuilder(buffer);
    this.createdMs = nowMs;
    this.lastAttemptMs = nowMs;
    this.settled = new Promise((resolve) => this.#settle = resolve);
  }

  /** Records in the batch. */
  get recordCount(): number {
    return this.builder.recordCount;
  }

  /** Bytes of the batch uncompressed: what `batchSize` bounds. */
  get sizeInBytes(): number {
    return this.builder.sizeInBytes;
  }

  /** Bytes the batch takes on the wire (compressed, if it is; compresses it if not yet). */
  get wireSizeInBytes(): number {
    return this.builder.wireSizeInBytes;
  }

  /** Sequence number of the last record (idempotence). */
  get lastSequence(): number {
    return (this.baseSequence + this.recordCount - 1) % 2147483648;
  }

  /**
   * Appends a record, its `future` travelling with it: called with the
   * batch's outcome, or `null` for a record without a promise of its own
   * (its fate is the batch's {@link ProducerBatch.outcome}). Returns whether
   * it fit; a record that does not fit closes the batch.
   */
  tryAppend(record: EncodedRecord, future: RecordSettler | null): boolean {
    if (this.closed) return false;
    const { timestamp } = record;
    if (this.builder.tryAppend(timestamp, record.key, record.value, record.headers) < 0) {
      this.closed = true;
      return false;
    }
    this.#timestamps.push(timestamp);
    this.#futures.push(future);
    return true;
  }

  /**
   * Resolves when every record of the batch is acknowledged, rejects with
   * the first failure (after a split: of any part; see
   * {@link ProducerBatch.outcomeOf} for one record's). Never reported as an
   * unhandled rejection.
   */
  get outcome(): Promise<void> {
    if (this.#outcome === null) {
      if (this.#parts !== null) {
        this.#outcome = Promise.all(this.#parts.map((part) => part.outcome)).then(noop);
      } else if (this.done) {
        this.#outcome = this.#error === null ? Promise.resolve() : Promise.reject(this.#error);
      } else {
        this.#outcome = new Promise<void>((resolve, reject) => {
          this.#succeed = resolve;
          this.#failOutcome = reject;
        });
      }
      this.#outcome.catch(noop);
    }
    return this.#outcome;
  }

  /** Whether the batch was split: its records now belong to other batches. */
  get wasSplit(): boolean {
    return this.#parts !== null;
  }

  /**
   * The outcome of the record appended `index`-th: the batch's own, or after
   * a split the outcome of the part that took the record over.
   */
  outcomeOf(index: number): Promise<void> {
    const parts = this.#parts;
    if (parts === null) return this.outcome;
    for (const part of parts) {
      const count = part.recordCount;
      if (index < count) return part.outcomeOf(index);
      index -= count;
    }
    return this.outcome;
  }

  /**
   * The batch's bytes with its current producer state, ready for a Produce
   * request; a compressed batch is compressed on the first call only.
   */
  encode(): Uint8Array {
    return this.builder.build(
      this.producerId,
      this.producerEpoch,
      this.baseSequence,
      this.transactional,
    );
  }

  /**
   * Resolves every record's promise. `baseOffset` -1 (acks=0, or a duplicate
   * whose offset the broker no longer knows) gives every record offset -1.
   * `logAppendTimeMs` ≥ 0 replaces the records' create times.
   */
  complete(baseOffset: bigint, logAppendTimeMs: number): void {
    if (this.done) return;
    this.done = true;
    const { topic, partition } = this.queue;
    const futures = this.#futures;
    const timestamps = this.#timestamps;
    const known = baseOffset >= 0n;
    for (let i = 0; i < futures.length; i++) {
      const future = futures[i];
      if (future === null) continue;
      future({
        topic,
        partition,
        offset: known ? baseOffset + BigInt(i) : -1n,
        timestamp: logAppendTimeMs >= 0 ? logAppendTimeMs : timestamps[i],
      });
    }
    this.#succeed();
    this.#release();
  }

  /** Rejects every record's promise with `error`. */
  fail(error: Error): void {
    if (this.done) return;
    this.done = true;
    this.#error = error;
    const rejection = new Rejection(error);
    for (const future of this.#futures) future?.(rejection);
    this.#failOutcome(error);
    this.#release();
  }

  /**
   * Moves the records into new batches of at most `batchSize` bytes each
   * (uncompressed; after MESSAGE_TOO_LARGE), with this batch's codec,
   * keeping every record's promise. This batch is
   * left empty and done. The new batches' memory is not from the pool (as in
   * Java): it is garbage once they complete.
   */
  split(batchSize: number): ProducerBatch[] {
    const out: ProducerBatch[] = [];
    let first = 0;
    for (const builder of splitRecordBatch(this.encode(), batchSize, this.builder.level)) {
      const part = new ProducerBatch(this.queue, builder, this.createdMs);
      const end = first + builder.recordCount;
      part.pooled = false;
      part.closed = true;
      part.attempts = this.attempts;
      part.#futures = this.#futures.slice(first, end);
      part.#timestamps = this.#timestamps.slice(first, end);
      out.push(part);
      first = end;
    }
    this.done = true;
    this.#parts = out;
    this.#futures = [];
    this.#timestamps = [];
    Promise.all(out.map((b) => b.settled)).then(this.#settle);
    if (this.#outcome !== null) {
      // Whoever already waits on the whole batch learns of the first failure
      // of any part; a record's own outcome is outcomeOf(index).
      Promise.all(out.map((b) => b.outcome)).then(this.#succeed, this.#failOutcome);
    }
    return out;
  }

  #release(): void {
    this.#settle();
    this.#futures = [];
    this.#timestamps = [];
  }
}
