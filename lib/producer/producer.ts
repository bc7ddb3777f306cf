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
  type KafkaClientError,
  ProducerClosedError,
  QueueFullError,
  RecordTooLargeError,
  TimeoutError,
  TransactionStateError,
} from "../errors.ts";
import { ConnectionPool } from "../net/pool.ts";
import { defaultTransport } from "../net/runtime.ts";
import { Fifo } from "../util/fifo.ts";
import { batchSizeFor, RecordAccumulator } from "./accumulator.ts";
import { type PartitionQueue, type ProducerBatch, type RecordSettler, Rejection } from "./batch.ts";
import { BlockedSend, blockedSize } from "./blocked_send.ts";
import { BufferPool } from "./buffer_pool.ts";
import { type ProducerConfig, type ProducerOptions, resolveConfig } from "./config.ts";
import { IdempotenceManager } from "./idempotence.ts";
import { ProducerMetadata, type TopicMetadata } from "./metadata.ts";
import { MetricCounters, metricsSnapshot, type ProducerMetrics } from "./metrics.ts";
import {
  checkOffsetsArguments,
  type ConsumerGroupMetadata,
  type TopicPartitionOffset,
} from "./offsets.ts";
import { keyedPartition, StickyPartitioner } from "./partitioner.ts";
import {
  type EncodedRecord,
  encodeRecord,
  type ProducerRecord,
  type RecordMetadata,
  sendSignal,
} from "./record.ts";
import { Sender } from "./sender.ts";
import type { TransactionState } from "./transaction_state.ts";
import { TransactionManager } from "./transactions.ts";
import { RecordWritable } from "./writable.ts";

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
 * What the OpenTelemetry adapter (lib/otel) reads of a producer; not part
 * of the package's root API.
 */
export interface ProducerView {
  /** The producer's `clientId`. */
  readonly clientId: string;
  /**
   * `host:port` of the broker leading `topic`-`partition` as the producer
   * knows it now; undefined when it knows none.
   */
  leaderAddress(topic: string, partition: number): string | undefined;
}

/** Set by {@link Producer}'s static block. */
let viewOf!: (producer: Producer) => ProducerView;

/** The {@link ProducerView} of `producer`. */
export function producerView(producer: Producer): ProducerView {
  return viewOf(producer);
}

