/**
 * The Sender: finds batches that are ready, drains them per leader into
 * Produce requests, and completes each batch from the broker's answer —
 * success, retry (re-enqueued in sequence order after a backoff and, where
 * the error says so, a metadata refresh), split, or failure. Every decision
 * about an error is made here, from the table in `protocol/error_codes.ts`.
 *
 * Where requests wait: records wait in the accumulator until their leader's
 * connection has fewer than `maxInFlightRequestsPerConnection` requests
 * unanswered, so batches keep filling while the broker is busy. A drained
 * request then waits only in its connection's outbound queue, until the
 * socket can take it (see `net/connection.ts`): back-pressure from the socket,
 * with the limit keeping that queue short.
 *
 * @module
 */
import { batchExpiredChannel, epochBumpChannel, retryChannel } from "../diagnostics/channels.ts";
import { errorMessage, errorName } from "../diagnostics/describe_error.ts";
import { log } from "../diagnostics/logger.ts";
import { type KafkaClientError, KafkaError, RecordTooLargeError, TimeoutError } from "../errors.ts";
import type { Connection } from "../net/connection.ts";
import type { ConnectionPool } from "../net/pool.ts";
import { ErrorCode, errorCodeInfo, kafkaError } from "../protocol/error_codes.ts";
import {
  Produce,
  type ProducePartitionResponse,
  type ProduceRequest,
  type ProduceResponse,
} from "../protocol/messages/produce.ts";
import { uuidToString } from "../protocol/uuid.ts";
import { backoffMs } from "../util/backoff.ts";
import type { DrainPolicy, RecordAccumulator } from "./accumulator.ts";
import type { PartitionQueue, ProducerBatch } from "./batch.ts";
import type { ProducerConfig } from "./config.ts";
import type { IdempotenceManager } from "./idempotence.ts";
import type { ProducerMetadata } from "./metadata.ts";
import type { MetricCounters } from "./metrics.ts";
import { ProducerIdManager } from "./producer_id.ts";
import type { TransactionManager } from "./transactions.ts";

/** The first Produce version whose batches may be zstd-compressed (KIP-110). */
const ZSTD_PRODUCE_VERSION = 7;

/**
 * Final errors after which a batch may have been written: its answer was
 * lost (network, request timeout), or the leader appended it but too few
 * replicas were in sync to acknowledge it (NOT_ENOUGH_REPLICAS_AFTER_APPEND).
 */
const FATE_UNKNOWN: ReadonlySet<number> = new Set([
  ErrorCode.REQUEST_TIMED_OUT,
  ErrorCode.NETWORK_EXCEPTION,
  ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
]);
const MAY_HAVE_BEEN_WRITTEN = "the records may have been written";
/** Longest sleep while batches are waiting (expiry is checked at least this often). */
const MAX_POLL_MS = 250;

/** Everything the sender works with. */
export interface SenderParts {
  /** Resolved options. */
  readonly config: ProducerConfig;
  /** Where batches wait. */
  readonly accumulator: RecordAccumulator;
  /** Leaders and brokers. */
  readonly metadata: ProducerMetadata;
  /** Connections to brokers. */
  readonly connections: ConnectionPool;
  /** Sequence numbers, when idempotence is on. */
  readonly idempotence: IdempotenceManager | null;
  /** The transaction's state and partitions, when the producer is transactional. */
  readonly transactions: TransactionManager | null;
  /** Counters to update. */
  readonly metrics: MetricCounters;
}

/** The background loop that moves batches from the accumulator to brokers. */
export class Sender {
  #p: SenderParts;
  #policy: DrainPolicy;
  #running = false;
  #wakeRequested = false;
  #wake: (() => void) | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #loop: Promise<void> | null = null;
  /** Gets the producer id, when idempotence is on. */
  #producerIds: ProducerIdManager | null;
  #stopped: KafkaClientError | null = null;

