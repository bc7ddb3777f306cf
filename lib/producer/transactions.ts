/**
 * The TransactionManager of a producer with a `transactionalId`, as Java's
 * (`clients/producer/internals/TransactionManager`) behaves:
 *
 * - `initTransactions()`: InitProducerId with the transactional id to its
 *   coordinator (found with FindCoordinator), which fences older instances
 *   and finishes their open transaction.
 * - Transactions V1: a partition joins the transaction with
 *   AddPartitionsToTxn before its first batch is sent (the partitions new
 *   since the last request go together, one request at a time); offsets join
 *   with AddOffsetsToTxn, then TxnOffsetCommit to the group's coordinator.
 *   Transactions V2 (KIP-890, `transaction.version` ≥ 2 finalized on the
 *   broker): Produce v12+ and TxnOffsetCommit v5 add them implicitly, and
 *   every EndTxn bumps the epoch.
 * - `commitTransaction()` flushes, then EndTxn(commit);
 *   `abortTransaction()` fails what was not sent, waits for what was, then
 *   EndTxn(abort), and in V1 bumps the epoch with InitProducerId when a
 *   batch failed after it had sequence numbers.
 * - Errors: coordinator moves and retriable codes are retried (a new
 *   FindCoordinator, a backoff; CONCURRENT_TRANSACTIONS a short one);
 *   fencing and authorization refusals are fatal; what Java's handler of
 *   each step calls abortable is abortable (a refused partition, group or
 *   member …), and an error code a step does not expect is fatal, except for
 *   AddPartitionsToTxn and the records, whose failures are abortable.
 *
 * Requests to coordinators go one at a time, in the order asked. A public
 * call waits at most `maxBlockMs`; when it times out the operation goes on,
 * and calling the same method again waits for it (as Java).
 *
 * @module
 */
import {
  epochBumpChannel,
  type EventChannel,
  transactionAbortChannel,
  transactionBeginChannel,
  transactionCommitChannel,
} from "../diagnostics/channels.ts";
import { errorMessage, errorName } from "../diagnostics/describe_error.ts";
import type { EpochBumpEvent, TransactionEvent } from "../diagnostics/events.ts";
import { log } from "../diagnostics/logger.ts";
import {
  connectingCannotHelp,
  type KafkaClientError,
  KafkaError,
  ProducerClosedError,
  ProducerFencedError,
  TimeoutError,
  TransactionAbortableError,
  TransactionAbortedError,
} from "../errors.ts";
import type { Connection } from "../net/connection.ts";
import type { ConnectionPool } from "../net/pool.ts";
import type { ApiCodec } from "../protocol/api.ts";
import { ErrorCode, errorCodeInfo, kafkaError } from "../protocol/error_codes.ts";
import { AddOffsetsToTxn } from "../protocol/messages/add_offsets_to_txn.ts";
import { AddPartitionsToTxn } from "../protocol/messages/add_partitions_to_txn.ts";
import { EndTxn } from "../protocol/messages/end_txn.ts";
import { InitProducerId } from "../protocol/messages/init_producer_id.ts";
import { Produce } from "../protocol/messages/produce.ts";
import { TxnOffsetCommit } from "../protocol/messages/txn_offset_commit.ts";
import { backoffMs } from "../util/backoff.ts";
import { NO_SEQUENCE, type PartitionQueue, type ProducerBatch } from "./batch.ts";
import type { ProducerConfig } from "./config.ts";
import { CoordinatorType } from "../protocol/messages/find_coordinator.ts";
import { CoordinatorCache, type KeyType } from "./coordinator.ts";
import type { IdempotenceManager } from "./idempotence.ts";
import type { ProducerMetadata } from "./metadata.ts";
import type { ResolvedGroupMetadata, TopicPartitionOffset } from "./offsets.ts";
import { canTransition, type TransactionState, wrongState } from "./transaction_state.ts";

/** Produce, EndTxn and TxnOffsetCommit versions above these mean Transactions V2. */
const PRODUCE_V1_MAX = 11;
const END_TXN_V1_MAX = 4;
const TXN_OFFSET_COMMIT_V1_MAX = 4;
/** First backoff after CONCURRENT_TRANSACTIONS: the previous transaction is still ending. */
const CONCURRENT_BACKOFF_MS = 20;

