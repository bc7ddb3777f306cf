/**
 * The part of Deno's API that lib/net/deno.ts uses, declared for the npm
 * build (scripts/build_npm.ts): its compiler has Node's types and the DOM's,
 * not `deno.ns`. Nothing else in lib/ names the `Deno` namespace; config.ts
 * reads `Deno.version.deno` through `globalThis`, and its cast must agree
 * with `typeof Deno` here. Only an input of that compile: no `.d.ts` of the
 * package refers to it, since deno.ts exports a `Transport`.
 */
declare namespace Deno {
  const version: { readonly deno: string };
  interface Conn {
    readonly readable: ReadableStream<Uint8Array>;
    readonly writable: WritableStream<Uint8Array>;
    setNoDelay(noDelay?: boolean): void;
    close(): void;
  }
  interface TlsConn extends Conn {
    handshake(): Promise<unknown>;
  }
  function connect(options: { hostname?: string; port: number }): Promise<Conn>;
  function startTls(
    conn: Conn,
    options?: { hostname?: string; caCerts?: string[] },
  ): Promise<TlsConn>;
}
