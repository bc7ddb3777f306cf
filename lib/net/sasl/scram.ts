/**
 * SASL SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802, RFC 7677), client side, on
 * WebCrypto alone (`crypto.subtle`, `crypto.getRandomValues`): the password
 * never crosses the wire, and the broker proves in its last message that it
 * knows the user's salted password too.
 *
 * Three messages: client-first (user, nonce) → server-first (nonce, salt,
 * iterations) → client-final (proof) → server-final (the server's signature).
 * No channel binding (`n,,`), no authorization identity: Kafka supports
 * neither.
 *
 * @module
 */

import { SaslAuthenticationError } from "../../errors.ts";
import type { SaslExchange, SaslMechanism } from "./mechanism.ts";

/** The hash of a SCRAM mechanism, as WebCrypto names it. */
export type ScramHash = "SHA-256" | "SHA-512";

/**
 * Kafka's iteration bounds for both mechanisms (`ScramMechanism`): the Java
 * client refuses fewer than 4096, and Kafka makes no credentials with more
 * than 16384. We refuse more too: a hostile server could otherwise make us
 * spin in PBKDF2.
 */
const MIN_ITERATIONS = 4096;
const MAX_ITERATIONS = 16384;

/** The channel-binding header `n,,` (no binding, no authzid), base64: client-final's `c=`. */
const GS2_HEADER_BASE64 = "biws";

/** RFC 5802 `printable`: %x21-7E except ','. The nonce is made of these. */
const PRINTABLE = /^[\x21-\x2b\x2d-\x7e]+$/;

/** Standard base64 with padding, nothing else (RFC 5802 `base64`). */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * An extension attribute: RFC 5802's `attr-val` has one letter before `=`;
 * Kafka's parser (`ScramMessages`) allows several, and so do we.
 */
const ATTRIBUTE = /^[A-Za-z]+=/;

/** Bytes WebCrypto takes (not over a SharedArrayBuffer). */
type Bytes = Uint8Array<ArrayBuffer>;

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * SCRAM-SHA-256 or SCRAM-SHA-512 with these credentials.
 *
 * The password is used as its UTF-8 bytes, without SASLprep, as Kafka's Java
 * client does (`ScramFormatter.normalize`): a broker whose credentials were
 * made by Kafka's tools salted those same bytes.
 *
 * @param hash The mechanism's hash: `"SHA-256"` → SCRAM-SHA-256.
 * @param nonce Makes each exchange's client nonce (printable ASCII, no `,`);
 *   by default 24 random bytes in base64. For tests with fixed vectors.
 */
export function scramMechanism(
  hash: ScramHash,
  username: string,
  password: string,
  nonce: () => string = randomNonce,
): SaslMechanism {
  const name = `SCRAM-${hash}`;
  return {
    name,
    exchange: () => new ScramExchange(name, hash, username, password, nonce),
  };
}

/** 24 random bytes in base64: 192 bits, and base64 has no `,`. */
function randomNonce(): string {
  return toBase64(crypto.getRandomValues(new Uint8Array(24)));
}

/** One SCRAM exchange; each has its own nonce and keys. */
class ScramExchange implements SaslExchange {
  readonly #name: string;
  readonly #hash: ScramHash;
  readonly #username: string;
  readonly #password: string;
  readonly #makeNonce: () => string;
  /** `computing`: PBKDF2 and the proof for server-first are under way. */
  #state: "initial" | "sent-first" | "computing" | "sent-final" | "done" = "initial";
  #clientNonce = "";
  /** `n=…,r=…`: client-first without the GS2 header, part of AuthMessage. */
  #clientFirstBare = "";
  /** What server-final's `v=` must be, computed with the proof. */
  #serverSignature: Bytes | null = null;

  constructor(
    name: string,
    hash: ScramHash,
    username: string,
    password: string,
    makeNonce: () => string,
  ) {
    this.#name = name;
    this.#hash = hash;
    this.#username = username;
    this.#password = password;
    this.#makeNonce = makeNonce;
  }

