/**
 * InitProducerId (key 22), versions 0–5; flexible from 2.
 *
 * Request: transactional_id (nullable), transaction_timeout_ms int32,
 * producer_id int64 (v3+), producer_epoch int16 (v3+).
 * Response: throttle_time_ms, error_code, producer_id int64, producer_epoch
 * int16.
 *
 * @module
 */

import { type ApiCodec, ApiKey } from "./api.ts";
import { skipTaggedFields, writeNoTaggedFields, writeString } from "./fields.ts";
import type { Reader } from "./reader.ts";
import { utf8Length } from "./utf8.ts";
import type { Writer } from "./writer.ts";

/** InitProducerId request. */
export interface InitProducerIdRequest {
  /** Transactional id, or null for an idempotent-only producer. */
  transactionalId: string | null;
  /** Transaction timeout in ms (only meaningful with a transactional id). */
  transactionTimeoutMs: number;
  /** Current producer id to bump the epoch of (v3+); default -1n (none). */
  producerId?: bigint;
  /** Current producer epoch (v3+); default -1 (none). */
  producerEpoch?: number;
}

/** InitProducerId response. */
export interface InitProducerIdResponse {
  /** Throttle time in ms. */
  throttleTimeMs: number;
  /** Error code (0 = none). */
  errorCode: number;
  /** The producer id assigned. */
  producerId: bigint;
  /** The producer epoch assigned. */
  producerEpoch: number;
}

const FLEXIBLE_FROM = 2;

/** Codec of InitProducerId v0–5. */
export const InitProducerId: ApiCodec<
  InitProducerIdRequest,
  InitProducerIdResponse
> = {
  apiKey: ApiKey.InitProducerId,
  name: "InitProducerId",
  minVersion: 0,
  maxVersion: 5,
  flexibleFrom: FLEXIBLE_FROM,

  encodeRequest(w: Writer, req: InitProducerIdRequest, version: number): void {
    const flexible = version >= FLEXIBLE_FROM;
    writeString(w, flexible, req.transactionalId);
    w.int32(req.transactionTimeoutMs);
    if (version >= 3) {
      w.int64(req.producerId ?? -1n).int16(req.producerEpoch ?? -1);
    }
    writeNoTaggedFields(w, flexible);
  },

  decodeResponse(r: Reader, version: number): InitProducerIdResponse {
    const res: InitProducerIdResponse = {
      throttleTimeMs: r.int32(),
      errorCode: r.int16(),
      producerId: r.int64(),
      producerEpoch: r.int16(),
    };
    skipTaggedFields(r, version >= FLEXIBLE_FROM);
    return res;
  },

  sizeHint(req: InitProducerIdRequest): number {
    return 24 +
      (req.transactionalId === null ? 0 : utf8Length(req.transactionalId));
  },
};
