/**
 * ApiVersions (key 18), versions 0–4; flexible from 3.
 *
 * Request: v0–2 empty; v3+ client_software_name, client_software_version
 * (compact strings; brokers check them against
 * `[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?` and answer INVALID_REQUEST
 * otherwise).
 * Response: error_code, api_keys[] { api_key, min_version, max_version },
 * throttle_time_ms (v1+), then (v3+) tagged fields — supported features,
 * finalized features and their epoch, ZK migration flag — which are skipped.
 *
 * A broker that does not support the requested version answers
 * UNSUPPORTED_VERSION (35) with a **v0** body listing its ranges; as in the
 * Java client, a body that does not parse at the requested version is
 * decoded again as v0.
 *
 * @module
 */

import { ProtocolError } from "../errors.ts";
import { type ApiCodec, ApiKey } from "./api.ts";
import { readArray, skipTaggedFields } from "./fields.ts";
import type { Reader } from "./reader.ts";
import type { Writer } from "./writer.ts";

/** ApiVersions request. */
export interface ApiVersionsRequest {
  /** Client software name (v3+), e.g. `"kafka-ts"`. */
  clientSoftwareName: string;
  /** Client software version (v3+), e.g. `"0.1.0"`. */
  clientSoftwareVersion: string;
}

/** One API's supported version range. */
export interface ApiVersionRange {
  /** The API key. */
  apiKey: number;
  /** Lowest supported version. */
  minVersion: number;
  /** Highest supported version. */
  maxVersion: number;
}

/** ApiVersions response. */
export interface ApiVersionsResponse {
  /** Top-level error code (35 when our request version was too new). */
  errorCode: number;
  /** Supported version ranges per API key. */
  apiKeys: ApiVersionRange[];
  /** Throttle time in ms (0 before v1). */
  throttleTimeMs: number;
}

const FLEXIBLE_FROM = 3;

function decodeAt(r: Reader, version: number): ApiVersionsResponse {
  const flexible = version >= FLEXIBLE_FROM;
  const errorCode = r.int16();
  const apiKeys = readArray(r, flexible, "api_keys", (r) => {
    const range: ApiVersionRange = {
      apiKey: r.int16(),
      minVersion: r.int16(),
      maxVersion: r.int16(),
    };
    skipTaggedFields(r, flexible);
    return range;
  });
  const throttleTimeMs = version >= 1 ? r.int32() : 0;
  skipTaggedFields(r, flexible);
  return { errorCode, apiKeys, throttleTimeMs };
}

/** Codec of ApiVersions v0–4. */
export const ApiVersions: ApiCodec<ApiVersionsRequest, ApiVersionsResponse> = {
  apiKey: ApiKey.ApiVersions,
  name: "ApiVersions",
  minVersion: 0,
  maxVersion: 4,
  flexibleFrom: FLEXIBLE_FROM,

  encodeRequest(w: Writer, req: ApiVersionsRequest, version: number): void {
    if (version < FLEXIBLE_FROM) return;
    w.compactString(req.clientSoftwareName)
      .compactString(req.clientSoftwareVersion)
      .taggedFields();
  },

  decodeResponse(r: Reader, version: number): ApiVersionsResponse {
    const start = r.offset;
    try {
      return decodeAt(r, version);
    } catch (err) {
      if (version === 0 || !(err instanceof ProtocolError)) throw err;
      r.offset = start;
      try {
        return decodeAt(r, 0);
      } catch {
        throw err; // the error at the requested version says more
      }
    }
  },

  sizeHint(req: ApiVersionsRequest): number {
    return 8 +
      3 * (req.clientSoftwareName.length + req.clientSoftwareVersion.length);
  },
};
