/**
 * CreateTopics (key 19), versions 2–7; flexible from 5. Used by test and
 * benchmark helpers to create topics.
 *
 * Request: topics[] { name, num_partitions int32, replication_factor int16,
 * assignments[] { partition_index, broker_ids[] }, configs[] { name, value
 * (nullable) } }, timeout_ms int32, validate_only bool.
 *
 * Response: throttle_time_ms, topics[] { name, topic_id (v7+), error_code,
 * error_message (nullable), num_partitions (v5+), replication_factor (v5+),
 * configs[] (v5+, nullable) { name, value, read_only, config_source,
 * is_sensitive }, tag 0 topic_config_error_code (v5+) }.
 *
 * @module
 */

import { type ApiCodec, ApiKey } from "./api.ts";
import {
  readArray,
  readNullableString,
  readString,
  skipTaggedFields,
  writeNoTaggedFields,
  writeString,
} from "./fields.ts";
import type { Reader } from "./reader.ts";
import { isZeroUuid } from "./uuid.ts";
import type { Writer } from "./writer.ts";

/** A topic configuration entry. */
export interface CreateTopicsConfig {
  /** Config name, e.g. `"min.insync.replicas"`. */
  name: string;
  /** Config value, or null. */
  value: string | null;
}

/** A manual replica assignment for one partition. */
export interface CreateTopicsAssignment {
  /** Partition index. */
  partitionIndex: number;
  /** Brokers to place the replicas on. */
  brokerIds: number[];
}

/** One topic to create. */
export interface CreateTopicsTopic {
  /** Topic name. */
  name: string;
  /** Partition count, or -1 for the broker default (or with `assignments`). */
  numPartitions: number;
  /** Replication factor, or -1 for the broker default (or with `assignments`). */
  replicationFactor: number;
  /** Manual assignment; default none. */
  assignments?: CreateTopicsAssignment[];
  /** Topic configs; default none. */
  configs?: CreateTopicsConfig[];
}

/** CreateTopics request. */
export interface CreateTopicsRequest {
  /** Topics to create. */
  topics: CreateTopicsTopic[];
  /** How long the controller may take, in ms. */
  timeoutMs: number;
  /** Only validate, create nothing. */
  validateOnly: boolean;
}

/** A config of a created topic (v5+). */
export interface CreateTopicsResultConfig {
  /** Config name. */
  name: string;
  /** Config value, or null. */
  value: string | null;
  /** Whether it is read-only. */
  readOnly: boolean;
  /** Config source (Kafka's `ConfigSource` id; -1 unknown). */
  configSource: number;
  /** Whether it is sensitive. */
  isSensitive: boolean;
}

/** One topic's result. */
export interface CreateTopicsResultTopic {
  /** Topic name. */
  name: string;
  /** Topic id (v7+ on success), else null. */
  topicId: Uint8Array | null;
  /** Error code (0 = created; 36 = already exists). */
  errorCode: number;
  /** Error message, or null. */
  errorMessage: string | null;
  /** Partition count (v5+; -1 before). */
  numPartitions: number;
  /** Replication factor (v5+; -1 before). */
  replicationFactor: number;
  /** Topic configs (v5+; null when not returned). */
  configs: CreateTopicsResultConfig[] | null;
  /** Error reading the configs (v5+ tag 0), 0 if none. */
  topicConfigErrorCode: number;
}

/** CreateTopics response. */
export interface CreateTopicsResponse {
  /** Throttle time in ms. */
  throttleTimeMs: number;
  /** Per-topic results. */
  topics: CreateTopicsResultTopic[];
}

const FLEXIBLE_FROM = 5;

function decodeConfig(r: Reader): CreateTopicsResultConfig {
  const c: CreateTopicsResultConfig = {
    name: readString(r, true, "configs.name"),
    value: r.compactString(),
    readOnly: r.bool(),
    configSource: r.int8(),
    isSensitive: r.bool(),
  };
  r.taggedFields();
  return c;
}

function decodeTopic(r: Reader, version: number): CreateTopicsResultTopic {
  const flexible = version >= FLEXIBLE_FROM;
  const name = readString(r, flexible, "topics.name");
  let topicId: Uint8Array | null = null;
  if (version >= 7) {
    topicId = r.uuid();
    if (isZeroUuid(topicId)) topicId = null;
  }
  const t: CreateTopicsResultTopic = {
    name,
    topicId,
    errorCode: r.int16(),
    errorMessage: readNullableString(r, flexible),
    numPartitions: -1,
    replicationFactor: -1,
    configs: null,
    topicConfigErrorCode: 0,
  };
  if (flexible) {
    t.numPartitions = r.int32();
    t.replicationFactor = r.int16();
    t.configs = r.array(true, decodeConfig);
    r.taggedFields((tag, r) => {
      if (tag === 0) t.topicConfigErrorCode = r.int16();
    });
  }
  return t;
}

function encodeTopic(w: Writer, t: CreateTopicsTopic, flexible: boolean): void {
  writeString(w, flexible, t.name);
  w.int32(t.numPartitions).int16(t.replicationFactor);
  w.array(t.assignments ?? [], flexible, (w, a) => {
    w.int32(a.partitionIndex);
    w.array(a.brokerIds, flexible, (w, id) => w.int32(id));
    writeNoTaggedFields(w, flexible);
  });
  w.array(t.configs ?? [], flexible, (w, c) => {
    writeString(w, flexible, c.name);
    writeString(w, flexible, c.value);
    writeNoTaggedFields(w, flexible);
  });
  writeNoTaggedFields(w, flexible);
}

/** Codec of CreateTopics v2–7. */
export const CreateTopics: ApiCodec<CreateTopicsRequest, CreateTopicsResponse> = {
  apiKey: ApiKey.CreateTopics,
  name: "CreateTopics",
  minVersion: 2,
  maxVersion: 7,
  flexibleFrom: FLEXIBLE_FROM,

  encodeRequest(w: Writer, req: CreateTopicsRequest, version: number): void {
    const flexible = version >= FLEXIBLE_FROM;
    w.array(req.topics, flexible, (w, t) => encodeTopic(w, t, flexible));
    w.int32(req.timeoutMs).bool(req.validateOnly);
    writeNoTaggedFields(w, flexible);
  },

  decodeResponse(r: Reader, version: number): CreateTopicsResponse {
    const flexible = version >= FLEXIBLE_FROM;
    const throttleTimeMs = r.int32();
    const topics = readArray(
      r,
      flexible,
      "topics",
      (r) => decodeTopic(r, version),
    );
    skipTaggedFields(r, flexible);
    return { throttleTimeMs, topics };
  },
};