/** What the transaction manager works with. */
export interface TransactionParts {
  /** Resolved options (transactional id and timeout, `maxBlockMs`, backoffs). */
  readonly config: ProducerConfig;
  /** The brokers to ask where coordinators are. */
  readonly metadata: ProducerMetadata;
  /** Connections to them. */
  readonly connections: ConnectionPool;
  /** Gets the producer id and epoch. */
  readonly idempotence: IdempotenceManager;
  /** Sends what was sent so far and resolves once each record is settled (the producer's flush). */
  readonly flush: () => Promise<void>;
  /** Fails the sends still waiting for metadata or buffer memory. */
  readonly failWaiting: (error: KafkaClientError) => void;
  /** Makes the sender look again (a partition joined, or batches must fail). */
  readonly wakeup: () => void;
}

/** How a coordinator's answer is acted on. */
type Action = "ok" | "coordinator" | "concurrent" | "retry" | "fenced" | "fatal" | "abortable";

/** A request step that failed in a way the transaction must act on. */
class StepFailure {
  constructor(readonly action: "fenced" | "fatal" | "abortable", readonly error: KafkaError) {}
}

/** The timeouts {@link TransactionManager} gives callers (the operation goes on after them). */
const callTimeouts = new WeakSet<Error>();

/** A public call in progress and what it resolves with (Java's pending transition). */
interface PendingCall {
  readonly operation: string;
  readonly result: Promise<void>;
}

/** The state, the coordinators and the requests of a transactional producer. */
export class TransactionManager {
  #p: TransactionParts;
  #transactionalId: string;
  #coordinators: CoordinatorCache;
  #state: TransactionState = "UNINITIALIZED";
  /** The error of ABORTABLE_ERROR or FATAL_ERROR. */
  #error: KafkaClientError | null = null;
  /** What batches not yet sent fail with in the current state (null: none fail). */
  #undrainedFailure: KafkaClientError | null = null;
  #producerId = -1n;
  #epoch = -1;
  #v2 = false;
  /** Whether the coordinator may hold state of the open transaction (EndTxn is needed). */
  #started = false;
  /** V1: an epoch bump must follow the abort (a batch failed after it had sequences). */
  #bumpRequired = false;
  /** V1: partitions in the transaction, waiting to join, and joining now. */
  #added = new Set<PartitionQueue>();
  #newPartitions = new Set<PartitionQueue>();
  #adding = false;
  #pending: PendingCall | null = null;
  /** Coordinator requests run one at a time, in order: the tail of that chain. */
  #tail: Promise<unknown> = Promise.resolve();
  #closed = false;
  #sleeps = new Set<() => void>();

