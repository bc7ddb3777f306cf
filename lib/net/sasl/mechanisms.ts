/**
 * The SASL options a producer takes, and the mechanism they name. The
 * producer's config has checked the options (field types, a known mechanism)
 * before they arrive here.
 *
 * @module
 */

import type { SaslMechanism } from "./mechanism.ts";
import { oauthBearerMechanism, type OAuthBearerToken } from "./oauthbearer.ts";
import { plainMechanism } from "./plain.ts";
import { scramMechanism } from "./scram.ts";

/**
 * How to authenticate: a mechanism and its credentials.
 *
 * @example
 * ```ts
 * import { Producer, type SaslOptions } from "@kafkats/producer";
 * const scram: SaslOptions = { mechanism: "SCRAM-SHA-512", username: "alice", password: "s3cret" };
 * const oauth: SaslOptions = {
 *   mechanism: "OAUTHBEARER",
 *   token: async () => ({ value: await (await fetch("https://idp.example.com/token")).text() }),
 * };
 * const producer = new Producer({ bootstrapServers: ["kafka.example.com:9093"], tls: true, sasl: scram });
 * ```
 */
export type SaslOptions =
  | {
    /**
     * `"PLAIN"` sends the password itself (use TLS); the SCRAM mechanisms
     * prove knowledge of it, and check that the broker knows it too.
     */
    mechanism: "PLAIN" | "SCRAM-SHA-256" | "SCRAM-SHA-512";
    /** The user's name, as the broker knows it. */
    username: string;
    /** The user's password (UTF-8, used as is: no SASLprep, as in Kafka's Java client). */
    password: string;
  }
  | {
    /** OAuth 2 bearer tokens (RFC 7628). */
    mechanism: "OAUTHBEARER";
    /**
     * Called once per authentication (and re-authentication) for a token,
     * with optional SASL extensions; caching and refreshing are up to it.
     */
    token: () => Promise<OAuthBearerToken>;
  };

/** The mechanism `options` name, with their credentials. */
export function saslMechanism(options: SaslOptions): SaslMechanism {
  switch (options.mechanism) {
    case "PLAIN":
      return plainMechanism(options.username, options.password);
    case "SCRAM-SHA-256":
      return scramMechanism("SHA-256", options.username, options.password);
    case "SCRAM-SHA-512":
      return scramMechanism("SHA-512", options.username, options.password);
    case "OAUTHBEARER":
      return oauthBearerMechanism(options.token);
  }
}
