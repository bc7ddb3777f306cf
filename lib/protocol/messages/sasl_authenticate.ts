/**
 * SaslAuthenticate (key 36), versions 0–2; flexible from 2.
 *
 * Carries one SASL message each way. Version 1 adds the session's lifetime
 * (KIP-368): the client re-authenticates on the same connection before it
 * ends, or the broker closes the connection.
 *
 * @module
 */

import { ApiKey } from "../api.ts";
import { message, type MessageCodec } from "../codec.ts";
import { bytes, type In, int16, int64, type Out, string, struct } from "../schema.ts";

const Request = struct({
  /** The client's SASL message. */
  authBytes: bytes(),
});

const Response = struct({
  /** Error code (0 = none; 58 SASL_AUTHENTICATION_FAILED, 34 ILLEGAL_SASL_STATE). */
  errorCode: int16(),
  /** The broker's description of the error, if any. */
  errorMessage: string({ nullable: "0+" }),
  /** The broker's SASL message (a challenge, or its final message). */
  authBytes: bytes(),
  /** Milliseconds until the session ends (v1+); 0 when it does not. */
  sessionLifetimeMs: int64({ versions: "1+", default: 0n }),
});

/** SaslAuthenticate request. */
export type SaslAuthenticateRequest = In<typeof Request>;
/** SaslAuthenticate response. */
export type SaslAuthenticateResponse = Out<typeof Response>;

/** Codec of SaslAuthenticate v0–2. */
export const SaslAuthenticate: MessageCodec<SaslAuthenticateRequest, SaslAuthenticateResponse> =
  message({
    name: "SaslAuthenticate",
    apiKey: ApiKey.SaslAuthenticate,
    validVersions: "0-2",
    flexibleVersions: "2+",
    request: Request,
    response: Response,
  });
