/**
 * ApiVersions (key 18), versions 0–4; flexible from 3.
 *
 * Brokers check the v3+ client software name and version against
 * `[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?` and answer INVALID_REQUEST
 * otherwise. The response's v3+ tagged fields describe the broker's
 * features (KIP-584): the version ranges it supports, and the levels the
 * cluster has finalized, e.g. `transaction.version` (2 and up: Transactions
 * V2, KIP-890), with the epoch of that information (-1 when unknown; the
 * list is only meaningful at 0 and up). The ZK migration flag (tag 3, only
 * set by KRaft controllers) is not described: it is skipped.
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
import { array, type In, int16, int32, int64, type Out, string, struct } from "../schema.ts";

const Range = struct({
  /** The API key. */
  apiKey: int16(),
  /** Lowest supported version. */
  minVersion: int16(),
  /** Highest supported version. */
  maxVersion: int16(),
});

const SupportedFeatureKey = struct({
  /** Feature name, e.g. `"transaction.version"`. */
  name: string(),
  /** Lowest version level the broker supports. */
  minVersion: int16(),
  /** Highest version level the broker supports. */
  maxVersion: int16(),
});

const FinalizedFeatureKey = struct({
  /** Feature name, e.g. `"transaction.version"`. */
  name: string(),
  /** The cluster-wide finalized level: the one in effect. */
  maxVersionLevel: int16(),
  /** The cluster-wide finalized lowest level. */
  minVersionLevel: int16(),
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
  /** Features the broker supports (v3+, tag 0); empty before or when not sent. */
  supportedFeatures: array(SupportedFeatureKey, {
    versions: "3+",
    tag: 0,
    taggedVersions: "3+",
    optional: true,
  }),
  /** Epoch of the finalized features (v3+, tag 1); -1n when unknown or not sent. */
  finalizedFeaturesEpoch: int64({
    versions: "3+",
    tag: 1,
    taggedVersions: "3+",
    default: -1n,
    optional: true,
  }),
  /** The cluster's finalized features (v3+, tag 2); empty before or when not sent. */
  finalizedFeatures: array(FinalizedFeatureKey, {
    versions: "3+",
    tag: 2,
    taggedVersions: "3+",
    optional: true,
  }),
});

/** ApiVersions request. */
export type ApiVersionsRequest = In<typeof Request>;
/** One finalized feature of an ApiVersions response. */
export type ApiVersionsFinalizedFeature = Out<typeof FinalizedFeatureKey>;
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
