/**
 * ProducerMetadata: brokers and partition leaders of the topics in use,
 * refreshed when asked (unknown topic, leader errors), when older than
 * `metadataMaxAgeMs`, and patched by KIP-951 leader hints. A topic not sent
 * to for `metadataMaxIdleMs` leaves the refreshes, its metadata dropped.
 *
 * @module
 */
import { metadataRefreshChannel } from "../diagnostics/channels.ts";
import { errorMessage, errorName } from "../diagnostics/describe_error.ts";
import { log } from "../diagnostics/logger.ts";
import {
  connectingCannotHelp,
  InvalidRecordError,
  KafkaClientError,
  type KafkaError,
  NetworkError,
  ProducerClosedError,
  TimeoutError,
} from "../errors.ts";
import { formatAddress } from "../net/address.ts";
import { tryEachBroker } from "../net/each_broker.ts";
import type { ConnectionPool } from "../net/pool.ts";
import { ErrorCode, kafkaError } from "../protocol/error_codes.ts";
import { Metadata as MetadataApi, type MetadataResponse } from "../protocol/messages/metadata.ts";
import { backoffMs } from "../util/backoff.ts";
import type { LeaderLookup } from "./accumulator.ts";
import type { ProducerConfig } from "./config.ts";
import { type PartitionLeader, type PartitionTable, partitionTable } from "./partition_table.ts";
import { TopicInterest, type TopicUse } from "./topic_interest.ts";

/** What the producer knows of one topic. */
export interface TopicMetadata {
  /** How the topic is used: sends stamp it (see {@link ProducerMetadata.useTopic}). */
  readonly use: TopicUse;
  /** Topic name. */
  readonly name: string;
  /** Topic id (Metadata v10+), or null. */
  readonly topicId: Uint8Array | null;
  /** Leader per partition index. */
  readonly partitions: PartitionLeader[];
  /** Indexes of the partitions that have a leader. */
  available: number[];
}

/** One Metadata request of a refresh. */
interface MetadataAsk {
  /** Topic names. */
  topics: string[];
  /** Whether the broker may create those it doesn't have. */
  allowAutoTopicCreation: boolean;
}

/** Codes that mean "the topic cannot be used", not "wait for it". */
const FATAL_TOPIC_ERRORS: ReadonlySet<number> = new Set([
  ErrorCode.INVALID_TOPIC_EXCEPTION,
  ErrorCode.TOPIC_AUTHORIZATION_FAILED,
]);

/** The producer's view of the cluster. */
export class ProducerMetadata implements LeaderLookup {
  #config: ProducerConfig;
  #pool: ConnectionPool;
  #onUpdate: () => void;
  #brokers = new Map<number, string>();
  #topics = new Map<string, TopicMetadata>();
  #topicErrors = new Map<string, KafkaError>();
  #interest: TopicInterest;
  #lastRefreshMs = 0;
  #lastAttemptMs = 0;
  #failures = 0;
  /** Least wait after the last attempt before an asked-for refresh (none before the first). */
  #refreshBackoffMs = 0;
  /** A refresh of every topic was asked for (errors, a partition count to check). */
  #needFull = false;
  /** A send waits for a topic not known yet. */
  #needNew = false;
  #refreshing = false;
  #lastError: KafkaClientError | null = null;
  /** When {@link ProducerMetadata.#lastError} was set. */
  #lastErrorMs = 0;
  #updated!: Promise<void>;
  #signalUpdated!: () => void;
  #nextBroker = 0;
  #closed = false;

  /**
   * @param onUpdate called after every refresh attempt (the sender may now
   * know a leader it waited for).
   */
  constructor(config: ProducerConfig, pool: ConnectionPool, onUpdate: () => void) {
    this.#config = config;
    this.#pool = pool;
    this.#onUpdate = onUpdate;
    this.#interest = new TopicInterest(config.metadataMaxIdleMs);
    this.#resetUpdated();
  }

