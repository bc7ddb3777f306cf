/**
 * One SASL authentication over a connection: SaslHandshake v1 names the
 * mechanism, then SaslAuthenticate requests carry its messages until it is
 * done. The same run serves a new connection (after ApiVersions, before
 * anything else) and a KIP-368 re-authentication (between two requests).
 *
 * @module
 */
import { errorMessage } from "../../diagnostics/describe_error.ts";
import { KafkaClientError, SaslAuthenticationError } from "../../errors.ts";
import type { ApiCodec } from "../../protocol/api.ts";
import { ErrorCode, errorCodeInfo } from "../../protocol/error_codes.ts";
import { SaslAuthenticate } from "../../protocol/messages/sasl_authenticate.ts";
import { SaslHandshake } from "../../protocol/messages/sasl_handshake.ts";
import type { SaslMechanism } from "./mechanism.ts";

/** What the authentication needs of a connection. */
export interface SaslChannel {
  /** `host:port` of the broker, for messages. */
  readonly address: string;
  /** The version of `api` to use with this broker; throws when there is none. */
  versionFor(api: ApiCodec<unknown, unknown>): number;
  /** Sends a request and resolves with its response. */
  request<Req, Res>(
    api: ApiCodec<Req, Res>,
    version: number,
    req: Req,
    timeoutMs: number,
  ): Promise<Res>;
}

/**
 * Authenticates with `mechanism`, each request bounded by `timeoutMs`.
 * Resolves with the session's lifetime in ms (0: the broker sets none, or
 * speaks SaslAuthenticate v0).
 * @throws {SaslAuthenticationError} when the broker refuses, or the mechanism
 * finds the broker's answer wrong.
 */
export async function authenticate(
  channel: SaslChannel,
  mechanism: SaslMechanism,
  timeoutMs: number,
): Promise<number> {
  const what = `SASL ${mechanism.name} authentication with ${channel.address}`;
  const handshakeVersion = saslVersion(channel, SaslHandshake, what);
  if (handshakeVersion < 1) {
    throw new SaslAuthenticationError(
      `${what} failed: the broker speaks only SaslHandshake v0 (Kafka before 1.0), which this client does not`,
    );
  }
  const handshake = await channel.request(SaslHandshake, handshakeVersion, {
    mechanism: mechanism.name,
  }, timeoutMs);
  if (handshake.errorCode !== ErrorCode.NONE) {
    throw refusal(
      what,
      handshake.errorCode,
      handshakeDetail(handshake.errorCode, handshake.mechanisms),
    );
  }
  const version = saslVersion(channel, SaslAuthenticate, what);
  const exchange = mechanism.exchange();
  let message: Uint8Array | null = await step(what, () => exchange.first());
  let lifetimeMs = 0;
  while (message !== null) {
    const response = await channel.request(SaslAuthenticate, version, {
      authBytes: message,
    }, timeoutMs);
    if (response.errorCode !== ErrorCode.NONE) {
      throw refusal(what, response.errorCode, response.errorMessage ?? undefined);
    }
    lifetimeMs = Number(response.sessionLifetimeMs);
    const challenge = response.authBytes;
    message = await step(what, () => exchange.next(challenge));
  }
  return lifetimeMs;
}

function saslVersion(channel: SaslChannel, api: ApiCodec<unknown, unknown>, what: string): number {
  try {
    return channel.versionFor(api);
  } catch (error) {
    throw new SaslAuthenticationError(
      `${what} failed: the broker does not support ${api.name}${
        error instanceof Error ? ` (${error.message})` : ""
      }`,
      { cause: error },
    );
  }
}

/** Runs a step of the mechanism; its refusals get the broker's address in front. */
async function step(
  what: string,
  run: () => Promise<Uint8Array | null>,
): Promise<Uint8Array | null> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof SaslAuthenticationError) {
      throw new SaslAuthenticationError(`${what} failed: ${error.message}`, {
        cause: error,
        code: error.code,
      });
    }
    if (error instanceof KafkaClientError) throw error;
    throw new SaslAuthenticationError(`${what} failed: ${errorMessage(error)}`, { cause: error });
  }
}

function handshakeDetail(code: number, enabled: readonly string[]): string | undefined {
  if (code === ErrorCode.UNSUPPORTED_SASL_MECHANISM) {
    return `the listener does not enable it (it enables: ${enabled.join(", ") || "none"})`;
  }
  if (code === ErrorCode.ILLEGAL_SASL_STATE) {
    return "the listener does not take SASL (a PLAINTEXT or SSL listener?)";
  }
  return undefined;
}

function refusal(what: string, code: number, detail: string | undefined): SaslAuthenticationError {
  const name = errorCodeInfo(code).name;
  return new SaslAuthenticationError(`${what} failed: ${name}${detail ? `: ${detail}` : ""}`, {
    code,
  });
}