  /** Creates the manager, UNINITIALIZED. */
  constructor(parts: TransactionParts) {
    this.#p = parts;
    this.#transactionalId = parts.config.transactionalId!;
    this.#coordinators = new CoordinatorCache(
      parts.connections,
      parts.metadata,
      parts.config.requestTimeoutMs,
    );
  }

  /** The current state. */
  get state(): TransactionState {
    return this.#state;
  }

  /** Whether the broker speaks Transactions V2 to this producer (known after `initTransactions()`). */
  get isV2(): boolean {
    return this.#v2;
  }

  /** The highest Produce version a transactional request may use (V1 stops at 11). */
  get produceVersionCap(): number {
    return this.#v2 ? Infinity : PRODUCE_V1_MAX;
  }

  /** What batches still in the accumulator must fail with now (aborting, or after an error), else null. */
  get undrainedFailure(): KafkaClientError | null {
    return this.#undrainedFailure;
  }

  /** Whether a transaction is open or failing (close() aborts it). */
  get hasOngoingTransaction(): boolean {
    return this.#state === "IN_TRANSACTION" || this.#state === "ABORTABLE_ERROR";
  }

  // ── Public calls ───────────────────────────────────────────────────────

  /** See `Producer.initTransactions`. */
  initTransactions(): Promise<void> {
    return this.#call("initTransactions", () => {
      if (this.#state === "FATAL_ERROR") throw this.#error!;
      this.#require("initTransactions()", "UNINITIALIZED");
    }, async () => {
      this.#transition("INITIALIZING");
      try {
        await this.#enqueue(() => this.#initProducerId(false));
      } catch (error) {
        // Refused in a way a later call may get past (authorization): back to the start.
        if (this.#state === "INITIALIZING") this.#transition("UNINITIALIZED");
        throw error;
      }
    });
  }

  /** See `Producer.beginTransaction`. */
  beginTransaction(): void {
    this.#throwIfPending("beginTransaction()");
    this.#throwIfFailed();
    this.#require("beginTransaction()", "READY");
    this.#transition("IN_TRANSACTION");
    if (transactionBeginChannel.hasSubscribers) {
      this.#publish(transactionBeginChannel, performance.now(), null);
    }
  }

  /** See `Producer.commitTransaction`. */
  commitTransaction(): Promise<void> {
    return this.#call("commitTransaction", () => {
      this.#throwIfFailed();
      this.#require("commitTransaction()", "IN_TRANSACTION");
    }, () =>
      this.#published(transactionCommitChannel, async () => {
        this.#transition("COMMITTING_TRANSACTION");
        await this.#p.flush();
        this.#throwIfFailed();
        await this.#enqueue(() => this.#endTxn(true));
      }));
  }

  /** See `Producer.abortTransaction`. */
  abortTransaction(): Promise<void> {
    return this.#call("abortTransaction", () => {
      if (this.#state === "FATAL_ERROR") throw this.#error!;
      this.#require("abortTransaction()", "IN_TRANSACTION", "ABORTABLE_ERROR");
    }, () =>
      this.#published(transactionAbortChannel, async () => {
        const cause = this.#error ?? undefined;
        this.#transition("ABORTING_TRANSACTION");
        const aborted = new TransactionAbortedError(
          "the transaction was aborted before the record was sent",
          { cause },
        );
        this.#undrainedFailure = aborted;
        this.#newPartitions.clear();
        this.#p.failWaiting(aborted);
        this.#p.wakeup();
        await this.#p.flush();
        await this.#enqueue(() => this.#endTxn(false));
      }));
  }

  /** See `Producer.sendOffsetsToTransaction`; `offsets` and `group` are checked already. */
  sendOffsetsToTransaction(
    offsets: readonly TopicPartitionOffset[],
    group: ResolvedGroupMetadata,
  ): Promise<void> {
    try {
      this.#throwIfPending("sendOffsetsToTransaction()");
      this.#throwIfFailed();
      this.#require("sendOffsetsToTransaction()", "IN_TRANSACTION");
    } catch (error) {
      return Promise.reject(error);
    }
    const done = this.#enqueue(async () => {
      if (!this.#v2) {
        await this.#step(
          "AddOffsetsToTxn",
          CoordinatorType.Transaction,
          this.#transactionalId,
          (c) =>
            this.#request(c, AddOffsetsToTxn, Infinity, {
              transactionalId: this.#transactionalId,
              producerId: this.#producerId,
              producerEpoch: this.#epoch,
              groupId: group.groupId,
            }),
          (r) => r.errorCode,
          addOffsetsAction,
        );
      }
      this.#started = true;
      await this.#step(
        "TxnOffsetCommit",
        CoordinatorType.Group,
        group.groupId,
        (c) =>
          this.#request(c, TxnOffsetCommit, this.#v2 ? Infinity : TXN_OFFSET_COMMIT_V1_MAX, {
            transactionalId: this.#transactionalId,
            groupId: group.groupId,
            producerId: this.#producerId,
            producerEpoch: this.#epoch,
            generationId: group.generationId,
            memberId: group.memberId,
            groupInstanceId: group.groupInstanceId,
            topics: offsetsByTopic(offsets),
          }),
        (r) => worstCode(r.topics.flatMap((t) => t.partitions.map((p) => p.errorCode))),
        offsetCommitAction,
      );
    });
    return this.#bounded("sendOffsetsToTransaction", done.catch((e) => this.#failed(e)));
  }

  // ── What the producer and the sender ask ───────────────────────────────

  /**
   * Throws unless a record may be sent now: only inside a transaction.
   * @throws {TransactionStateError} outside a transaction.
   * @throws {TransactionAbortableError} after an abortable error.
   * @throws the fatal error, after one.
   */
  checkSend(): void {
    if (this.#state === "IN_TRANSACTION") return;
    this.#throwIfFailed();
    throw wrongState("send a record", this.#state);
  }

  /** A new batch was opened on `queue`: in V1 its partition joins the transaction first. */
  onNewBatch(queue: PartitionQueue): void {
    if (this.#state !== "IN_TRANSACTION" && this.#state !== "COMMITTING_TRANSACTION") return;
    if (this.#v2) {
      this.#started = true;
      return;
    }
    if (this.#added.has(queue) || this.#newPartitions.has(queue)) return;
    this.#newPartitions.add(queue);
    this.#scheduleAddPartitions();
  }

  /** Whether the first batch of `queue` may be drained (V1: its partition has joined). */
  canSend(queue: PartitionQueue): boolean {
    return this.#v2 || this.#added.has(queue);
  }

  /**
   * A batch failed for good with `error`: the transaction can no longer
   * commit. Returns what its records fail with: a fencing refusal becomes
   * the producer's {@link ProducerFencedError}.
   */
  onBatchFailed(batch: ProducerBatch, error: KafkaClientError): KafkaClientError {
    if (!this.#v2 && batch.baseSequence !== NO_SEQUENCE) this.#bumpRequired = true;
    if (error === this.#undrainedFailure) return error;
    if (error instanceof KafkaError) {
      const action = baseAction(error.code);
      if (action === "fenced") {
        this.#fatal(fenced(error));
        return this.#error!;
      }
      if (
        action === "fatal" || error.code === ErrorCode.CLUSTER_AUTHORIZATION_FAILED ||
        error.code === ErrorCode.UNSUPPORTED_VERSION
      ) {
        this.#fatal(error);
        return error;
      }
    }
    if (
      this.#state !== "FATAL_ERROR" && this.#state !== "ABORTING_TRANSACTION" &&
      !(error instanceof ProducerClosedError)
    ) {
      this.#abortable(error);
    }
    return error;
  }

  /** The producer is closing: an open transaction is aborted first (as Java's close()). */
  async abortOngoing(): Promise<void> {
    if (!this.hasOngoingTransaction) return;
    try {
      await this.abortTransaction();
    } catch {
      // close() goes on; the broker aborts it after transactionTimeoutMs otherwise
    }
  }

  /** Stops every retry: requests still running reject with {@link ProducerClosedError}. */
  close(): void {
    this.#closed = true;
    for (const wake of this.#sleeps) wake();
  }

  // ── Steps ──────────────────────────────────────────────────────────────

  /** InitProducerId with the transactional id; `bump` keeps the id and asks for the next epoch. */
  async #initProducerId(bump: boolean): Promise<void> {
    const { config, idempotence } = this.#p;
    const response = await this.#step(
      "InitProducerId",
      CoordinatorType.Transaction,
      this.#transactionalId,
      (connection) => {
        if (!bump) this.#v2 = speaksV2(connection);
        return this.#request(connection, InitProducerId, Infinity, {
          transactionalId: this.#transactionalId,
          transactionTimeoutMs: config.transactionTimeoutMs,
          producerId: bump ? this.#producerId : -1n,
          producerEpoch: bump ? this.#epoch : -1,
        });
      },
      (r) => r.errorCode,
      initAction,
    ).catch((error) => {
      if (
        error instanceof StepFailure && error.error.code === ErrorCode.INVALID_TRANSACTION_TIMEOUT
      ) {
        // Say which option the broker refused, and what to change.
        throw new StepFailure(
          error.action,
          kafkaError(
            ErrorCode.INVALID_TRANSACTION_TIMEOUT,
            `InitProducerId for transactional id "${this.#transactionalId}" failed`,
            `transactionTimeoutMs is ${config.transactionTimeoutMs} ms, more than the broker's transaction.max.timeout.ms allows: lower transactionTimeoutMs or raise transaction.max.timeout.ms`,
          ),
        );
      }
      throw error;
    });
    this.#producerId = response.producerId;
    this.#epoch = response.producerEpoch;
    idempotence.setProducerId({ producerId: response.producerId, epoch: response.producerEpoch });
    this.#bumpRequired = false;
    this.#transition("READY");
    this.#error = null;
    log(
      config.logger,
      "info",
      `ProducerId set to ${response.producerId} with epoch ${response.producerEpoch}${
        bump ? " (bumped after an abort)" : ""
      } for transactional id "${this.#transactionalId}"`,
      {
        transactionalId: this.#transactionalId,
        producerId: String(response.producerId),
        epoch: response.producerEpoch,
      },
    );
    if (bump) this.#publishEpochBump("abort");
  }

  /** EndTxn, unless nothing of the transaction reached a coordinator; then READY (after a bump if needed). */
  async #endTxn(commit: boolean): Promise<void> {
    if (this.#started) {
      const response = await this.#step(
        "EndTxn",
        CoordinatorType.Transaction,
        this.#transactionalId,
        (c) =>
          this.#request(c, EndTxn, this.#v2 ? Infinity : END_TXN_V1_MAX, {
            transactionalId: this.#transactionalId,
            producerId: this.#producerId,
            producerEpoch: this.#epoch,
            committed: commit,
          }),
        (r) => r.errorCode,
        commit ? commitAction : abortFailureAction,
      );
      if (response.producerId >= 0n) {
        // V2: every transaction ends with a new epoch (or a new id once the epoch is exhausted).
        const changed = response.producerId !== this.#producerId ||
          response.producerEpoch !== this.#epoch;
        this.#producerId = response.producerId;
        this.#epoch = response.producerEpoch;
        this.#p.idempotence.setProducerId({
          producerId: response.producerId,
          epoch: response.producerEpoch,
        });
        if (changed) this.#publishEpochBump("transaction");
      }
    }
    this.#started = false;
    this.#added.clear();
    this.#undrainedFailure = null;
    if (!commit && this.#bumpRequired) {
      this.#transition("INITIALIZING");
      await this.#initProducerId(true);
      return;
    }
    this.#transition("READY");
    this.#error = null;
  }

  #scheduleAddPartitions(): void {
    if (this.#adding) return;
    this.#adding = true;
    this.#enqueue(() => this.#addPartitions()).catch((error) => {
      // No caller waits for it: the refusal becomes the state (fatal or
      // abortable), and the batches fail through undrainedFailure.
      try {
        this.#failed(error);
      } catch {
        // the state holds it now (or the producer closed)
      }
    }).finally(() => {
      this.#adding = false;
      if (this.#newPartitions.size > 0) this.#scheduleAddPartitions();
    });
  }

  /** AddPartitionsToTxn for every partition waiting to join (V1). */
  async #addPartitions(): Promise<void> {
    if (this.#newPartitions.size === 0) return;
    if (this.#state !== "IN_TRANSACTION" && this.#state !== "COMMITTING_TRANSACTION") {
      this.#newPartitions.clear();
      return;
    }
    const joining = [...this.#newPartitions];
    this.#newPartitions.clear();
    const byTopic = new Map<string, number[]>();
    for (const q of joining) {
      const list = byTopic.get(q.topic);
      if (list === undefined) byTopic.set(q.topic, [q.partition]);
      else list.push(q.partition);
    }
    // Sent means the coordinator may have added them: the transaction must end with EndTxn.
    this.#started = true;
    await this.#step(
      "AddPartitionsToTxn",
      CoordinatorType.Transaction,
      this.#transactionalId,
      (c) =>
        this.#request(c, AddPartitionsToTxn, Infinity, {
          transactionalId: this.#transactionalId,
          producerId: this.#producerId,
          producerEpoch: this.#epoch,
          topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
        }),
      (r) => worstCode(r.results.flatMap((t) => t.partitions.map((p) => p.errorCode))),
      // The shared table: any other refusal (TOPIC_AUTHORIZATION_FAILED, …) is abortable.
      baseAction,
      this.#added.size === 0,
    );
    for (const q of joining) this.#added.add(q);
    this.#p.wakeup();
  }

  /**
   * Sends a request to a coordinator until it is answered in a way that
   * ends it: returns the answer on success, throws a {@link StepFailure} or
   * {@link ProducerClosedError} otherwise. `act` decides what an error code
   * means for this step beyond the shared table.
   */
  async #step<Res>(
    what: string,
    type: KeyType,
    key: string,
    send: (connection: Connection) => Promise<Res>,
    codeOf: (response: Res) => number,
    act: (code: number) => Action,
    quickConcurrentRetry = true,
  ): Promise<Res> {
    const { config, connections } = this.#p;
    for (let attempt = 1;; attempt++) {
      if (this.#closed) throw new ProducerClosedError(`the producer was closed during ${what}`);
      // A failed producer sends nothing more (Java's maybeTerminateRequestWithError).
      if (this.#state === "FATAL_ERROR") throw this.#error!;
      let response: Res;
      let code: number;
      try {
        const connection = await connections.get(await this.#coordinators.find(type, key));
        response = await send(connection);
        code = codeOf(response);
      } catch (error) {
        if (error instanceof StepFailure) throw error;
        if (connectingCannotHelp(error)) throw new StepFailure("fatal", asKafkaError(error, what));
        if (error instanceof KafkaError && !error.retriable) {
          // FindCoordinator refused: TRANSACTIONAL_ID_AUTHORIZATION_FAILED is fatal, GROUP_… abortable.
          const action = act(error.code);
          if (action === "fenced" || action === "fatal" || action === "abortable") {
            throw new StepFailure(action, error);
          }
        }
        // A network error or timeout: the coordinator may have moved.
        this.#coordinators.invalidate(type, key);
        await this.#sleep(backoffMs(attempt, config.retryBackoffMs, config.retryBackoffMaxMs));
        continue;
      }
      const action = act(code);
      switch (action) {
        case "ok":
          return response;
        case "coordinator":
          this.#coordinators.invalidate(type, key);
          await this.#sleep(backoffMs(attempt, config.retryBackoffMs, config.retryBackoffMaxMs));
          continue;
        case "concurrent":
          await this.#sleep(
            quickConcurrentRetry
              ? backoffMs(attempt, CONCURRENT_BACKOFF_MS, config.retryBackoffMaxMs)
              : backoffMs(attempt, config.retryBackoffMs, config.retryBackoffMaxMs),
          );
          continue;
        case "retry":
          await this.#sleep(backoffMs(attempt, config.retryBackoffMs, config.retryBackoffMaxMs));
          continue;
        default:
          throw new StepFailure(
            action,
            kafkaError(code, `${what} for transactional id "${this.#transactionalId}" failed`),
          );
      }
    }
  }

  /** One request at the negotiated version, capped at `maxVersion`. */
  #request<Req, Res>(
    connection: Connection,
    api: ApiCodec<Req, Res>,
    maxVersion: number,
    request: Req,
  ): Promise<Res> {
    const version = Math.min(connection.versionFor(api), maxVersion);
    return connection.request(api, version, request, this.#p.config.requestTimeoutMs);
  }

  // ── State ──────────────────────────────────────────────────────────────

  /**
   * Runs a public call that a timeout does not cancel: the same call made
   * again waits for the operation already running, another call is refused
   * until then. `check` throws when the call is not allowed now.
   */
  #call(operation: string, check: () => void, run: () => Promise<void>): Promise<void> {
    let pending = this.#pending;
    if (pending !== null && pending.operation !== operation) {
      return Promise.reject(this.#pendingError(`${operation}()`, pending));
    }
    if (pending === null) {
      try {
        if (this.#closed) {
          throw new ProducerClosedError(`cannot ${operation}(): the producer is closed`);
        }
        check();
      } catch (error) {
        return Promise.reject(error);
      }
      const result = run().catch((error) => this.#failed(error));
      result.catch(() => {});
      pending = { operation, result };
      this.#pending = pending;
    }
    const call = pending;
    return this.#bounded(operation, call.result).then(
      () => {
        if (this.#pending === call) this.#pending = null;
      },
      (error) => {
        if (!callTimeouts.has(error) && this.#pending === call) this.#pending = null;
        throw error;
      },
    );
  }

  /** Waits for `result` at most `maxBlockMs`. */
  #bounded(operation: string, result: Promise<void>): Promise<void> {
    const ms = this.#p.config.maxBlockMs;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new TimeoutError(
          `${operation}() did not complete within maxBlockMs (${ms} ms); it goes on: call ${operation}() again to wait for it`,
        );
        callTimeouts.add(error);
        reject(error);
      }, ms);
    });
    return Promise.race([result, timeout]).finally(() => clearTimeout(timer));
  }

  /** Turns a failed step into the producer's state, and returns the error the caller sees. */
  #failed(error: unknown): never {
    if (error instanceof StepFailure) {
      if (error.action === "fenced") this.#fatal(fenced(error.error));
      else if (error.action === "fatal") this.#fatal(error.error);
      else this.#abortable(error.error);
      throw this.#state === "FATAL_ERROR" ? this.#error : error.error;
    }
    throw error;
  }

  #abortable(error: Error): void {
    // Already aborting: a step of the transaction (AddPartitionsToTxn, the
    // offsets) failing changes nothing (as Java's transitionToAbortableError).
    if (this.#state === "FATAL_ERROR" || this.#state === "ABORTING_TRANSACTION") return;
    if (this.#state === "INITIALIZING") {
      // The epoch bump after an abort refused: nothing is left to recover.
      this.#fatal(asKafkaError(error, "the transaction"));
      return;
    }
    if (!canTransition(this.#state, "ABORTABLE_ERROR")) return;
    this.#error ??= error as KafkaClientError;
    this.#state = "ABORTABLE_ERROR";
    log(
      this.#p.config.logger,
      "warn",
      `transitioning to abortable error state: the transaction must be aborted (${this.#error.message})`,
      { transactionalId: this.#transactionalId, errorName: this.#error.name },
    );
    this.#undrainedFailure = new TransactionAbortedError(
      `the record was not sent: the transaction failed and must be aborted (${this.#error.message})`,
      { cause: this.#error },
    );
    this.#p.failWaiting(this.#undrainedFailure);
    this.#p.wakeup();
  }

  #fatal(error: KafkaClientError): void {
    if (this.#state === "FATAL_ERROR") return;
    log(
      this.#p.config.logger,
      "error",
      `transitioning to fatal error state${
        error instanceof ProducerFencedError ? " (fenced)" : ""
      }: ${error.message}`,
      {
        transactionalId: this.#transactionalId,
        errorName: error.name,
        fenced: error instanceof ProducerFencedError,
      },
    );
    this.#state = "FATAL_ERROR";
    this.#error = error;
    this.#undrainedFailure = error;
    this.#p.failWaiting(error);
    this.#p.wakeup();
  }

  #transition(to: TransactionState): void {
    if (this.#state === "FATAL_ERROR") throw this.#error!;
    if (!canTransition(this.#state, to)) throw wrongState(`move to ${to}`, this.#state);
    this.#state = to;
  }

  #require(operation: string, ...allowed: TransactionState[]): void {
    if (!allowed.includes(this.#state)) throw wrongState(operation, this.#state);
  }

  /** Throws the error of ABORTABLE_ERROR (wrapped) or FATAL_ERROR. */
  #throwIfFailed(): void {
    if (this.#state === "FATAL_ERROR") throw this.#error!;
    if (this.#state === "ABORTABLE_ERROR") {
      throw new TransactionAbortableError(
        `the transaction failed and must be aborted: ${this.#error!.message}`,
        { cause: this.#error },
      );
    }
  }

  #throwIfPending(operation: string): void {
    if (this.#pending !== null) throw this.#pendingError(operation, this.#pending);
  }

  #pendingError(operation: string, pending: PendingCall): Error {
    return wrongState(
      `${operation} while ${pending.operation}() is unfinished (it timed out: call it again)`,
      this.#state,
    );
  }

  /** Runs `run` and publishes how it ended on `channel` (commit, abort). */
  async #published(
    channel: EventChannel<TransactionEvent>,
    run: () => Promise<void>,
  ): Promise<void> {
    const startedMs = performance.now();
    // The id and epoch the transaction was written with (V2's EndTxn moves them on).
    const producerId = this.#producerId;
    const epoch = this.#epoch;
    try {
      await run();
    } catch (error) {
      if (channel.hasSubscribers) this.#publish(channel, startedMs, error, producerId, epoch);
      throw error;
    }
    if (channel.hasSubscribers) this.#publish(channel, startedMs, null, producerId, epoch);
  }

  #publish(
    channel: EventChannel<TransactionEvent>,
    startedMs: number,
    error: unknown,
    producerId = this.#producerId,
    epoch = this.#epoch,
  ): void {
    channel.publish({
      clientId: this.#p.config.clientId,
      transactionalId: this.#transactionalId,
      producerId,
      epoch,
      durationMs: performance.now() - startedMs,
      errorName: error === null ? null : errorName(error),
      errorMessage: error === null ? null : errorMessage(error),
    });
  }

  #publishEpochBump(reason: EpochBumpEvent["reason"]): void {
    if (!epochBumpChannel.hasSubscribers) return;
    epochBumpChannel.publish({
      clientId: this.#p.config.clientId,
      transactionalId: this.#transactionalId,
      producerId: this.#producerId,
      epoch: this.#epoch,
      reason,
    });
  }

  /** Runs `step` after every coordinator request asked before it. */
  #enqueue<T>(step: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(step);
    this.#tail = run.catch(() => {});
    return run;
  }

  #sleep(ms: number): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#sleeps.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#sleeps.add(wake);
    });
  }
}

