/**
 * The producer's events on named `node:diagnostics_channel` channels (Deno,
 * Bun, Node, and workerd with `nodejs_compat` have the module). Publishing
 * costs one `hasSubscribers` check when nobody listens: every publisher
 * checks it before building its message.
 *
 * @module
 */
import { channel, subscribe as subscribeChannel, unsubscribe } from "node:diagnostics_channel";
import type {
  AuthenticationEvent,
  BatchExpiredEvent,
  ConnectEvent,
  DisconnectEvent,
  EpochBumpEvent,
  MetadataRefreshEvent,
  RequestEvent,
  ResponseEvent,
  RetryEvent,
  TransactionEvent,
} from "./events.ts";

/**
 * The name of every channel the producer publishes on, by event. Subscribe
 * with {@link subscribe}, or with `node:diagnostics_channel`'s own
 * `subscribe(name, listener)`.
 *
 * @example Print every connection the producers of this process open
 * ```ts
 * import { subscribe as dcSubscribe } from "node:diagnostics_channel";
 * import { channels, type ConnectEvent } from "@kafkats/producer";
 *
 * dcSubscribe(channels.connect, (message) => {
 *   const event = message as ConnectEvent;
 *   console.log(`${event.clientId} → ${event.broker}: ${event.errorName ?? "connected"}`);
 * });
 * ```
 */
export const channels = {
  /** {@link ConnectEvent}. */
  connect: "kafkats:connect",
  /** {@link DisconnectEvent}. */
  disconnect: "kafkats:disconnect",
  /** {@link RequestEvent}. */
  request: "kafkats:request",
  /** {@link ResponseEvent}. */
  response: "kafkats:response",
  /** {@link AuthenticationEvent}. */
  authentication: "kafkats:authentication",
  /** {@link RetryEvent}. */
  retry: "kafkats:retry",
  /** {@link BatchExpiredEvent}. */
  batchExpired: "kafkats:batch-expired",
  /** {@link EpochBumpEvent}. */
  epochBump: "kafkats:epoch-bump",
  /** {@link MetadataRefreshEvent}. */
  metadataRefresh: "kafkats:metadata-refresh",
  /** {@link TransactionEvent}, from `beginTransaction()`. */
  transactionBegin: "kafkats:transaction-begin",
  /** {@link TransactionEvent}, from `commitTransaction()`. */
  transactionCommit: "kafkats:transaction-commit",
  /** {@link TransactionEvent}, from `abortTransaction()`. */
  transactionAbort: "kafkats:transaction-abort",
} as const;

/** Each channel's name and the type of its messages. */
export interface ProducerEvents {
  /** See {@link ConnectEvent}. */
  "kafkats:connect": ConnectEvent;
  /** See {@link DisconnectEvent}. */
  "kafkats:disconnect": DisconnectEvent;
  /** See {@link RequestEvent}. */
  "kafkats:request": RequestEvent;
  /** See {@link ResponseEvent}. */
  "kafkats:response": ResponseEvent;
  /** See {@link AuthenticationEvent}. */
  "kafkats:authentication": AuthenticationEvent;
  /** See {@link RetryEvent}. */
  "kafkats:retry": RetryEvent;
  /** See {@link BatchExpiredEvent}. */
  "kafkats:batch-expired": BatchExpiredEvent;
  /** See {@link EpochBumpEvent}. */
  "kafkats:epoch-bump": EpochBumpEvent;
  /** See {@link MetadataRefreshEvent}. */
  "kafkats:metadata-refresh": MetadataRefreshEvent;
  /** See {@link TransactionEvent}. */
  "kafkats:transaction-begin": TransactionEvent;
  /** See {@link TransactionEvent}. */
  "kafkats:transaction-commit": TransactionEvent;
  /** See {@link TransactionEvent}. */
  "kafkats:transaction-abort": TransactionEvent;
}

/** A channel name of {@link ProducerEvents}. */
export type ProducerEventName = keyof ProducerEvents;

/**
 * Calls `listener` with every message published on channel `name` by any
 * producer of this process, until the returned function is called. A
 * listener that throws does not disturb the producer (diagnostics_channel
 * reports the error on the next tick).
 *
 * @example Count retries per topic
 * ```ts
 * import { channels, subscribe } from "@kafkats/producer";
 *
 * const retries = new Map<string, number>();
 * const stop = subscribe(channels.retry, (event) => {
 *   retries.set(event.topic, (retries.get(event.topic) ?? 0) + 1);
 * });
 * // … later
 * stop();
 * ```
 */
export function subscribe<K extends ProducerEventName>(
  name: K,
  listener: (message: ProducerEvents[K]) => void,
): () => void {
  const fn = listener as (message: unknown, name: string | symbol) => void;
  subscribeChannel(name, fn);
  return () => {
    unsubscribe(name, fn);
  };
}

/** What a publisher needs of a channel: whether anyone listens, and publishing. */
export interface EventChannel<T> {
  /** Whether the channel has a subscriber: check it before building a message. */
  readonly hasSubscribers: boolean;
  /** Sends `message` to every subscriber, synchronously. */
  publish(message: T): void;
}

/** The channel of `name`, typed by its message. */
function typed<K extends ProducerEventName>(name: K): EventChannel<ProducerEvents[K]> {
  return channel(name);
}

/** `kafkats:connect`. */
export const connectChannel: EventChannel<ConnectEvent> = typed(channels.connect);
/** `kafkats:disconnect`. */
export const disconnectChannel: EventChannel<DisconnectEvent> = typed(channels.disconnect);
/** `kafkats:request`. */
export const requestChannel: EventChannel<RequestEvent> = typed(channels.request);
/** `kafkats:response`. */
export const responseChannel: EventChannel<ResponseEvent> = typed(channels.response);
/** `kafkats:authentication`. */
export const authenticationChannel: EventChannel<AuthenticationEvent> = typed(
  channels.authentication,
);
/** `kafkats:retry`. */
export const retryChannel: EventChannel<RetryEvent> = typed(channels.retry);
/** `kafkats:batch-expired`. */
export const batchExpiredChannel: EventChannel<BatchExpiredEvent> = typed(channels.batchExpired);
/** `kafkats:epoch-bump`. */
export const epochBumpChannel: EventChannel<EpochBumpEvent> = typed(channels.epochBump);
/** `kafkats:metadata-refresh`. */
export const metadataRefreshChannel: EventChannel<MetadataRefreshEvent> = typed(
  channels.metadataRefresh,
);
/** `kafkats:transaction-begin`. */
export const transactionBeginChannel: EventChannel<TransactionEvent> = typed(
  channels.transactionBegin,
);
/** `kafkats:transaction-commit`. */
export const transactionCommitChannel: EventChannel<TransactionEvent> = typed(
  channels.transactionCommit,
);
/** `kafkats:transaction-abort`. */
export const transactionAbortChannel: EventChannel<TransactionEvent> = typed(
  channels.transactionAbort,
);
