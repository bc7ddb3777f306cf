/**
 * TxnOffsetCommit (key 28), versions 0–5; flexible from 3.
 *
 * Commits a consumer group's offsets as part of a transaction, sent to the
 * group coordinator; they become visible when the transaction commits. v2
 * adds each partition's leader epoch; v3 the consumer's generation, member
 * id and group instance id, so the coordinator can fence a zombie member
 * (ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID). v4 adds
 * TRANSACTION_ABORTABLE to the errors a broker may answer. v5 is v4 for
 * Transactions V2 (KIP-890): it also adds the group to the transaction, so
 * no AddOffsetsToTxn comes first; without V2 a client sends at most v4.
 *
 * @module
 */

import { ApiKey } from "../api.ts";
import { message, type MessageCodec } from "../codec.ts";
import { array, type In, int16, int32, int64, type Out, string, struct } from "../schema.ts";

const RequestPartition = struct({
  /** Partition index. */
  partitionIndex: int32(),
  /** The offset to commit: the next record the group will consume. */
  committedOffset: int64(),
  /** Leader epoch of the last record consumed (v2+); default -1 (unknown). */
  committedLeaderEpoch: int32({ versions: "2+", default: -1, optional: true }),
  /** Metadata kept with the offset, or null; default "". */
  committedMetadata: string({ nullable: "0+", optional: true }),
});

const RequestTopic = struct({
  /** Topic name. */
  name: string(),
  /** Partitions to commit. */
  partitions: array(RequestPartition),
});

const Request = struct({
  /** The transaction's transactional id. */
  transactionalId: string(),
  /** The consumer group. */
  groupId: string(),
  /** The producer id in use. */
  producerId: int64(),
  /** Its epoch. */
  producerEpoch: int16(),
  /** The consumer's generation (v3+); default -1 (none given). */
  generationId: int32({ versions: "3+", default: -1, optional: true }),
  /** The consumer's member id (v3+); default "" (none given). */
  memberId: string({ versions: "3+", optional: true }),
  /** The consumer's static group instance id (v3+), or null (the default). */
  groupInstanceId: string({ versions: "3+", nullable: "3+", default: null, optional: true }),
  /** Offsets to commit, by topic. */
  topics: array(RequestTopic),
});

const ResponsePartition = struct({
  /** Partition index. */
  partitionIndex: int32(),
  /** Error code (0 = none). */
  errorCode: int16(),
});

const ResponseTopic = struct({
  /** Topic name. */
  name: string(),
  /** One result per partition. */
  partitions: array(ResponsePartition),
});

const Response = struct({
  /** Throttle time in ms. */
  throttleTimeMs: int32(),
  /** Results by topic. */
  topics: array(ResponseTopic),
});

/** One topic of a TxnOffsetCommit request. */
export type TxnOffsetCommitRequestTopic = In<typeof RequestTopic>;
/** TxnOffsetCommit request. */
export type TxnOffsetCommitRequest = In<typeof Request>;
/** One topic's results. */
export type TxnOffsetCommitResponseTopic = Out<typeof ResponseTopic>;
/** TxnOffsetCommit response. */
export type TxnOffsetCommitResponse = Out<typeof Response>;

/** Codec of TxnOffsetCommit v0–5. */
export const TxnOffsetCommit: MessageCodec<TxnOffsetCommitRequest, TxnOffsetCommitResponse> =
  message({
    name: "TxnOffsetCommit",
    apiKey: ApiKey.TxnOffsetCommit,
    validVersions: "0-5",
    flexibleVersions: "3+",
    request: Request,
    response: Response,
  });
