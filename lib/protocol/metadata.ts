/**
 * Metadata (key 3), versions 0–13; flexible from 9.
 *
 * Request: topics[] (nullable v1+: null = all topics; in v0 an empty array
 * means all) { topic_id uuid (v10+), name (nullable v10+) },
 * allow_auto_topic_creation (v4+), include_cluster_authorized_operations
 * (v8–10), include_topic_authorized_operations (v8+).
 *
 * Response: throttle_time_ms (v3+), brokers[] { node_id, host, port, rack
 * (v1+) }, cluster_id (v2+), controller_id (v1+), topics[] { error_code,
 * name (nullable v12+), topic_id (v10+), is_internal (v1+), partitions[] {
 * error_code, partition_index, leader_id, leader_epoch (v7+), replica_nodes,
 * isr_nodes, offline_replicas (v5+) }, topic_authorized_operations (v8+) },
 * cluster_authorized_operations (v8–10), error_code (v13+).
 *
 * Values no broker sends are a {@link ProtocolError}: a negative partition
 * index or broker node id, a port outside 0..65535. (Whether a topic's
 * indexes form 0..n-1 is the producer's check: the schema does not say.)
 *
 * @module
 */

import { ProtocolError } from "../errors.ts";
import { type ApiCodec, ApiKey } from "./api.ts";
import {
  readArray,
  readInt32Array,
  readNullableString,
  readString,
  skipTaggedFields,
  writeNoTaggedFields,
  writeString,
} from "./fields.ts";
import type { Reader } from "./reader.ts";
import { isZeroUuid, ZERO_UUID } from "./uuid.ts";
import type { Writer } from "./writer.ts";

/** One topic asked for: by name, or (v12+) by id with a null name. */
export interface MetadataRequestTopic {
  /** Topic name; null only from v10 (and useful from v12) when `topicId` is given. */
  name: string | null;
  /** Topic id (v10+); absent or null means the zero UUID. */
  topicId?: Uint8Array | null;
}

/** Metadata request. */
export interface MetadataRequest {
  /** Topics to describe; null for all topics (v0 has no "none": empty means all there). */
  topics: MetadataRequestTopic[] | null;
  /** Whether the broker may auto-create missing topics (v4+; always true before). */
  allowAutoTopicCreation: boolean;
  /** Whether to return topic authorized operations (v8+); default false. */
  includeTopicAuthorizedOperations?: boolean;
}

/** A broker of the cluster. */
export interface MetadataBroker {
  /** Broker id. */
  nodeId: number;
  /** Host name. */
  host: string;
  /** Port. */
  port: number;
  /** Rack, or null (always null before v1). */
  rack: string | null;
}

/** One partition of a topic. */
export interface MetadataPartition {
  /** Partition error code (0 = none). */
  errorCode: number;
  /** Partition index. */
  partitionIndex: number;
  /** Leader broker id, -1 if none. */
  leaderId: number;
  /** Leader epoch (-1 before v7). */
  leaderEpoch: number;
  /** All replicas. */
  replicaNodes: number[];
  /** In-sync replicas. */
  isrNodes: number[];
  /** Offline replicas (empty before v5). */
  offlineReplicas: number[];
}

/** One topic of the response. */
export interface MetadataTopic {
  /** Topic error code (0 = none). */
  errorCode: number;
  /** Topic name; null (v12+) for a topic asked for by an unknown id. */
  name: string | null;
  /** Topic id; null before v10 and when the broker sent the zero UUID. */
  topicId: Uint8Array | null;
  /** Whether the topic is internal (false before v1). */
  isInternal: boolean;
  /** Partitions. */
  partitions: MetadataPartition[];
}

/** Metadata response. */
export interface MetadataResponse {
  /** Throttle time in ms (0 before v3). */
  throttleTimeMs: number;
  /** Brokers of the cluster. */
  brokers: MetadataBroker[];
  /** Cluster id (null before v2). */
  clusterId: string | null;
  /** Controller id (-1 before v1 or when unknown). */
  controllerId: number;
  /** Topics. */
  topics: MetadataTopic[];
  /** Top-level error code (v13+, KIP-1102; 0 before). */
  errorCode: number;
}

const FLEXIBLE_FROM = 9;

