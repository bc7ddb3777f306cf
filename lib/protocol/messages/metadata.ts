/**
 * Metadata (key 3), versions 0–13; flexible from 9.
 *
 * Values no broker sends are a `ProtocolError` naming the field: a
 * negative partition index or broker node id, a port outside 0..65535.
 * (Whether a topic's indexes form 0..n-1 is the producer's check: the
 * schema does not say.) In v0 a request for all topics is an empty array,
 * which the encoder writes for `topics: null`.
 *
 * @module
 */

import { ApiKey } from "../api.ts";
import { message, type MessageCodec } from "../codec.ts";
import {
  array,
  atLeast,
  bool,
  ignored,
  type In,
  int16,
  int32,
  type Out,
  string,
  struct,
  uuid,
  within,
} from "../schema.ts";

const RequestTopic = struct({
  /** Topic id (v10+); absent or null means the zero UUID. */
  topicId: uuid({ versions: "10+", zeroIsNull: true, optional: true }),
  /** Topic name; null only from v10 (and useful from v12) when `topicId` is given. */
  name: string({ nullable: "10+" }),
});

const Request = struct({
  /** Topics to describe; null for all topics (v0 has no "none": empty means all there). */
  topics: array(RequestTopic, { nullable: "1+" }),
  /** Whether the broker may auto-create missing topics (v4+; always true before). */
  allowAutoTopicCreation: bool({ versions: "4+", default: true }),
  /** Whether to return cluster authorized operations (v8–10); default false. */
  includeClusterAuthorizedOperations: bool({ versions: "8-10", optional: true }),
  /** Whether to return topic authorized operations (v8+); default false. */
  includeTopicAuthorizedOperations: bool({ versions: "8+", optional: true }),
});

const Broker = struct({
  /** Broker id. */
  nodeId: int32({ check: atLeast(0) }),
  /** Host name. */
  host: string(),
  /** Port. */
  port: int32({ check: within(0, 65535) }),
  /** Rack, or null (always null before v1). */
  rack: string({ versions: "1+", nullable: "1+", default: null }),
});

const Partition = struct({
  /** Partition error code (0 = none). */
  errorCode: int16(),
  /** Partition index. */
  partitionIndex: int32({ check: atLeast(0) }),
  /** Leader broker id, -1 if none. */
  leaderId: int32(),
  /** Leader epoch (-1 before v7). */
  leaderEpoch: int32({ versions: "7+", default: -1 }),
  /** All replicas. */
  replicaNodes: array(int32()),
  /** In-sync replicas. */
  isrNodes: array(int32()),
  /** Offline replicas (empty before v5). */
  offlineReplicas: array(int32(), { versions: "5+" }),
});

const Topic = struct({
  /** Topic error code (0 = none). */
  errorCode: int16(),
  /** Topic name; null (v12+) for a topic asked for by an unknown id. */
  name: string({ nullable: "12+" }),
  /** Topic id; null before v10 and when the broker sent the zero UUID. */
  topicId: uuid({ versions: "10+", zeroIsNull: true }),
  /** Whether the topic is internal (false before v1). */
  isInternal: bool({ versions: "1+" }),
  /** Partitions. */
  partitions: array(Partition),
  topicAuthorizedOperations: ignored(int32({ versions: "8+", default: -2147483648 })),
});

const Response = struct({
  /** Throttle time in ms (0 before v3). */
  throttleTimeMs: int32({ versions: "3+" }),
  /** Brokers of the cluster. */
  brokers: array(Broker),
  /** Cluster id (null before v2). */
  clusterId: string({ versions: "2+", nullable: "2+", default: null }),
  /** Controller id (-1 before v1 or when unknown). */
  controllerId: int32({ versions: "1+", default: -1 }),
  /** Topics. */
  topics: array(Topic),
  clusterAuthorizedOperations: ignored(int32({ versions: "8-10", default: -2147483648 })),
  /** Top-level error code (v13+, KIP-1102; 0 before). */
  errorCode: int16({ versions: "13+" }),
});

/** One topic asked for: by name, or (v12+) by id with a null name. */
export type MetadataRequestTopic = In<typeof RequestTopic>;
/** Metadata request. */
export type MetadataRequest = In<typeof Request>;
/** One topic of the response. */
export type MetadataTopic = Out<typeof Topic>;
/** Metadata response. */
export type MetadataResponse = Out<typeof Response>;

const codec = message({
  name: "Metadata",
  apiKey: ApiKey.Metadata,
  validVersions: "0-13",
  flexibleVersions: "9+",
  request: Request,
  response: Response,
});

/** Codec of Metadata v0–13 (`topics: null` is written as `[]` in v0). */
export const Metadata: MessageCodec<MetadataRequest, MetadataResponse> = {
  ...codec,
  encodeRequest(w, req, version) {
    codec.encodeRequest(
      w,
      version === 0 && req.topics === null ? { ...req, topics: [] } : req,
      version,
    );
  },
};