/** What an error code means for any transactional step. */
function baseAction(code: number): Action {
  switch (code) {
    case ErrorCode.NONE:
      return "ok";
    case ErrorCode.NOT_COORDINATOR:
    case ErrorCode.COORDINATOR_NOT_AVAILABLE:
      return "coordinator";
    case ErrorCode.CONCURRENT_TRANSACTIONS:
      return "concurrent";
    case ErrorCode.PRODUCER_FENCED:
    case ErrorCode.INVALID_PRODUCER_EPOCH:
      return "fenced";
    case ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED:
    case ErrorCode.INVALID_TXN_STATE:
    case ErrorCode.INVALID_PRODUCER_ID_MAPPING:
      return "fatal";
  }
  return errorCodeInfo(code).retriable ? "retry" : "abortable";
}

/**
 * The shared table, where only the codes in `abortable` leave the
 * transaction to abort and any other refusal is fatal (Java's "unexpected
 * error" for AddOffsetsToTxn, TxnOffsetCommit and EndTxn).
 */
function abortableOnly(code: number, abortable: readonly number[]): Action {
  const action = baseAction(code);
  if (action !== "abortable") return action;
  return abortable.includes(code) ? "abortable" : "fatal";
}

/** AddOffsetsToTxn: the group or the producer id refused is abortable. */
function addOffsetsAction(code: number): Action {
  return abortableOnly(code, [
    ErrorCode.UNKNOWN_PRODUCER_ID,
    ErrorCode.GROUP_AUTHORIZATION_FAILED,
    ErrorCode.TRANSACTION_ABORTABLE,
  ]);
}

