/**
 * Finding coordinators: the broker that runs a transactional id's
 * transaction (key type TRANSACTION) or a consumer group's offsets (GROUP),
 * asked of any broker with FindCoordinator and remembered until a request
 * says it moved.
 *
 * @module
 */
import { tryEachBroker } from "../net/each_broker.ts";
import type { ConnectionPool } from "../net/pool.ts";
import { formatAddress } from "../net/address.ts";
import { ErrorCode, kafkaError } from "../protocol/error_codes.ts";
import { CoordinatorType, FindCoordinator } from "../protocol/messages/find_coordinator.ts";
import type { ProducerMetadata } from "./metadata.ts";

/** The key types a producer looks up: a group's or a transactional id's coordinator. */
export type KeyType = typeof CoordinatorType.Group | typeof CoordinatorType.Transaction;

/** Where each coordinator was last found. */
export class CoordinatorCache {
  #connections: ConnectionPool;
  #metadata: ProducerMetadata;
  #timeoutMs: number;
  #known = new Map<string, string>();

  /** Creates the cache; `timeoutMs` bounds each FindCoordinator request. */
  constructor(connections: ConnectionPool, metadata: ProducerMetadata, timeoutMs: number) {
    this.#connections = connections;
    this.#metadata = metadata;
    this.#timeoutMs = timeoutMs;
  }

  /**
   * The address (`host:port`) of the coordinator of `key`, asking the brokers
   * in turn when it is not known.
   * @throws {KafkaError} the broker's error code (retriable ones too: the
   * caller retries), or the last network error.
   */
  async find(type: KeyType, key: string): Promise<string> {
    const known = this.#known.get(cacheKey(type, key));
    if (known !== undefined) return known;
    const address = await tryEachBroker(
      this.#connections,
      this.#metadata.addresses(),
      "a coordinator",
      async (connection) => {
        const version = connection.versionFor(FindCoordinator);
        const response = await connection.request(
          FindCoordinator,
          version,
          version >= 4 ? { keyType: type, coordinatorKeys: [key] } : { key, keyType: type },
          this.#timeoutMs,
        );
        const found = version >= 4 ? response.coordinators[0] : response;
        if (found === undefined) {
          throw kafkaError(
            ErrorCode.COORDINATOR_NOT_AVAILABLE,
            "FindCoordinator failed",
            "empty answer",
          );
        }
        if (found.errorCode !== ErrorCode.NONE) {
          throw kafkaError(
            found.errorCode,
            `FindCoordinator for ${
              type === CoordinatorType.Group ? "group" : "transactional id"
            } "${key}" failed`,
            found.errorMessage ?? "",
          );
        }
        return formatAddress({ host: found.host, port: found.port });
      },
    );
    this.#known.set(cacheKey(type, key), address);
    return address;
  }

  /** Forgets where the coordinator of `key` is (it moved, or its broker is unreachable). */
  invalidate(type: KeyType, key: string): void {
    this.#known.delete(cacheKey(type, key));
  }
}

function cacheKey(type: KeyType, key: string): string {
  return `${type}\u0000${key}`;
}
