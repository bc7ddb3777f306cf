/**
 * What every SASL mechanism implements: the client's side of one
 * authentication exchange, as bytes in and bytes out. The connection carries
 * each message in a SaslAuthenticate request and hands back the broker's
 * answer; the mechanism never touches a socket.
 *
 * @module
 */

/** One authentication exchange of a mechanism, from its first message to its end. */
export interface SaslExchange {
  /** The client's first message (PLAIN's credentials, SCRAM's client-first, …). */
  first(): Promise<Uint8Array>;
  /**
   * The broker's answer to the last message → the next message to send, or
   * `null` once the exchange is complete on the client's side (SCRAM: the
   * server's signature verified).
   * @throws {SaslAuthenticationError} when the answer is malformed or fails a check.
   */
  next(challenge: Uint8Array): Promise<Uint8Array | null>;
}

/** A SASL mechanism with its credentials: starts a fresh exchange for each authentication. */
export interface SaslMechanism {
  /** The name sent in SaslHandshake, e.g. `"SCRAM-SHA-256"`. */
  readonly name: string;
  /** A new exchange (a new nonce, a fresh token from the provider, …). */
  exchange(): SaslExchange;
}