function decodeBroker(r: Reader, version: number): MetadataBroker {
  const flexible = version >= FLEXIBLE_FROM;
  const broker: MetadataBroker = {
    nodeId: r.int32(),
    host: readString(r, flexible, "brokers.host"),
    port: r.int32(),
    rack: version >= 1 ? readNullableString(r, flexible) : null,
  };
  if (broker.nodeId < 0) {
    throw new ProtocolError(
      `Metadata lists a broker node id ${broker.nodeId}: ids are not negative`,
    );
  }
  if (broker.port < 0 || broker.port > 65535) {
    throw new ProtocolError(
      `Metadata says broker ${broker.nodeId} has port ${broker.port}, outside 0..65535`,
    );
  }
  skipTaggedFields(r, flexible);
  return broker;
}

function decodePartition(r: Reader, version: number): MetadataPartition {
  const flexible = version >= FLEXIBLE_FROM;
  const partition: MetadataPartition = {
    errorCode: r.int16(),
    partitionIndex: r.int32(),
    leaderId: r.int32(),
    leaderEpoch: version >= 7 ? r.int32() : -1,
    replicaNodes: readInt32Array(r, flexible, "replica_nodes"),
    isrNodes: readInt32Array(r, flexible, "isr_nodes"),
    offlineReplicas: version >= 5 ? readInt32Array(r, flexible, "offline_replicas") : [],
  };
  skipTaggedFields(r, flexible);
  return partition;
}

function decodeTopic(r: Reader, version: number): MetadataTopic {
  const flexible = version >= FLEXIBLE_FROM;
  const errorCode = r.int16();
  const name = version >= 12
    ? readNullableString(r, flexible)
    : readString(r, flexible, "topics.name");
  let topicId: Uint8Array | null = null;
  if (version >= 10) {
    topicId = r.uuid();
    if (isZeroUuid(topicId)) topicId = null;
  }
  const isInternal = version >= 1 ? r.bool() : false;
  const partitions = readArray(
    r,
    flexible,
    "partitions",
    (r) => decodePartition(r, version),
  );
  for (const p of partitions) {
    if (p.partitionIndex < 0) {
      throw new ProtocolError(
        `Metadata says topic ${
          JSON.stringify(name)
        } has partition index ${p.partitionIndex}: indexes are not negative`,
      );
    }
  }
  if (version >= 8) r.int32(); // topic_authorized_operations
  skipTaggedFields(r, flexible);
  return { errorCode, name, topicId, isInternal, partitions };
}

function encodeTopic(
  w: Writer,
  t: MetadataRequestTopic,
  version: number,
): void {
  const flexible = version >= FLEXIBLE_FROM;
  if (version >= 10) w.uuid(t.topicId ?? ZERO_UUID);
  if (t.name === null && version < 10) {
    throw new RangeError(
      `Metadata v${version} cannot ask for a topic without a name`,
    );
  }
  writeString(w, flexible, t.name);
  writeNoTaggedFields(w, flexible);
}

/** Codec of Metadata v0–13. */
export const Metadata: ApiCodec<MetadataRequest, MetadataResponse> = {
  apiKey: ApiKey.Metadata,
  name: "Metadata",
  minVersion: 0,
  maxVersion: 13,
  flexibleFrom: FLEXIBLE_FROM,

  encodeRequest(w: Writer, req: MetadataRequest, version: number): void {
    const flexible = version >= FLEXIBLE_FROM;
    const topics = req.topics === null && version === 0 ? [] : req.topics;
    w.array(topics, flexible, (w, t) => encodeTopic(w, t, version));
    if (version >= 4) w.bool(req.allowAutoTopicCreation);
    if (version >= 8 && version <= 10) w.bool(false); // include_cluster_authorized_operations
    if (version >= 8) w.bool(req.includeTopicAuthorizedOperations ?? false);
    writeNoTaggedFields(w, flexible);
  },

  decodeResponse(r: Reader, version: number): MetadataResponse {
    const flexible = version >= FLEXIBLE_FROM;
    const throttleTimeMs = version >= 3 ? r.int32() : 0;
    const brokers = readArray(
      r,
      flexible,
      "brokers",
      (r) => decodeBroker(r, version),
    );
    const clusterId = version >= 2 ? readNullableString(r, flexible) : null;
    const controllerId = version >= 1 ? r.int32() : -1;
    const topics = readArray(
      r,
      flexible,
      "topics",
      (r) => decodeTopic(r, version),
    );
    if (version >= 8 && version <= 10) r.int32(); // cluster_authorized_operations
    const errorCode = version >= 13 ? r.int16() : 0;
    skipTaggedFields(r, flexible);
    return {
      throttleTimeMs,
      brokers,
      clusterId,
      controllerId,
      topics,
      errorCode,
    };
  },

  sizeHint(req: MetadataRequest): number {
    let n = 16;
    for (const t of req.topics ?? []) n += 24 + 3 * (t.name?.length ?? 0);
    return n;
  },
};
