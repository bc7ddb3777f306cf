/**
 * The envelope of every message: request framing and the request/response
 * headers around a body.
 *
 * A request frame is `int32 size` + request header + body. Request header v1
 * (non-flexible APIs versions): api_key int16, api_version int16,
 * correlation_id int32, client_id nullable string (int16 length). Header v2
 * (flexible versions) is the same (client_id keeps its int16 length) plus an
 * empty tagged-field section.
 *
 * A response frame, once the connection has removed its size prefix, is the
 * response header + body. Response header v0 is correlation_id int32; v1
 * (flexible versions) adds tagged fields — except for ApiVersions, whose
 * response header is always v0 so any client can read it.
 *
 * @module
 */

import { ProtocolError } from "../errors.ts";
import { type ApiCodec, ApiKey, isFlexible } from "./api.ts";
import { Reader } from "./reader.ts";
import { utf8Length } from "./utf8.ts";
import { Writer } from "./writer.ts";

/** Bytes of the size prefix plus the fixed part of the request header. */
const FIXED_HEADER_BYTES = 4 + 2 + 2 + 4 + 2;

/**
 * Encodes a whole request frame: size prefix, request header (v1, or v2 for
 * flexible versions) and body. Throws `RangeError` for a version outside
 * the codec's range.
 */
export function encodeRequest<Req>(
  api: ApiCodec<Req, unknown>,
  version: number,
  correlationId: number,
  clientId: string | null,
  req: Req,
): Uint8Array {
  checkVersion(api, version);
  const hint = api.sizeHint?.(req, version) ?? 64;
  const headerBytes = FIXED_HEADER_BYTES +
    (clientId === null ? 0 : utf8Length(clientId)) + 1;
  const w = new Writer(headerBytes + hint);
  w.int32(0) // size, patched below
    .int16(api.apiKey)
    .int16(version)
    .int32(correlationId)
    .string(clientId);
  if (isFlexible(api, version)) w.taggedFields();
  api.encodeRequest(w, req, version);
  w.patchInt32(0, w.length - 4);
  return w.finish();
}

/** Reads the correlation id of a response frame (without its size prefix). */
export function responseCorrelationId(frame: Uint8Array): number {
  if (frame.length < 4) {
    throw new ProtocolError(
      `response frame of ${frame.length} bytes is too short for a correlation id`,
    );
  }
  return ((frame[0] << 24) | (frame[1] << 16) | (frame[2] << 8) | frame[3]) | 0;
}

/**
 * Decodes a response frame (without its size prefix): skips the response
 * header (v0, or v1 for flexible versions except ApiVersions) and decodes
 * the body with `api` at `version`. Bytes after the body are ignored, as the
 * Java client does. Malformed input throws {@link ProtocolError} whose
 * message names the API and version.
 */
export function decodeResponse<Res>(
  api: ApiCodec<unknown, Res>,
  version: number,
  frame: Uint8Array,
): Res {
  checkVersion(api, version);
  const r = new Reader(frame);
  try {
    r.int32(); // correlation id: matched by the connection
    if (isFlexible(api, version) && api.apiKey !== ApiKey.ApiVersions) {
      r.taggedFields();
    }
    return api.decodeResponse(r, version);
  } catch (err) {
    if (err instanceof ProtocolError) {
      throw new ProtocolError(
        `${api.name} v${version} response: ${err.message}`,
        {
          cause: err,
        },
      );
    }
    throw err;
  }
}

function checkVersion(api: ApiCodec<never, unknown>, version: number): void {
  if (
    !(version >= api.minVersion && version <= api.maxVersion) ||
    (version | 0) !== version
  ) {
    throw new RangeError(
      `${api.name} version ${version} outside the implemented ${api.minVersion}…${api.maxVersion}`,
    );
  }
}
