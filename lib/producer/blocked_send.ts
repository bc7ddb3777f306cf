/**
 * A send that could not be appended at once: it waits in the producer's
 * queue for its topic's metadata, then in line for buffer memory, bounded by
 * `maxBlockMs` and its AbortSignal.
 *
 * @module
 */
import { type RecordSettler, Rejection } from "./batch.ts";
import type { EncodedRecord } from "./record.ts";

/** JS object overhead counted per waiting send on top of its key, value and header bytes. */
export const BLOCKED_SEND_OVERHEAD = 256;

/** Bytes a waiting send is counted for: its key, value and header bytes plus {@link BLOCKED_SEND_OVERHEAD}. */
export function blockedSize(record: EncodedRecord): number {
  let bytes = BLOCKED_SEND_OVERHEAD + (record.key?.length ?? 0) + (record.value?.length ?? 0);
  for (const [k, v] of record.headers) bytes += k.length + (v?.length ?? 0);
  return bytes;
}

/** One waiting send. It settles exactly once: appended (then its batch settles it) or failed. */
export class BlockedSend {
  /** The partition, chosen once its topic's metadata is known; -1 before. */
  partition = -1;
  /** Whether it was appended or failed (an abort can fail it while it waits in line). */
  done = false;
  /** Bytes it is counted for against `maxBlockedBytes`. */
  readonly bytes: number;
  #settleRecord: RecordSettler;
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
    future: RecordSettler,
    private readonly onLeave: (send: BlockedSend) => void,
  ) {
    this.#settleRecord = future;
    this.bytes = blockedSize(record);
    if (signal !== undefined) {
      this.#onAbort = () => this.fail(signal.reason);
      signal.addEventListener("abort", this.#onAbort, { once: true });
    }
  }

  /** Settles the record's promise (called by its batch once appended, or by {@link BlockedSend.fail}). */
  readonly settle: RecordSettler = (outcome) => {
    this.#settleRecord(outcome);
    this.#isSettled = true;
    this.#markSettled?.();
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
    this.settle(new Rejection(error));
  }

  #leave(): void {
    this.done = true;
    if (this.#onAbort !== null) this.signal!.removeEventListener("abort", this.#onAbort);
    this.#onAbort = null;
    this.onLeave(this);
  }
}
