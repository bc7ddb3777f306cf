/**
 * Java's security settings (`security.protocol`, `sasl.mechanism`,
 * `sasl.jaas.config`, `ssl.truststore.*`, `ssl.keystore.*`), as a
 * `--producer.config` file or `--property` gives them, turned into what the
 * CLI's own security flags say ({@link SecuritySpec}). Only what maps:
 * truststores and keystores of type PEM (JKS and PKCS12 stores are
 * refused, naming the flag to use), usernames and passwords from the
 * PLAIN and SCRAM login modules. Errors never show a value.
 *
 * @module
 */
import { UsageError } from "./errors.ts";

/** PEM text to read from a file, or given inline. */
export type PemSource = { readonly file: string } | { readonly pem: string };

/** Security as the CLI's flags (and the Java settings mapped onto them) describe it. */
export interface SecuritySpec {
  /** TLS on (`--tls`, `security.protocol` SSL or SASL_SSL). */
  tls?: boolean;
  /** `security.protocol` named SASL_PLAINTEXT or SASL_SSL: a mechanism is required. */
  saslRequired?: boolean;
  /** The SASL mechanism. */
  mechanism?: string;
  /** SASL username. */
  username?: string;
  /** SASL password. */
  password?: string;
  /** OAUTHBEARER token. */
  token?: string;
  /** File holding the OAUTHBEARER token (read for each authentication). */
  tokenFile?: string;
  /** CA certificate(s) to trust. */
  ca?: PemSource;
  /** Client certificate (chain). */
  cert?: PemSource;
  /** Client key. */
  key?: PemSource;
  /** A PEM file with both the client key and its certificate chain (`ssl.keystore.type=PEM`). */
  keystoreFile?: string;
  /** The name the brokers' certificates must be valid for. */
  serverName?: string;
}

/** The Java security settings understood here. */
export const SECURITY_PROPERTIES: ReadonlySet<string> = new Set([
  "security.protocol",
  "sasl.mechanism",
  "sasl.jaas.config",
  "ssl.truststore.type",
  "ssl.truststore.location",
  "ssl.truststore.certificates",
  "ssl.truststore.password",
  "ssl.keystore.type",
  "ssl.keystore.location",
  "ssl.keystore.certificate.chain",
  "ssl.keystore.key",
  "ssl.keystore.password",
  "ssl.key.password",
  "ssl.endpoint.identification.algorithm",
]);

const PROTOCOLS = ["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"];

/**
 * The {@link SecuritySpec} that Java settings (name → value) describe.
 *
 * @example
 * ```ts
 * import { javaSecurity } from "@kafkats/producer/cli";
 * const spec = javaSecurity(new Map([
 *   ["security.protocol", "SASL_SSL"],
 *   ["sasl.mechanism", "SCRAM-SHA-512"],
 *   ["sasl.jaas.config", 'org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="…";'],
 *   ["ssl.truststore.type", "PEM"],
 *   ["ssl.truststore.location", "/etc/kafka/ca.pem"],
 * ]), "producer.properties");
 * console.log(spec.tls, spec.mechanism, spec.username, spec.ca); // true "SCRAM-SHA-512" "alice" { file: "/etc/kafka/ca.pem" }
 * ```
 * @throws {UsageError} for a setting that does not map (naming it and what to use instead).
 */
