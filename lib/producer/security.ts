/**
 * The producer's `tls` and `sasl` options: their shapes, and their checks.
 * Together they give Java's four security protocols: neither is PLAINTEXT,
 * `tls` alone SSL, `sasl` alone SASL_PLAINTEXT, both SASL_SSL.
 *
 * A bad value is a {@link ConfigError} that names the option and what is
 * wrong with it, never the value itself: it may be a password, a token or
 * a key.
 *
 * @module
 */
import { ConfigError } from "../errors.ts";
import type { SaslMechanism } from "../net/sasl/mechanism.ts";
import { saslMechanism, type SaslOptions } from "../net/sasl/mechanisms.ts";
import type { TlsConnectOptions } from "../net/transport.ts";

export type { SaslOptions };

/**
 * TLS to the brokers: `true` trusts the runtime's CA store; an object may
 * name the CAs to trust instead, a client certificate for mutual TLS, and
 * the name to verify the brokers' certificates for. Every value is PEM
 * text, not a file path. The broker's certificate chain and name are always
 * verified.
 *
 * @example
 * ```ts
 * import { Producer, type TlsOptions } from "@kafkats/producer";
 * const tls: TlsOptions = {
 *   ca: "-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----\n",
 *   cert: Deno.env.get("CLIENT_CERT_PEM"),
 *   key: Deno.env.get("CLIENT_KEY_PEM"),
 * };
 * const producer = new Producer({ bootstrapServers: ["kafka.example.com:9093"], tls });
 * ```
 */
export type TlsOptions = true | {
  /** PEM certificate(s) of the CA(s) that signed the brokers' certificates; default: the runtime's store. */
  ca?: string | readonly string[];
  /** PEM client certificate (with its chain) for brokers that require one (`ssl.client.auth=required`). */
  cert?: string;
  /** PEM private key of `cert`, unencrypted (PKCS#8, PKCS#1 or SEC1). */
  key?: string;
  /**
   * The name the brokers' certificates must be valid for, sent as SNI;
   * default: the host connected to.
   */
  serverName?: string;
};

const TLS_KEYS = new Set(["ca", "cert", "key", "serverName"]);
const MECHANISMS = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"] as const;
const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;
const PEM_KEY =
  /-----BEGIN (?:RSA |EC )?PRIVATE KEY-----[\s\S]+?-----END (?:RSA |EC )?PRIVATE KEY-----/;

/**
 * Checks the `tls` option and resolves it for the transports; `null` when
 * it is not set.
 * @throws {ConfigError} naming the field that is wrong.
 */
export function resolveTls(value: unknown): TlsConnectOptions | null {
  if (value === undefined) return null;
  if (value === true) return { ca: [] };
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ConfigError("tls must be true or an object { ca?, cert?, key?, serverName? }");
  }
  const tls = value as Record<string, unknown>;
  for (const key of Object.keys(tls)) {
    if (!TLS_KEYS.has(key)) {
      throw new ConfigError(`unknown option tls.${key} (tls takes ca, cert, key and serverName)`);
    }
  }
  const ca = tls.ca === undefined ? [] : typeof tls.ca === "string" ? [tls.ca] : tls.ca;
  if (!Array.isArray(ca)) throw new ConfigError("tls.ca must be a PEM string or an array of them");
  ca.forEach((pem, i) => checkPem(pem, PEM_CERT, `tls.ca${Array.isArray(tls.ca) ? `[${i}]` : ""}`));
  const { cert, key, serverName } = tls;
  if (cert !== undefined) checkPem(cert, PEM_CERT, "tls.cert");
  if (key !== undefined) checkKey(key);
  if ((cert === undefined) !== (key === undefined)) {
    throw new ConfigError(
      `tls.${cert === undefined ? "key" : "cert"} is set without tls.${
        cert === undefined ? "cert" : "key"
      }: a client certificate needs both`,
    );
  }
  if (serverName !== undefined && (typeof serverName !== "string" || serverName === "")) {
    throw new ConfigError("tls.serverName must be a non-empty host name");
  }
  return {
    ca: ca as string[],
    ...(cert === undefined ? {} : { cert: cert as string, key: key as string }),
    ...(serverName === undefined ? {} : { serverName: serverName as string }),
  };
}

/**
 * Checks the `sasl` option and makes its mechanism; `null` when it is not set.
 * @throws {ConfigError} naming the field that is wrong.
 */
export function resolveSasl(value: unknown): SaslMechanism | null {
  if (value === undefined) return null;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ConfigError(
      `sasl must be an object { mechanism, … } (mechanism: ${MECHANISMS.join(", ")})`,
    );
  }
  const sasl = value as Record<string, unknown>;
  const mechanism = sasl.mechanism;
  if (typeof mechanism !== "string" || !(MECHANISMS as readonly string[]).includes(mechanism)) {
    const named = typeof mechanism === "string" ? ` "${mechanism.slice(0, 40)}"` : "";
    const upper = typeof mechanism === "string" ? mechanism.toUpperCase() : "";
    const hint = (MECHANISMS as readonly string[]).includes(upper)
      ? `; did you mean "${upper}"?`
      : "";
    throw new ConfigError(
      `sasl.mechanism${named} is not supported: use ${MECHANISMS.join(", ")}${hint}`,
    );
  }
  const keys = mechanism === "OAUTHBEARER"
    ? ["mechanism", "token"]
    : ["mechanism", "username", "password"];
  for (const key of Object.keys(sasl)) {
    if (!keys.includes(key)) {
      throw new ConfigError(
        `unknown option sasl.${key} for ${mechanism} (it takes ${keys.slice(1).join(" and ")})`,
      );
    }
  }
  if (mechanism === "OAUTHBEARER") {
    if (typeof sasl.token !== "function") {
      throw new ConfigError(
        "sasl.token must be a function returning a promise of the token (or of { value, extensions })",
      );
    }
  } else {
    if (typeof sasl.username !== "string" || sasl.username === "") {
      throw new ConfigError(`sasl.username must be a non-empty string for ${mechanism}`);
    }
    if (typeof sasl.password !== "string") {
      throw new ConfigError(
        `sasl.password must be a string for ${mechanism}, got ${typeOf(sasl.password)}`,
      );
    }
  }
  return saslMechanism(sasl as SaslOptions);
}

function checkPem(value: unknown, pattern: RegExp, name: string): void {
  if (typeof value !== "string") {
    throw new ConfigError(`${name} must be a PEM string, got ${typeOf(value)}`);
  }
  if (!pattern.test(value)) {
    throw new ConfigError(
      `${name} is not a PEM certificate (-----BEGIN CERTIFICATE----- …); give the file's text, not its path`,
    );
  }
}

function checkKey(value: unknown): void {
  if (typeof value !== "string") {
    throw new ConfigError(`tls.key must be a PEM string, got ${typeOf(value)}`);
  }
  // PKCS#8 encryption has its own header; OpenSSL's traditional (PKCS#1, SEC1)
  // encryption keeps the RSA/EC header and adds a Proc-Type line.
  if (
    value.includes("-----BEGIN ENCRYPTED PRIVATE KEY-----") ||
    /^Proc-Type:\s*4,\s*ENCRYPTED\s*$/m.test(value)
  ) {
    throw new ConfigError("tls.key is encrypted: give the key without a passphrase");
  }
  if (!PEM_KEY.test(value)) {
    throw new ConfigError(
      "tls.key is not a PEM private key (-----BEGIN PRIVATE KEY----- …); give the file's text, not its path",
    );
  }
}

function typeOf(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
}
