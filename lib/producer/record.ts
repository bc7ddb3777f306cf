/**
 * What users send and get back, and the check that turns a
 * {@link ProducerRecord} into bytes before it reaches the accumulator.
 *
 * @module
 */
import { InvalidRecordError } from "../errors.ts";
import type { RecordHeaderBytes } from "../protocol/record_batch.ts";

/**
 * Record headers: an object (one value per key), or an array of
 * `[key, value]` pairs when a key repeats (Kafka allows that). Strings are
 * sent as UTF-8; `null` values only in the array form.
 */
export type RecordHeaders =
  | Readonly<Record<string, string | Uint8Array>>
  | ReadonlyArray<readonly [string, string | Uint8Array | null]>;

/** A record to send. */
export interface ProducerRecord {
  /** Topic to write to. */
  topic: string;
  /** The value; strings are sent as UTF-8, `null` for none (a tombstone). */
  value: Uint8Array | string | null;
  /** The key; strings are sent as UTF-8. Keyed records go to `murmur2(key) % partitions`. */
  key?: Uint8Array | string | null;
  /** Headers; see {@link RecordHeaders}. */
  headers?: RecordHeaders;
  /** Partition to write to; chosen by the partitioner when absent. */
  partition?: number;
  /** Create time in epoch milliseconds; `Date.now()` when absent. */
  timestamp?: number;
}

/** Where a record was written: the Java client's `RecordMetadata`. */
export interface RecordMetadata {
  /** The topic. */
  readonly topic: string;
  /** The partition. */
  readonly partition: number;
  /** The record's offset in the partition; `-1n` with `acks=0` or when unknown. */
  readonly offset: bigint;
  /** The record's timestamp: its create time, or the broker's log append time if the topic uses it. */
  readonly timestamp: number;
}

/** A record checked and turned into bytes. */
export interface EncodedRecord {
  /** The topic. */
  readonly topic: string;
  /** Explicit partition, or -1. */
  readonly partition: number;
  /** Create time in epoch ms. */
  readonly timestamp: number;
  /** Key bytes, or null. */
  readonly key: Uint8Array | null;
  /** Value bytes, or null. */
  readonly value: Uint8Array | null;
  /** Header bytes. */
  readonly headers: readonly RecordHeaderBytes[];
  /** The record as given (for a custom partitioner). */
  readonly source: ProducerRecord;
}

const encoder = new TextEncoder();
const NO_HEADERS: readonly RecordHeaderBytes[] = [];
const VALID_TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;
/** Largest timestamp Kafka's int64 field and JS dates both hold. */
const MAX_TIMESTAMP = 8.64e15;

/**
 * Checks `record` and encodes its key, value and headers.
 * @throws {InvalidRecordError} naming what is wrong.
 */
export function encodeRecord(record: ProducerRecord, nowMs: number): EncodedRecord {
  if (record === null || typeof record !== "object") {
    throw new InvalidRecordError(
      `a record must be an object, got ${record === null ? "null" : typeof record}`,
    );
  }
  const { topic } = record;
  if (topic !== lastValidTopic) checkTopic(topic);
  let partition = -1;
  if (record.partition !== undefined) {
    if (
      !Number.isInteger(record.partition) || record.partition < 0 || record.partition > 2147483647
    ) {
      throw new InvalidRecordError(
        `partition must be a non-negative integer, got ${String(record.partition)}`,
      );
    }
    partition = record.partition;
  }
  let timestamp = nowMs;
  if (record.timestamp !== undefined) {
    if (
      !Number.isInteger(record.timestamp) || record.timestamp < 0 ||
      record.timestamp > MAX_TIMESTAMP
    ) {
      throw new InvalidRecordError(
        `timestamp must be epoch milliseconds, an integer in 0..${MAX_TIMESTAMP}, got ${
          String(record.timestamp)
        }`,
      );
    }
    timestamp = record.timestamp;
  }
  if (record.value === undefined) {
    throw new InvalidRecordError(
      `record for topic "${topic}" has no value: pass null for a record without one`,
    );
  }
  return {
    topic,
    partition,
    timestamp,
    key: toBytes(record.key ?? null, "key"),
    value: toBytes(record.value, "value"),
    headers: record.headers === undefined ? NO_HEADERS : encodeHeaders(record.headers),
    source: record,
  };
}

/** The last topic name that passed {@link checkTopic} (most records go to one topic). */
let lastValidTopic = "";

function checkTopic(topic: unknown): void {
  if (typeof topic !== "string" || !VALID_TOPIC.test(topic) || topic === "." || topic === "..") {
    throw new InvalidRecordError(
      `invalid topic name ${
        JSON.stringify(topic)
      }: use 1 to 249 characters of a-z, A-Z, 0-9, '.', '_' and '-'`,
    );
  }
  lastValidTopic = topic;
}

/**
 * Checks the options of one `send` call and returns its signal.
 * @throws {InvalidRecordError} when the options are not an object or the
 * signal is not an `AbortSignal`.
 */
export function sendSignal(options: unknown): AbortSignal | undefined {
  if (options === undefined || options === null) return undefined;
  if (typeof options !== "object") {
    throw new InvalidRecordError(`send options must be an object, got ${describe(options)}`);
  }
  const signal = (options as { signal?: unknown }).signal;
  if (signal === undefined || signal === null) return undefined;
  if (signal instanceof AbortSignal) return signal;
  throw new InvalidRecordError(
    `send options: signal must be an AbortSignal, got ${describe(signal)}`,
  );
}

function toBytes(value: unknown, what: string): Uint8Array | null {
  if (value === null) return null;
  if (typeof value === "string") return encoder.encode(value);
  if (value instanceof Uint8Array) return value;
  throw new InvalidRecordError(
    `${what} must be a Uint8Array, a string or null, got ${describe(value)}`,
  );
}

function encodeHeaders(headers: RecordHeaders): RecordHeaderBytes[] {
  const out: RecordHeaderBytes[] = [];
  if (Array.isArray(headers)) {
    for (const pair of headers as ReadonlyArray<unknown>) {
      if (!Array.isArray(pair) || pair.length !== 2) {
        throw new InvalidRecordError("headers given as an array must hold [key, value] pairs");
      }
      out.push(header(pair[0], pair[1], true));
    }
  } else if (headers !== null && typeof headers === "object" && isPlainObject(headers)) {
    for (const key of Object.keys(headers)) {
      out.push(header(key, (headers as Record<string, unknown>)[key], false));
    }
  } else {
    throw new InvalidRecordError(
      `headers must be a plain object or an array of [key, value] pairs, got ${describe(headers)}`,
    );
  }
  return out;
}

/** An object literal (or `Object.create(null)`), not a Map, Headers, Date or other class instance. */
function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function header(key: unknown, value: unknown, allowNull: boolean): RecordHeaderBytes {
  if (typeof key !== "string") {
    throw new InvalidRecordError(`a header key must be a string, got ${describe(key)}`);
  }
  if (value === null && allowNull) return [encoder.encode(key), null];
  if (value === undefined || value === null) {
    throw new InvalidRecordError(
      `header "${key}" has value ${value}: use a string or Uint8Array${
        allowNull ? ", or null" : " (null only in the array form)"
      }`,
    );
  }
  return [encoder.encode(key), toBytes(value, `header "${key}" value`)];
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (typeof value === "object") return value.constructor?.name ?? "object";
  return typeof value;
}
