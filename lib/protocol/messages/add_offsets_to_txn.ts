/**
 * AddOffsetsToTxn (key 25), versions 0–4; flexible from 3.
 *
 * Adds a consumer group's offsets to a transaction (Transactions V1): the
 * transaction coordinator then includes the group's `__consumer_offsets`
 * partition, and the producer sends TxnOffsetCommit to the group
 * coordinator. v1 is v0; v2 adds PRODUCER_FENCED to the errors a broker may
 * answer, v4 TRANSACTION_ABORTABLE.
 *
 * @module
 */

import { ApiKey } from "../api.ts";
import { message, type MessageCodec } from "../codec.ts";
import { type In, int16, int32, int64, type Out, string, struct } from "../schema.ts";

const Request = struct({
  /** The transaction's transactional id. */
  transactionalId: string(),
  /** The producer id in use. */
  producerId: int64(),
  /** Its epoch. */
  producerEpoch: int16(),
  /** The consumer group whose offsets join the transaction. */
  groupId: string(),
});

const Response = struct({
  /** Throttle time in ms. */
  throttleTimeMs: int32(),
  /** Error code (0 = none). */
  errorCode: int16(),
});

/** AddOffsetsToTxn request. */
export type AddOffsetsToTxnRequest = In<typeof Request>;
/** AddOffsetsToTxn response. */
export type AddOffsetsToTxnResponse = Out<typeof Response>;

/** Codec of AddOffsetsToTxn v0–4. */
export const AddOffsetsToTxn: MessageCodec<AddOffsetsToTxnRequest, AddOffsetsToTxnResponse> =
  message({
    name: "AddOffsetsToTxn",
    apiKey: ApiKey.AddOffsetsToTxn,
    validVersions: "0-4",
    flexibleVersions: "3+",
    request: Request,
    response: Response,
  });
