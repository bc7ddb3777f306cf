/**
 * Produce (key 0), versions 3–13; flexible from 9.
 *
 * Request: transactional_id, acks int16, timeout_ms int32, topic_data[] {
 * name (≤ v12) | topic_id uuid (v13+), partition_data[] { index int32,
 * records (nullable bytes; compact from v9) } }.
 *
 * Response: responses[] { name (≤ v12) | topic_id (v13+),
 * partition_responses[] { index, error_code, base_offset int64,
 * log_append_time_ms int64, log_start_offset int64 (v5+), record_errors[] {
 * batch_index, batch_index_error_message } (v8+), error_message (v8+),
 * tag 0 current_leader { leader_id, leader_epoch } (v10+) } },
 * throttle_time_ms, tag 0 node_endpoints[] { node_id, host, port, rack }
 * (v10+). The v10+ tags are KIP-951's leader hints.
 *
 * Brokers of Kafka 4.x still advertise Produce from v0 but reject v0–2; this
 * codec starts at v3 (the first with RecordBatch v2).
 *
 * @module
 */

import { type ApiCodec, ApiKey } from "./api.ts";
import {
  readArray,
  readNullableString,
  readString,
  skipTaggedFields,
  writeBytes,
  writeNoTaggedFields,
  writeString,
} from "./fields.ts";
import type { Reader } from "./reader.ts";
import { utf8Length } from "./utf8.ts";
import type { Writer } from "./writer.ts";

/** One partition's records in a Produce request. */
export interface ProducePartitionData {
  /** Partition index. */
  index: number;
  /** One or more encoded record batches. */
  records: Uint8Array;
}

/** One topic's partitions in a Produce request. */
export interface ProduceTopicData {
  /** Topic name (used up to v12). */
  name: string;
  /** Topic id (required from v13, ignored before). */
  topicId: Uint8Array | null;
  /** Partitions to write to. */
  partitions: ProducePartitionData[];
}

/** Produce request. */
export interface ProduceRequest {
  /** Transactional id, or null. */
  transactionalId: string | null;
  /** 0 (no response), 1 (leader) or -1 (all in-sync replicas). */
  acks: number;
  /** How long the broker may wait for replication, in ms. */
  timeoutMs: number;
  /** Topics to write to. */
  topics: ProduceTopicData[];
}

/** A record that made the broker drop its batch (v8+). */
export interface ProduceRecordError {
  /** Index of the record in its batch. */
  batchIndex: number;
  /** Why, or null. */
  message: string | null;
}

/** One partition's result. */
export interface ProducePartitionResponse {
  /** Partition index. */
  index: number;
  /** Error code (0 = none). */
  errorCode: number;
  /** Offset of the first record of the batch (-1 on error). */
  baseOffset: bigint;
  /** Broker append time for LogAppendTime topics, else -1. */
  logAppendTimeMs: bigint;
  /** Log start offset (v5+; -1 before). */
  logStartOffset: bigint;
  /** Records that made the batch fail (v8+; empty before). */
  recordErrors: ProduceRecordError[];
  /** Error message (v8+; null before). */
  errorMessage: string | null;
  /** KIP-951 hint of the partition's current leader (v10+, tag 0), or null. */
  currentLeader: { leaderId: number; leaderEpoch: number } | null;
}

/** One topic's results. */
export interface ProduceTopicResponse {
  /** Topic name (null from v13). */
  name: string | null;
  /** Topic id (v13+; null before). */
  topicId: Uint8Array | null;
  /** Per-partition results. */
  partitions: ProducePartitionResponse[];
}

/** A broker endpoint sent with KIP-951 leader hints. */
export interface ProduceNodeEndpoint {
  /** Broker id. */
  nodeId: number;
  /** Host name. */
  host: string;
  /** Port. */
  port: number;
  /** Rack, or null. */
  rack: string | null;
}

/** Produce response. */
export interface ProduceResponse {
  /** Throttle time in ms. */
  throttleTimeMs: number;
  /** Per-topic results. */
  topics: ProduceTopicResponse[];
  /** Endpoints of the new leaders named in `currentLeader` hints (v10+, tag 0; empty otherwise). */
  nodeEndpoints: ProduceNodeEndpoint[];
}

const FLEXIBLE_FROM = 9;
const TOPIC_IDS_FROM = 13;
const LEADER_HINTS_FROM = 10;

