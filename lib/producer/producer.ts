/**
 * The Producer: `send()` checks a record, waits (up to `maxBlockMs`) for its
 * topic's metadata and for buffer memory, picks its partition and appends it
 * to the accumulator; the sender does the rest. `writable` offers the same
 * path as a `WritableStream`.
 *
 * @module
 */
import {
  InvalidRecordError,
  ProducerClosedError,
  RecordTooLargeError,
  TimeoutError,
} from "../errors.ts";
import { ConnectionPool } from "../net/pool.ts";
import { defaultTransport } from "../net/runtime.ts";
import { batchSizeFor, RecordAccumulator } from "./accumulator.ts";
import { BufferPool } from "./buffer_pool.ts";
import { type ProducerConfig, type ProducerOptions, resolveConfig } from "./config.ts";
import type { RecordFuture } from "./batch.ts";
import { IdempotenceManager } from "./idempotence.ts";
import { ProducerMetadata, type TopicMetadata } from "./metadata.ts";
import { MetricCounters, type ProducerMetrics } from "./metrics.ts";
import { keyedPartition, StickyPartitioner } from "./partitioner.ts";
import {
  type EncodedRecord,
  encodeRecord,
  type ProducerRecord,
  type RecordMetadata,
  sendSignal,
} from "./record.ts";
import { Sender } from "./sender.ts";

/** Options of one {@link Producer.send} call. */
export interface SendOptions {
  /**
   * Aborts the wait for metadata or buffer memory. Once the record is in a
   * batch it is sent; its promise then settles within `deliveryTimeoutMs`.
   */
  signal?: AbortSignal;
}

/** Options of {@link Producer.close}. */
export interface CloseOptions {
  /**
   * How long to wait for records already sent to be acknowledged; what is
   * left then fails with {@link ProducerClosedError}. Default: no limit
   * (each record still ends within `deliveryTimeoutMs`).
   */
  timeoutMs?: number;
}

const noop = () => {};

/**
 * A Kafka producer speaking the wire protocol over TCP, modelled on Apache
 * Kafka's Java `KafkaProducer`.
 *
 * @example Send and wait for the acknowledgement
 * ```ts
 * import { Producer } from "./mod.ts";
 * await using producer = new Producer({ bootstrapServers: ["127.0.0.1:9092"] });
 * const md = await producer.send({ topic: "orders", key: "order-1", value: "created" });
 * console.log(md.partition, md.offset);
 * ```
 *
 * @example Stream records; `pipeTo` resolves once every record is acknowledged
 * ```ts
 * import { Producer, type ProducerRecord } from "./mod.ts";
 * const producer = new Producer({ bootstrapServers: "127.0.0.1:9092" });
 * const records = ReadableStream.from<ProducerRecord>(
 *   [1, 2, 3].map((i) => ({ topic: "orders", value: `record ${i}` })),
 * );
 * await records.pipeTo(producer.writable); // closes the producer too
 * ```
 */
export class Producer {
  #config: ProducerConfig;
  #pool: BufferPool;
  #accumulator: RecordAccumulator;
  #metadata: ProducerMetadata;
  #connections: ConnectionPool;
  #idempotence: IdempotenceManager | null;
  #sender: Sender;
  #counters = new MetricCounters();
  #sticky: StickyPartitioner;
  #closing: Promise<void> | null = null;
  /** Sends waiting for metadata or memory, in call order; later sends queue behind them. */
  #blocked: (BlockedSend | undefined)[] = [];
  #blockedHead = 0;
  #blockedDrain: Promise<void> | null = null;
  #writable: WritableStream<ProducerRecord> | null = null;

