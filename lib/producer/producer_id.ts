/**
 * Getting a producer id for the idempotent producer: one InitProducerId at a
 * time to the brokers in turn, a backoff after each failure, and what a
 * refusal means — as Java's `TransactionManager.InitProducerIdHandler` and
 * `Sender.runOnce` treat it for a non-transactional producer:
 *
 * - a retriable error code (COORDINATOR_LOAD_IN_PROGRESS, NOT_COORDINATOR, …)
 *   or a network error: ask again after a backoff;
 * - CLUSTER_AUTHORIZATION_FAILED or TRANSACTIONAL_ID_AUTHORIZATION_FAILED:
 *   the records waiting for the id fail with it, and a later send asks again
 *   (Java aborts the batches and goes back to UNINITIALIZED; the ACLs may be
 *   fixed meanwhile);
 * - any other error code, or a broker without InitProducerId
 *   (UNSUPPORTED_VERSION): fatal, every waiting and later record fails with
 *   it (Java's FATAL_ERROR state) until the producer is closed.
 *
 * @module
 */
import { errorMessage, errorName } from "../diagnostics/describe_error.ts";
import { log } from "../diagnostics/logger.ts";
import { connectingCannotHelp, type KafkaClientError, type KafkaError } from "../errors.ts";
import type { Connection } from "../net/connection.ts";
import { tryEachBroker } from "../net/each_broker.ts";
import type { ConnectionPool } from "../net/pool.ts";
import { ErrorCode, errorCodeInfo, kafkaError } from "../protocol/error_codes.ts";
import { InitProducerId } from "../protocol/messages/init_producer_id.ts";
import { backoffMs } from "../util/backoff.ts";
import type { ProducerConfig } from "./config.ts";
import type { IdempotenceManager, ProducerIdAndEpoch } from "./idempotence.ts";
import type { ProducerMetadata } from "./metadata.ts";

const FAILED = "InitProducerId failed";

/** What the {@link ProducerIdManager} works with and reports to. */
export interface ProducerIdParts {
  /** Resolved options (`requestTimeoutMs`, the retry backoffs). */
  readonly config: ProducerConfig;
  /** The brokers to ask. */
  readonly metadata: ProducerMetadata;
  /** Connections to them. */
  readonly connections: ConnectionPool;
  /** Gets the producer id once a broker grants one. */
  readonly idempotence: IdempotenceManager;
  /**
   * A broker refused, or no broker could be reached in a way retrying cannot
   * help (authentication): the records waiting for the id fail with `error`.
   */
  readonly onRefused: (error: KafkaClientError) => void;
  /** A request ended, however (the sender looks again). */
  readonly onDone: () => void;
}

/**
 * Gets the idempotence manager its producer id: at most one InitProducerId
 * at a time, the next after a backoff when one fails, none any more after a
 * fatal refusal.
 */
export class ProducerIdManager {
  #parts: ProducerIdParts;
  #requesting = false;
  #failures = 0;
  #retryAtMs = 0;
  #fatal: KafkaError | null = null;

  /** Creates the manager; nothing is asked before {@link ProducerIdManager.maybeRequest}. */
  constructor(parts: ProducerIdParts) {
    this.#parts = parts;
  }

  /** Set once InitProducerId was refused for good: every record fails with it. */
  get fatalError(): KafkaError | null {
    return this.#fatal;
  }

