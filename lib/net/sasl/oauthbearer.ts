/**
 * SASL OAUTHBEARER (RFC 7628) as Kafka speaks it: one initial response with
 * a bearer token from the application's provider, and optional SASL
 * extensions (KIP-342) beside it. Getting, caching and refreshing tokens is
 * the provider's business; this side asks it once per authentication.
 *
 * @module
 */

import { errorMessage } from "../../diagnostics/describe_error.ts";
import { SaslAuthenticationError } from "../../errors.ts";
import type { SaslExchange, SaslMechanism } from "./mechanism.ts";

/**
 * What a token provider returns: the token, alone or with SASL extensions
 * (`key → value`, sent in the order of the object's keys).
 */
export type OAuthBearerToken = string | {
  /** The bearer token (RFC 6750 `b64token`), e.g. a JWT. */
  value: string;
  /** SASL extensions for the broker's callback handler, e.g. `{ logicalCluster: "lkc-1" }`. */
  extensions?: Record<string, string>;
};

/** RFC 6750 `b64token`. */
const TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
/** Kafka's extension key and value patterns (`OAuthBearerClientInitialResponse`). */
const EXTENSION_KEY = /^[A-Za-z]+$/;
const EXTENSION_VALUE = /^[\x21-\x7E \t\r\n]+$/;
/** RFC 7628's key/value separator. */
const SEP = "\x01";

const encoder = new TextEncoder();

/**
 * OAUTHBEARER with tokens from `token`, called at the start of every exchange
 * — each authentication and each re-authentication gets a fresh token (a
 * provider that caches must refresh before expiry itself).
 *
 * The initial response is `n,,\x01auth=Bearer <token>\x01` then
 * `key=value\x01` per extension, then a final `\x01`. A broker that refuses the
 * token answers with an error challenge (JSON, RFC 7628 §3.2.2); the client
 * sends the required dummy `\x01`, and the broker's SASL_AUTHENTICATION_FAILED
 * follows.
 *
 * @throws {SaslAuthenticationError} from `first()` when the provider fails or
 *   returns an invalid token or extension (the message never shows the token
 *   or an extension's value).
 */
export function oauthBearerMechanism(token: () => Promise<OAuthBearerToken>): SaslMechanism {
  return {
    name: "OAUTHBEARER",
    exchange: () => new OAuthBearerExchange(token),
  };
}

/** One OAUTHBEARER exchange: the token, then success or the error dance. */
class OAuthBearerExchange implements SaslExchange {
  readonly #provider: () => Promise<OAuthBearerToken>;
  #state: "initial" | "sent" | "error-sent" | "done" = "initial";
  /** The broker's error challenge's `status`, once one came. */
  #status = "";

  constructor(provider: () => Promise<OAuthBearerToken>) {
    this.#provider = provider;
  }

  async first(): Promise<Uint8Array> {
    if (this.#state !== "initial") throw fault("first() called twice");
    this.#state = "done";
    let result: OAuthBearerToken;
    try {
      result = await this.#provider();
    } catch (error) {
      throw new SaslAuthenticationError(
        `the OAUTHBEARER token provider failed: ${errorMessage(error)}`,
        { cause: error },
      );
    }
    const message = initialResponse(result);
    this.#state = "sent";
    return message;
  }

  next(challenge: Uint8Array): Promise<Uint8Array | null> {
    const state = this.#state;
    this.#state = "done";
    switch (state) {
      case "sent":
        if (challenge.length === 0) return Promise.resolve(null);
        // RFC 7628 §3.2.3: the client answers an error challenge with a lone
        // 0x01; the broker then fails the authentication with its error code.
        this.#status = errorStatus(challenge);
        this.#state = "error-sent";
        return Promise.resolve(new Uint8Array([1]));
      case "error-sent":
        return Promise.reject(fault(`the broker refused the token (${this.#status})`));
      case "initial":
        return Promise.reject(fault("next() called before first()"));
      default:
        return Promise.reject(fault("next() called after the exchange ended"));
    }
  }
}

/** The client's initial response for this token, checked first. */
function initialResponse(result: OAuthBearerToken): Uint8Array {
  const { value, extensions } = typeof result === "string"
    ? { value: result, extensions: undefined }
    : (result ?? {}) as { value?: unknown; extensions?: unknown };
  if (typeof value !== "string") {
    throw fault("the token provider returned neither a string nor { value: string }");
  }
  // The token itself stays out of every message: it is a credential.
  if (!TOKEN.test(value)) {
    throw fault(
      value === "" ? "the token is empty" : "the token has characters outside RFC 6750's b64token",
    );
  }
  let message = `n,,${SEP}auth=Bearer ${value}${SEP}`;
  if (extensions !== undefined) {
    if (extensions === null || typeof extensions !== "object") {
      throw fault("the token's extensions are not an object");
    }
    for (const [key, text] of Object.entries(extensions)) {
      const name = JSON.stringify(key);
      if (!EXTENSION_KEY.test(key)) throw fault(`the extension key ${name} is not letters only`);
      if (key === "auth") throw fault(`the extension key "auth" is reserved for the token`);
      if (typeof text !== "string" || !EXTENSION_VALUE.test(text)) {
        throw fault(`the value of extension ${name} is empty or has invalid characters`);
      }
      message += `${key}=${text}${SEP}`;
    }
  }
  return encoder.encode(message + SEP);
}

/** `status "…"` from the broker's error JSON, or why there is none. */
function errorStatus(challenge: Uint8Array): string {
  try {
    const parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(challenge));
    if (typeof parsed?.status === "string") {
      return `status ${JSON.stringify(parsed.status.slice(0, 100))}`;
    }
    return "its error challenge had no status";
  } catch {
    return "its error challenge was not JSON";
  }
}

function fault(what: string): SaslAuthenticationError {
  return new SaslAuthenticationError(`OAUTHBEARER: ${what}`);
}
