/**
 * The Deno transport: `Deno.connect`, with Nagle's algorithm off.
 *
 * @module
 */
import type { Socket, Transport } from "./transport.ts";

/** A {@link Transport} over `Deno.connect`. */
export const denoTransport: Transport = {
  async connect(host: string, port: number): Promise<Socket> {
    const conn = await Deno.connect({ hostname: host, port });
    conn.setNoDelay(true);
    let closed = false;
    return {
      readable: conn.readable,
      writable: conn.writable,
      close() {
        if (closed) return;
        closed = true;
        try {
          conn.close();
        } catch {
          // already closed by a stream that ended
        }
      },
    };
  },
};
