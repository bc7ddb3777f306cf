/**
 * The OpenTelemetry messaging semantic conventions the adapter follows
 * (`messaging.*`, `server.*`, `error.type`): attribute and metric names, and
 * the attributes of one send.
 *
 * @module
 */
import type { OtelAttributes as Attributes } from "./api.ts";
import { parseAddress } from "../net/address.ts";
import type { ProducerRecord } from "../producer/record.ts";

/** Attribute names of the messaging semantic conventions used here. */
export const ATTR = {
  system: "messaging.system",
  operationName: "messaging.operation.name",
  operationType: "messaging.operation.type",
  destinationName: "messaging.destination.name",
  partitionId: "messaging.destination.partition.id",
  messageKey: "messaging.kafka.message.key",
  tombstone: "messaging.kafka.message.tombstone",
  offset: "messaging.kafka.offset",
  clientId: "messaging.client.id",
  serverAddress: "server.address",
  serverPort: "server.port",
  errorType: "error.type",
} as const;

/** The histogram of send durations, in seconds. */
export const DURATION_METRIC = "messaging.client.operation.duration";
/** The counter of records sent (acknowledged or failed). */
export const SENT_METRIC = "messaging.client.sent.messages";
/** The semantic conventions' bucket boundaries for `messaging.client.operation.duration`, s. */
export const DURATION_BUCKETS: readonly number[] = [
  0.005,
  0.01,
  0.025,
  0.05,
  0.075,
  0.1,
  0.25,
  0.5,
  0.75,
  1,
  2.5,
  5,
  7.5,
  10,
];

const utf8 = new TextDecoder();

/** The span attributes known when `record` is sent (the partition may follow). */
export function spanAttributes(
  record: ProducerRecord,
  clientId: string | undefined,
  withKey: boolean,
): Attributes {
  const attributes: Attributes = {
    [ATTR.system]: "kafka",
    [ATTR.operationName]: "send",
    [ATTR.operationType]: "send",
    [ATTR.destinationName]: String(record.topic),
  };
  if (typeof record.partition === "number") attributes[ATTR.partitionId] = String(record.partition);
  if (clientId !== undefined) attributes[ATTR.clientId] = clientId;
  const key = record.key;
  if (withKey && key !== undefined && key !== null) {
    attributes[ATTR.messageKey] = typeof key === "string" ? key : utf8.decode(key);
  }
  if (record.value === null) attributes[ATTR.tombstone] = true;
  return attributes;
}

/**
 * The attributes that repeat from send to send, made once each: the
 * metrics' (no key, no client id: their number is bounded by topics ×
 * partitions × brokers × error types) and `server.*` per broker address.
 */
export class AttributeCache {
  #servers = new Map<string, Attributes>();
  #metrics = new Map<
    string,
    Map<number | undefined, Map<string | undefined, Map<string | undefined, MetricAttributes>>>
  >();

  /** `server.address` and `server.port` of a `host:port`, or none. */
  server(address: string | undefined): Attributes {
    if (address === undefined) return NONE;
    let attributes = this.#servers.get(address);
    if (attributes === undefined) {
      const parsed = parseAddress(address);
      attributes = parsed === null
        ? NONE
        : { [ATTR.serverAddress]: parsed.host, [ATTR.serverPort]: parsed.port };
      this.#servers.set(address, attributes);
    }
    return attributes;
  }

  /**
   * The attributes of the measurements of a send that ended: the duration
   * histogram's (with `messaging.operation.type`) and the sent-messages
   * counter's (without it). Looked up by value, level by level: the strings
   * are the producer's own (the record's topic, the metadata's address), so
   * no key is built per send.
   */
  metric(
    topic: string,
    partition: number | undefined,
    server: string | undefined,
    errorType: string | undefined,
  ): MetricAttributes {
    let byPartition = this.#metrics.get(topic);
    if (byPartition === undefined) this.#metrics.set(topic, byPartition = new Map());
    let byServer = byPartition.get(partition);
    if (byServer === undefined) byPartition.set(partition, byServer = new Map());
    let byError = byServer.get(server);
    if (byError === undefined) byServer.set(server, byError = new Map());
    let attributes = byError.get(errorType);
    if (attributes === undefined) {
      const counter: Attributes = {
        [ATTR.system]: "kafka",
        [ATTR.operationName]: "send",
        [ATTR.destinationName]: topic,
      };
      if (partition !== undefined) counter[ATTR.partitionId] = String(partition);
      Object.assign(counter, this.server(server));
      if (errorType !== undefined) counter[ATTR.errorType] = errorType;
      attributes = { counter, duration: { ...counter, [ATTR.operationType]: "send" } };
      byError.set(errorType, attributes);
    }
    return attributes;
  }
}

/** The attributes of the two measurements of one send. */
export interface MetricAttributes {
  /** For `messaging.client.operation.duration`. */
  readonly duration: Attributes;
  /** For `messaging.client.sent.messages`. */
  readonly counter: Attributes;
}

const NONE: Attributes = Object.freeze({});

/** `error.type` of a failure: the error's name (a class, or Kafka's error name), else `_OTHER`. */
export function errorType(error: unknown): string {
  return error instanceof Error && error.name !== "" ? error.name : "_OTHER";
}
