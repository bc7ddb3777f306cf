/**
 * The Deno transport: `Deno.connect`, with Nagle's algorithm off, upgraded
 * by `Deno.startTls` (rustls) when TLS is asked for. TLS with a client
 * certificate goes through `node:tls` instead: `Deno.startTls` takes no
 * certificate, and `Deno.connectTls`, which does, leaves Nagle's algorithm on
 * (its connection has no `setNoDelay`), which cut throughput to a third in
 * the T1 benchmark.
 *
 * @module
 */
import { formatAddress } from "./address.ts";
import { nodeTransport } from "./node.ts";
import { mapTlsReadErrors, tlsFailure } from "./tls_failure.ts";
import type { ConnectOptions, Socket, TlsConnectOptions, Transport } from "./transport.ts";

/** A {@link Transport} over `Deno.connect` and `Deno.startTls` (and `node:tls`, see the module). */
export const denoTransport: Transport = {
  async connect(host: string, port: number, options?: ConnectOptions): Promise<Socket> {
    if (options?.tls?.cert !== undefined) return await nodeTransport.connect(host, port, options);
    if (options?.tls) {
      const address = formatAddress({ host, port });
      const conn = await connectTls(host, port, options.tls);
      return socketOf(conn, mapTlsReadErrors(conn.readable, address, /alert/i));
    }
    const conn = await Deno.connect({ hostname: host, port });
    conn.setNoDelay(true);
    return socketOf(conn, conn.readable);
  },
};

/**
 * Connects with Nagle's algorithm off, then completes the TLS handshake, so
 * a refused certificate fails the connect rather than the first read.
 */
async function connectTls(host: string, port: number, tls: TlsConnectOptions): Promise<Deno.Conn> {
  const plain = await Deno.connect({ hostname: host, port });
  plain.setNoDelay(true);
  const conn = await Deno.startTls(plain, {
    hostname: tls.serverName ?? host,
    caCerts: tls.ca.length > 0 ? [...tls.ca] : undefined,
  });
  try {
    await conn.handshake();
  } catch (error) {
    closeQuietly(conn);
    throw tlsFailure(formatAddress({ host, port }), error);
  }
  return conn;
}

function socketOf(conn: Deno.Conn, readable: ReadableStream<Uint8Array>): Socket {
  let closed = false;
  return {
    readable,
    writable: conn.writable,
    close() {
      if (closed) return;
      closed = true;
      closeQuietly(conn);
    },
  };
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // already closed by a stream that ended
  }
}
