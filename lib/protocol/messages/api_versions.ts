/**
 * ApiVersions (key 18), versions 0–4; flexible from 3.
 *
 * Brokers check the v3+ client software name and version against
 * `[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?` and answer INVALID_REQUEST
 * otherwise. The response's v3+ tagged fields (supported and finalized
 * features, ZK migration flag) are not described: they are skipped.
 *
 * A broker that does not support the requested version answers
 * UNSUPPORTED_VERSION (35) with a **v0** body listing its ranges; as in the
 * Java client, a body that does not parse at the requested version is
 * decoded again as v0.
 *
 * @module
 */

import { ProtocolError } from "../../errors.ts";
import { ApiKey } from "../api.ts";
import { message, type MessageCodec } from "../codec.ts";
import { array, type In, int16, int32, type Out, string, struct } from "../schema.ts";

const Range = struct({
  /** The API key. */
  apiKey: int16(),
  /** Lowest supported version. */
  minVersion: int16(),
  /** Highest supported version. */
  maxVersion: int16(),
});

const Request = struct({
  /** Client software name (v3+), e.g. `"kafka-ts"`. */
  clientSoftwareName: string({ versions: "3+" }),
  /** Client software version (v3+), e.g. `"0.1.0"`. */
  clientSoftwareVersion: string({ versions: "3+" }),
});

const Response = struct({
  /** Top-level error code (35 when our request version was too new). */
  errorCode: int16(),
  /** Supported version ranges per API key. */
  apiKeys: array(Range),
  /** Throttle time in ms (0 before v1). */
  throttleTimeMs: int32({ versions: "1+" }),
});

/** ApiVersions request. */
export type ApiVersionsRequest = In<typeof Request>;
/** ApiVersions response. */
export type ApiVersionsResponse = Out<typeof Response>;

const codec = message({
  name: "ApiVersions",
  apiKey: ApiKey.ApiVersions,
  validVersions: "0-4",
  flexibleVersions: "3+",
  request: Request,
  response: Response,
});

/** Codec of ApiVersions v0–4 (a body failing at the requested version is read again as v0). */
export const ApiVersions: MessageCodec<ApiVersionsRequest, ApiVersionsResponse> = {
  ...codec,
  decodeResponse(r, version) {
    const start = r.offset;
    try {
      return codec.decodeResponse(r, version);
    } catch (err) {
      if (version === 0 || !(err instanceof ProtocolError)) throw err;
      r.offset = start;
      try {
        return codec.decodeResponse(r, 0);
      } catch {
        throw err; // the error at the requested version says more
      }
    }
  },
};
