/**
 * The producer's `WritableStream`. WHATWG sinks get one chunk at a time and
 * a write here waits for its record's acknowledgement, so appending in the
 * sink's `write()` would send one record per request. Records are appended
 * in the queuing strategy's `size()` instead, which runs synchronously inside
 * `writer.write()`; the sink's `write()` only waits for the record's batch.
 *
 * `size()` runs before the stream checks its own state, so the stream keeps
 * track of when it stops accepting chunks (close requested, aborted, a write
 * failed, closed) and appends nothing from then on: a chunk the stream
 * rejects is never produced.
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

const noop = () => {};

/** A chunk the stream was not going to accept (its write rejects if it ever runs). */
const REFUSED = -1;

/** State shared by the sink, the strategy and the stream's overrides. */
interface StreamState {
  /** No chunk may be appended any more. */
  refusing: boolean;
}

/**
 * A `WritableStream<ProducerRecord>` whose writes resolve when each record's
 * batch is acknowledged, while the records are batched as they are written.
 */
export class RecordWritable extends WritableStream<ProducerRecord> {
  #state: StreamState;

  /**
   * @param sink the producer's side.
   * @param highWaterMark the queue's mark in approximate record bytes.
   */
  constructor(sink: RecordSink, highWaterMark: number) {
    const state: StreamState = { refusing: false };
    // What each accepted chunk waits on, in write order: a batch with the
    // record's index in it, or a send() promise (index -1).
    const targets = new Fifo<ProducerBatch | Promise<unknown> | null>();
    const indexes = new Fifo<number>();
    let aborted!: Promise<never>;
    // The batch of the write in progress (writes run one at a time) and the
    // outcome shared by every write of it.
    let batch: ProducerBatch | null = null;
    let index = 0;
    let batchOutcome: Promise<void> = Promise.resolve();
    const raceAbort = <T>(promise: Promise<T>): Promise<T> => Promise.race([promise, aborted]);
    const refuse = (error: unknown): never => {
      state.refusing = true;
      throw error;
    };
    // A failed batch may have been split and the record written by a part of it.
    const onBatchFailure = (error: unknown): Promise<void> =>
      batch !== null && batch.wasSplit
        ? raceAbort(batch.outcomeOf(index)).catch(refuse)
        : refuse(error);

    super({
      start(controller) {
        const signal = controller.signal;
        aborted = new Promise<never>((_, reject) => {
          signal.addEventListener("abort", () => {
            state.refusing = true;
            reject(signal.reason);
          }, { once: true });
        });
        aborted.catch(noop);
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
        if (target !== batch) {
          batch = target;
          batchOutcome = raceAbort(target.outcome);
        }
        index = i;
        return batchOutcome.then(undefined, onBatchFailure);
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
      size(record) {
        if (state.refusing) {
          targets.push(null);
          indexes.push(REFUSED);
          return 1;
        }
        const target = sink.append(record);
        targets.push(target);
        indexes.push(target instanceof Promise ? 0 : target.recordCount - 1);
        return approximateSize(record);
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
  override getWriter(): WritableStreamDefaultWriter<ProducerRecord> {
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
