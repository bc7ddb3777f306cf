/**
 * Getting a producer id for the idempotent producer: InitProducerId to the
 * brokers in turn, and what a refusal means — as Java's
 * `TransactionManager.InitProducerIdHandler` and `Sender.runOnce` treat it
 * for a non-transactional producer:
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
import { KafkaError, NetworkError } from "../errors.ts";
import type { ConnectionPool } from "../net/pool.ts";
import { errorCodeInfo } from "../protocol/error_codes.ts";
import { InitProducerId } from "../protocol/messages/init_producer_id.ts";
import type { ProducerConfig } from "./config.ts";
import type { ProducerIdAndEpoch } from "./idempotence.ts";
import type { ProducerMetadata } from "./metadata.ts";

const CLUSTER_AUTHORIZATION_FAILED = 31;
const TRANSACTIONAL_ID_AUTHORIZATION_FAILED = 53;

/** What asking for a producer id came to. */
export type ProducerIdOutcome =
  /** A broker gave one. */
  | { readonly kind: "granted"; readonly pid: ProducerIdAndEpoch }
  /** None did, for a reason worth retrying (`error`: the last one). */
  | { readonly kind: "retry"; readonly error: unknown }
  /**
   * A broker refused for good: the records waiting for the id fail with
   * `error`; when `fatal`, every later record too.
   */
  | { readonly kind: "refused"; readonly error: KafkaError; readonly fatal: boolean };

/** Asks the known brokers, in turn, for a producer id. Never rejects. */
export async function requestProducerId(
  config: ProducerConfig,
  metadata: ProducerMetadata,
  connections: ConnectionPool,
): Promise<ProducerIdOutcome> {
  let lastError: unknown = new NetworkError("no broker to ask for a producer id");
  for (const address of metadata.addresses()) {
    let connection;
    try {
      connection = await connections.get(address);
    } catch (error) {
      lastError = error;
      continue;
    }
    let version: number;
    try {
      version = connection.versionFor(InitProducerId);
    } catch (error) {
      return refusal(error as KafkaError);
    }
    let response;
    try {
      response = await connection.request(
        InitProducerId,
        version,
        {
          transactionalId: null,
          transactionTimeoutMs: 2147483647,
          producerId: -1n,
          producerEpoch: -1,
        },
        config.requestTimeoutMs,
      );
    } catch (error) {
      lastError = error;
      continue;
    }
    if (response.errorCode === 0) {
      return {
        kind: "granted",
        pid: { producerId: response.producerId, epoch: response.producerEpoch },
      };
    }
    const info = errorCodeInfo(response.errorCode);
    const error = new KafkaError(
      info.code,
      info.name,
      info.retriable,
      `InitProducerId failed: ${info.name} from broker ${address}`,
    );
    if (!info.retriable) return refusal(error);
    lastError = error;
  }
  return { kind: "retry", error: lastError };
}

function refusal(cause: KafkaError): ProducerIdOutcome {
  const authorization = cause.code === CLUSTER_AUTHORIZATION_FAILED ||
    cause.code === TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
  const message = authorization
    ? `${cause.message}: the producer is not authorized to write idempotently (IdempotentWrite on the cluster); the records waiting for a producer id fail, the next send asks again`
    : `${cause.message}: the idempotent producer cannot get a producer id and can no longer send; close it`;
  return {
    kind: "refused",
    error: new KafkaError(cause.code, cause.name, false, message, { cause }),
    fatal: !authorization,
  };
}
