/**
 * The Bun transport: `Bun.connect` (Bun's native TCP client) wrapped into the
 * same pair of byte streams Deno gives.
 *
 * @module
 */
import type { Socket, Transport } from "./transport.ts";

/** The part of Bun's socket we use. */
interface BunSocket {
  write(data: Uint8Array): number;
  end(): void;
  setNoDelay?(noDelay: boolean): boolean;
}

/** The part of `Bun.connect`'s options we use. */
interface BunConnectOptions {
  hostname: string;
  port: number;
  socket: {
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

/** A {@link Transport} over `Bun.connect`. */
export const bunTransport: Transport = {
  async connect(host: string, port: number): Promise<Socket> {
    const bun = (globalThis as unknown as { Bun: BunGlobal }).Bun;
    let readController!: ReadableStreamDefaultController<Uint8Array>;
    let ended = false;
    let drained: (() => void) | null = null;
    let failure: Error | null = null;

    const finish = (error: Error | null) => {
      if (ended) return;
      ended = true;
      failure = error;
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
      socket: {
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
