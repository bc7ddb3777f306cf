/**
 * AddPartitionsToTxn (key 24), the client's versions 0–3; flexible from 3.
 *
 * A transactional producer adds the partitions it is about to write to its
 * ongoing transaction (Transactions V1; with V2, KIP-890, the partition
 * leader adds them itself). v1 is v0; v2 adds PRODUCER_FENCED to the
 * errors a broker may answer.
 *
 * Versions 4+ are not described: they are the broker-to-broker form (a
 * partition leader verifying many transactions at once, with a top-level
 * error code and results per transactional id), which the schema's own
 * notes reserve for brokers. `validVersions` stops at 3 so that version
 * negotiation never picks them.
 *
 * @module
 */

import { ApiKey } from "../api.ts";
import { message, type MessageCodec } from "../codec.ts";
import { array, type In, int16, int32, int64, type Out, string, struct } from "../schema.ts";

const Topic = struct({
  /** Topic name. */
  name: string(),
  /** Indexes of its partitions to add. */
  partitions: array(int32()),
});

const Request = struct({
  /** The transaction's transactional id (`V3AndBelowTransactionalId`). */
  transactionalId: string(),
  /** The producer id in use (`V3AndBelowProducerId`). */
  producerId: int64(),
  /** Its epoch (`V3AndBelowProducerEpoch`). */
  producerEpoch: int16(),
  /** Partitions to add, by topic (`V3AndBelowTopics`). */
  topics: array(Topic),
});

const PartitionResult = struct({
  /** Partition index. */
  partitionIndex: int32(),
  /** Error code for it (0 = none; `PartitionErrorCode`). */
  errorCode: int16(),
});

const TopicResult = struct({
  /** Topic name. */
  name: string(),
  /** One result per partition (`ResultsByPartition`). */
  partitions: array(PartitionResult),
});

const Response = struct({
  /** Throttle time in ms. */
  throttleTimeMs: int32(),
  /** Results by topic (`ResultsByTopicV3AndBelow`). */
  results: array(TopicResult),
});

/** One topic of an AddPartitionsToTxn request. */
export type AddPartitionsToTxnTopic = In<typeof Topic>;
/** AddPartitionsToTxn request (v0–3). */
export type AddPartitionsToTxnRequest = In<typeof Request>;
/** One topic's results. */
export type AddPartitionsToTxnTopicResult = Out<typeof TopicResult>;
/** AddPartitionsToTxn response (v0–3). */
export type AddPartitionsToTxnResponse = Out<typeof Response>;

/** Codec of AddPartitionsToTxn v0–3 (the client's versions). */
export const AddPartitionsToTxn: MessageCodec<
  AddPartitionsToTxnRequest,
  AddPartitionsToTxnResponse
> = message({
  name: "AddPartitionsToTxn",
  apiKey: ApiKey.AddPartitionsToTxn,
  validVersions: "0-3",
  flexibleVersions: "3+",
  request: Request,
  response: Response,
});