/** EndTxn(commit): the producer id unknown or TRANSACTION_ABORTABLE leave an abort to do. */
function commitAction(code: number): Action {
  return abortableOnly(code, [ErrorCode.UNKNOWN_PRODUCER_ID, ErrorCode.TRANSACTION_ABORTABLE]);
}

/** EndTxn(abort): an abort that fails cannot be recovered by aborting again. */
function abortFailureAction(code: number): Action {
  const action = baseAction(code);
  return action === "abortable" ? "fatal" : action;
}

/** InitProducerId: a refused timeout or unknown error ends the producer. */
function initAction(code: number): Action {
  const action = baseAction(code);
  if (code === ErrorCode.TRANSACTION_ABORTABLE) return "abortable";
  if (
    code === ErrorCode.CLUSTER_AUTHORIZATION_FAILED ||
    code === ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED
  ) {
    return "abortable";
  }
  return action === "abortable" ? "fatal" : action;
}

/** TxnOffsetCommit: group membership problems are abortable, a timeout looks for the coordinator again, anything unknown is fatal. */
function offsetCommitAction(code: number): Action {
  if (code === ErrorCode.REQUEST_TIMED_OUT) return "coordinator";
  return abortableOnly(code, [
    ErrorCode.GROUP_AUTHORIZATION_FAILED,
    ErrorCode.FENCED_INSTANCE_ID,
    ErrorCode.TRANSACTION_ABORTABLE,
    ErrorCode.UNKNOWN_MEMBER_ID,
    ErrorCode.ILLEGAL_GENERATION,
  ]);
}

