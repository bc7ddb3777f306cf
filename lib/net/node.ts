/**
 * A transport over `node:net` and `node:tls`, wrapped into the same pair of
 * byte streams as the others. Node's own runtime gets it; Deno uses it for
 * TLS with a client certificate, the one case its own API cannot do with
 * Nagle's algorithm off (`Deno.connectTls` has no `setNoDelay`, and
 * `Deno.startTls` takes no certificate).
 *
 * @module
 */
import { connect as netConnect, isIP, type Socket as NetSocket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { formatAddress } from "./address.ts";
import { tlsFailure } from "./tls_failure.ts";
import type { ConnectOptions, Socket, TlsConnectOptions, Transport } from "./transport.ts";

/** A {@link Transport} over `node:net`, and `node:tls` when TLS is asked for. */
export const nodeTransport: Transport = {
  connect(host: string, port: number, options?: ConnectOptions): Promise<Socket> {
    const address = formatAddress({ host, port });
    const tls = options?.tls;
    return new Promise<Socket>((resolve, reject) => {
      const socket = tls ? tlsSocket(host, port, tls) : netConnect({ host, port });
      const fail = (error: Error) => {
        socket.destroy();
        reject(tls ? tlsFailure(address, error) : error);
      };
      socket.once("error", fail);
      socket.once(tls ? "secureConnect" : "connect", () => {
        socket.off("error", fail);
        socket.setNoDelay(true);
        resolve(streamsOf(socket, address, tls !== undefined));
      });
    });
  },
};

function tlsSocket(host: string, port: number, tls: TlsConnectOptions): NetSocket {
  return tlsConnect({
    host,
    port,
    // Node verifies the certificate for `servername`, else for `host` (an IP against IP SANs).
    servername: tls.serverName ?? (isIP(host) === 0 ? host : undefined),
    ca: tls.ca.length > 0 ? [...tls.ca] : undefined,
    cert: tls.cert,
    key: tls.key,
    rejectUnauthorized: true,
  });
}

/**
 * The socket's bytes as a readable (paused while its queue is full) and a
 * writable whose write resolves once Node took the bytes (at once, or on
 * `drain` when its buffer is full).
 */
function streamsOf(socket: NetSocket, address: string, tls: boolean): Socket {
  let failure: Error | null = null;
  let drained: (() => void) | null = null;
  const readable = new ReadableStream<Uint8Array>({
    start(controller) {
      socket.on("data", (data: Uint8Array) => {
        controller.enqueue(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
        if ((controller.desiredSize ?? 1) <= 0) socket.pause();
      });
      socket.once("end", () => {
        try {
          controller.close();
        } catch {
          // already errored or cancelled
        }
      });
      socket.once("error", (error: Error) => {
        // TLS 1.3 brokers refuse a client certificate only after the handshake.
        failure = tls && /alert/i.test(error.message) ? tlsFailure(address, error) : error;
        try {
          controller.error(failure);
        } catch {
          // already closed
        }
      });
      socket.once("close", () => {
        drained?.();
        try {
          controller.close();
        } catch {
          // already closed or errored
        }
      });
    },
    pull() {
      socket.resume();
    },
    cancel() {
      socket.destroy();
    },
  }, { highWaterMark: 4 });
  socket.on("drain", () => {
    const resume = drained;
    drained = null;
    resume?.();
  });
  const writable = new WritableStream<Uint8Array>({
    async write(chunk) {
      if (failure || socket.destroyed) throw failure ?? new Error("socket closed");
      if (!socket.write(chunk)) {
        await new Promise<void>((resolve) => drained = resolve);
        if (failure) throw failure;
      }
    },
    close() {
      socket.end();
    },
    abort() {
      socket.destroy();
    },
  });
  return {
    readable,
    writable,
    close() {
      socket.destroy();
    },
  };
}
