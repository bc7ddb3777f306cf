/**
 * The producer's `WritableStream`. WHATWG sinks get one chunk at a time and
 * a write here waits for its record's acknowledgement, so appending in the
 * sink's `write()` would send one record per request. Records are appended
 * in the queuing strategy's `size()` instead, which runs synchronously inside
 * `writer.write()`; the sink's `write()` only waits for the record's batch.
 * A chunk is a record or an array of records (for sources that already
 * batch): an array is appended whole and its write waits for every batch it
 * went into.
 *
 * `size()` runs before the stream checks its own state, so the stream keeps
 * track of when it stops accepting chunks (close requested, aborted, a write
 * failed, closed) and appends nothing from then on: a chunk the stream
 * rejects is never produced.
 *
 * What a write costs is what keeps the stream as fast as `send()`: writes run
 * one at a time, so when a write of a batch's record starts, every earlier
 * write is done, and the first write of a batch waited for its outcome. Only
 * that first write makes a promise; the batch's later writes return one
 * shared resolved promise.
 *
 * @module
 */
import { ProducerClosedError } from "../errors.ts";
import { Fifo } from "../util/fifo.ts";
import type { ProducerBatch } from "./batch.ts";
import type { ProducerRecord } from "./record.ts";

/** What the stream needs from the producer. */
export interface RecordSink {
  /**
   * Appends a record without a promise of its own and returns its batch (the
   * record is the batch's last), or, when the record had to wait, its
   * `send()` promise. Never throws.
   */
  append(record: ProducerRecord): ProducerBatch | Promise<unknown>;
  /** The stream closed: flush and close the producer. */
  close(): Promise<void>;
  /** The stream was aborted: stop at once, keeping `reason`. */
  abort(reason: unknown): void;
}

/** A chunk of {@link RecordWritable}: one record, or records in order. */
export type RecordChunk = ProducerRecord | readonly ProducerRecord[];

const noop = () => {};
const RESOLVED: Promise<void> = Promise.resolve();

/** A chunk the stream was not going to accept (its write rejects if it ever runs). */
const REFUSED = -1;
/** An array chunk: its target is a {@link ChunkParts}. */
const ARRAY = -2;

/**
 * Where the records of an array chunk went: for each batch, the indexes of
 * its first and last record from the chunk (a chunk's records are appended in
 * one go, so they are contiguous in each batch), and the promises of records
 * that had to wait.
 */
interface ChunkParts {
  readonly batches: ProducerBatch[];
  readonly firsts: number[];
  readonly lasts: number[];
  readonly waiting: Promise<unknown>[];
  /** The chunk's size in the stream's queue: its records' approximate bytes. */
  bytes: number;
}

/** State shared by the sink, the strategy and the stream's overrides. */
interface StreamState {
  /** No chunk may be appended any more. */
  refusing: boolean;
}

/**
 * A `WritableStream` of records (or arrays of records) whose writes resolve
 * when each record's batch is acknowledged, while the records are batched as
 * they are written.
 */
export class RecordWritable extends WritableStream<RecordChunk> {
  #state: StreamState;