  first(): Promise<Uint8Array> {
    if (this.#state !== "initial") return Promise.reject(this.#fault("first() called twice"));
    this.#state = "done";
    const nonce = this.#makeNonce();
    if (typeof nonce !== "string" || !PRINTABLE.test(nonce)) {
      return Promise.reject(
        this.#fault("the client nonce is not printable ASCII without ','"),
      );
    }
    this.#clientNonce = nonce;
    this.#clientFirstBare = `n=${saslName(this.#username)},r=${nonce}`;
    this.#state = "sent-first";
    return Promise.resolve(encoder.encode(`n,,${this.#clientFirstBare}`));
  }

  async next(challenge: Uint8Array): Promise<Uint8Array | null> {
    const state = this.#state;
    if (state === "computing") {
      throw this.#fault("next() called before the previous next() settled");
    }
    // Anything thrown below ends the exchange: a later call finds it done.
    this.#state = "done";
    switch (state) {
      case "sent-first": {
        this.#state = "computing";
        try {
          const final = await this.#clientFinal(this.#text(challenge, "server-first"));
          this.#state = "sent-final";
          return final;
        } catch (error) {
          this.#state = "done";
          throw error;
        }
      }
      case "sent-final":
        this.#verify(this.#text(challenge, "server-final"));
        return null;
      case "initial":
        throw this.#fault("next() called before first()");
      default:
        throw this.#fault("next() called after the exchange ended");
    }
  }

  /** Parses server-first and answers with client-final (the proof). */
  async #clientFinal(serverFirst: string): Promise<Uint8Array> {
    const { nonce, salt, iterations } = this.#parseServerFirst(serverFirst);
    const withoutProof = `c=${GS2_HEADER_BASE64},r=${nonce}`;
    const authMessage = encoder.encode(`${this.#clientFirstBare},${serverFirst},${withoutProof}`);
    let proof: Bytes;
    try {
      const salted = await pbkdf2(this.#hash, encoder.encode(this.#password), salt, iterations);
      const clientKey = await hmac(this.#hash, salted, encoder.encode("Client Key"));
      const storedKey = new Uint8Array(await crypto.subtle.digest(this.#hash, clientKey));
      const clientSignature = await hmac(this.#hash, storedKey, authMessage);
      proof = clientKey.map((byte, i) => byte ^ clientSignature[i]);
      const serverKey = await hmac(this.#hash, salted, encoder.encode("Server Key"));
      this.#serverSignature = await hmac(this.#hash, serverKey, authMessage);
    } catch (error) {
      // WebCrypto's own message (an unsupported algorithm, …) holds no key material.
      throw this.#fault(`WebCrypto failed: ${(error as Error)?.message ?? error}`, error);
    }
    return encoder.encode(`${withoutProof},p=${toBase64(proof)}`);
  }

  /**
   * `[m=…,]r=<nonce>,s=<salt>,i=<iterations>[,extensions]`, strictly: the
   * attributes in that order, the nonce ours extended, the salt base64, the
   * count an integer within Kafka's bounds. Unknown extensions after `i=` are
   * ignored, as RFC 5802 asks; `m=` (a mandatory one) fails.
   */
  #parseServerFirst(text: string): { nonce: string; salt: Bytes; iterations: number } {
    const parts = text.split(",");
    if (parts[0].startsWith("e=")) {
      throw this.#fault(`the broker refused the authentication: ${errorValue(parts[0])}`);
    }
    if (parts[0].startsWith("m=")) {
      throw this.#fault("the broker requires a mandatory extension (m=) this client does not know");
    }
    const nonce = this.#attribute(parts, 0, "r", "nonce", "server-first");
    const saltText = this.#attribute(parts, 1, "s", "salt", "server-first");
    const iterationText = this.#attribute(parts, 2, "i", "iteration count", "server-first");
    this.#extensions(parts.slice(3), "server-first");

    if (!PRINTABLE.test(nonce)) {
      throw this.#fault("the server-first nonce is not printable ASCII");
    }
    if (!nonce.startsWith(this.#clientNonce) || nonce.length <= this.#clientNonce.length) {
      throw this.#fault("the server-first nonce does not extend the client's nonce");
    }
    if (saltText === "" || !BASE64.test(saltText)) {
      throw this.#fault("the server-first salt is not base64");
    }
    if (!/^[0-9]+$/.test(iterationText)) {
      throw this.#fault("the server-first iteration count is not an integer");
    }
    const iterations = Number(iterationText);
    if (iterations < MIN_ITERATIONS) {
      throw this.#fault(
        `the broker asks for ${iterations} iterations, fewer than the minimum ${MIN_ITERATIONS}`,
      );
    }
    if (iterations > MAX_ITERATIONS) {
      const shown = iterationText.length > 12 ? `${iterationText.slice(0, 12)}…` : iterations;
      throw this.#fault(
        `the broker asks for ${shown} iterations, more than Kafka's maximum ${MAX_ITERATIONS}`,
      );
    }
    return { nonce, salt: fromBase64(saltText), iterations };
  }

  /** Checks server-final: `e=<error>` or `v=<signature>`, then optional extensions. */
  #verify(text: string): void {
    const parts = text.split(",");
    if (parts[0].startsWith("e=")) {
      throw this.#fault(`the broker refused the authentication: ${errorValue(parts[0])}`);
    }
    const signature = this.#attribute(parts, 0, "v", "verifier", "server-final");
    this.#extensions(parts.slice(1), "server-final");
    if (!BASE64.test(signature)) throw this.#fault("the server-final verifier is not base64");
    const expected = this.#serverSignature!;
    this.#serverSignature = null;
    if (!equal(fromBase64(signature), expected)) {
      throw this.#fault(
        "the broker's SCRAM signature did not verify: it does not know this user's password " +
          "(or is not the broker)",
      );
    }
  }

  /** The value of `parts[index]`, which must be `<key>=…`. */
  #attribute(parts: string[], index: number, key: string, what: string, message: string): string {
    const part = parts[index];
    if (part === undefined || !part.startsWith(`${key}=`)) {
      throw this.#fault(
        `the ${message} message lacks the ${what} (${key}=) as attribute ${index + 1}`,
      );
    }
    return part.slice(2);
  }

