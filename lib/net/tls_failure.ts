/**
 * Turns a runtime's TLS error into a {@link TlsAuthenticationError} that says
 * what went wrong in the user's terms: which option to look at. The runtimes
 * word their errors differently (rustls on Deno, BoringSSL on Bun, OpenSSL on
 * Node), so each case matches the spellings of all three.
 *
 * @module
 */
import { errorMessage } from "../diagnostics/describe_error.ts";
import { TlsAuthenticationError } from "../errors.ts";

/** What a handshake error most likely means, by the runtimes' wordings. */
const CAUSES: readonly [RegExp, string][] = [
  [
    /not valid for name|ALTNAME|NotValidForName|Hostname\/IP does not match|hostname mismatch/i,
    "the broker's certificate is not valid for the name connected to (the broker's address, or tls.serverName)",
  ],
  [
    /UnknownIssuer|SELF_SIGNED|self.signed|UNABLE_TO_GET_ISSUER|unable to (get|verify)|UNABLE_TO_VERIFY/i,
    "the broker's certificate is not signed by a trusted CA (give the CA's PEM in tls.ca)",
  ],
  [
    /expired|NotValidYet|not yet valid|CERT_HAS_EXPIRED|CERT_NOT_YET_VALID/i,
    "a certificate is expired or not yet valid",
  ],
  [
    /BAD_?CERTIFICATE|CERTIFICATE_?REQUIRED|CERTIFICATE_?UNKNOWN|UNKNOWN_?CA|handshake_failure|HandshakeFailure|alert/i,
    "the broker refused the client certificate, or wants one (tls.cert and tls.key)",
  ],
  [
    /UnexpectedEof|unexpected end of file|ECONNRESET|disconnected before secure|WRONG_VERSION|wrong version|socket hang up|closed/i,
    "the broker closed the connection during the handshake: the listener may not speak TLS (a PLAINTEXT or SASL_PLAINTEXT listener)",
  ],
];

/**
 * The error for a failed TLS handshake with `address`, keeping the runtime's
 * own error as `cause` and its message at the end. (Handshake errors carry
 * names and certificate subjects, never key material.)
 */
export function tlsFailure(address: string, error: unknown): TlsAuthenticationError {
  if (error instanceof TlsAuthenticationError) return error;
  const detail = errorMessage(error);
  const cause = CAUSES.find(([pattern]) => pattern.test(detail))?.[1];
  return new TlsAuthenticationError(
    `TLS handshake with ${address} failed${cause ? `: ${cause}` : ""} (${detail})`,
    { cause: error },
  );
}

/**
 * `source`, with a read error whose message `pattern` matches turned into a
 * {@link TlsAuthenticationError} by {@link tlsFailure}: TLS 1.3 brokers
 * refuse a missing or untrusted client certificate only after the
 * handshake, so the refusal comes on the first read.
 */
export function mapTlsReadErrors(
  source: ReadableStream<Uint8Array>,
  address: string,
  pattern: RegExp,
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        const message = errorMessage(error);
        controller.error(pattern.test(message) ? tlsFailure(address, error) : error);
      }
    },
    cancel: (reason) => reader.cancel(reason),
  }, { highWaterMark: 0 });
}