  /**
   * @param sink the producer's side.
   * @param highWaterMark the queue's mark in approximate record bytes.
   */
  constructor(sink: RecordSink, highWaterMark: number) {
    const state: StreamState = { refusing: false };
    // What each accepted chunk waits on, in write order: a batch with the
    // record's index in it, a send() promise (index 0), or an array chunk's
    // parts (index ARRAY).
    const targets = new Fifo<ProducerBatch | Promise<unknown> | ChunkParts | null>();
    const indexes = new Fifo<number>();
    let signal!: AbortSignal;
    // Rejects the wait in progress when the stream is aborted. Writes run one
    // at a time, so there is at most one; racing each wait against a shared
    // never-settled promise instead would add a reaction to it per wait,
    // kept for the stream's life.
    let abortWait: ((reason: unknown) => void) | null = null;
    // The batch of the latest write (writes run one at a time) and whether
    // its outcome is known to be a success.
    let batch: ProducerBatch | null = null;
    let batchOk = false;
    let index = 0;
    const raceAbort = <T>(promise: Promise<T>): Promise<T> => {
      if (signal.aborted) return Promise.reject(signal.reason);
      return new Promise<T>((resolve, reject) => {
        abortWait = reject;
        promise.then((value) => {
          abortWait = null;
          resolve(value);
        }, (error) => {
          abortWait = null;
          reject(error);
        });
      });
    };
    const refuse = (error: unknown): never => {
      state.refusing = true;
      throw error;
    };
    const markOk = () => {
      batchOk = true;
    };
    // A failed batch may have been split and the record written by a part of it.
    const onBatchFailure = (error: unknown): Promise<void> =>
      batch !== null && batch.wasSplit ? recordOutcome(batch, index) : refuse(error);
    const recordOutcome = (of: ProducerBatch, i: number): Promise<void> =>
      raceAbort(of.outcomeOf(i)).catch(refuse);
    // One wait for the whole chunk (abortWait holds one wait at a time).
    const partsOutcome = (parts: ChunkParts): Promise<void> => {
      const all: Promise<unknown>[] = parts.waiting.slice();
      parts.batches.forEach((b, k) => {
        all.push(b.outcome.catch((error) => {
          if (!b.wasSplit) throw error;
          const each: Promise<void>[] = [];
          for (let i = parts.firsts[k]; i <= parts.lasts[k]; i++) each.push(b.outcomeOf(i));
          return Promise.all(each);
        }));
      });
      return raceAbort(Promise.all(all)).then(noop, refuse);
    };
    const appendAll = (records: readonly ProducerRecord[]): ChunkParts => {
      const parts: ChunkParts = { batches: [], firsts: [], lasts: [], waiting: [], bytes: 1 };
      for (const record of records) {
        parts.bytes += approximateSize(record);
        const target = sink.append(record);
        if (target instanceof Promise) {
          parts.waiting.push(target);
          continue;
        }
        const i = target.recordCount - 1;
        const k = parts.batches.lastIndexOf(target);
        if (k >= 0) {
          parts.lasts[k] = i;
        } else {
          parts.batches.push(target);
          parts.firsts.push(i);
          parts.lasts.push(i);
        }
      }
      return parts;
    };

    super({
      start(controller) {
        signal = controller.signal;
        signal.addEventListener("abort", () => {
          state.refusing = true;
          abortWait?.(signal.reason);
        }, { once: true });
      },
      write() {
        const target = targets.shift()!;
        const i = indexes.shift()!;
        if (i === REFUSED || target === null) {
          return Promise.reject(
            new ProducerClosedError("the writable stream no longer accepts records"),
          );
        }
        if (target instanceof Promise) return raceAbort(target).then(noop, refuse);
        if (i === ARRAY) return partsOutcome(target as ChunkParts);
        const of = target as ProducerBatch;
        if (of === batch) {
          // The batch's first write waited for its outcome: it is known now.
          return batchOk ? RESOLVED : recordOutcome(of, i);
        }
        batch = of;
        batchOk = false;
        index = i;
        return raceAbort(of.outcome).then(markOk, onBatchFailure);
      },
      close() {
        state.refusing = true;
        return sink.close();
      },
      abort(reason) {
        state.refusing = true;
        sink.abort(reason);
      },
    }, {
      highWaterMark,
      size(chunk) {
        if (state.refusing) {
          targets.push(null);
          indexes.push(REFUSED);
          return 1;
        }
        if (Array.isArray(chunk)) {
          const parts = appendAll(chunk);
          targets.push(parts);
          indexes.push(ARRAY);
          return parts.bytes;
        }
        const target = sink.append(chunk as ProducerRecord);
        targets.push(target);
        indexes.push(target instanceof Promise ? 0 : target.recordCount - 1);
        return approximateSize(chunk as ProducerRecord);
      },
    });
    this.#state = state;
  }

  /** Closes the stream; no chunk is appended from now on. */
  override close(): Promise<void> {
    if (!this.locked) this.#state.refusing = true;
    return super.close();
  }

  /** A writer whose `close()` stops the stream from appending chunks written after it. */
  override getWriter(): WritableStreamDefaultWriter<RecordChunk> {
    const writer = super.getWriter();
    const close = writer.close.bind(writer);
    const state = this.#state;
    writer.close = () => {
      try {
        void writer.desiredSize; // throws once the writer is released: then nothing closes
        state.refusing = true;
      } catch {
        // close() below rejects with the stream's own TypeError
      }
      return close();
    };
    return writer;
  }
}

/** Bytes a record roughly takes in a batch: its size in the stream's queue. */
function approximateSize(record: ProducerRecord): number {
  const value = record?.value;
  const key = record?.key;
  return 32 + (typeof value === "string" || value instanceof Uint8Array ? value.length : 0) +
    (typeof key === "string" || key instanceof Uint8Array ? key.length : 0);
}
