/**
 * Produce (key 0), versions 3–13; flexible from 9. Topics are named up to
 * v12 and identified by topic id from v13. The v10+ tags are KIP-951's
 * leader hints.
 *
 * Brokers of Kafka 4.x still advertise Produce from v0 but reject v0–2; this
 * codec starts at v3 (the first with RecordBatch v2). Records are nullable
 * in Kafka's schema; this client never sends null, so they are not here.
 *
 * @module
 */

import { ApiKey } from "../api.ts";
import { message, type MessageCodec } from "../codec.ts";
import {
  array,
  type In,
  int16,
  int32,
  int64,
  type Out,
  records,
  string,
  struct,
  uuid,
} from "../schema.ts";

const PartitionData = struct({
  /** Partition index. */
  index: int32(),
  /** One or more encoded record batches. */
  records: records(),
});

const TopicData = struct({
  /** Topic name (used up to v12). */
  name: string({ versions: "0-12" }),
  /** Topic id (required from v13, ignored before). */
  topicId: uuid({ versions: "13+", default: null }),
  /** Partitions to write to. */
  partitions: array(PartitionData),
});

const Request = struct({
  /** Transactional id, or null. */
  transactionalId: string({ nullable: "0+" }),
  /** 0 (no response), 1 (leader) or -1 (all in-sync replicas). */
  acks: int16(),
  /** How long the broker may wait for replication, in ms. */
  timeoutMs: int32(),
  /** Topics to write to. */
  topics: array(TopicData),
});

const RecordError = struct({
  /** Index of the record in its batch. */
  batchIndex: int32(),
  /** Why, or null. */
  message: string({ nullable: "0+" }),
});

const PartitionResponse = struct({
  /** Partition index. */
  index: int32(),
  /** Error code (0 = none). */
  errorCode: int16(),
  /** Offset of the first record of the batch (-1 on error). */
  baseOffset: int64(),
  /** Broker append time for LogAppendTime topics, else -1. */
  logAppendTimeMs: int64({ default: -1n }),
  /** Log start offset (v5+; -1 before). */
  logStartOffset: int64({ versions: "5+", default: -1n }),
  /** Records that made the batch fail (v8+; empty before). */
  recordErrors: array(RecordError, { versions: "8+" }),
  /** Error message (v8+; null before). */
  errorMessage: string({ versions: "8+", nullable: "8+", default: null }),
  /** KIP-951 hint of the partition's current leader (v10+, tag 0), or null. */
  currentLeader: struct({
    /** The leader's broker id, -1 if unknown. */
    leaderId: int32({ default: -1 }),
    /** The leader's epoch, -1 if unknown. */
    leaderEpoch: int32({ default: -1 }),
  }, { versions: "10+", tag: 0, taggedVersions: "10+", default: null }),
});

const TopicResponse = struct({
  /** Topic name (null from v13). */
  name: string({ versions: "0-12", default: null }),
  /** Topic id (v13+; null before). */
  topicId: uuid({ versions: "13+", default: null }),
  /** Per-partition results. */
  partitions: array(PartitionResponse),
});

const NodeEndpoint = struct({
  /** Broker id. */
  nodeId: int32(),
  /** Host name. */
  host: string(),
  /** Port. */
  port: int32(),
  /** Rack, or null. */
  rack: string({ nullable: "0+", default: null }),
});

const Response = struct({
  /** Per-topic results. */
  topics: array(TopicResponse),
  /** Throttle time in ms. */
  throttleTimeMs: int32(),
  /** Endpoints of the new leaders named in `currentLeader` hints (v10+, tag 0; empty otherwise). */
  nodeEndpoints: array(NodeEndpoint, { versions: "10+", tag: 0, taggedVersions: "10+" }),
});

/** Produce request. */
export type ProduceRequest = In<typeof Request>;
/** One partition's result. */
export type ProducePartitionResponse = Out<typeof PartitionResponse>;
/** Produce response. */
export type ProduceResponse = Out<typeof Response>;

/** Codec of Produce v3–13. */
export const Produce: MessageCodec<ProduceRequest, ProduceResponse> = message({
  name: "Produce",
  apiKey: ApiKey.Produce,
  validVersions: "3-13",
  flexibleVersions: "9+",
  request: Request,
  response: Response,
});