  /**
   * Starts an InitProducerId unless one is on its way, the backoff after the
   * last failure still runs, or a refusal was fatal. Returns how long the
   * backoff still runs (≤ 0 when it does not).
   */
  maybeRequest(nowMs: number): number {
    if (!this.#requesting && this.#fatal === null && nowMs >= this.#retryAtMs) this.#request();
    return this.#retryAtMs - nowMs;
  }

  #request(): void {
    this.#requesting = true;
    const { config, metadata, connections, idempotence, onRefused, onDone } = this.#parts;
    requestProducerId(config, metadata, connections).then((outcome) => {
      if (outcome.kind === "granted") {
        idempotence.setProducerId(outcome.pid);
        this.#failures = 0;
        log(
          config.logger,
          "info",
          `ProducerId set to ${outcome.pid.producerId} with epoch ${outcome.pid.epoch}`,
          { producerId: String(outcome.pid.producerId), epoch: outcome.pid.epoch },
        );
        return;
      }
      this.#failures++;
      this.#retryAtMs = Date.now() +
        backoffMs(this.#failures, config.retryBackoffMs, config.retryBackoffMaxMs);
      log(
        config.logger,
        outcome.kind === "refused" ? "error" : "warn",
        `InitProducerId failed${outcome.kind === "refused" && outcome.fatal ? " for good" : ""}: ${
          errorMessage(outcome.error)
        }`,
        { errorName: errorName(outcome.error), failures: this.#failures },
      );
      if (outcome.kind === "refused") {
        if (outcome.fatal) this.#fatal = outcome.error as KafkaError;
        onRefused(outcome.error);
      }
    }).finally(() => {
      this.#requesting = false;
      onDone();
    });
  }
}

/** What asking for a producer id came to. */
type ProducerIdOutcome =
  /** A broker gave one. */
  | { readonly kind: "granted"; readonly pid: ProducerIdAndEpoch }
  /** None did, for a reason worth retrying (`error`: the last one). */
  | { readonly kind: "retry"; readonly error: unknown }
  /**
   * A broker refused for good: the records waiting for the id fail with
   * `error`; when `fatal`, every later record too.
   */
  | { readonly kind: "refused"; readonly error: KafkaClientError; readonly fatal: boolean };

/** Asks the known brokers, in turn, for a producer id. Never rejects. */
async function requestProducerId(
  config: ProducerConfig,
  metadata: ProducerMetadata,
  connections: ConnectionPool,
): Promise<ProducerIdOutcome> {
  try {
    return await tryEachBroker(
      connections,
      metadata.addresses(),
      "a producer id",
      (connection, address) => initProducerId(connection, address, config.requestTimeoutMs),
    );
  } catch (error) {
    // TLS or SASL refused us: the waiting records fail now; a later send tries again.
    if (connectingCannotHelp(error)) return { kind: "refused", error, fatal: false };
    return { kind: "retry", error };
  }
}

/**
 * InitProducerId to one broker: granted, or refused for good.
 * @throws a network error or retriable error code: the next broker is asked.
 */
async function initProducerId(
  connection: Connection,
  address: string,
  timeoutMs: number,
): Promise<ProducerIdOutcome> {
  let version: number;
  try {
    version = connection.versionFor(InitProducerId);
  } catch (error) {
    const cause = error as KafkaError;
    return refusal(cause.code, cause.message, cause);
  }
  const response = await connection.request(InitProducerId, version, {
    transactionalId: null,
    transactionTimeoutMs: 2147483647,
    producerId: -1n,
    producerEpoch: -1,
  }, timeoutMs);
  if (response.errorCode === ErrorCode.NONE) {
    return {
      kind: "granted",
      pid: { producerId: response.producerId, epoch: response.producerEpoch },
    };
  }
  const from = `from broker ${address}`;
  if (!errorCodeInfo(response.errorCode).retriable) return refusal(response.errorCode, from);
  throw kafkaError(response.errorCode, FAILED, from);
}

/** The refusal of `code`; `detail` says where it came from, `cause` what it was (if an error). */
function refusal(code: number, detail: string, cause?: KafkaError): ProducerIdOutcome {
  const authorization = code === ErrorCode.CLUSTER_AUTHORIZATION_FAILED ||
    code === ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
  const consequence = authorization
    ? "the producer is not authorized to write idempotently (IdempotentWrite on the cluster); the records waiting for a producer id fail, the next send asks again"
    : "the idempotent producer cannot get a producer id and can no longer send; close it";
  return {
    kind: "refused",
    error: kafkaError(code, FAILED, `${detail}; ${consequence}`, cause && { cause }),
    fatal: !authorization,
  };
}
