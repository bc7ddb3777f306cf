/**
 * The shape every message codec shares, and the API keys this client uses.
 *
 * @module
 */

import type { Reader } from "./reader.ts";
import type { Writer } from "./writer.ts";

/** Kafka API keys (request types) this client speaks. */
export const ApiKey = {
  Produce: 0,
  Metadata: 3,
  FindCoordinator: 10,
  SaslHandshake: 17,
  ApiVersions: 18,
  InitProducerId: 22,
  AddPartitionsToTxn: 24,
  AddOffsetsToTxn: 25,
  EndTxn: 26,
  TxnOffsetCommit: 28,
  SaslAuthenticate: 36,
} as const;

/**
 * Encodes one API's request bodies and decodes its response bodies over a
 * range of versions. Headers and framing are {@link "./envelope.ts"}'s job.
 */
export interface ApiCodec<Req, Res> {
  /** The API key sent in the request header. */
  readonly apiKey: number;
  /** The API's name as in Kafka's schemas, e.g. `"Produce"`. */
  readonly name: string;
  /** Lowest version this codec implements. */
  readonly minVersion: number;
  /** Highest version this codec implements. */
  readonly maxVersion: number;
  /** First flexible version (compact encodings, tagged fields); `Infinity` if never. */
  readonly flexibleFrom: number;
  /** Writes the request body (no header) for `version`. */
  encodeRequest(w: Writer, req: Req, version: number): void;
  /** Reads the response body (no header) for `version`. */
  decodeResponse(r: Reader, version: number): Res;
  /**
   * Optional estimate of the request body's size in bytes, used to size the
   * frame's buffer up front (Produce requests carry whole record batches).
   */
  sizeHint?(req: Req, version: number): number;
}

/** Whether `version` of `api` uses the flexible encodings. */
export function isFlexible(
  api: { readonly flexibleFrom: number },
  version: number,
): boolean {
  return version >= api.flexibleFrom;
}