  /**
   * Creates a producer. Nothing connects until the first record is sent.
   * @throws {ConfigError} when an option is invalid.
   */
  constructor(options: ProducerOptions) {
    const config = resolveConfig(options);
    this.#config = config;
    this.#pool = new BufferPool(config.bufferMemory, config.batchSize);
    const wakeup = () => this.#sender.wakeup();
    this.#connections = new ConnectionPool(
      config.transport ?? defaultTransport(),
      {
        clientId: config.clientId,
        connectTimeoutMs: config.connectTimeoutMs,
        maxFrameSize: 100 * 1024 * 1024,
      },
      wakeup,
    );
    this.#accumulator = new RecordAccumulator(config, this.#pool, wakeup);
    this.#sticky = new StickyPartitioner(
      config.batchSize,
      config.partitionerAdaptivePartitioning ? this.#accumulator : null,
    );
    this.#metadata = new ProducerMetadata(config, this.#connections, wakeup);
    this.#idempotence = config.enableIdempotence ? new IdempotenceManager() : null;
    this.#sender = new Sender({
      config,
      accumulator: this.#accumulator,
      metadata: this.#metadata,
      connections: this.#connections,
      idempotence: this.#idempotence,
      metrics: this.#counters,
    });
    this.#sender.start();
  }

  /**
   * Sends a record. Resolves with its {@link RecordMetadata} once the broker
   * acknowledged its batch (with `acks=0`: once the request is written).
   * Records sent to one partition keep the order of the `send` calls.
   *
   * Don't await it to send asynchronously (and batch), but do handle its
   * rejection: a typed error such as {@link InvalidRecordError},
   * {@link RecordTooLargeError}, {@link TimeoutError}, {@link KafkaError} or
   * {@link ProducerClosedError}.
   */
  send(record: ProducerRecord, options?: SendOptions): Promise<RecordMetadata> {
    if (this.#closing) {
      return Promise.reject(new ProducerClosedError("cannot send: the producer is closed"));
    }
    let signal: AbortSignal | undefined;
    let encoded: EncodedRecord;
    try {
      signal = sendSignal(options);
      if (signal?.aborted) return Promise.reject(signal.reason);
      const now = Date.now();
      encoded = encodeRecord(record, now);
      this.#checkSize(encoded);
      const appended = this.#appendNow(encoded, now, true);
      if (appended !== null) return appended as Promise<RecordMetadata>;
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#block(encoded, signal);
  }

  /**
   * A `WritableStream` into this producer. Each write resolves once that
   * record is acknowledged (rejects if it failed), but records are appended
   * to batches as soon as they are written — in the queuing strategy's
   * `size()` — so batching survives a stream that is written one chunk at a
   * time. The stream's high-water mark is half of `bufferMemory` (counted in
   * approximate record bytes): batches carry headers and are sent part-full,
   * so this leaves the pool room and lets the stream's backpressure act
   * before `send` would have to wait for memory. Closing the
   * stream flushes and closes the producer; use `pipeTo(w, { preventClose:
   * true })` to keep it open.
   */
  get writable(): WritableStream<ProducerRecord> {
    if (this.#writable === null) {
      const pending: Promise<unknown>[] = [];
      let head = 0;
      this.#writable = new WritableStream<ProducerRecord>({
        write: () => {
          const result = pending[head];
          pending[head++] = undefined as unknown as Promise<unknown>;
          if (head > 4096 && head * 2 > pending.length) {
            pending.splice(0, head);
            head = 0;
          }
          return result.then(noop);
        },
        close: () => this.close(),
        abort: () => this.close(),
      }, {
        highWaterMark: this.#config.bufferMemory / 2,
        size: (record) => {
          pending.push(this.#sendUnwatched(record));
          return approximateSize(record);
        },
      });
    }
    return this.#writable;
  }

  /**
   * Sends every record sent so far without waiting for `lingerMs`, and
   * resolves once each is acknowledged or failed. Never rejects: failures
   * are reported through each record's own promise.
   */
  async flush(): Promise<void> {
    await this.#blockedDrain;
    await this.#accumulator.flush();
  }

  /**
   * Sends what is buffered, waits for every acknowledgement, then closes
   * connections and timers. Calling it again returns the same promise.
   */
  close(options?: CloseOptions): Promise<void> {
    this.#closing ??= this.#close(options?.timeoutMs);
    return this.#closing;
  }

  /** Closes the producer, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** A snapshot of the producer's counters. */
  metrics(): ProducerMetrics {
    const c = this.#counters;
    return {
      recordsSent: c.recordsSent,
      batchesSent: c.batchesSent,
      requestsSent: c.requestsSent,
      recordErrors: c.recordErrors,
      retries: c.retries,
      splits: c.splits,
      epochBumps: this.#idempotence?.epochBumps ?? 0,
      recordsPerBatch: c.batchesSent === 0 ? 0 : c.recordsSent / c.batchesSent,
      recordsPerRequest: c.requestsSent === 0 ? 0 : c.requestRecords / c.requestsSent,
      requestsInFlight: c.requestsInFlight,
      bufferAvailableBytes: this.#pool.availableMemory,
      incompleteBatches: this.#accumulator.incompleteCount,
    };
  }

  async #close(timeoutMs: number | undefined): Promise<void> {
    const drain = (async () => {
      await this.#blockedDrain;
      this.#accumulator.beginClose();
      await this.#accumulator.flush();
    })();
    if (timeoutMs === undefined) {
      await drain;
    } else {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([drain, new Promise((resolve) => timer = setTimeout(resolve, timeoutMs))]);
      clearTimeout(timer);
    }
    const reason = new ProducerClosedError(
      `the producer was closed before the record was acknowledged (close timeout ${timeoutMs} ms)`,
    );
    this.#metadata.close();
    this.#pool.close();
    await this.#sender.stop(reason);
    this.#connections.close();
    await drain.catch(noop);
  }

  /**
   * Appends `encoded` at once if nothing waits before it and its topic's
   * metadata and buffer memory allow; returns its promise (`watched`), or
   * its batch's outcome, or `null` when it must wait.
   */
  #appendNow(encoded: EncodedRecord, nowMs: number, watched: boolean): Promise<unknown> | null {
    if (this.#blockedDrain !== null) return null;
    const topic = this.#metadata.useTopic(encoded.topic, nowMs);
    if (topic === undefined || encoded.partition >= topic.partitions.length) return null;
    const partition = this.#partition(encoded, topic);
    const appended = watched
      ? this.#accumulator.tryAppend(encoded, partition, nowMs)
      : this.#accumulator.tryAppendUnwatched(encoded, partition, nowMs)?.outcome ?? null;
    if (appended !== null) this.#onAppended(encoded, partition, topic);
    return appended;
  }

  /**
   * The writable's send: on the fast path the record gets no promise of its
   * own and the write waits on its batch's outcome. Never an unhandled rejection.
   */
  #sendUnwatched(record: ProducerRecord): Promise<unknown> {
    if (this.#closing === null) {
      try {
        const now = Date.now();
        const encoded = encodeRecord(record, now);
        this.#checkSize(encoded);
        const outcome = this.#appendNow(encoded, now, false);
        if (outcome !== null) return outcome;
      } catch {
        // send() below reports the same error through the record's promise.
      }
    }
    const result = this.send(record);
    result.catch(noop);
    return result;
  }

  /**
   * Queues a send that must wait for its topic's metadata or for buffer
   * memory (up to `maxBlockMs`, or until its signal aborts). Queued sends are
   * appended one by one in call order, so records keep the order of `send`.
   */
  #block(record: EncodedRecord, signal: AbortSignal | undefined): Promise<RecordMetadata> {
    return new Promise<RecordMetadata>((resolve, reject) => {
      const entry = new BlockedSend(record, Date.now() + this.#config.maxBlockMs, signal, {
        resolve,
        reject,
      });
      this.#blocked.push(entry);
      this.#blockedDrain ??= this.#drainBlocked();
    });
  }

  async #drainBlocked(): Promise<void> {
    const queue = this.#blocked;
    while (this.#blockedHead < queue.length) {
      const entry = queue[this.#blockedHead]!;
      queue[this.#blockedHead++] = undefined;
      if (entry.done) continue;
      try {
        await this.#appendBlocked(entry);
      } catch (error) {
        entry.fail(error as Error);
      }
    }
    queue.length = 0;
    this.#blockedHead = 0;
    this.#blockedDrain = null;
  }

  async #appendBlocked(entry: BlockedSend): Promise<void> {
    const { record, signal } = entry;
    const known = this.#metadata.useTopic(record.topic, Date.now());
    const topic = known !== undefined && record.partition < known.partitions.length
      ? known
      : await this.#metadata.waitForTopic(record.topic, entry.deadline, signal, record.partition);
    if (entry.done) return;
    const partition = this.#partition(record, topic);
    if (!this.#accumulator.tryAppendFuture(record, partition, Date.now(), entry.future)) {
      const remaining = entry.deadline - Date.now();
      if (remaining <= 0) {
        throw new TimeoutError(
          `the send waited maxBlockMs (${this.#config.maxBlockMs} ms) behind earlier sends and bufferMemory (${this.#config.bufferMemory} bytes) is still full`,
        );
      }
      const buffer = await this.#accumulator.allocate(record, remaining, signal);
      if (entry.done) {
        this.#pool.deallocate(buffer);
        return;
      }
      this.#accumulator.appendWithBuffer(record, partition, buffer, Date.now(), entry.future);
    }
    entry.appended();
    this.#onAppended(record, partition, topic);
  }

  #partition(record: EncodedRecord, topic: TopicMetadata): number {
    const count = topic.partitions.length;
    if (record.partition >= 0) {
      if (record.partition >= count) {
        throw new InvalidRecordError(
          `partition ${record.partition} is out of range: topic "${topic.name}" has ${count} partition(s)`,
        );
      }
      return record.partition;
    }
    const custom = this.#config.partitioner;
    if (custom !== null) {
      const p = custom(record.source, count);
      if (!Number.isInteger(p) || p < 0 || p >= count) {
        throw new InvalidRecordError(
          `the partitioner returned ${p} for topic "${topic.name}", which has ${count} partition(s)`,
        );
      }
      return p;
    }
    if (record.key !== null && !this.#config.partitionerIgnoreKeys) {
      return keyedPartition(record.key, count);
    }
    return this.#sticky.partition(
      topic.name,
      count,
      topic.available,
      (p) => this.#accumulator.hasRoom(topic.name, p, record),
    );
  }

  #onAppended(record: EncodedRecord, partition: number, topic: TopicMetadata): void {
    if (record.partition >= 0 || (record.key !== null && !this.#config.partitionerIgnoreKeys)) {
      return;
    }
    const bytes = (record.key?.length ?? 0) + (record.value?.length ?? 0) + 8;
    this.#sticky.onAppend(topic.name, partition, bytes, topic.partitions.length, topic.available);
  }

  #checkSize(record: EncodedRecord): void {
    const { maxRequestSize, bufferMemory } = this.#config;
    const limit = Math.min(maxRequestSize, bufferMemory);
    let rough = (record.key?.length ?? 0) + (record.value?.length ?? 0);
    for (const [k, v] of record.headers) rough += k.length + (v?.length ?? 0);
    if (rough + 1024 < limit) return;
    const size = batchSizeFor(record);
    if (size > maxRequestSize) {
      throw new RecordTooLargeError(
        `the record is ${size} bytes when serialized, larger than maxRequestSize (${maxRequestSize})`,
      );
    }
    if (size > bufferMemory) {
      throw new RecordTooLargeError(
        `the record is ${size} bytes when serialized, larger than bufferMemory (${bufferMemory})`,
      );
    }
  }
}

