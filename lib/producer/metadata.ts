/**
 * ProducerMetadata: brokers and partition leaders of the topics in use,
 * refreshed when asked (unknown topic, leader errors), when older than
 * `metadataMaxAgeMs`, and patched by KIP-951 leader hints.
 *
 * @module
 */
import {
  InvalidRecordError,
  KafkaClientError,
  KafkaError,
  NetworkError,
  ProducerClosedError,
  ProtocolError,
  TimeoutError,
} from "../errors.ts";
import type { ConnectionPool } from "../net/pool.ts";
import { errorCodeInfo } from "../protocol/error_codes.ts";
import { Metadata as MetadataApi, type MetadataResponse } from "../protocol/metadata.ts";
import type { LeaderLookup } from "./accumulator.ts";
import type { ProducerConfig } from "./config.ts";

/** Leader of one partition. */
export interface PartitionLeader {
  /** Node id of the leader, -1 when there is none. */
  leader: number;
  /** The leader's epoch, -1 when unknown. */
  leaderEpoch: number;
}

/** What the producer knows of one topic. */
export interface TopicMetadata {
  /** Topic name. */
  readonly name: string;
  /** Topic id (Metadata v10+), or null. */
  readonly topicId: Uint8Array | null;
  /** Leader per partition index. */
  readonly partitions: PartitionLeader[];
  /** Indexes of the partitions that have a leader. */
  available: number[];
}

/** Codes that mean "the topic cannot be used", not "wait for it". */
const FATAL_TOPIC_ERRORS = new Set([17, 29]);

/** The producer's view of the cluster. */
export class ProducerMetadata implements LeaderLookup {
  #config: ProducerConfig;
  #pool: ConnectionPool;
  #onUpdate: () => void;
  #brokers = new Map<number, string>();
  #topics = new Map<string, TopicMetadata>();
  #topicErrors = new Map<string, KafkaError>();
  #interest = new Set<string>();
  #lastRefreshMs = 0;
  #lastAttemptMs = 0;
  #failures = 0;
  #needUpdate = true;
  #refreshing: Promise<void> | null = null;
  #lastError: KafkaClientError | null = null;
  #updated!: Promise<void>;
  #signalUpdated!: () => void;
  #nextBroker = 0;
  #closed = false;
  /** Counts the metadata responses applied. */
  #version = 0;

  /**
   * @param onUpdate called after every refresh attempt (the sender may now
   * know a leader it waited for).
   */
  constructor(config: ProducerConfig, pool: ConnectionPool, onUpdate: () => void) {
    this.#config = config;
    this.#pool = pool;
    this.#onUpdate = onUpdate;
    this.#resetUpdated();
  }

  /** Node id of the partition's leader, or -1. */
  leaderFor(topic: string, partition: number): number {
    return this.#topics.get(topic)?.partitions[partition]?.leader ?? -1;
  }

  /** Metadata of `topic` if known. */
  topic(name: string): TopicMetadata | undefined {
    return this.#topics.get(name);
  }

  /** `host:port` of broker `nodeId`, if known. */
  address(nodeId: number): string | undefined {
    return this.#brokers.get(nodeId);
  }