/**
 * A Kafka producer speaking the wire protocol over TCP, modelled on Apache
 * Kafka's Java `KafkaProducer`.
 *
 * @example Send and wait for the acknowledgement
 * ```ts
 * import { Producer } from "@kafkats/producer";
 * await using producer = new Producer({ bootstrapServers: ["127.0.0.1:9092"] });
 * const md = await producer.send({ topic: "orders", key: "order-1", value: "created" });
 * console.log(md.partition, md.offset);
 * ```
 *
 * @example Stream records; `pipeTo` resolves once every record is acknowledged
 * ```ts
 * import { Producer, type ProducerRecord } from "@kafkats/producer";
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
  #transactions: TransactionManager | null;
  #sender: Sender;
  #counters = new MetricCounters();
  #sticky: StickyPartitioner;
  #closing: Promise<void> | null = null;
  /** While closing: shortens the wait for acknowledgements to `timeoutMs` from now. */
  #closeDeadline: ((timeoutMs: number) => void) | null = null;
  /** Sends waiting for their topic's metadata, per topic, in call order. */
  #topicWaits = new Map<string, Fifo<BlockedSend>>();
  /** Sends whose partition is known, waiting for buffer memory, in call order. */
  #memoryWaits = new Fifo<BlockedSend>();
  #memoryDrain: Promise<void> | null = null;
  /** Sends waiting (for metadata or memory) and the bytes they are counted for. */
  #blockedCount = 0;
  #blockedBytes = 0;
  #onUnblocked = (send: BlockedSend) => {
    this.#blockedCount--;
    this.#blockedBytes -= send.bytes;
  };
  #writable: RecordWritable | null = null;

  static {
    viewOf = (producer) => ({
      clientId: producer.#config.clientId,
      leaderAddress(topic, partition) {
        const metadata = producer.#metadata;
        const leader = metadata.topic(topic)?.partitions[partition]?.leader ?? -1;
        return leader < 0 ? undefined : metadata.address(leader);
      },
    });
  }

  /**
   * Creates a producer. Nothing connects until the first record is sent.
   * @throws {ConfigError} when an option is invalid.
   */
  constructor(options: ProducerOptions) {
    const config = resolveConfig(options);
    this.#config = config;
    this.#pool = new BufferPool(config.bufferMemory, config.batchSize);
    const wakeup = () => this.#sender.wakeup();
    const onNewBatch = (queue: PartitionQueue | null) => {
      if (queue !== null) this.#transactions?.onNewBatch(queue);
      this.#sender.wakeup();
    };
    this.#connections = new ConnectionPool(
      config.transport ?? defaultTransport(),
      {
        clientId: config.clientId,
        connectTimeoutMs: config.connectTimeoutMs,
        maxFrameSize: 100 * 1024 * 1024,
        ...(config.tls ? { tls: config.tls } : {}),
        ...(config.sasl ? { sasl: config.sasl } : {}),
        logger: config.logger,
      },
      wakeup,
    );
    this.#accumulator = new RecordAccumulator(config, this.#pool, onNewBatch);
    this.#sticky = new StickyPartitioner(
      config.batchSize,
      config.partitionerAdaptivePartitioning ? this.#accumulator : null,
    );
    this.#metadata = new ProducerMetadata(config, this.#connections, wakeup);
    const transactional = config.transactionalId !== null;
    this.#idempotence = config.enableIdempotence ? new IdempotenceManager(transactional) : null;
    this.#transactions = transactional
      ? new TransactionManager({
        config,
        metadata: this.#metadata,
        connections: this.#connections,
        idempotence: this.#idempotence!,
        flush: () => this.flush(),
        failWaiting: (error) => this.#failWaitingWith(error),
        wakeup,
      })
      : null;
    this.#sender = new Sender({
      config,
      accumulator: this.#accumulator,
      metadata: this.#metadata,
      connections: this.#connections,
      idempotence: this.#idempotence,
      transactions: this.#transactions,
      metrics: this.#counters,
    });
    this.#sender.start();
  }

  /**
   * Sends a record. Resolves with its {@link RecordMetadata} once the broker
   * acknowledged its batch (with `acks=0`: once the request is written).
   * Records sent to one partition keep the order of the `send` calls.
   *
   * A send waits (up to `maxBlockMs`) for its topic's metadata and for
   * buffer memory. Sends to other topics whose metadata is known do not wait
   * behind it. While `maxBlockedBytes` of sends are waiting, `send` rejects at
   * once with {@link QueueFullError}.
   *
   * Don't await it to send asynchronously (and batch), but do handle its
   * rejection: a typed error such as {@link InvalidRecordError},
   * {@link RecordTooLargeError}, {@link TimeoutError}, {@link QueueFullError},
   * {@link KafkaError} or {@link ProducerClosedError}.
   */
  send(record: ProducerRecord, options?: SendOptions): Promise<RecordMetadata> {
    if (this.#closing) {
      return Promise.reject(new ProducerClosedError("cannot send: the producer is closed"));
    }
    let future!: RecordSettler;
    const promise = new Promise<RecordMetadata>((resolve) => future = resolve);
    try {
      this.#transactions?.checkSend();
      const signal = sendSignal(options);
      if (signal?.aborted) return Promise.reject(signal.reason);
      const now = Date.now();
      this.#sendEncoded(encodeRecord(record, now), now, signal, future);
    } catch (error) {
      return Promise.reject(error);
    }
    return promise;
  }

  /**
   * A `WritableStream` into this producer. Each write resolves once that
   * record is acknowledged (rejects if it failed), but records are appended
   * to batches as soon as they are written — in the queuing strategy's
   * `size()` — so batching survives a stream that is written one chunk at a
   * time. A chunk may also be an array of records, appended in order, whose
   * write resolves once all of them are acknowledged. The stream's
   * high-water mark is `writableHighWaterMark` (counted in approximate record
   * bytes): the window of records written and not yet acknowledged.
   *
   * A chunk the stream rejects (written after `close()`, during or after
   * `abort()`, or after a failed write) is never produced. Closing the stream
   * flushes and closes the producer; use `pipeTo(w, { preventClose: true })`
   * to keep it open. Aborting it closes the producer without waiting:
   * records already in batches are still sent (await {@link Producer.close}
   * to see them settle), sends still waiting fail with
   * {@link ProducerClosedError} whose `cause` is the abort reason.
   *
   * @example Records from a source that already batches
   * ```ts
   * import { Producer, type ProducerRecord } from "@kafkats/producer";
   * const producer = new Producer({ bootstrapServers: "127.0.0.1:9092" });
   * const pages = ReadableStream.from<ProducerRecord[]>([
   *   [{ topic: "orders", value: "a" }, { topic: "orders", value: "b" }],
   *   [{ topic: "orders", value: "c" }],
   * ]);
   * await pages.pipeTo(producer.writable); // then closes the producer
   * ```
   */
  get writable(): WritableStream<ProducerRecord | readonly ProducerRecord[]> {
    this.#writable ??= new RecordWritable({
      append: (record) => this.#sendUnwatched(record),
      close: () => this.close(),
      abort: (reason) => {
        this.#closing ??= this.#close(reason);
      },
    }, this.#config.writableHighWaterMark);
    return this.#writable;
  }

  /**
   * Sends every record sent so far without waiting for `lingerMs`, and
   * resolves once each of them is acknowledged or failed (as Java's
   * `flush()`); records sent after the call are not waited for. Never
   * rejects: failures are reported through each record's own promise.
   */
  async flush(): Promise<void> {
    const waiting = this.#waitingSends().map((send) => send.settled);
    await this.#accumulator.flush();
    await Promise.all(waiting);
  }

  /**
   * Prepares a transactional producer (one with `transactionalId`): finds
   * the transaction coordinator and gets the producer id and epoch for the
   * id, which fences every older producer with the same id and completes
   * (aborts) a transaction such a producer left open. Call it once, before
   * the first {@link Producer.beginTransaction}. Waits at most `maxBlockMs`;
   * after a {@link TimeoutError} the work goes on and calling it again waits
   * for it.
   *
   * @example Read-process-write, committing the consumed offsets with the output
   * ```ts
   * import { Producer } from "@kafkats/producer";
   * const producer = new Producer({
   *   bootstrapServers: "127.0.0.1:9092",
   *   transactionalId: "orders-enricher-1",
   * });
   * await producer.initTransactions();
   * producer.beginTransaction();
   * producer.send({ topic: "orders-enriched", key: "order-1", value: "…" });
   * await producer.sendOffsetsToTransaction(
   *   [{ topic: "orders", partition: 0, offset: 42n }],
   *   "orders-enricher",
   * );
   * await producer.commitTransaction();
   * await producer.close();
   * ```
   * @throws {TransactionStateError} when called twice, or on a producer without `transactionalId`.
   * @throws {ProducerFencedError} when a newer producer with the same id fenced this one.
   */
  initTransactions(): Promise<void> {
    return this.#transactional("initTransactions()", (t) => t.initTransactions());
  }

  /**
   * Opens a transaction: the records sent from now until
   * {@link Producer.commitTransaction} or {@link Producer.abortTransaction}
   * are written atomically, visible to `read_committed` consumers once
   * committed. On a transactional producer, `send()` outside a transaction
   * rejects with {@link TransactionStateError}.
   * @throws {TransactionStateError} unless the producer is READY (initialized, no transaction open).
   * @throws {TransactionAbortableError} when the last transaction failed and was not aborted.
   */
  beginTransaction(): void {
    this.#transactionManager("beginTransaction()").beginTransaction();
  }

  /**
   * Adds consumed offsets to the open transaction: they are committed for
   * the consumer group when the transaction commits, and dropped when it
   * aborts (the consumer half of exactly-once read-process-write). `group`
   * is the group id, or a member's {@link ConsumerGroupMetadata} so the
   * group coordinator can fence a consumer that lost its partitions.
   * Each `offset` is the next one to consume (the last processed + 1).
   *
   * @example
   * ```ts
   * import { Producer } from "@kafkats/producer";
   * const producer = new Producer({ bootstrapServers: "127.0.0.1:9092", transactionalId: "t-1" });
   * await producer.initTransactions();
   * await producer.transaction(async (tx) => {
   *   tx.send({ topic: "out", value: "result" });
   *   await tx.sendOffsetsToTransaction([{ topic: "in", partition: 3, offset: 1001n }], {
   *     groupId: "workers",
   *     generationId: 7,
   *     memberId: "consumer-workers-1-6b1c",
   *   });
   * });
   * ```
   * @throws {InvalidArgumentError} for malformed offsets or group (nothing is sent).
   * @throws {TransactionStateError} outside a transaction.
   */
  sendOffsetsToTransaction(
    offsets: readonly TopicPartitionOffset[],
    group: string | ConsumerGroupMetadata,
  ): Promise<void> {
    try {
      const manager = this.#transactionManager("sendOffsetsToTransaction()");
      const checked = checkOffsetsArguments(offsets, group);
      return manager.sendOffsetsToTransaction(checked.offsets, checked.group);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Commits the open transaction: sends every record of it (as
   * {@link Producer.flush}), waits for their acknowledgements, then asks the
   * coordinator to commit. When a record of the transaction failed, or the
   * broker refused a step, it rejects with {@link TransactionAbortableError}
   * and the transaction must be aborted. Waits at most `maxBlockMs`; after a
   * {@link TimeoutError} calling it again waits for the same commit.
   * @throws {TransactionStateError} outside a transaction.
   * @throws {ProducerFencedError} when a newer producer with the same id fenced this one.
   */
  commitTransaction(): Promise<void> {
    return this.#transactional("commitTransaction()", (t) => t.commitTransaction());
  }

  /**
   * Aborts the open (or failed) transaction: records not yet sent fail with
   * {@link TransactionAbortedError}, records already sent are waited for,
   * then the coordinator writes abort markers so no `read_committed`
   * consumer sees any of them. Waits at most `maxBlockMs`; after a
   * {@link TimeoutError} calling it again waits for the same abort.
   * @throws {TransactionStateError} outside a transaction.
   * @throws {ProducerFencedError} when a newer producer with the same id fenced this one.
   */
  abortTransaction(): Promise<void> {
    return this.#transactional("abortTransaction()", (t) => t.abortTransaction());
  }

  /**
   * Runs `body` in a transaction: begins one, commits it when `body`
   * resolves (and every record it sent is acknowledged), aborts it when
   * `body` throws or the commit fails, and rethrows. `tx` is this producer.
   *
   * @example
   * ```ts
   * import { Producer } from "@kafkats/producer";
   * await using producer = new Producer({
   *   bootstrapServers: "127.0.0.1:9092",
   *   transactionalId: "ledger-writer",
   * });
   * await producer.initTransactions();
   * const count = await producer.transaction(async (tx) => {
   *   tx.send({ topic: "debits", key: "acct-1", value: "-10" });
   *   tx.send({ topic: "credits", key: "acct-2", value: "+10" });
   *   return 2;
   * });
   * console.log(`${count} records committed together`);
   * ```
   */
  async transaction<T>(body: (tx: this) => Promise<T> | T): Promise<T> {
    const manager = this.#transactionManager("transaction()");
    manager.beginTransaction();
    let result: T;
    try {
      result = await body(this);
      await manager.commitTransaction();
    } catch (error) {
      if (manager.hasOngoingTransaction) await manager.abortTransaction().catch(noop);
      throw error;
    }
    return result;
  }

  /**
   * The transactional producer's state, by the names of Java's
   * TransactionManager (`"UNINITIALIZED"`, `"READY"`, `"IN_TRANSACTION"`,
   * `"COMMITTING_TRANSACTION"`, `"ABORTING_TRANSACTION"`,
   * `"ABORTABLE_ERROR"`, `"FATAL_ERROR"` …); null without `transactionalId`.
   */
  get transactionState(): TransactionState | null {
    return this.#transactions?.state ?? null;
  }

  /**
   * Rejects new sends, sends what is buffered (and the sends still waiting
   * for metadata or memory), waits for every acknowledgement, then closes
   * connections and timers. With `timeoutMs`, whatever is not acknowledged
   * by then fails with {@link ProducerClosedError}: sends still waiting,
   * batches queued or in flight; nothing is appended after that, and every
   * promise is settled when `close` resolves. Calling it again returns the
   * same promise.
   */
  close(options?: CloseOptions): Promise<void> {
    if (this.#closing === null) {
      this.#closing = this.#close(undefined);
    }
    const timeoutMs = options?.timeoutMs;
    if (timeoutMs !== undefined && this.#closeDeadline !== null) this.#closeDeadline(timeoutMs);
    return this.#closing;
  }

  /** Closes the producer, for `await using`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * A snapshot of the producer's metrics: totals since it was created, the
   * state of now, and Java's windowed `producer-metrics` (rates, averages
   * and maxima over the last 30–60 s; see {@link ProducerMetrics}).
   *
   * @example
   * ```ts
   * import { Producer } from "@kafkats/producer";
   * await using producer = new Producer({ bootstrapServers: "127.0.0.1:9092" });
   * await producer.send({ topic: "orders", value: "created" });
   * const m = producer.metrics();
   * console.log(m.recordSendRate, m.requestLatencyAvg, m.nodes);
   * ```
   */
  metrics(): ProducerMetrics {
    return metricsSnapshot(this.#counters, {
      epochBumps: this.#idempotence?.epochBumps ?? 0,
      bufferAvailableBytes: this.#pool.availableMemory,
      bufferTotalBytes: this.#pool.totalMemory,
      incompleteBatches: this.#accumulator.incompleteCount,
      waitingSends: this.#blockedCount,
      waitingSendBytes: this.#blockedBytes,
      connectionCount: this.#connections.connectionCount,
      metadataRefreshedMs: this.#metadata.lastRefreshMs,
    }, Date.now());
  }

  async #close(abortReason: unknown): Promise<void> {
    if (abortReason !== undefined) this.#failWaiting(abortReason);
    const closeAndFlush = () => {
      this.#accumulator.beginClose();
      return this.flush();
    };
    // An open transaction is aborted, not committed (as Java's close()).
    const drain = this.#transactions === null
      ? closeAndFlush()
      : this.#transactions.abortOngoing().then(closeAndFlush);
    // Each close({ timeoutMs }) call may shorten the wait; the earliest deadline wins.
    let timer: ReturnType<typeof setTimeout> | undefined;
    let deadline = Infinity;
    let timeoutMs: number | undefined;
    const timedOut = new Promise<void>((resolve) => {
      this.#closeDeadline = (ms) => {
        if (Date.now() + ms >= deadline) return;
        deadline = Date.now() + ms;
        timeoutMs = ms;
        clearTimeout(timer);
        timer = setTimeout(resolve, ms);
      };
    });
    await Promise.race([drain, timedOut]);
    clearTimeout(timer);
    this.#closeDeadline = null;
    this.#transactions?.close();
    // From here on nothing is appended: what still waits fails, and so does
    // every batch not acknowledged by now.
    this.#failWaiting(undefined);
    this.#pool.close();
    this.#metadata.close();
    await this.#sender.stop(
      new ProducerClosedError(
        `the producer was closed before the record was acknowledged (close timeout ${timeoutMs} ms)`,
      ),
    );
    this.#connections.close();
    await drain;
  }

  /** The transaction manager, for a call that needs one. */
  #transactionManager(operation: string): TransactionManager {
    if (this.#transactions === null) {
      throw new TransactionStateError(
        `cannot call ${operation}: the producer has no transactionalId`,
        "NOT_TRANSACTIONAL",
      );
    }
    if (this.#closing) {
      throw new ProducerClosedError(`cannot call ${operation}: the producer is closed`);
    }
    return this.#transactions;
  }

  /** Runs a transactional call that returns a promise; its errors reject it. */
  #transactional(operation: string, call: (t: TransactionManager) => Promise<void>): Promise<void> {
    try {
      return call(this.#transactionManager(operation));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Fails every send still waiting for metadata or memory with `error` (its transaction ended). */
  #failWaitingWith(error: KafkaClientError): void {
    for (const send of this.#waitingSends()) send.fail(error);
  }

  /** Every send waiting for metadata or memory, in no particular order. */
  #waitingSends(): BlockedSend[] {
    const all = this.#memoryWaits.toArray();
    for (const queue of this.#topicWaits.values()) all.push(...queue.toArray());
    return all;
  }

  /** Fails every send still waiting for metadata or memory (the producer is closing). */
  #failWaiting(abortReason: unknown): void {
    const options = abortReason === undefined ? undefined : { cause: abortReason };
    const why = abortReason === undefined ? "the producer was closed" : "the writable was aborted";
    for (const send of this.#memoryWaits.toArray()) {
      send.fail(new ProducerClosedError(`${why} while send() waited for buffer memory`, options));
    }
    for (const [topic, queue] of this.#topicWaits) {
      const error = new ProducerClosedError(
        `${why} while waiting for metadata of "${topic}"`,
        options,
      );
      for (const send of queue.toArray()) send.fail(error);
    }
  }

  /**
   * Appends `encoded` at once if nothing it must follow is waiting and its
   * topic's metadata and buffer memory allow, else queues it; `future`
   * travels with the record either way; `now` is the clock read of the send. Returns the record's batch when it
   * was appended at once; when it waits, the promise made for it if it came
   * without a `future`, else `null`.
   * @throws {InvalidRecordError} when the partition cannot be used.
   */
  #sendEncoded(
    encoded: EncodedRecord,
    now: number,
    signal: AbortSignal | undefined,
    future: RecordSettler | null,
  ): ProducerBatch | Promise<RecordMetadata> | null {
    this.#checkSize(encoded);
    let partition = -1;
    if (!this.#topicWaits.has(encoded.topic)) {
      const topic = this.#metadata.useTopic(encoded.topic, now);
      if (topic !== undefined && encoded.partition < topic.partitions.length) {
        partition = this.#partition(encoded, topic);
        if (this.#memoryWaits.length === 0) {
          const batch = this.#accumulator.tryAppend(encoded, partition, now, future);
          if (batch !== null) {
            this.#onAppended(encoded, partition, topic);
            return batch;
          }
        }
      }
    }
    if (future !== null) {
      this.#block(encoded, signal, partition, future, true);
      return null;
    }
    return new Promise<RecordMetadata>((resolve) =>
      this.#block(encoded, signal, partition, resolve, false)
    );
  }

  /**
   * The writable's send: on the fast path the record gets no promise of its
   * own and the write waits on its batch's outcome. Never throws, and never
   * an unhandled rejection.
   */
  #sendUnwatched(record: ProducerRecord): ProducerBatch | Promise<unknown> {
    let result: Promise<unknown> | ProducerBatch;
    if (this.#closing) {
      result = Promise.reject(new ProducerClosedError("cannot send: the producer is closed"));
    } else {
      try {
        this.#transactions?.checkSend();
        const now = Date.now();
        result = this.#sendEncoded(encodeRecord(record, now), now, undefined, null)!;
      } catch (error) {
        result = Promise.reject(error);
      }
    }
    if (result instanceof Promise) result.catch(noop);
    return result;
  }

  /**
   * Queues a send that must wait: for its topic's metadata (`partition` -1)
   * or, its partition chosen, for buffer memory. Each queue is served in
   * call order, so records keep the order of `send` within a partition.
   * Rejects `future` at once with {@link QueueFullError} past `maxBlockedBytes`
   * when `bounded`; the writable's records are not: its high-water mark
   * bounds them (they still count in `waitingSendBytes`).
   */
  #block(
    record: EncodedRecord,
    signal: AbortSignal | undefined,
    partition: number,
    future: RecordSettler,
    bounded: boolean,
  ): void {
    const limit = this.#config.maxBlockedBytes;
    if (bounded && this.#blockedCount > 0 && this.#blockedBytes + blockedSize(record) > limit) {
      future(
        new Rejection(
          new QueueFullError(
            `the send queue is full: ${this.#blockedCount} send(s) of ${this.#blockedBytes} bytes already wait for metadata or buffer memory (maxBlockedBytes ${limit})`,
          ),
        ),
      );
      return;
    }
    const deadline = Date.now() + this.#config.maxBlockMs;
    const send = new BlockedSend(record, deadline, signal, future, this.#onUnblocked);
    this.#blockedCount++;
    this.#blockedBytes += send.bytes;
    if (partition >= 0) {
      send.partition = partition;
      this.#waitForMemory(send);
      return;
    }
    const queue = this.#topicWaits.get(record.topic);
    if (queue !== undefined) {
      queue.push(send);
      return;
    }
    const fresh = new Fifo<BlockedSend>();
    fresh.push(send);
    this.#topicWaits.set(record.topic, fresh);
    this.#drainTopic(record.topic, fresh);
  }

  /**
   * Serves the sends waiting for `name`'s metadata, head first: once the
   * head's metadata is known, every send behind it that it covers is placed
   * in order, in one go. Ends (and forgets the queue) when it is empty.
   */
  async #drainTopic(name: string, queue: Fifo<BlockedSend>): Promise<void> {
    while (queue.length > 0) {
      const head = queue.peek()!;
      if (head.done) {
        queue.shift();
        continue;
      }
      let topic: TopicMetadata;
      try {
        topic = await this.#metadata.waitForTopic(
          name,
          head.deadline,
          head.signal,
          head.record.partition,
        );
      } catch (error) {
        head.fail(error as Error);
        queue.shift();
        continue;
      }
      for (let send = queue.peek(); send !== undefined; send = queue.peek()) {
        if (!send.done) {
          if (send.record.partition >= topic.partitions.length) break; // waits for a refresh
          this.#place(send, topic);
        }
        queue.shift();
      }
    }
    this.#topicWaits.delete(name);
  }

  /** Chooses the partition of a send whose metadata is now known, and appends it or queues it for memory. */
  #place(send: BlockedSend, topic: TopicMetadata): void {
    try {
      send.partition = this.#partition(send.record, topic);
    } catch (error) {
      send.fail(error as Error);
      return;
    }
    const { record, partition } = send;
    if (
      this.#memoryWaits.length === 0 &&
      this.#accumulator.tryAppend(record, partition, Date.now(), send.settle) !== null
    ) {
      send.appended();
      this.#onAppended(record, partition, topic);
      return;
    }
    this.#waitForMemory(send);
  }

  #waitForMemory(send: BlockedSend): void {
    this.#memoryWaits.push(send);
    this.#memoryDrain ??= this.#drainMemory();
  }

  /** Appends the sends waiting for memory one by one, in call order. */
  async #drainMemory(): Promise<void> {
    const queue = this.#memoryWaits;
    while (queue.length > 0) {
      const send = queue.peek()!;
      if (!send.done) {
        try {
          await this.#appendWhenMemoryFrees(send);
        } catch (error) {
          send.fail(error as Error);
        }
      }
      queue.shift();
    }
    this.#memoryDrain = null;
  }

  async #appendWhenMemoryFrees(send: BlockedSend): Promise<void> {
    const { record, partition } = send;
    if (this.#accumulator.tryAppend(record, partition, Date.now(), send.settle) === null) {
      const remaining = send.deadline - Date.now();
      if (remaining <= 0) {
        throw new TimeoutError(
          `the send waited maxBlockMs (${this.#config.maxBlockMs} ms) behind earlier sends and bufferMemory (${this.#config.bufferMemory} bytes) is still full`,
        );
      }
      const buffer = await this.#accumulator.allocate(record, remaining, send.signal);
      if (send.done) {
        this.#pool.deallocate(buffer);
        return;
      }
      this.#accumulator.appendWithBuffer(record, partition, buffer, Date.now(), send.settle);
    }
    send.appended();
    const topic = this.#metadata.topic(record.topic);
    if (topic !== undefined) this.#onAppended(record, partition, topic);
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
    if (
      record.partition >= 0 || this.#config.partitioner !== null ||
      (record.key !== null && !this.#config.partitionerIgnoreKeys)
    ) {
      return;
    }
    const bytes = (record.key?.length ?? 0) + (record.value?.length ?? 0) + 8;
    this.#sticky.onAppend(topic.name, partition, bytes, topic.partitions.length, topic.available);
  }

  #checkSize(record: EncodedRecord): void {
    const { maxRequestSize, bufferMemory } = this.#config;
    const limit = Math.min(maxRequestSize, bufferMemory);
    const headers = record.headers;
    // Each header adds up to two 5-byte varints besides its bytes.
    let rough = (record.key?.length ?? 0) + (record.value?.length ?? 0) + headers.length * 10;
    for (let i = 0; i < headers.length; i++) {
      rough += headers[i][0].length + (headers[i][1]?.length ?? 0);
    }
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