export function javaSecurity(settings: ReadonlyMap<string, string>, where: string): SecuritySpec {
  const spec: SecuritySpec = {};
  const get = (name: string) => settings.get(name)?.trim();
  const protocol = get("security.protocol");
  if (protocol !== undefined) {
    const upper = protocol.toUpperCase();
    if (!PROTOCOLS.includes(upper)) {
      throw new UsageError(
        `${where}: security.protocol must be ${PROTOCOLS.join(", ")}, got "${
          protocol.slice(0, 40)
        }"`,
      );
    }
    spec.tls = upper === "SSL" || upper === "SASL_SSL";
    spec.saslRequired = upper.startsWith("SASL_");
  }
  const mechanism = get("sasl.mechanism");
  if (mechanism !== undefined) {
    if (mechanism.toUpperCase() === "GSSAPI") {
      throw new UsageError(
        `${where}: sasl.mechanism GSSAPI (Kerberos) is not supported: use PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER`,
      );
    }
    spec.mechanism = mechanism;
  }
  const jaas = settings.get("sasl.jaas.config");
  if (jaas !== undefined) {
    const username = jaasOption(jaas, "username");
    const password = jaasOption(jaas, "password");
    if (/OAuthBearerLoginModule/.test(jaas)) {
      // Java's OAUTHBEARER logins take their tokens from callback handlers: nothing maps.
    } else if (username === null || password === null) {
      throw new UsageError(
        `${where}: sasl.jaas.config has no username="…" and password="…" (only the PLAIN and SCRAM login modules map; for OAUTHBEARER use --sasl-token or --sasl-token-file)`,
      );
    } else {
      spec.username = username;
      spec.password = password;
    }
  }
  const endpoint = settings.get("ssl.endpoint.identification.algorithm");
  if (endpoint !== undefined && endpoint.trim().toLowerCase() !== "https") {
    throw new UsageError(
      `${where}: ssl.endpoint.identification.algorithm cannot turn hostname verification off here; use --tls-server-name NAME for a certificate issued to another name`,
    );
  }
  if (settings.has("ssl.key.password")) {
    throw new UsageError(
      `${where}: ssl.key.password: encrypted private keys are not supported; decrypt the key (openssl pkey -in key.pem -out plain.pem)`,
    );
  }
  const truststoreType = (get("ssl.truststore.type") ?? "JKS").toUpperCase();
  const truststore = get("ssl.truststore.location");
  if (truststore !== undefined) {
    if (truststoreType !== "PEM") {
      throw new UsageError(
        `${where}: ssl.truststore.location: ${truststoreType} truststores are not supported, only ssl.truststore.type=PEM; export the CA as PEM (keytool -exportcert -rfc) and pass --tls-ca FILE`,
      );
    }
    spec.ca = { file: truststore };
  }
  const inlineCa = settings.get("ssl.truststore.certificates");
  if (inlineCa !== undefined) spec.ca = { pem: inlineCa };
  const keystoreType = (get("ssl.keystore.type") ?? "JKS").toUpperCase();
  const keystore = get("ssl.keystore.location");
  if (keystore !== undefined) {
    if (keystoreType !== "PEM") {
      throw new UsageError(
        `${where}: ssl.keystore.location: ${keystoreType} keystores are not supported, only ssl.keystore.type=PEM; or pass --tls-cert FILE and --tls-key FILE`,
      );
    }
    spec.keystoreFile = keystore;
  }
  const chain = settings.get("ssl.keystore.certificate.chain");
  const key = settings.get("ssl.keystore.key");
  if (chain !== undefined) spec.cert = { pem: chain };
  if (key !== undefined) spec.key = { pem: key };
  if (
    spec.tls === undefined &&
    (spec.ca !== undefined || spec.cert !== undefined || spec.keystoreFile !== undefined)
  ) {
    spec.tls = true;
  }
  return spec;
}

/** `name="value"` (or unquoted `name=value`) of a JAAS login module line; null if absent. */
function jaasOption(jaas: string, name: string): string | null {
  const quoted = new RegExp(`(?:^|\\s)${name}\\s*=\\s*"((?:[^"\\\\]|\\\\.)*)"`).exec(jaas);
  if (quoted !== null) return quoted[1].replace(/\\(.)/g, "$1");
  const bare = new RegExp(`(?:^|\\s)${name}\\s*=\\s*([^\\s;"]+)`).exec(jaas);
  return bare === null ? null : bare[1];
}