  /** Every address worth trying for a cluster-wide request, known brokers first. */
  addresses(): string[] {
    const known = [...this.#brokers.values()];
    const bootstrap = this.#config.bootstrapServers.map(({ host, port }) =>
      host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`
    );
    return [...new Set([...known, ...bootstrap])];
  }

  /** Asks for a refresh at the next opportunity. */
  requestUpdate(): void {
    this.#needUpdate = true;
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
    for (const e of endpoints) this.#brokers.set(e.nodeId, `${e.host}:${e.port}`);
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
    const backoff = this.#backoffMs();
    const dueAt = this.#needUpdate
      ? this.#lastAttemptMs + backoff
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
   * @throws {ProtocolError} at once when the last refresh failed in a way
   * retrying cannot fix (a listener that speaks TLS).
   * @throws {InvalidRecordError} when the topic is invalid or `partition`
   * is out of range after a refresh.
   */
  async waitForTopic(
    topic: string,
    deadlineMs: number,
    signal?: AbortSignal,
    partition = -1,
  ): Promise<TopicMetadata> {
    this.#interest.add(topic);
    const startVersion = this.#version;
    for (;;) {
      const known = this.#topics.get(topic);
      const count = known?.partitions.length ?? 0;
      if (count > 0 && partition < count) return known!;
      if (count > 0 && this.#version !== startVersion) {
        throw new InvalidRecordError(
          `partition ${partition} is out of range: topic "${topic}" has ${count} partition(s)`,
        );
      }
      const error = this.#topicErrors.get(topic);
      if (error !== undefined && FATAL_TOPIC_ERRORS.has(error.code)) {
        if (error.code === 17) {
          throw new InvalidRecordError(`invalid topic "${topic}": ${error.message}`, {
            cause: error,
          });
        }
        throw error;
      }
      const last = this.#lastError;
      if (last instanceof ProtocolError && !last.retriable) throw last; // e.g. a TLS listener
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
      this.#needUpdate = true;
      const updated = this.#updated;
      const wait = this.maybeRefresh(Date.now());
      await sleepUntil(updated, Math.min(remaining, wait), signal);
    }
  }

  /** Stops refreshing. */
  close(): void {
    this.#closed = true;
    this.#signalUpdated();
  }

  #backoffMs(): number {
    if (this.#failures === 0) return this.#lastAttemptMs === 0 ? 0 : this.#config.retryBackoffMs;
    return Math.min(
      this.#config.retryBackoffMs * 2 ** (this.#failures - 1),
      this.#config.retryBackoffMaxMs,
    );
  }

  #resetUpdated(): void {
    this.#updated = new Promise((resolve) => this.#signalUpdated = resolve);
  }

  #refresh(): void {
    this.#needUpdate = false;
    this.#lastAttemptMs = Date.now();
    this.#refreshing = this.#fetch().then(
      (response) => {
        this.#apply(response);
        this.#failures = 0;
        this.#lastError = null;
        this.#lastRefreshMs = Date.now();
      },
      (error) => {
        this.#failures++;
        this.#needUpdate = true;
        this.#lastError = error instanceof KafkaClientError
          ? error
          : new NetworkError("metadata request failed", { cause: error });
      },
    ).finally(() => {
      this.#refreshing = null;
      const signal = this.#signalUpdated;
      this.#resetUpdated();
      signal();
      this.#onUpdate();
    });
  }

  async #fetch(): Promise<MetadataResponse> {
    const addresses = this.addresses();
    let lastError: unknown = null;
    for (let i = 0; i < addresses.length; i++) {
      const address = addresses[(this.#nextBroker + i) % addresses.length];
      try {
        const connection = await this.#pool.get(address);
        const version = connection.versionFor(MetadataApi);
        const topics = [...this.#interest].map((name) => ({ name, topicId: null }));
        const response = await connection.request(MetadataApi, version, {
          topics,
          allowAutoTopicCreation: this.#config.allowAutoTopicCreation,
          includeTopicAuthorizedOperations: false,
        }, this.#config.requestTimeoutMs);
        return response;
      } catch (error) {
        lastError = error;
        this.#nextBroker++;
      }
    }
    throw lastError ?? new NetworkError("no broker to ask for metadata");
  }

  #apply(response: MetadataResponse): void {
    this.#version++;
    if (response.brokers.length > 0) {
      this.#brokers.clear();
      for (const b of response.brokers) this.#brokers.set(b.nodeId, `${b.host}:${b.port}`);
    }
    for (const t of response.topics) {
      if (t.name === null) continue;
      if (t.errorCode !== 0) {
        const info = errorCodeInfo(t.errorCode);
        this.#topicErrors.set(
          t.name,
          new KafkaError(
            info.code,
            info.name,
            info.retriable,
            `metadata for topic "${t.name}": ${info.name}`,
          ),
        );
        if (t.errorCode === 3 || FATAL_TOPIC_ERRORS.has(t.errorCode)) this.#topics.delete(t.name);
        continue;
      }
      this.#topicErrors.delete(t.name);
      const previous = this.#topics.get(t.name);
      const partitions: PartitionLeader[] = [];
      for (const p of t.partitions) {
        const old = previous?.partitions[p.partitionIndex];
        const leaderEpoch = p.leaderEpoch ?? -1;
        partitions[p.partitionIndex] =
          old !== undefined && old.leaderEpoch > leaderEpoch && old.leader >= 0
            ? old
            : { leader: p.errorCode === 0 || p.leaderId >= 0 ? p.leaderId : -1, leaderEpoch };
      }
      for (let i = 0; i < partitions.length; i++) {
        partitions[i] ??= { leader: -1, leaderEpoch: -1 };
      }
      const available: number[] = [];
      for (let i = 0; i < partitions.length; i++) if (partitions[i].leader >= 0) available.push(i);
      this.#topics.set(t.name, { name: t.name, topicId: t.topicId, partitions, available });
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
