/**
 * perf.ts's security flags, turned into the producer's `tls` and `sasl`
 * options: Java's four `security.protocol` values, PEM files read here (the
 * options take PEM text), SASL credentials from the command line. Uses
 * `node:fs` so Deno and Bun share it.
 *
 *   --security-protocol PLAINTEXT|SSL|SASL_PLAINTEXT|SASL_SSL   (PLAINTEXT)
 *   --ca FILE            PEM CA(s) to trust (default: the runtime's store)
 *   --cert FILE --key FILE   PEM client certificate and its unencrypted key (mTLS)
 *   --server-name NAME   the name the broker's certificate must be valid for
 *   --sasl-mechanism PLAIN|SCRAM-SHA-256|SCRAM-SHA-512|OAUTHBEARER
 *   --sasl-username U --sasl-password P   (PLAIN, SCRAM-*)
 *   --sasl-token T       a fixed bearer token (OAUTHBEARER)
 *
 * @module
 */
import { readFileSync } from "node:fs";
import type { SaslOptions, TlsOptions } from "../../mod.ts";

/** Java's `security.protocol`. */
export type SecurityProtocol = "PLAINTEXT" | "SSL" | "SASL_PLAINTEXT" | "SASL_SSL";

const PROTOCOLS: readonly SecurityProtocol[] = ["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"];
const TLS_FLAGS = ["ca", "cert", "key", "server-name"];
const SASL_FLAGS = ["sasl-mechanism", "sasl-username", "sasl-password", "sasl-token"];

/** What the flags ask for: the protocol and the producer options it takes. */
export interface Security {
  /** The protocol, as Java names it. */
  protocol: SecurityProtocol;
  /** The producer's `tls` option (SSL, SASL_SSL). */
  tls?: TlsOptions;
  /** The producer's `sasl` option (SASL_PLAINTEXT, SASL_SSL). */
  sasl?: SaslOptions;
  /** One line for the report, e.g. `"SASL_SSL SCRAM-SHA-512"`, `"SSL (client certificate)"`. */
  description: string;
}

/**
 * Reads the security flags out of `args`.
 * @throws {Error} for an unknown protocol, a flag the protocol does not use,
 * or a missing credential; file errors name the flag.
 */
export function securityFromArgs(
  args: Map<string, string>,
  readFile: (path: string) => string = (path) => readFileSync(path, "utf8"),
): Security {
  const given = (args.get("security-protocol") ?? "PLAINTEXT").toUpperCase();
  if (!(PROTOCOLS as readonly string[]).includes(given)) {
    throw new Error(`--security-protocol must be one of ${PROTOCOLS.join(", ")}, not ${given}`);
  }
  const protocol = given as SecurityProtocol;
  const usesTls = protocol === "SSL" || protocol === "SASL_SSL";
  const usesSasl = protocol.startsWith("SASL_");
  for (const flag of usesTls ? [] : TLS_FLAGS) {
    if (args.has(flag)) throw new Error(`--${flag} needs --security-protocol SSL or SASL_SSL`);
  }
  for (const flag of usesSasl ? [] : SASL_FLAGS) {
    if (args.has(flag)) {
      throw new Error(`--${flag} needs --security-protocol SASL_PLAINTEXT or SASL_SSL`);
    }
  }
  const file = (flag: string): string | undefined => {
    const path = args.get(flag);
    if (path === undefined) return undefined;
    try {
      return readFile(path);
    } catch (error) {
      throw new Error(`--${flag} ${path}: ${(error as Error).message}`);
    }
  };
  const out: Security = { protocol, description: protocol };
  if (usesTls) {
    const ca = file("ca");
    const cert = file("cert");
    const key = file("key");
    const serverName = args.get("server-name");
    if ((cert === undefined) !== (key === undefined)) {
      throw new Error("--cert and --key go together (a client certificate needs its key)");
    }
    out.tls = ca === undefined && cert === undefined && serverName === undefined ? true : {
      ...(ca === undefined ? {} : { ca }),
      ...(cert === undefined ? {} : { cert, key }),
      ...(serverName === undefined ? {} : { serverName }),
    };
    if (cert !== undefined) out.description += " (client certificate)";
  }
  if (usesSasl) {
    const mechanism = args.get("sasl-mechanism");
    if (mechanism === undefined) {
      throw new Error(`--security-protocol ${protocol} needs --sasl-mechanism`);
    }
    if (mechanism === "OAUTHBEARER") {
      const token = args.get("sasl-token");
      if (token === undefined) throw new Error("--sasl-mechanism OAUTHBEARER needs --sasl-token");
      out.sasl = { mechanism, token: () => Promise.resolve(token) };
    } else {
      const username = args.get("sasl-username");
      const password = args.get("sasl-password");
      if (username === undefined || password === undefined) {
        throw new Error(`--sasl-mechanism ${mechanism} needs --sasl-username and --sasl-password`);
      }
      // The producer checks the mechanism's name (and says which it takes).
      out.sasl = { mechanism, username, password } as SaslOptions;
    }
    out.description += ` ${mechanism}`;
  }
  return out;
}
