/**
 * The small interface every runtime implements: open a TCP connection and
 * expose it as a pair of byte streams. Everything above it (framing,
 * correlation, Kafka) is runtime-independent.
 *
 * @module
 */

/** An open TCP connection as a readable and a writable byte stream. */
export interface Socket {
  /** Bytes from the peer; closes when the peer closes, errors on failure. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Bytes to the peer; a write resolves once the runtime has taken the bytes. */
  readonly writable: WritableStream<Uint8Array>;
  /** Closes both directions at once; safe to call more than once. */
  close(): void;
}

/** Opens TCP connections. */
export interface Transport {
  /** Connects to `host:port`; rejects when the connection cannot be made. */
  connect(host: string, port: number): Promise<Socket>;
}
