/**
 * The producer options of each way to reach the secure broker, and of each
 * way to be refused by it: shared by the mechanism, refusal and secret
 * tests (and readable as the list of what is covered).
 *
 * @module
 */
import type { ProducerOptions } from "../../mod.ts";
import {
  type AuthenticationError,
  ProtocolError,
  SaslAuthenticationError,
  TlsAuthenticationError,
} from "../../mod.ts";
import { type SecureBroker, unsignedJwt } from "../support/secure_broker.ts";

/** A way in: its name and the options that should work. */
export interface Access {
  name: string;
  options: Pick<ProducerOptions, "bootstrapServers" | "tls" | "sasl">;
}

/** Every mechanism over SASL_SSL and SASL_PLAINTEXT, and mutual TLS. */
export function accesses(broker: SecureBroker): Access[] {
  const { username, password, ca } = broker;
  const list: Access[] = [{
    name: "SSL (mutual TLS)",
    options: {
      bootstrapServers: broker.ssl,
      tls: { ca, cert: broker.clientCert, key: broker.clientKey },
    },
  }, {
    name: "SSL (mutual TLS) verifying tls.serverName, a name of the broker's certificate",
    options: {
      bootstrapServers: broker.ssl,
      tls: {
        ca,
        cert: broker.clientCert,
        key: broker.clientKey,
        serverName: "broker.kafkats.test",
      },
    },
  }];
  for (const listener of ["SASL_SSL", "SASL_PLAINTEXT"] as const) {
    const base = listener === "SASL_SSL"
      ? { bootstrapServers: broker.saslSsl, tls: { ca } }
      : { bootstrapServers: broker.saslPlaintext };
    for (const mechanism of ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] as const) {
      list.push({
        name: `${listener} ${mechanism}`,
        options: { ...base, sasl: { mechanism, username, password } },
      });
    }
    list.push({
      name: `${listener} OAUTHBEARER`,
      options: {
        ...base,
        sasl: {
          mechanism: "OAUTHBEARER",
          token: () => Promise.resolve({ value: unsignedJwt(), extensions: { traceId: "t1" } }),
        },
      },
    });
  }
  return list;
}

/** A way to be refused: the options, the error class, and what the message must say. */
export interface Refusal {
  name: string;
  options: Pick<ProducerOptions, "bootstrapServers" | "tls" | "sasl">;
  error: typeof AuthenticationError | typeof ProtocolError;
  message: RegExp;
  /** Kafka's error code, for SASL refusals the broker sends. */
  code?: number;
}

/** Wrong passwords the refusals use (the secret scan looks for them too). */
export const WRONG_PASSWORDS = ["not-alices-password", "hunter2-wrong"];
/** Tokens the refusals use. */
export const REFUSED_TOKEN = "definitely.not-a.jwt";

/** Each refusal the issue lists, and a few more. */
export function refusals(broker: SecureBroker): Refusal[] {
  const { username, password, ca } = broker;
  const saslSsl = { bootstrapServers: broker.saslSsl, tls: { ca } };
  return [
    {
      name: "wrong password (SCRAM-SHA-512)",
      options: {
        ...saslSsl,
        sasl: { mechanism: "SCRAM-SHA-512", username, password: WRONG_PASSWORDS[0] },
      },
      error: SaslAuthenticationError,
      message:
        /SCRAM-SHA-512 authentication with 127\.0\.0\.1:\d+ failed: SASL_AUTHENTICATION_FAILED/,
      code: 58,
    },
    {
      name: "wrong password (PLAIN)",
      options: { ...saslSsl, sasl: { mechanism: "PLAIN", username, password: WRONG_PASSWORDS[1] } },
      error: SaslAuthenticationError,
      message:
        /PLAIN authentication .* failed: SASL_AUTHENTICATION_FAILED: .*Invalid username or password/,
      code: 58,
    },
    {
      name: "unknown user (SCRAM-SHA-256)",
      options: {
        bootstrapServers: broker.saslPlaintext,
        sasl: { mechanism: "SCRAM-SHA-256", username: "mallory", password },
      },
      error: SaslAuthenticationError,
      message: /SCRAM-SHA-256 authentication .* failed: SASL_AUTHENTICATION_FAILED/,
      code: 58,
    },
    {
      name: "a token the broker refuses (OAUTHBEARER)",
      options: {
        bootstrapServers: broker.saslPlaintext,
        sasl: { mechanism: "OAUTHBEARER", token: () => Promise.resolve(REFUSED_TOKEN) },
      },
      error: SaslAuthenticationError,
      message: /OAUTHBEARER authentication .* failed: SASL_AUTHENTICATION_FAILED: .*invalid_token/,
      code: 58,
    },
    {
      name: "a token provider that fails (OAUTHBEARER)",
      options: {
        bootstrapServers: broker.saslPlaintext,
        sasl: {
          mechanism: "OAUTHBEARER",
          token: () => Promise.reject(new Error("identity provider unreachable")),
        },
      },
      error: SaslAuthenticationError,
      message: /token provider failed: identity provider unreachable/,
    },
    {
      name: "SASL on a listener without SASL (PLAINTEXT)",
      options: {
        bootstrapServers: broker.plaintext,
        sasl: { mechanism: "PLAIN", username, password },
      },
      error: SaslAuthenticationError,
      message: /ILLEGAL_SASL_STATE: the listener does not take SASL/,
      code: 34,
    },
    {
      name: "untrusted CA",
      options: {
        ...saslSsl,
        tls: { ca: broker.otherCa },
        sasl: { mechanism: "PLAIN", username, password },
      },
      error: TlsAuthenticationError,
      message:
        /TLS handshake with 127\.0\.0\.1:\d+ failed: the broker's certificate is not signed by a trusted CA/,
    },
    {
      name: "the runtime's trust store (tls: true) does not know the test CA",
      options: { bootstrapServers: broker.ssl, tls: true },
      error: TlsAuthenticationError,
      message: /not signed by a trusted CA/,
    },
    {
      name: "wrong hostname",
      options: {
        ...saslSsl,
        tls: { ca, serverName: "wrong.kafkats.test" },
        sasl: { mechanism: "PLAIN", username, password },
      },
      error: TlsAuthenticationError,
      message: /not valid for the name connected to .*wrong\.kafkats\.test/,
    },
    {
      name: "wrong hostname, with a client certificate",
      options: {
        bootstrapServers: broker.ssl,
        tls: {
          ca,
          cert: broker.clientCert,
          key: broker.clientKey,
          serverName: "wrong.kafkats.test",
        },
      },
      error: TlsAuthenticationError,
      message: /not valid for the name connected to .*wrong\.kafkats\.test/,
    },
    {
      name: "no client certificate (SSL listener requires one)",
      options: { bootstrapServers: broker.ssl, tls: { ca } },
      error: TlsAuthenticationError,
      message: /the broker refused the client certificate, or wants one/,
    },
    {
      name: "a client certificate signed by an untrusted CA",
      options: {
        bootstrapServers: broker.ssl,
        tls: { ca, cert: broker.clientCertOtherCa, key: broker.clientKey },
      },
      error: TlsAuthenticationError,
      message: /the broker refused the client certificate/,
    },
    {
      name: "a plaintext client on the TLS port",
      options: { bootstrapServers: broker.ssl },
      error: ProtocolError,
      message: /speaks TLS/,
    },
    {
      name: "a TLS client on the plaintext port",
      options: { bootstrapServers: broker.plaintext, tls: { ca } },
      error: TlsAuthenticationError,
      message: /closed the connection during the handshake: the listener may not speak TLS/,
    },
  ];
}
