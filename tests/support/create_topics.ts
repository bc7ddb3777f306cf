/**
 * CreateTopics (key 19), versions 2–7; flexible from 5, on lib/protocol's
 * message layer. The client has no use for it: test and benchmark helpers
 * create their topics with it.
 *
 * @module
 */

import { message, type MessageCodec } from "../../lib/protocol/codec.ts";
import {
  array,
  bool,
  type In,
  int16,
  int32,
  int8,
  type Out,
  string,
  struct,
  uuid,
} from "../../lib/protocol/schema.ts";

const Topic = struct({
  /** Topic name. */
  name: string(),
  /** Partition count, or -1 for the broker default (or with `assignments`). */
  numPartitions: int32(),
  /** Replication factor, or -1 for the broker default (or with `assignments`). */
  replicationFactor: int16(),
  /** Manual assignment; default none. */
  assignments: array(
    struct({
      /** Partition index. */
      partitionIndex: int32(),
      /** Brokers to place the replicas on. */
      brokerIds: array(int32()),
    }),
    { optional: true },
  ),
  /** Topic configs; default none. */
  configs: array(
    struct({
      /** Config name, e.g. `"min.insync.replicas"`. */
      name: string(),
      /** Config value, or null. */
      value: string({ nullable: "0+" }),
    }),
    { optional: true },
  ),
});

const Request = struct({
  /** Topics to create. */
  topics: array(Topic),
  /** How long the controller may take, in ms. */
  timeoutMs: int32(),
  /** Only validate, create nothing. */
  validateOnly: bool({ versions: "1+" }),
});

const ResultConfig = struct({
  /** Config name. */
  name: string(),
  /** Config value, or null. */
  value: string({ nullable: "0+" }),
  /** Whether it is read-only. */
  readOnly: bool(),
  /** Config source (Kafka's `ConfigSource` id; -1 unknown). */
  configSource: int8({ default: -1 }),
  /** Whether it is sensitive. */
  isSensitive: bool(),
});

const ResultTopic = struct({
  /** Topic name. */
  name: string(),
  /** Topic id (v7+ on success), else null. */
  topicId: uuid({ versions: "7+", zeroIsNull: true }),
  /** Error code (0 = created; 36 = already exists). */
  errorCode: int16(),
  /** Error message, or null. */
  errorMessage: string({ versions: "1+", nullable: "0+", default: null }),
  /** Error reading the configs (v5+, tag 0), 0 if none. */
  topicConfigErrorCode: int16({ versions: "5+", tag: 0, taggedVersions: "5+" }),
  /** Partition count (v5+; -1 before). */
  numPartitions: int32({ versions: "5+", default: -1 }),
  /** Replication factor (v5+; -1 before). */
  replicationFactor: int16({ versions: "5+", default: -1 }),
  /** Topic configs (v5+; null when not returned). */
  configs: array(ResultConfig, { versions: "5+", nullable: "5+", default: null }),
});

const Response = struct({
  /** Throttle time in ms. */
  throttleTimeMs: int32({ versions: "2+" }),
  /** Per-topic results. */
  topics: array(ResultTopic),
});

/** CreateTopics request. */
export type CreateTopicsRequest = In<typeof Request>;
/** CreateTopics response. */
export type CreateTopicsResponse = Out<typeof Response>;

/** Codec of CreateTopics v2–7. */
export const CreateTopics: MessageCodec<CreateTopicsRequest, CreateTopicsResponse> = message({
  name: "CreateTopics",
  apiKey: 19,
  validVersions: "2-7",
  flexibleVersions: "5+",
  request: Request,
  response: Response,
});