  /**
   * Node id of the partition's leader, or -1. Batches of a topic whose
   * metadata went (idle, deleted) bring the topic back into the refreshes,
   * as Java's Sender re-adds topics with unknown leaders.
   */
  leaderFor(topic: string, partition: number): number {
    const known = this.#topics.get(topic);
    if (known === undefined) {
      if (this.#interest.get(topic) === undefined) this.#interest.use(topic, Date.now());
      return -1;
    }
    return known.partitions[partition]?.leader ?? -1;
  }

  /** Metadata of `topic` if known. */
  topic(name: string): TopicMetadata | undefined {
    return this.#topics.get(name);
  }

  /**
   * Metadata of `topic` for a send at `nowMs`, if known; marks the topic
   * used, so that it stays in the refreshes for `metadataMaxIdleMs` more.
   */
  useTopic(name: string, nowMs: number): TopicMetadata | undefined {
    const known = this.#topics.get(name);
    if (known !== undefined) known.use.lastUsedMs = nowMs;
    return known;
  }

  /** When every topic of interest was last refreshed (epoch ms; 0 before the first time). */
  get lastRefreshMs(): number {
    return this.#lastRefreshMs;
  }

  /** `host:port` of broker `nodeId`, if known. */
  address(nodeId: number): string | undefined {
    return this.#brokers.get(nodeId);
  }

  /** Every address worth trying for a cluster-wide request, known brokers first. */
  addresses(): string[] {
    const known = [...this.#brokers.values()];
    const bootstrap = this.#config.bootstrapServers.map(formatAddress);
    return [...new Set([...known, ...bootstrap])];
  }

  /** Asks for a refresh of every topic at the next opportunity. */
  requestUpdate(): void {
    this.#needFull = true;
  }

  /** Applies a KIP-951 leader hint; returns whether the leader changed. */
  updateLeader(topic: string, partition: number, leader: number, leaderEpoch: number): boolean {
    const p = this.#topics.get(topic)?.partitions[partition];
    if (p === undefined || leader < 0 || !this.#brokers.has(leader)) return false;
    if (leaderEpoch <= p.leaderEpoch) return false;
    const changed = p.leader !== leader;
    p.leader = leader;
    p.leaderEpoch = leaderEpoch;
    return changed;
  }

  /** Adds broker endpoints learnt from a KIP-951 hint. */
  addBrokers(endpoints: readonly { nodeId: number; host: string; port: number }[]): void {
    for (const e of endpoints) this.#brokers.set(e.nodeId, formatAddress(e));
  }

  /**
   * Starts a refresh if one is due (asked for, or older than
   * `metadataMaxAgeMs`) and allowed (backoff passed); returns the time until
   * the next one is due.
   */
  maybeRefresh(nowMs: number): number {
    if (this.#refreshing || this.#closed || this.#interest.size === 0) {
      return Number.MAX_SAFE_INTEGER;
    }
    const dueAt = this.#needFull || this.#needNew
      ? this.#lastAttemptMs + this.#refreshBackoffMs
      : this.#lastRefreshMs + this.#config.metadataMaxAgeMs;
    if (nowMs < dueAt) return dueAt - nowMs;
    this.#refresh();
    return Number.MAX_SAFE_INTEGER;
  }

  /**
   * The topic's metadata, refreshing until it is known, up to `deadlineMs`.
   * With `partition` ≥ 0, a topic known with fewer partitions is refreshed
   * once more (it may have grown) before the partition is refused.
   * @throws {TimeoutError} when the topic is not known by then (naming the
   * last error, e.g. UNKNOWN_TOPIC_OR_PARTITION or a refused connection).
   * @throws {KafkaError} when the broker says the topic cannot be used.
   * @throws {AuthenticationError} or `ProtocolError` at once when the
   * last refresh failed in a way retrying cannot fix (refused credentials, a
   * listener that speaks TLS).
   * @throws {InvalidRecordError} when the topic is invalid or `partition`
   * is out of range after a refresh.
   */
  async waitForTopic(
    topic: string,
    deadlineMs: number,
    signal?: AbortSignal,
    partition = -1,
  ): Promise<TopicMetadata> {
    const use = this.#interest.use(topic, Date.now());
    use.waiting++;
    try {
      return await this.#waitForTopic(topic, deadlineMs, signal, partition);
    } finally {
      use.waiting--;
    }
  }

  /** Stops refreshing. */
  close(): void {
    this.#closed = true;
    this.#signalUpdated();
  }

  async #waitForTopic(
    topic: string,
    deadlineMs: number,
    signal: AbortSignal | undefined,
    partition: number,
  ): Promise<TopicMetadata> {
    const cached = this.#topics.get(topic);
    const startedMs = Date.now();
    for (;;) {
      const known = this.#topics.get(topic);
      const count = known?.partitions.length ?? 0;
      if (count > 0 && partition < count) return known!;
      if (count > 0 && known !== cached) {
        throw new InvalidRecordError(
          `partition ${partition} is out of range: topic "${topic}" has ${count} partition(s)`,
        );
      }
      const error = this.#topicErrors.get(topic);
      if (error !== undefined && FATAL_TOPIC_ERRORS.has(error.code)) {
        if (error.code === ErrorCode.INVALID_TOPIC_EXCEPTION) {
          throw new InvalidRecordError(`invalid topic "${topic}": ${error.message}`, {
            cause: error,
          });
        }
        throw error;
      }
      const last = this.#lastError;
      // Refused credentials, a TLS listener …: fail when an attempt made
      // during this wait failed so, or one so recent that no new attempt is
      // allowed yet; else try once more (the credentials may be fixed).
      if (
        connectingCannotHelp(last) &&
        (this.#lastErrorMs >= startedMs ||
          Date.now() < this.#lastErrorMs + this.#refreshBackoffMs)
      ) throw last;
      const remaining = deadlineMs - Date.now();
      if (remaining <= 0) {
        const reason = error ?? this.#lastError;
        throw new TimeoutError(
          `topic "${topic}" not present in metadata after ${this.#config.maxBlockMs} ms${
            reason ? ` (last error: ${reason.message})` : ""
          }`,
          { cause: reason ?? undefined },
        );
      }
      if (this.#closed) {
        throw new ProducerClosedError(
          `the producer was closed while waiting for metadata of "${topic}"`,
        );
      }
      if (known === undefined) this.#needNew = true;
      else this.#needFull = true;
      const updated = this.#updated;
      const wait = this.maybeRefresh(Date.now());
      await sleepUntil(updated, Math.min(remaining, wait), signal);
    }
  }

  #resetUpdated(): void {
    this.#updated = new Promise((resolve) => this.#signalUpdated = resolve);
  }

  /**
   * Starts a refresh. As Java's producer, it asks for the topics sends wait
   * for and that are not known yet ("new topics") on their own, and for the
   * others only when every topic is due (asked for, or `metadataMaxAgeMs`
   * old). Unlike Java, only the new topics may be created by the broker
   * (`allowAutoTopicCreation`): a known topic that was deleted stays deleted.
   */
  #refresh(): void {
    const nowMs = Date.now();
    for (const topic of this.#interest.expire(nowMs)) {
      this.#topics.delete(topic);
      this.#topicErrors.delete(topic);
    }
    const all = this.#needFull || nowMs >= this.#lastRefreshMs + this.#config.metadataMaxAgeMs;
    this.#needFull = this.#needNew = false;
    const fresh: string[] = [];
    const known: string[] = [];
    for (const [name, use] of this.#interest.entries()) {
      (use.waiting > 0 && !this.#topics.has(name) ? fresh : known).push(name);
    }
    const asks: MetadataAsk[] = [];
    if (fresh.length > 0) {
      asks.push({ topics: fresh, allowAutoTopicCreation: this.#config.allowAutoTopicCreation });
    }
    if (known.length > 0 && (all || fresh.length === 0)) {
      asks.push({ topics: known, allowAutoTopicCreation: false });
    }
    if (asks.length === 0) {
      this.#lastRefreshMs = nowMs;
      return;
    }
    this.#lastAttemptMs = nowMs;
    this.#refreshing = true;
    void this.#runRefresh(asks, all || fresh.length === 0 || known.length === 0);
  }

  /**
   * One refresh: its requests in turn. Settles every outcome itself, so its
   * promise never rejects.
   * @param complete whether the requests name every topic of interest.
   */
  async #runRefresh(asks: MetadataAsk[], complete: boolean): Promise<void> {
    const startedMs = performance.now();
    const topicErrors: Record<string, string> = {};
    let failure: KafkaClientError | null = null;
    try {
      for (const ask of asks) this.#apply(await this.#fetch(ask), topicErrors);
      this.#failures = 0;
      this.#lastError = null;
      if (complete) this.#lastRefreshMs = Date.now();
    } catch (error) {
      this.#failures++;
      this.#needFull = true;
      failure = error instanceof KafkaClientError
        ? error
        : new NetworkError("metadata request failed", { cause: error });
      this.#lastError = failure;
      this.#lastErrorMs = Date.now();
    } finally {
      this.#report(asks, startedMs, topicErrors, failure);
      const { retryBackoffMs, retryBackoffMaxMs } = this.#config;
      this.#refreshBackoffMs = this.#failures === 0
        ? retryBackoffMs
        : backoffMs(this.#failures, retryBackoffMs, retryBackoffMaxMs);
      this.#refreshing = false;
      const signal = this.#signalUpdated;
      this.#resetUpdated();
      signal();
      this.#onUpdate();
    }
  }

  /** Logs what went wrong in a refresh, and publishes it (`kafkats:metadata-refresh`). */
  #report(
    asks: readonly MetadataAsk[],
    startedMs: number,
    topicErrors: Record<string, string>,
    failure: KafkaClientError | null,
  ): void {
    const { logger, clientId } = this.#config;
    if (failure !== null) {
      log(logger, "warn", `metadata refresh failed: ${failure.message}`, {
        errorName: failure.name,
        failures: this.#failures,
      });
    }
    const refused = Object.keys(topicErrors);
    if (refused.length > 0) {
      // As Java's "Error while fetching metadata … : {topic=ERROR}".
      log(
        logger,
        "warn",
        `error while fetching metadata: {${
          refused.map((t) => `${t}=${topicErrors[t]}`).join(", ")
        }}`,
        { topicErrors: { ...topicErrors } },
      );
    }
    if (!metadataRefreshChannel.hasSubscribers) return;
    metadataRefreshChannel.publish({
      clientId,
      topics: asks.flatMap((a) => a.topics),
      durationMs: performance.now() - startedMs,
      topicErrors,
      errorName: failure === null ? null : errorName(failure),
      errorMessage: failure === null ? null : errorMessage(failure),
    });
  }

  /** One Metadata request, to the brokers in turn from the one after the last that failed. */
  #fetch(ask: MetadataAsk): Promise<MetadataResponse> {
    const request = {
      topics: ask.topics.map((name) => ({ name, topicId: null })),
      allowAutoTopicCreation: ask.allowAutoTopicCreation,
      includeTopicAuthorizedOperations: false,
    };
    return tryEachBroker(
      this.#pool,
      this.addresses(),
      "metadata",
      (connection) =>
        connection.request(
          MetadataApi,
          connection.versionFor(MetadataApi),
          request,
          this.#config.requestTimeoutMs,
        ),
      this.#nextBroker,
      () => this.#nextBroker++,
    );
  }

  /**
   * Takes in a response, all or nothing, skipping topics not asked for (any
   * more), as Java's `retainTopic` does.
   * @throws {ProtocolError} when a topic's partition indexes are not 0..n-1, each once.
   */
  #apply(response: MetadataResponse, topicErrors: Record<string, string>): void {
    const tables = new Map<string, PartitionTable>();
    for (const t of response.topics) {
      if (
        t.errorCode === ErrorCode.NONE && t.name !== null &&
        this.#interest.get(t.name) !== undefined
      ) {
        tables.set(t.name, partitionTable(t, this.#topics.get(t.name)?.partitions));
      }
    }
    if (response.brokers.length > 0) {
      this.#brokers.clear();
      for (const b of response.brokers) this.#brokers.set(b.nodeId, formatAddress(b));
    }
    for (const t of response.topics) {
      const use = t.name === null ? undefined : this.#interest.get(t.name);
      if (t.name === null || use === undefined) continue;
      const table = tables.get(t.name);
      if (table === undefined) {
        const error = kafkaError(t.errorCode, `metadata for topic "${t.name}"`);
        this.#topicErrors.set(t.name, error);
        topicErrors[t.name] = error.name;
        if (
          t.errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION ||
          FATAL_TOPIC_ERRORS.has(t.errorCode)
        ) this.#topics.delete(t.name);
        continue;
      }
      this.#topicErrors.delete(t.name);
      this.#topics.set(t.name, { name: t.name, topicId: t.topicId, use, ...table });
    }
  }
}

function sleepUntil(event: Promise<void>, ms: number, signal?: AbortSignal): Promise<void> {
  signal?.throwIfAborted();
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      resolve();
    };
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(done, Math.max(ms, 0));
    event.then(done);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