/** A send waiting in {@link Producer}'s queue for metadata or memory. */
class BlockedSend {
  /** Whether it was appended or failed (an abort can fail it while it waits in line). */
  done = false;
  #onAbort: (() => void) | null = null;

  constructor(
    readonly record: EncodedRecord,
    readonly deadline: number,
    readonly signal: AbortSignal | undefined,
    readonly future: RecordFuture,
  ) {
    if (signal !== undefined) {
      this.#onAbort = () => this.fail(signal.reason);
      signal.addEventListener("abort", this.#onAbort, { once: true });
    }
  }

  /** The record is in a batch: its batch settles it from now on. */
  appended(): void {
    this.done = true;
    this.#forgetSignal();
  }

  /** Rejects the send, unless it was already appended or failed. */
  fail(error: Error): void {
    if (this.done) return;
    this.done = true;
    this.#forgetSignal();
    this.future.reject(error);
  }

  #forgetSignal(): void {
    if (this.#onAbort !== null) this.signal!.removeEventListener("abort", this.#onAbort);
    this.#onAbort = null;
  }
}

/** Bytes a record roughly takes in a batch: the writable's queue size of it. */
function approximateSize(record: ProducerRecord): number {
  const value = record?.value;
  const key = record?.key;
  return 32 + (typeof value === "string" || value instanceof Uint8Array ? value.length : 0) +
    (typeof key === "string" || key instanceof Uint8Array ? key.length : 0);
}
