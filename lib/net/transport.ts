/**
 * The small interface every runtime implements: open a TCP connection, with
 * TLS when asked, and expose it as a pair of byte streams. Everything above
 * it (framing, correlation, SASL, Kafka) is runtime-independent.
 *
 * @module
 */

/** An open connection as a readable and a writable byte stream. */
export interface Socket {
  /** Bytes from the peer; closes when the peer closes, errors on failure. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Bytes to the peer; a write resolves once the runtime has taken the bytes. */
  readonly writable: WritableStream<Uint8Array>;
  /** Closes both directions at once; safe to call more than once. */
  close(): void;
}

/**
 * How to secure a connection with TLS. The broker's certificate is always
 * verified, chain and name: against `ca` when given, else the runtime's trust
 * store, and for `serverName` when given, else the host connected to.
 */
export interface TlsConnectOptions {
  /** PEM certificates of the CAs to trust instead of the runtime's store; empty: the store. */
  readonly ca: readonly string[];
  /** PEM client certificate (chain) for mutual TLS, with `key`. */
  readonly cert?: string;
  /** PEM private key of `cert`. */
  readonly key?: string;
  /** The name to verify the broker's certificate for (and send as SNI). */
  readonly serverName?: string;
}

/** What a connection needs besides its address. */
export interface ConnectOptions {
  /** Secure the connection with TLS; a transport that cannot must throw, not connect in plaintext. */
  readonly tls?: TlsConnectOptions;
}

/** Opens TCP connections. */
export interface Transport {
  /**
   * Connects to `host:port`, and completes the TLS handshake when
   * `options.tls` is set; rejects when either fails (a handshake failure
   * with a `TlsAuthenticationError`, so it is not retried as a network
   * fault).
   */
  connect(host: string, port: number, options?: ConnectOptions): Promise<Socket>;
}