/** The code a multi-partition answer is acted on by: a final error first, then a coordinator move, then any retriable one. */
function worstCode(codes: readonly number[]): number {
  let retriable: number = ErrorCode.NONE;
  let coordinator: number = ErrorCode.NONE;
  for (const code of codes) {
    const action = baseAction(code);
    if (action === "ok") continue;
    if (action === "coordinator") coordinator = code;
    else if (action === "retry" || action === "concurrent") retriable = code;
    else return code;
  }
  return coordinator !== ErrorCode.NONE ? coordinator : retriable;
}

/** Whether the connection's broker has Transactions V2 finalized and the versions it needs. */
function speaksV2(connection: Connection): boolean {
  const level = connection.finalizedFeature("transaction.version") ?? 0;
  return level >= 2 && connection.versionFor(EndTxn) >= 5 && connection.versionFor(Produce) >= 12;
}

function fenced(cause: KafkaError): ProducerFencedError {
  return cause instanceof ProducerFencedError ? cause : new ProducerFencedError(
    `the producer was fenced (${cause.name}): a newer producer with the same transactionalId called initTransactions(), or the coordinator aborted a transaction of this one after transactionTimeoutMs; close it`,
    { cause },
  );
}

function asKafkaError(error: unknown, what: string): KafkaError {
  if (error instanceof KafkaError) return error;
  return kafkaError(
    ErrorCode.UNKNOWN_SERVER_ERROR,
    `${what} failed`,
    errorMessage(error),
    { cause: error },
  );
}

/** Offsets grouped by topic, as TxnOffsetCommit carries them. */
function offsetsByTopic(offsets: readonly TopicPartitionOffset[]) {
  const topics = new Map<
    string,
    {
      partitionIndex: number;
      committedOffset: bigint;
      committedLeaderEpoch: number;
      committedMetadata: string | null;
    }[]
  >();
  for (const o of offsets) {
    let list = topics.get(o.topic);
    if (list === undefined) topics.set(o.topic, list = []);
    list.push({
      partitionIndex: o.partition,
      committedOffset: BigInt(o.offset),
      committedLeaderEpoch: o.leaderEpoch ?? -1,
      committedMetadata: o.metadata ?? "",
    });
  }
  return [...topics].map(([name, partitions]) => ({ name, partitions }));
}