  /** Extensions after the known attributes: each `x=…`; their meaning is ignored. */
  #extensions(parts: string[], message: string): void {
    if (parts.some((part) => !ATTRIBUTE.test(part))) {
      throw this.#fault(`the ${message} message has a malformed attribute after the known ones`);
    }
  }

  #text(challenge: Uint8Array, message: string): string {
    try {
      return decoder.decode(challenge);
    } catch {
      throw this.#fault(`the ${message} message is not UTF-8`);
    }
  }

  /** Every message names the mechanism; none carries the password or anything derived from it. */
  #fault(what: string, cause?: unknown): SaslAuthenticationError {
    return new SaslAuthenticationError(
      `${this.#name}: ${what}`,
      cause === undefined ? undefined : { cause },
    );
  }
}

/**
 * The username as RFC 5802 `saslname`: `=` → `=3D`, `,` → `=2C` (`=` first,
 * or the escapes would be escaped again).
 */
function saslName(username: string): string {
  return username.replaceAll("=", "=3D").replaceAll(",", "=2C");
}

/** The server's `e=` value, shown when it is well-formed (RFC 5802 `server-error-value`). */
function errorValue(part: string): string {
  const value = part.slice(2);
  return /^[\x21-\x2b\x2d-\x3c\x3e-\x7e]{1,100}$/.test(value) ? value : "(a malformed error value)";
}

async function pbkdf2(
  hash: ScramHash,
  password: Bytes,
  salt: Bytes,
  iterations: number,
): Promise<Bytes> {
  const key = await crypto.subtle.importKey("raw", password, "PBKDF2", false, ["deriveBits"]);
  const bits = hash === "SHA-256" ? 256 : 512;
  return new Uint8Array(
    await crypto.subtle.deriveBits(
      { name: "PBKDF2", hash, salt, iterations },
      key,
      bits,
    ),
  );
}

async function hmac(hash: ScramHash, key: Bytes, data: Bytes): Promise<Bytes> {
  const cryptoKey = await crypto.subtle.importKey(
    "raw",
    key,
    { name: "HMAC", hash },
    false,
    ["sign"],
  );
  return new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, data));
}

/** Compares without stopping at the first difference (the length is no secret). */
function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a[i] ^ b[i];
  return difference === 0;
}

function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Decodes text already checked against {@link BASE64}. */
function fromBase64(text: string): Bytes {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}
