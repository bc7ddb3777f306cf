/**
 * InitProducerId (key 22), versions 0–5; flexible from 2.
 *
 * @module
 */

import { ApiKey } from "../api.ts";
import { message, type MessageCodec } from "../codec.ts";
import { type In, int16, int32, int64, type Out, string, struct } from "../schema.ts";

const Request = struct({
  /** Transactional id, or null for an idempotent-only producer. */
  transactionalId: string({ nullable: "0+" }),
  /** Transaction timeout in ms (only meaningful with a transactional id). */
  transactionTimeoutMs: int32(),
  /** Current producer id to bump the epoch of (v3+); default -1n (none). */
  producerId: int64({ versions: "3+", default: -1n, optional: true }),
  /** Current producer epoch (v3+); default -1 (none). */
  producerEpoch: int16({ versions: "3+", default: -1, optional: true }),
});

const Response = struct({
  /** Throttle time in ms. */
  throttleTimeMs: int32(),
  /** Error code (0 = none). */
  errorCode: int16(),
  /** The producer id assigned. */
  producerId: int64({ default: -1n }),
  /** The producer epoch assigned. */
  producerEpoch: int16(),
});

/** InitProducerId request. */
export type InitProducerIdRequest = In<typeof Request>;
/** InitProducerId response. */
export type InitProducerIdResponse = Out<typeof Response>;

/** Codec of InitProducerId v0–5. */
export const InitProducerId: MessageCodec<InitProducerIdRequest, InitProducerIdResponse> = message({
  name: "InitProducerId",
  apiKey: ApiKey.InitProducerId,
  validVersions: "0-5",
  flexibleVersions: "2+",
  request: Request,
  response: Response,
});