  /** Creates a sender; call {@link Sender.start} to run it. */
  constructor(parts: SenderParts) {
    this.#p = parts;
    const idem = parts.idempotence;
    const txn = parts.transactions;
    const ordered = parts.config.maxInFlightRequestsPerConnection === 1;
    this.#policy = txn && idem
      ? {
        // V1: a partition's batches wait until it has joined the transaction.
        canSend: (b) => txn.canSend(b.queue) && idem.canSend(b),
        onDrain: (b) => {
          idem.onDrain(b);
          b.transactional = true;
        },
      }
      : idem
      ? { canSend: (b) => idem.canSend(b), onDrain: (b) => idem.onDrain(b) }
      : { canSend: (b) => !ordered || b.queue.inFlight === 0, onDrain: () => {} };
    // A transactional producer gets its id from initTransactions(), not from the sender.
    this.#producerIds = idem === null || txn !== null ? null : new ProducerIdManager({
      ...parts,
      idempotence: idem,
      onRefused: (error) => this.#failWaiting(error),
      onDone: () => this.wakeup(),
    });
  }

  /** Starts the loop. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  /** Makes the loop look again now (new batch, response, connection change). */
  wakeup(): void {
    const wake = this.#wake;
    if (wake !== null) {
      this.#wake = null;
      clearTimeout(this.#timer);
      wake();
    } else {
      this.#wakeRequested = true;
    }
  }

  /**
   * Stops the loop. Batches still queued fail with `reason`, and so does every
   * batch whose request comes back unanswered later (the caller closes the
   * connections right after).
   */
  async stop(reason: KafkaClientError): Promise<void> {
    this.#stopped = reason;
    this.#running = false;
    this.wakeup();
    await this.#loop;
    for (const batch of this.#p.accumulator.takeAll()) {
      this.#fail(batch, reason, batch.attempts > 0);
    }
  }

  async #run(): Promise<void> {
    while (this.#running) {
      let delay: number;
      try {
        delay = this.#runOnce(Date.now());
      } catch (error) {
        // A bug must not kill the loop: report it, keep going.
        log(
          this.#p.config.logger,
          "error",
          `the sender's loop caught an unexpected error (a bug: please report it): ${
            errorMessage(error)
          }`,
          {
            errorName: errorName(error),
            stack: error instanceof Error ? error.stack ?? "" : "",
          },
        );
        delay = 100;
      }
      if (!this.#running) break;
      if (this.#wakeRequested) {
        // Woken while running: look again after pending microtasks (a timer,
        // even of 0 ms, costs about 2 ms here and would throttle sync sends).
        this.#wakeRequested = false;
        await Promise.resolve();
        continue;
      }
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        this.#timer = setTimeout(() => {
          this.#wake = null;
          resolve();
        }, Math.min(Math.max(delay, 0), 2 ** 31 - 1));
      });
    }
  }

  /** One pass: returns how long the loop may sleep. */
  #runOnce(nowMs: number): number {
    const { accumulator, metadata, connections, idempotence, config } = this.#p;
    let delay = metadata.maybeRefresh(nowMs);

    this.#expire(nowMs);

    const txn = this.#p.transactions;
    if (txn !== null) {
      // Aborting, or the transaction failed: what was not sent fails now.
      const failure = txn.undrainedFailure;
      if (failure !== null) {
        for (const batch of accumulator.takeAll()) this.#fail(batch, failure, batch.attempts > 0);
      }
      if (idempotence?.needsProducerId) return delay;
    }

    const producerIds = this.#producerIds;
    if (idempotence && producerIds) {
      const fatal = producerIds.fatalError;
      if (fatal !== null) {
        this.#failWaiting(fatal);
        return delay;
      }
      const bumps = idempotence.epochBumps;
      if (idempotence.maybeBumpEpoch()) metadata.requestUpdate();
      if (idempotence.epochBumps !== bumps) this.#onEpochBump(idempotence);
      if (idempotence.needsProducerId) {
        if (accumulator.incompleteCount === 0) return delay;
        // Look again when the backoff ends (a request in flight wakes the loop when done).
        const backoffLeft = producerIds.maybeRequest(nowMs);
        return Math.min(delay, backoffLeft > 0 ? backoffLeft : MAX_POLL_MS, MAX_POLL_MS);
      }
    }

    const muted = config.maxInFlightRequestsPerConnection === 1 && !idempotence
      ? (q: PartitionQueue) => q.inFlight > 0
      : txn !== null
      ? (q: PartitionQueue) => !txn.canSend(q)
      : () => false;
    const ready = accumulator.ready(metadata, nowMs, muted);
    if (ready.unknownLeaderTopics.size > 0) {
      metadata.requestUpdate();
      delay = Math.min(delay, metadata.maybeRefresh(nowMs));
    }
    delay = Math.min(delay, ready.nextReadyCheckDelayMs);

    for (const node of ready.readyNodes) {
      const address = metadata.address(node);
      if (address === undefined) {
        metadata.requestUpdate();
        continue;
      }
      const connection = connections.ready(address, nowMs);
      const refused = connection === null ? connections.fatalErrorFor(address) : null;
      if (refused !== null) {
        // TLS or SASL refused the last connect: its ready batches fail now, not at their timeout.
        const queues = ready.queuesByNode.get(node)!;
        for (;;) {
          const batches = accumulator.drain(node, queues, this.#policy, nowMs);
          if (batches.length === 0) break;
          for (const batch of batches) this.#fail(batch, refused, batch.attempts > 0);
        }
        continue;
      }
      if (connection === null) {
        delay = Math.min(delay, Math.max(connections.retryAtMs(address) - nowMs, 0) || MAX_POLL_MS);
        continue;
      }
      if (connection.inFlight >= config.maxInFlightRequestsPerConnection) continue;
      const batches = accumulator.drain(node, ready.queuesByNode.get(node)!, this.#policy, nowMs);
      if (batches.length > 0) this.#sendProduce(connection, node, batches, nowMs);
    }
    if (accumulator.incompleteCount > 0) delay = Math.min(delay, MAX_POLL_MS);
    return delay;
  }

  /** Fails batches that waited in their queue past `deliveryTimeoutMs`. */
  #expire(nowMs: number): void {
    for (const batch of this.#p.accumulator.expiredBatches(nowMs)) {
      this.#onExpired(batch, nowMs, batch.lastError);
      this.#fail(
        batch,
        new TimeoutError(
          `Expiring ${batch.recordCount} record(s) for ${batch.queue.topic}-${batch.queue.partition}: ${
            nowMs - batch.createdMs
          } ms has passed since batch creation${
            batch.lastError ? ` (last error: ${batch.lastError.message})` : ""
          }${
            batch.lastError instanceof KafkaError && FATE_UNKNOWN.has(batch.lastError.code)
              ? `; ${MAY_HAVE_BEEN_WRITTEN}`
              : ""
          }`,
          { cause: batch.lastError ?? undefined },
        ),
        batch.attempts > 0,
      );
    }
  }

  /**
   * Fails every batch waiting in the accumulator (InitProducerId was
   * refused, or authentication).
   */
  #failWaiting(error: KafkaClientError): void {
    for (const batch of this.#p.accumulator.takeAll()) this.#fail(batch, error, batch.attempts > 0);
  }

  /** An idempotent producer bumped its epoch (KIP-360): logged and published. */
  #onEpochBump(idempotence: IdempotenceManager): void {
    const pid = idempotence.producerIdAndEpoch;
    if (pid === null) return;
    const { config } = this.#p;
    log(
      config.logger,
      "info",
      `ProducerId set to ${pid.producerId} with epoch ${pid.epoch} (bumped: a batch with sequence numbers failed)`,
      { producerId: String(pid.producerId), epoch: pid.epoch },
    );
    if (epochBumpChannel.hasSubscribers) {
      epochBumpChannel.publish({
        clientId: config.clientId,
        transactionalId: null,
        producerId: pid.producerId,
        epoch: pid.epoch,
        reason: "sequence",
      });
    }
  }

  /** A batch expires (`deliveryTimeoutMs`): logged and published. */
  #onExpired(batch: ProducerBatch, nowMs: number, lastError: Error | null): void {
    const { config } = this.#p;
    const { topic, partition } = batch.queue;
    log(
      config.logger,
      "warn",
      `expiring ${batch.recordCount} record(s) for ${topic}-${partition}: ${
        nowMs - batch.createdMs
      } ms has passed since batch creation (deliveryTimeoutMs ${config.deliveryTimeoutMs})${
        lastError ? `; last error: ${errorName(lastError)}` : ""
      }`,
      {
        topic,
        partition,
        recordCount: batch.recordCount,
        attempts: batch.attempts,
        errorName: lastError ? errorName(lastError) : null,
      },
    );
    if (batchExpiredChannel.hasSubscribers) {
      batchExpiredChannel.publish({
        clientId: config.clientId,
        topic,
        partition,
        recordCount: batch.recordCount,
        attempts: batch.attempts,
        ageMs: nowMs - batch.createdMs,
        errorName: lastError ? errorName(lastError) : null,
        errorMessage: lastError ? errorMessage(lastError) : null,
      });
    }
  }

  #sendProduce(
    connection: Connection,
    node: number,
    batches: ProducerBatch[],
    nowMs: number,
  ): void {
    const { config, metrics } = this.#p;
    let version: number;
    try {
      version = connection.versionFor(Produce);
      // Transactions V1 stop at Produce v11: v12+ would add the partitions implicitly (KIP-890).
      if (this.#p.transactions !== null) {
        version = Math.min(version, this.#p.transactions.produceVersionCap);
      }
      if (version < ZSTD_PRODUCE_VERSION && config.compressionType === "zstd") {
        throw kafkaError(
          ErrorCode.UNSUPPORTED_VERSION,
          `cannot send zstd-compressed batches to broker ${connection.address}`,
          `zstd needs Produce v${ZSTD_PRODUCE_VERSION} (Kafka 2.1+), the broker supports up to v${version}`,
        );
      }
    } catch (error) {
      for (const batch of batches) this.#fail(batch, error as KafkaError, false);
      return;
    }
    const byTopic = new Map<string, ProduceRequest["topics"][number]>();
    let records = 0;
    for (const batch of batches) {
      batch.attempts++;
      batch.lastAttemptMs = nowMs;
      batch.inFlight = true;
      batch.queue.inFlight++;
      records += batch.recordCount;
      const { topic, partition } = batch.queue;
      let entry = byTopic.get(topic);
      if (entry === undefined) {
        const topicId = this.#p.metadata.topic(topic)?.topicId ?? null;
        if (topicId === null && version >= 13) version = 12;
        entry = { name: topic, topicId, partitions: [] };
        byTopic.set(topic, entry);
      }
      const bytes = batch.encode();
      entry.partitions.push({ index: partition, records: bytes });
      // Per batch, never per record.
      metrics.recordSend.record(batch.recordCount, nowMs);
      metrics.batchSize.record(bytes.length, nowMs);
      metrics.compressionRate.record(bytes.length / batch.sizeInBytes, nowMs);
      metrics.queueTime.record(nowMs - batch.createdMs, nowMs);
    }
    metrics.requestRecordsStat.record(records, nowMs);
    const request: ProduceRequest = {
      transactionalId: config.transactionalId,
      acks: config.acks,
      timeoutMs: config.requestTimeoutMs,
      topics: [...byTopic.values()],
    };
    metrics.requestsInFlight++;
    // acks=0: no response; the request is done once the socket took it.
    const answered: Promise<ProduceResponse | null> = config.acks === 0
      ? connection.send(Produce, version, request, config.requestTimeoutMs).then(() => null)
      : connection.request(Produce, version, request, config.requestTimeoutMs);
    answered.then(
      (response) => {
        this.#requestDone(batches);
        metrics.requestsSent++;
        metrics.requestRecords += records;
        if (response === null) {
          for (const batch of batches) this.#succeed(batch, -1n, -1);
          this.wakeup();
        } else {
          const now = Date.now();
          metrics.recordResponse(
            connection.address,
            node,
            now - nowMs,
            response.throttleTimeMs,
            now,
          );
          this.#onResponse(batches, response, version >= 13 ? byTopic : null, now);
        }
      },
      (error) => {
        this.#requestDone(batches);
        this.#onRequestFailed(batches, error);
      },
    );
  }

  /**
   * The bookkeeping every completed Produce request needs, whatever its
   * outcome: it is no longer in flight, and neither are its batches (which
   * unmutes their partitions when `maxInFlightRequestsPerConnection` is 1).
   */
  #requestDone(batches: readonly ProducerBatch[]): void {
    this.#p.metrics.requestsInFlight--;
    for (const batch of batches) {
      batch.inFlight = false;
      batch.queue.inFlight--;
    }
  }

  /**
   * Completes each batch from its partition's answer. `sentIds` (Produce
   * v13+) holds the topic ids the request named: answers are matched on
   * them, not on the metadata of now (the topic may have been re-created).
   */
  #onResponse(
    batches: ProducerBatch[],
    response: ProduceResponse,
    sentIds: ReadonlyMap<string, { readonly topicId: Uint8Array | null }> | null,
    now: number,
  ): void {
    const answers = new Map<string, ProducePartitionResponse>();
    for (const t of response.topics) {
      const key = sentIds && t.topicId ? uuidToString(t.topicId) : t.name ?? "";
      for (const p of t.partitions) answers.set(`${key}\u0000${p.index}`, p);
    }
    if (response.nodeEndpoints.length > 0) this.#p.metadata.addBrokers(response.nodeEndpoints);
    for (const batch of batches) {
      const { topic, partition } = batch.queue;
      const topicId = sentIds?.get(topic)?.topicId;
      const key = topicId ? uuidToString(topicId) : topic;
      const answer = answers.get(`${key}\u0000${partition}`);
      if (answer === undefined) {
        this.#retryOrFail(
          batch,
          ErrorCode.NETWORK_EXCEPTION,
          now,
          null,
          "the broker's response did not mention the partition",
        );
      } else {
        this.#complete(batch, answer, now);
      }
    }
    this.wakeup();
  }

  #onRequestFailed(batches: ProducerBatch[], error: unknown): void {
    const now = Date.now();
    const reason = errorMessage(error);
    for (const batch of batches) {
      this.#retryOrFail(batch, ErrorCode.NETWORK_EXCEPTION, now, null, reason);
    }
    this.#p.metadata.requestUpdate();
    this.wakeup();
  }

  #complete(batch: ProducerBatch, answer: ProducePartitionResponse, nowMs: number): void {
    const code = answer.errorCode;
    if (code === ErrorCode.NONE) {
      this.#succeed(batch, answer.baseOffset, Number(answer.logAppendTimeMs));
      return;
    }
    if (code === ErrorCode.DUPLICATE_SEQUENCE_NUMBER) {
      this.#succeed(batch, -1n, -1);
      return;
    }
    if (code === ErrorCode.MESSAGE_TOO_LARGE && batch.recordCount > 1 && this.#stopped === null) {
      this.#split(batch, nowMs);
      return;
    }
    const leader = answer.currentLeader;
    const leaderMoved = leader !== null && leader.leaderId >= 0 &&
      this.#p.metadata.updateLeader(
        batch.queue.topic,
        batch.queue.partition,
        leader.leaderId,
        leader.leaderEpoch,
      );
    const detail = [
      answer.errorMessage,
      ...answer.recordErrors.map((e) => `record ${e.batchIndex}: ${e.message ?? "invalid"}`),
    ].filter(Boolean).join("; ");
    this.#retryOrFail(batch, code, nowMs, answer, detail, leaderMoved);
  }

  #retryOrFail(
    batch: ProducerBatch,
    code: number,
    nowMs: number,
    answer: ProducePartitionResponse | null,
    detail: string,
    leaderMoved = false,
  ): void {
    const { config, idempotence, accumulator, metadata, metrics } = this.#p;
    const info = errorCodeInfo(code);
    const { topic, partition } = batch.queue;
    const fateUnknown = FATE_UNKNOWN.has(code);
    if (info.invalidMetadata) metadata.requestUpdate();
    if (this.#stopped) {
      this.#fail(batch, this.#stopped, fateUnknown);
      return;
    }
    // An idempotent producer retries sequence errors (Java's canRetry), the
    // idempotence manager deciding whether the epoch must be bumped first.
    const sequenced = idempotence !== null && this.#p.transactions === null &&
      (code === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER || code === ErrorCode.UNKNOWN_PRODUCER_ID);
    const retriable = sequenced || info.retriable;
    const timedOut = nowMs - batch.createdMs >= config.deliveryTimeoutMs;
    const final = !retriable || timedOut || batch.attempts > config.retries;
    const error = kafkaError(
      code,
      `Produce to ${topic}-${partition} failed`,
      [detail, final && fateUnknown ? MAY_HAVE_BEEN_WRITTEN : ""].filter(Boolean).join("; "),
    );
    if (!final) {
      if (sequenced) idempotence.onSequenceError(batch, code, answer?.logStartOffset ?? -1n);
      // KIP-951: a retry to a leader we just learnt of need not back off.
      batch.backoffMs = leaderMoved
        ? 0
        : backoffMs(batch.attempts, config.retryBackoffMs, config.retryBackoffMaxMs);
      batch.lastError = error;
      metrics.retries++;
      metrics.recordRetry.record(batch.recordCount, nowMs);
      this.#onRetry(batch, error);
      accumulator.reenqueue(batch, nowMs);
      return;
    }
    if (retriable) {
      if (timedOut) this.#onExpired(batch, nowMs, error);
      else {
        log(
          config.logger,
          "warn",
          `giving up on ${batch.recordCount} record(s) for ${topic}-${partition} after ${batch.attempts} attempt(s) (retries ${config.retries}): ${info.name}`,
          { topic, partition, recordCount: batch.recordCount, errorName: info.name },
        );
      }
    }
    if (code === ErrorCode.MESSAGE_TOO_LARGE) {
      this.#fail(
        batch,
        new RecordTooLargeError(
          `the broker rejected a ${batch.wireSizeInBytes}-byte record for ${topic}-${partition} as too large (message.max.bytes)`,
          { cause: error },
        ),
        false,
      );
      return;
    }
    if (timedOut && retriable) {
      this.#fail(
        batch,
        new TimeoutError(
          `Expiring ${batch.recordCount} record(s) for ${topic}-${partition}: ${
            nowMs - batch.createdMs
          } ms has passed since batch creation (last error: ${info.name}${
            fateUnknown ? `; ${MAY_HAVE_BEEN_WRITTEN}` : ""
          })`,
          { cause: error },
        ),
        fateUnknown,
      );
      return;
    }
    this.#fail(batch, error, fateUnknown);
  }

  /** A batch is retried: logged (as Java, at WARN) and published. */
  #onRetry(batch: ProducerBatch, error: KafkaError): void {
    const { config } = this.#p;
    const { topic, partition } = batch.queue;
    if (config.logger !== null) {
      log(
        config.logger,
        "warn",
        `got error produce response on ${topic}-${partition}, retrying (${
          Math.max(config.retries - batch.attempts, 0)
        } attempts left): ${error.name}: ${error.message}`,
        {
          topic,
          partition,
          recordCount: batch.recordCount,
          attempt: batch.attempts,
          errorName: error.name,
          backoffMs: batch.backoffMs,
        },
      );
    }
    if (retryChannel.hasSubscribers) {
      retryChannel.publish({
        clientId: config.clientId,
        topic,
        partition,
        recordCount: batch.recordCount,
        attempt: batch.attempts,
        backoffMs: batch.backoffMs,
        errorName: error.name,
        errorMessage: error.message,
      });
    }
  }

  #split(batch: ProducerBatch, nowMs: number): void {
    const { accumulator, idempotence, metrics, config } = this.#p;
    const parts = batch.split(Math.max(Math.floor(batch.sizeInBytes / 2), 1));
    metrics.splits++;
    log(
      config.logger,
      "warn",
      `got MESSAGE_TOO_LARGE for a batch of ${batch.recordCount} record(s) on ${batch.queue.topic}-${batch.queue.partition}: splitting it into ${parts.length} and retrying`,
      { topic: batch.queue.topic, partition: batch.queue.partition, parts: parts.length },
    );
    idempotence?.replace(batch, parts);
    accumulator.deallocate(batch);
    accumulator.reenqueueSplit(parts, nowMs);
  }

  #succeed(batch: ProducerBatch, baseOffset: bigint, logAppendTimeMs: number): void {
    const { idempotence, accumulator, metrics } = this.#p;
    idempotence?.onSuccess(batch);
    metrics.batchesSent++;
    metrics.recordsSent += batch.recordCount;
    accumulator.deallocate(batch);
    batch.complete(baseOffset, logAppendTimeMs);
  }

  #fail(batch: ProducerBatch, error: KafkaClientError, unknownFate: boolean): void {
    const { idempotence, accumulator, metrics, transactions } = this.#p;
    idempotence?.onFailure(batch, unknownFate);
    metrics.recordErrors += batch.recordCount;
    metrics.recordError.record(batch.recordCount, Date.now());
    accumulator.deallocate(batch);
    batch.fail(transactions === null ? error : transactions.onBatchFailed(batch, error));
  }
}
