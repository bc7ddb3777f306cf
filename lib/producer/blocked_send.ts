/**
 * A send that could not be appended at once: it waits in the producer's
 * queue for its topic's metadata, then in line for buffer memory, bounded by
 * `maxBlockMs` and its AbortSignal.
 *
 * @module
 */
import type { RecordFuture } from "./batch.ts";
import type { EncodedRecord, RecordMetadata } from "./record.ts";

/** JS object overhead counted per waiting send on top of its key, value and header bytes. */
export const BLOCKED_SEND_OVERHEAD = 256;

/** Bytes a waiting send is counted for: its key, value and header bytes plus {@link BLOCKED_SEND_OVERHEAD}. */
export function blockedSize(record: EncodedRecord): number {
  let bytes = BLOCKED_SEND_OVERHEAD + (record.key?.length ?? 0) + (record.value?.length ?? 0);
  for (const [k, v] of record.headers) bytes += k.length + (v?.length ?? 0);
  return bytes;
}

/** One waiting send. It settles exactly once: appended (then its batch settles it) or failed. */
export class BlockedSend implements RecordFuture {
  /** The partition, chosen once its topic's metadata is known; -1 before. */
  partition = -1;
  /** Whether it was appended or failed (an abort can fail it while it waits in line). */
  done = false;
  /** Bytes it is counted for against `maxBlockedBytes`. */
  readonly bytes: number;
  #resolve: (metadata: RecordMetadata) => void;
  #reject: (error: Error) => void;
  #onAbort: (() => void) | null = null;
  #settled: Promise<void> | null = null;
  #markSettled: (() => void) | null = null;
  #isSettled = false;

  /**
   * @param onLeave called once when the send stops waiting (appended or
   * failed), so the producer can uncount its bytes.
   */
  constructor(
    readonly record: EncodedRecord,
    readonly deadline: number,
    readonly signal: AbortSignal | undefined,
    future: RecordFuture,
    private readonly onLeave: (send: BlockedSend) => void,
  ) {
    this.#resolve = future.resolve;
    this.#reject = future.reject;
    this.bytes = blockedSize(record);
    if (signal !== undefined) {
      this.#onAbort = () => this.fail(signal.reason);
      signal.addEventListener("abort", this.#onAbort, { once: true });
    }
  }

  /** Settles the record's promise with where it was written (called by its batch). */
  readonly resolve = (metadata: RecordMetadata): void => {
    this.#resolve(metadata);
    this.#settle();
  };

  /** Settles the record's promise with why it failed (called by its batch). */
  readonly reject = (error: Error): void => {
    this.#reject(error);
    this.#settle();
  };

  /** Resolves once the record's promise is settled (for `flush()`); never rejects. */
  get settled(): Promise<void> {
    if (this.#isSettled) return Promise.resolve();
    return this.#settled ??= new Promise((resolve) => this.#markSettled = resolve);
  }

  /** The record is in a batch: its batch settles it from now on. */
  appended(): void {
    if (!this.done) this.#leave();
  }

  /** Rejects the send, unless it was already appended or failed. */
  fail(error: Error): void {
    if (this.done) return;
    this.#leave();
    this.reject(error);
  }

  #leave(): void {
    this.done = true;
    if (this.#onAbort !== null) this.signal!.removeEventListener("abort", this.#onAbort);
    this.#onAbort = null;
    this.onLeave(this);
  }

  #settle(): void {
    this.#isSettled = true;
    this.#markSettled?.();
  }
}
