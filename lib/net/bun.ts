/**
 * The Bun transport: `Bun.connect` (Bun's native TCP client, with its TLS
 * options when TLS is asked for) wrapped into the same pair of byte streams
 * Deno gives.
 *
 * @module
 */
import { formatAddress } from "./address.ts";
import { tlsFailure } from "./tls_failure.ts";
import type { ConnectOptions, Socket, TlsConnectOptions, Transport } from "./transport.ts";

/** The part of Bun's socket we use. */
interface BunSocket {
  write(data: Uint8Array): number;
  end(): void;
  setNoDelay?(noDelay: boolean): boolean;
}

/** The part of Bun's TLS options we use. */
interface BunTlsOptions {
  ca?: string[];
  cert?: string;
  key?: string;
  serverName?: string;
  rejectUnauthorized: true;
}

/** The part of `Bun.connect`'s options we use. */
interface BunConnectOptions {
  hostname: string;
  port: number;
  tls?: BunTlsOptions;
  socket: {
    handshake?(socket: BunSocket, success: boolean, authorizationError: Error | null): void;
    data(socket: BunSocket, data: Uint8Array): void;
    drain(socket: BunSocket): void;
    close(socket: BunSocket): void;
    end(socket: BunSocket): void;
    error(socket: BunSocket, error: Error): void;
  };
}

/** The global `Bun` object, as far as this file needs it. */
interface BunGlobal {
  connect(options: BunConnectOptions): Promise<BunSocket>;
}

/**
 * A {@link Transport} over `Bun.connect`. With TLS, the connect resolves once
 * the handshake succeeded (bytes written before it are lost), and an alert
 * the broker sends after it (a refused client certificate, in TLS 1.3) fails
 * the stream with a {@link TlsAuthenticationError}.
 */
export const bunTransport: Transport = {
  async connect(host: string, port: number, options?: ConnectOptions): Promise<Socket> {
    const bun = (globalThis as unknown as { Bun: BunGlobal }).Bun;
    const address = formatAddress({ host, port });
    const tls = options?.tls;
    let readController!: ReadableStreamDefaultController<Uint8Array>;
    let ended = false;
    let drained: (() => void) | null = null;
    let failure: Error | null = null;
    let handshaken!: { resolve(): void; reject(error: Error): void };
    const handshake = new Promise<void>((resolve, reject) => handshaken = { resolve, reject });
    handshake.catch(() => {}); // awaited below only with TLS

    const finish = (error: Error | null) => {
      if (ended) return;
      ended = true;
      if (error !== null && tls && isTlsAlert(error)) error = tlsFailure(address, error);
      failure = error;
      handshaken.reject(
        tlsFailure(address, error ?? new Error("the connection closed during the handshake")),
      );
      try {
        if (error) readController.error(error);
        else readController.close();
      } catch {
        // the reader already went away
      }
      drained?.();
    };

    const readable = new ReadableStream<Uint8Array>({
      start(controller) {
        readController = controller;
      },
      cancel() {
        socket.end();
      },
    });

    const socket = await bun.connect({
      hostname: host,
      port,
      tls: tls ? bunTls(tls) : undefined,
      socket: {
        handshake: (s, success, authorizationError) => {
          if (success && authorizationError === null) handshaken.resolve();
          else {
            handshaken.reject(
              tlsFailure(address, authorizationError ?? new Error("handshake failed")),
            );
            s.end();
          }
        },
        // Bun may reuse the buffer it hands us: keep a copy.
        data: (_s, data) => readController.enqueue(data.slice()),
        drain: () => {
          const resume = drained;
          drained = null;
          resume?.();
        },
        close: () => finish(null),
        end: () => finish(null),
        error: (_s, error) => finish(error),
      },
    });
    socket.setNoDelay?.(true);
    if (tls) {
      try {
        await handshake;
      } catch (error) {
        socket.end();
        throw error;
      }
    }

    const writable = new WritableStream<Uint8Array>({
      async write(chunk) {
        let offset = 0;
        while (offset < chunk.length) {
          if (ended) throw failure ?? new Error("socket closed");
          const n = socket.write(chunk.subarray(offset));
          if (n < 0) throw failure ?? new Error("socket closed");
          offset += n;
          if (offset < chunk.length) {
            await new Promise<void>((resolve) => drained = resolve);
          }
        }
      },
      close() {
        socket.end();
      },
      abort() {
        socket.end();
      },
    });

    return {
      readable,
      writable,
      close() {
        if (!ended) socket.end();
        finish(null);
      },
    };
  },
};

function bunTls(tls: TlsConnectOptions): BunTlsOptions {
  return {
    ca: tls.ca.length > 0 ? [...tls.ca] : undefined,
    cert: tls.cert,
    key: tls.key,
    serverName: tls.serverName,
    rejectUnauthorized: true,
  };
}

/** BoringSSL's code for an alert from the peer (`…SSLV3_ALERT_BAD_CERTIFICATE`). */
function isTlsAlert(error: Error): boolean {
  return (error as { code?: unknown }).code === "EPROTO" || /ALERT/.test(error.message);
}
