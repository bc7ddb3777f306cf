/**
 * `buffer.memory`: the bytes all batches together may hold — their buffers,
 * and {@link RECORD_OVERHEAD} for each record in them. Buffers of exactly
 * `batchSize` bytes are kept for reuse; other sizes are allocated and
 * dropped. A caller that finds the pool exhausted waits, in arrival order,
 * up to `maxBlockMs` (or until its signal aborts).
 *
 * @module
 */
import { ProducerClosedError, RecordTooLargeError, TimeoutError } from "../errors.ts";

/**
 * Bytes of `bufferMemory` each record in a batch is counted for besides its
 * share of the batch's buffer: what a record waiting for its acknowledgement
 * costs in JS memory. Measured with 258,000 records waiting (T1's window at
 * 32 MiB counted as buffers only) against 32,000: ~600 bytes of live heap per
 * record (its promise, the resolve function its batch keeps, the caller's
 * reaction and callback) and 1.3–1.8 KiB of RSS with the GC's headroom, on
 * Deno and Bun alike, against ~130 bytes of the record itself. Java counts
 * buffers only, as its per-record objects are small beside them.
 */
export const RECORD_OVERHEAD = 1024;

interface Waiter {
  size: number;
  resolve(buffer: Uint8Array): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout> | undefined;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

/** A pool of batch buffers bounded by a total number of bytes. */
export class BufferPool {
  /** Total bytes the pool may hand out (`buffer.memory`). */
  readonly totalMemory: number;
  /** Size of the buffers kept for reuse (`batch.size`). */
  readonly poolableSize: number;
  #free: Uint8Array[] = [];
  /** Bytes neither in buffers handed out or kept for reuse nor charged; below 0 while charges overdraw it. */
  #nonPooledAvailable: number;
  #waiters: Waiter[] = [];
  #closed = false;

  /** Creates a pool of `totalMemory` bytes that recycles `poolableSize`-byte buffers. */
  constructor(totalMemory: number, poolableSize: number) {
    this.totalMemory = totalMemory;
    this.poolableSize = poolableSize;
    this.#nonPooledAvailable = totalMemory;
  }

  /** Bytes not handed out or charged (free pooled buffers count as available); 0 when overdrawn. */
  get availableMemory(): number {
    return Math.max(0, this.#available());
  }

  /** Whether someone is waiting for memory (batches should then be sent at once). */
  get exhausted(): boolean {
    return this.#waiters.length > 0;
  }

  /** A buffer of `size` bytes now, or `null` if the pool cannot give it without waiting. */
  tryAllocate(size: number): Uint8Array | null {
    if (this.#waiters.length > 0) return null;
    return this.#take(size);
  }

  /**
   * A buffer of `size` bytes, waiting up to `maxBlockMs` for memory.
   * @throws {TimeoutError} when no memory frees up in time.
   * @throws {RecordTooLargeError} at once when `size` exceeds the whole pool.
   */
  allocate(size: number, maxBlockMs: number, signal?: AbortSignal): Promise<Uint8Array> {
    if (size > this.totalMemory) {
      return Promise.reject(
        new RecordTooLargeError(
          `cannot allocate ${size} bytes: larger than bufferMemory (${this.totalMemory} bytes) in all`,
        ),
      );
    }
    const now = this.tryAllocate(size);
    if (now) return Promise.resolve(now);
    if (this.#closed) return Promise.reject(new ProducerClosedError("the producer is closed"));
    signal?.throwIfAborted();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        size,
        resolve,
        reject,
        timer: undefined,
        signal,
        onAbort: undefined,
      };
      const leave = (error: Error) => {
        const i = this.#waiters.indexOf(waiter);
        if (i < 0) return;
        this.#waiters.splice(i, 1);
        this.#release(waiter);
        reject(error);
        this.#serve();
      };
      waiter.timer = setTimeout(
        () =>
          leave(
            new TimeoutError(
              `failed to allocate ${size} bytes: bufferMemory (${this.totalMemory} bytes) stayed full for the ${maxBlockMs} ms left of maxBlockMs`,
            ),
          ),
        maxBlockMs,
      );
      if (signal) {
        waiter.onAbort = () => leave(signal.reason);
        signal.addEventListener("abort", waiter.onAbort, { once: true });
      }
      this.#waiters.push(waiter);
    });
  }

  /**
   * Counts `bytes` more as used, without a buffer and without waiting (a
   * record's {@link RECORD_OVERHEAD} once it is in a batch, so a batch with
   * room never refuses a record): the pool may be overdrawn, then no buffer
   * is handed out until enough is back.
   */
  charge(bytes: number): void {
    this.#nonPooledAvailable -= bytes;
  }

  /** Returns a buffer to the pool with `charged` bytes counted for its records, and serves waiters. */
  deallocate(buffer: Uint8Array, charged = 0): void {
    if (buffer.length === this.poolableSize) this.#free.push(buffer);
    else this.#nonPooledAvailable += buffer.length;
    this.#nonPooledAvailable += charged;
    this.#serve();
  }

  /** Rejects every waiter; later allocations still work for draining. */
  close(): void {
    this.#closed = true;
    for (const waiter of this.#waiters.splice(0)) {
      this.#release(waiter);
      waiter.reject(
        new ProducerClosedError("the producer was closed while send() waited for buffer memory"),
      );
    }
  }

  #available(): number {
    return this.#nonPooledAvailable + this.#free.length * this.poolableSize;
  }

  #take(size: number): Uint8Array | null {
    if (this.#available() < size) return null;
    if (size === this.poolableSize && this.#free.length > 0) return this.#free.pop()!;
    while (this.#nonPooledAvailable < size) {
      this.#free.pop();
      this.#nonPooledAvailable += this.poolableSize;
    }
    this.#nonPooledAvailable -= size;
    return new Uint8Array(size);
  }

  #serve(): void {
    while (this.#waiters.length > 0) {
      const buffer = this.#take(this.#waiters[0].size);
      if (buffer === null) return;
      const waiter = this.#waiters.shift()!;
      this.#release(waiter);
      waiter.resolve(buffer);
    }
  }

  #release(waiter: Waiter): void {
    clearTimeout(waiter.timer);
    if (waiter.onAbort) waiter.signal?.removeEventListener("abort", waiter.onAbort);
  }
}
