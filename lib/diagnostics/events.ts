/**
 * The messages the producer publishes on its `node:diagnostics_channel`
 * channels (see `channels.ts`): one small object per event, built only when
 * the channel has a subscriber. They carry names, addresses, counts and
 * durations — never a password, token, key or SASL bytes, nor record
 * contents.
 *
 * @module
 */

/** What every event carries. */
export interface ProducerEventBase {
  /** The producer's `clientId`. */
  readonly clientId: string;
}

/** Why an operation failed: the error's name and message, or null for both on success. */
export interface EventError {
  /**
   * The error's `name`: the class (`NetworkError`, `TimeoutError`,
   * `SaslAuthenticationError`, …), or Kafka's error name for a
   * `KafkaError` (`NOT_LEADER_OR_FOLLOWER`); null on success.
   */
  readonly errorName: string | null;
  /** The error's message (it names brokers and causes, never credentials); null on success. */
  readonly errorMessage: string | null;
}

/**
 * `kafkats:connect`: a connection attempt ended, opened (TCP, TLS,
 * ApiVersions and SASL done) or failed.
 */
export interface ConnectEvent extends ProducerEventBase, EventError {
  /** `host:port` of the broker. */
  readonly broker: string;
  /** From the start of the TCP connect to the end of authentication (or the failure), ms. */
  readonly durationMs: number;
  /** Whether the connection uses TLS. */
  readonly tls: boolean;
  /** The SASL mechanism (`"SCRAM-SHA-512"` …), or null without SASL. */
  readonly saslMechanism: string | null;
}

/** `kafkats:disconnect`: an open connection closed. */
export interface DisconnectEvent extends ProducerEventBase, EventError {
  /** `host:port` of the broker. */
  readonly broker: string;
  /** How long the connection was open, ms. */
  readonly connectedMs: number;
  /** Requests that were still unanswered (they fail with the same error). */
  readonly inFlightRequests: number;
}

/** `kafkats:request`: a request was queued on a connection. */
export interface RequestEvent extends ProducerEventBase {
  /** `host:port` of the broker. */
  readonly broker: string;
  /** The API's name as in Kafka's schemas (`"Produce"`, `"Metadata"`, …). */
  readonly apiName: string;
  /** The API key. */
  readonly apiKey: number;
  /** The version used. */
  readonly apiVersion: number;
  /** The request's correlation id (unique on the connection). */
  readonly correlationId: number;
  /** False for a request the broker does not answer (Produce with `acks=0`). */
  readonly expectResponse: boolean;
}

/**
 * `kafkats:response`: a request published on `kafkats:request` was
 * answered, or failed (timeout, connection closed). Only for requests
 * queued while this channel had a subscriber (their start time is taken
 * then); none for `acks=0` Produce requests.
 */
export interface ResponseEvent extends ProducerEventBase, EventError {
  /** `host:port` of the broker. */
  readonly broker: string;
  /** See {@link RequestEvent.apiName}. */
  readonly apiName: string;
  /** See {@link RequestEvent.apiKey}. */
  readonly apiKey: number;
  /** See {@link RequestEvent.apiVersion}. */
  readonly apiVersion: number;
  /** See {@link RequestEvent.correlationId}. */
  readonly correlationId: number;
  /** From queueing the request to its response (or failure), ms. */
  readonly durationMs: number;
}

/** `kafkats:authentication`: a SASL authentication or re-authentication (KIP-368) ended. */
export interface AuthenticationEvent extends ProducerEventBase, EventError {
  /** `host:port` of the broker. */
  readonly broker: string;
  /** The SASL mechanism. */
  readonly mechanism: string;
  /** True for a re-authentication of an open connection. */
  readonly reauthentication: boolean;
  /** From SaslHandshake to the last SaslAuthenticate answer, ms. */
  readonly durationMs: number;
  /** The session's lifetime the broker gave (0: none); 0 on failure. */
  readonly sessionLifetimeMs: number;
}

/** `kafkats:retry`: a batch failed with a retriable error and is queued again. */
export interface RetryEvent extends ProducerEventBase, EventError {
  /** The batch's topic. */
  readonly topic: string;
  /** The batch's partition. */
  readonly partition: number;
  /** Records in the batch. */
  readonly recordCount: number;
  /** Which attempt failed (1 for the first send). */
  readonly attempt: number;
  /** How long it waits before the next attempt, ms. */
  readonly backoffMs: number;
}

/**
 * `kafkats:batch-expired`: a batch's records fail with `TimeoutError`
 * after `deliveryTimeoutMs`, while queued or after a retriable error.
 */
export interface BatchExpiredEvent extends ProducerEventBase, EventError {
  /** The batch's topic. */
  readonly topic: string;
  /** The batch's partition. */
  readonly partition: number;
  /** Records in the batch. */
  readonly recordCount: number;
  /** Times it was sent. */
  readonly attempts: number;
  /** Since the batch was created, ms. */
  readonly ageMs: number;
}

/**
 * `kafkats:epoch-bump`: the producer epoch changed. `reason` says why:
 * `"sequence"`, an idempotent producer's local bump after a batch failed
 * with sequence numbers (KIP-360); `"abort"`, a transactional producer's
 * InitProducerId after an abort with failed batches (Transactions V1);
 * `"transaction"`, the new epoch every EndTxn gives in Transactions V2.
 */
export interface EpochBumpEvent extends ProducerEventBase {
  /** The producer's `transactionalId`, or null. */
  readonly transactionalId: string | null;
  /** The producer id (the same, or a new one once the epoch is exhausted). */
  readonly producerId: bigint;
  /** The new epoch. */
  readonly epoch: number;
  /** See above. */
  readonly reason: "sequence" | "abort" | "transaction";
}

/** `kafkats:metadata-refresh`: a metadata refresh ended. */
export interface MetadataRefreshEvent extends ProducerEventBase, EventError {
  /** The topics asked for. */
  readonly topics: readonly string[];
  /** From the first Metadata request to the last answer (or the failure), ms. */
  readonly durationMs: number;
  /** Topics the answers refused (name → Kafka error name, e.g. `UNKNOWN_TOPIC_OR_PARTITION`). */
  readonly topicErrors: Readonly<Record<string, string>>;
}

/**
 * `kafkats:transaction-begin`, `kafkats:transaction-commit` and
 * `kafkats:transaction-abort`: `beginTransaction()` opened a transaction,
 * `commitTransaction()` or `abortTransaction()` ended (committed or
 * aborted, or failed: see the error fields).
 */
export interface TransactionEvent extends ProducerEventBase, EventError {
  /** The producer's `transactionalId`. */
  readonly transactionalId: string;
  /** The producer id the transaction was written with. */
  readonly producerId: bigint;
  /** Its epoch. */
  readonly epoch: number;
  /** How long the call took (0 for begin), ms. */
  readonly durationMs: number;
}
