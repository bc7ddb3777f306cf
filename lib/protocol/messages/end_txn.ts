/**
 * EndTxn (key 26), versions 0–5; flexible from 3.
 *
 * Commits or aborts a transaction at its coordinator, which then writes the
 * transaction markers. v1 is v0; v2 adds PRODUCER_FENCED to the errors a
 * broker may answer, v4 TRANSACTION_ABORTABLE. v5 is Transactions V2
 * (KIP-890): the coordinator bumps the producer epoch at the end of every
 * transaction and answers with the producer id and epoch to use next.
 *
 * @module
 */

import { ApiKey } from "../api.ts";
import { message, type MessageCodec } from "../codec.ts";
import { bool, type In, int16, int32, int64, type Out, string, struct } from "../schema.ts";

const Request = struct({
  /** The transaction's transactional id. */
  transactionalId: string(),
  /** The producer id in use. */
  producerId: int64(),
  /** Its epoch. */
  producerEpoch: int16(),
  /** True to commit the transaction, false to abort it. */
  committed: bool(),
});

const Response = struct({
  /** Throttle time in ms. */
  throttleTimeMs: int32(),
  /** Error code (0 = none). */
  errorCode: int16(),
  /** The producer id for the next transaction (v5+); -1n before. */
  producerId: int64({ versions: "5+", default: -1n }),
  /** The (bumped) producer epoch for the next transaction (v5+); -1 before. */
  producerEpoch: int16({ versions: "5+", default: -1 }),
});

/** EndTxn request. */
export type EndTxnRequest = In<typeof Request>;
/** EndTxn response. */
export type EndTxnResponse = Out<typeof Response>;

/** Codec of EndTxn v0–5. */
export const EndTxn: MessageCodec<EndTxnRequest, EndTxnResponse> = message({
  name: "EndTxn",
  apiKey: ApiKey.EndTxn,
  validVersions: "0-5",
  flexibleVersions: "3+",
  request: Request,
  response: Response,
});