function decodeRecordError(r: Reader, flexible: boolean): ProduceRecordError {
  const e: ProduceRecordError = {
    batchIndex: r.int32(),
    message: readNullableString(r, flexible),
  };
  skipTaggedFields(r, flexible);
  return e;
}

function decodePartition(r: Reader, version: number): ProducePartitionResponse {
  const flexible = version >= FLEXIBLE_FROM;
  const p: ProducePartitionResponse = {
    index: r.int32(),
    errorCode: r.int16(),
    baseOffset: r.int64(),
    logAppendTimeMs: r.int64(),
    logStartOffset: version >= 5 ? r.int64() : -1n,
    recordErrors: version >= 8
      ? readArray(
        r,
        flexible,
        "record_errors",
        (r) => decodeRecordError(r, flexible),
      )
      : [],
    errorMessage: version >= 8 ? readNullableString(r, flexible) : null,
    currentLeader: null,
  };
  if (flexible) {
    r.taggedFields((tag, r) => {
      if (tag === 0 && version >= LEADER_HINTS_FROM) {
        p.currentLeader = { leaderId: r.int32(), leaderEpoch: r.int32() };
        r.taggedFields();
      }
    });
  }
  return p;
}

function decodeTopic(r: Reader, version: number): ProduceTopicResponse {
  const flexible = version >= FLEXIBLE_FROM;
  const name = version < TOPIC_IDS_FROM ? readString(r, flexible, "responses.name") : null;
  const topicId = version >= TOPIC_IDS_FROM ? r.uuid() : null;
  const partitions = readArray(
    r,
    flexible,
    "partition_responses",
    (r) => decodePartition(r, version),
  );
  skipTaggedFields(r, flexible);
  return { name, topicId, partitions };
}

function decodeNodeEndpoint(r: Reader): ProduceNodeEndpoint {
  const e: ProduceNodeEndpoint = {
    nodeId: r.int32(),
    host: readString(r, true, "node_endpoints.host"),
    port: r.int32(),
    rack: r.compactString(),
  };
  r.taggedFields();
  return e;
}

function encodeTopic(w: Writer, t: ProduceTopicData, version: number): void {
  const flexible = version >= FLEXIBLE_FROM;
  if (version >= TOPIC_IDS_FROM) {
    if (t.topicId === null) {
      throw new RangeError(
        `Produce v${version} needs the topic id of "${t.name}"`,
      );
    }
    w.uuid(t.topicId);
  } else {
    writeString(w, flexible, t.name);
  }
  w.array(t.partitions, flexible, (w, p) => {
    w.int32(p.index);
    writeBytes(w, flexible, p.records);
    writeNoTaggedFields(w, flexible);
  });
  writeNoTaggedFields(w, flexible);
}

/** Codec of Produce v3–13. */
export const Produce: ApiCodec<ProduceRequest, ProduceResponse> = {
  apiKey: ApiKey.Produce,
  name: "Produce",
  minVersion: 3,
  maxVersion: 13,
  flexibleFrom: FLEXIBLE_FROM,

  encodeRequest(w: Writer, req: ProduceRequest, version: number): void {
    const flexible = version >= FLEXIBLE_FROM;
    writeString(w, flexible, req.transactionalId);
    w.int16(req.acks).int32(req.timeoutMs);
    w.array(req.topics, flexible, (w, t) => encodeTopic(w, t, version));
    writeNoTaggedFields(w, flexible);
  },

  decodeResponse(r: Reader, version: number): ProduceResponse {
    const flexible = version >= FLEXIBLE_FROM;
    const topics = readArray(
      r,
      flexible,
      "responses",
      (r) => decodeTopic(r, version),
    );
    const throttleTimeMs = r.int32();
    let nodeEndpoints: ProduceNodeEndpoint[] = [];
    if (flexible) {
      r.taggedFields((tag, r) => {
        if (tag === 0 && version >= LEADER_HINTS_FROM) {
          nodeEndpoints = readArray(
            r,
            true,
            "node_endpoints",
            decodeNodeEndpoint,
          );
        }
      });
    }
    return { throttleTimeMs, topics, nodeEndpoints };
  },

  sizeHint(req: ProduceRequest): number {
    let n = 16 +
      (req.transactionalId === null ? 0 : utf8Length(req.transactionalId));
    for (const t of req.topics) {
      n += 24 + t.name.length * 3;
      for (const p of t.partitions) n += 16 + p.records.length;
    }
    return n;
  },
};
