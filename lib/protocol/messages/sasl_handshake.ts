/**
 * SaslHandshake (key 17), versions 0–1; never flexible.
 *
 * Names the SASL mechanism the client wants. Version 1 means the exchange
 * that follows is carried in SaslAuthenticate requests (v0 sent raw SASL
 * tokens, which this client does not speak).
 *
 * @module
 */

import { ApiKey } from "../api.ts";
import { message, type MessageCodec } from "../codec.ts";
import { array, type In, int16, type Out, string, struct } from "../schema.ts";

const Request = struct({
  /** The SASL mechanism chosen by the client, e.g. `"SCRAM-SHA-512"`. */
  mechanism: string(),
});

const Response = struct({
  /** Error code (0 = none; 33 UNSUPPORTED_SASL_MECHANISM). */
  errorCode: int16(),
  /** The mechanisms the broker enables on this listener. */
  mechanisms: array(string()),
});

/** SaslHandshake request. */
export type SaslHandshakeRequest = In<typeof Request>;
/** SaslHandshake response. */
export type SaslHandshakeResponse = Out<typeof Response>;

/** Codec of SaslHandshake v0–1. */
export const SaslHandshake: MessageCodec<SaslHandshakeRequest, SaslHandshakeResponse> = message({
  name: "SaslHandshake",
  apiKey: ApiKey.SaslHandshake,
  validVersions: "0-1",
  flexibleVersions: "none",
  request: Request,
  response: Response,
});
