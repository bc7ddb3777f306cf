/**
 * The secure listeners of the broker `scripts/kafka.sh up --secure` started:
 * their addresses, the test CA and client certificate as PEM text, the SASL
 * user, and unsigned JWTs for the broker's test-only OAUTHBEARER validator.
 * Reads `<run dir>/secure/secure.json` (or `$KAFKA_SECURE_INFO`). Uses
 * `node:` modules so the Deno tests, the Bun run and the benchmarks share it.
 *
 * @module
 */
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Where everything of the secure broker is, PEM files read. */
export interface SecureBroker {
  /** PLAINTEXT listener (for admin and read-back). */
  plaintext: string;
  /** SSL listener; client certificates required. */
  ssl: string;
  /** SASL_SSL listener. */
  saslSsl: string;
  /** SASL_PLAINTEXT listener. */
  saslPlaintext: string;
  /** `connections.max.reauth.ms`: the longest a SASL session lasts. */
  reauthMs: number;
  /** The SASL user (PLAIN and both SCRAMs). */
  username: string;
  /** Its password. */
  password: string;
  /** PEM of the CA that signed the broker's and the client's certificates. */
  ca: string;
  /** PEM of a CA that signed nothing the broker trusts. */
  otherCa: string;
  /** PEM client certificate signed by `ca`. */
  clientCert: string;
  /** PEM private key of both client certificates. */
  clientKey: string;
  /** The same client, signed by `otherCa`. */
  clientCertOtherCa: string;
  /** The broker's truststore (PKCS12) and its password, for Java clients. */
  truststore: string;
  /** Password of the truststore. */
  storePassword: string;
}

const env = globalThis.process?.env ?? {};
const INFO = env.KAFKA_SECURE_INFO ??
  fileURLToPath(new URL("../../.cache/run/secure/secure.json", import.meta.url));

/**
 * The secure broker, or null when none runs (`kafka.sh up` without
 * `--secure`). Under CI it must run: tests would otherwise pass by skipping.
 */
export function secureBroker(): SecureBroker | null {
  if (!existsSync(INFO)) {
    if (env.CI === "true") {
      throw new Error(`no secure broker (${INFO} missing): CI must start kafka.sh up --secure`);
    }
    return null;
  }
  const raw = JSON.parse(readFileSync(INFO, "utf8"));
  const pem = (path: string) => readFileSync(path, "utf8");
  return {
    ...raw,
    ca: pem(raw.ca),
    otherCa: pem(raw.otherCa),
    clientCert: pem(raw.clientCert),
    clientKey: pem(raw.clientKey),
    clientCertOtherCa: pem(raw.clientCertOtherCa),
  };
}

/**
 * An unsigned JWT (`alg: none`) for `sub`, valid for `lifetimeS` seconds:
 * what the broker's default (unsecured, test-only) OAUTHBEARER validator takes.
 */
export function unsignedJwt(sub = "alice", lifetimeS = 3600): string {
  const part = (value: unknown) =>
    btoa(JSON.stringify(value)).replace(/=+$/, "").replaceAll("+", "-").replaceAll("/", "_");
  const now = Math.floor(Date.now() / 1000);
  return `${part({ alg: "none" })}.${part({ sub, iat: now, exp: now + lifetimeS })}.`;
}
