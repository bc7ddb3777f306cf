/**
 * The workerd transport (Cloudflare Workers): `connect()` of
 * `cloudflare:sockets`, upgraded with `startTls()` when TLS is asked for.
 * Its sockets already are a pair of web byte streams; this adds the checks
 * and the error mapping the other transports have.
 *
 * `cloudflare:sockets` exists only inside workerd, so it is not imported,
 * statically or dynamically (Deno, Bun, `deno check` and `deno publish`
 * cannot resolve the scheme, and `deno publish` warns about a computed
 * `import()`): `process.getBuiltinModule("cloudflare:sockets")` gives it,
 * which workerd has with the `nodejs_compat` flag from compatibility date
 * 2024-09-23 (the flag is needed anyway: lib/ imports `node:` modules).
 * {@link cloudflareSocketsTransport} takes a `connect` the Worker imported
 * itself, for older compatibility dates.
 *
 * With TLS it connects with `secureTransport: "starttls"` and upgrades once
 * connected, so that a refused connection stays a network error and a
 * refused handshake a `TlsAuthenticationError` (with `"on"` workerd words
 * both alike). `tls.serverName` goes to `startTls` as its
 * `expectedServerHostname`, which workerd 1.20261117 honours (logging that it
 * is unsupported); a runtime that refuses it gives a {@link ConfigError}.
 * What workerd cannot do per socket, the transport refuses with a
 * {@link ConfigError} rather than ignore: `tls.ca` and `tls.cert`/`tls.key`
 * (workerd takes trusted CAs and a client certificate only for a whole
 * network, in its config's `tlsOptions`; Cloudflare's production network
 * trusts the public CAs only and presents no client certificate).
 *
 * @module
 */
import { errorMessage } from "../diagnostics/describe_error.ts";
import { ConfigError, TlsAuthenticationError } from "../errors.ts";
import { formatAddress } from "./address.ts";
import { mapTlsReadErrors, tlsFailure } from "./tls_failure.ts";
import type { ConnectOptions, Socket, TlsConnectOptions, Transport } from "./transport.ts";

/** The part of a `cloudflare:sockets` socket we use. */
export interface CloudflareSocket {
  /** Bytes from the peer. */
  readonly readable: ReadableStream<Uint8Array>;
  /** Bytes to the peer. */
  readonly writable: WritableStream<Uint8Array>;
  /** Resolves once connected (and, with TLS, once the handshake is done); rejects on failure. */
  readonly opened: Promise<unknown>;
  /** Resolves when the socket closed, rejects when it failed. */
  readonly closed: Promise<void>;
  /** Closes both directions. */
  close(): Promise<void>;
  /** Upgrades a socket opened with `secureTransport: "starttls"` to TLS. */
  startTls(options?: { expectedServerHostname?: string }): CloudflareSocket;
}

/** The part of `cloudflare:sockets`' `SocketOptions` we use. */
export interface CloudflareSocketOptions {
  /** `"on"`: TLS from the first byte, verified against the runtime's trust store. */
  secureTransport?: "off" | "on" | "starttls";
  /** Whether the readable may end while the writable stays open. */
  allowHalfOpen?: boolean;
}

/** `connect` of `cloudflare:sockets`. */
export type CloudflareConnect = (
  address: { hostname: string; port: number },
  options?: CloudflareSocketOptions,
) => CloudflareSocket;

/** The part of Node's `process` (workerd's, with `nodejs_compat`) we use. */
interface NodeProcess {
  getBuiltinModule?(id: string): unknown;
}

/**
 * `connect` of `cloudflare:sockets`, from `process.getBuiltinModule`.
 * @throws {ConfigError} when this runtime has no such module.
 */
function builtinConnect(): CloudflareConnect {
  const process = (globalThis as { process?: NodeProcess }).process;
  let module: unknown;
  try {
    module = process?.getBuiltinModule?.("cloudflare:sockets");
  } catch {
    // no such module: below
  }
  const connect = (module as { connect?: unknown } | undefined)?.connect;
  if (typeof connect !== "function") {
    throw new ConfigError(
      "cloudflare:sockets is not reachable through process.getBuiltinModule: in workerd, set " +
        "the nodejs_compat compatibility flag with a compatibility date of 2024-09-23 or later, " +
        'or pass transport: cloudflareSocketsTransport(connect) with the connect of "cloudflare:sockets"',
    );
  }
  return connect as CloudflareConnect;
}

/**
 * A {@link Transport} over a given `connect` of `cloudflare:sockets`, e.g.
 * `cloudflareSocketsTransport(connect)` after `import { connect } from
 * "cloudflare:sockets"` in the Worker, passed as the producer's `transport`.
 * Inside workerd the producer needs none (it takes the module from
 * `process.getBuiltinModule`) unless the Worker's compatibility date is
 * before 2024-09-23.
 */
export function cloudflareSocketsTransport(connect: CloudflareConnect): Transport {
  return { connect: (host, port, options) => open(connect, host, port, options) };
}

/** A {@link Transport} over `cloudflare:sockets`, found on each connect. */
export const workerdTransport: Transport = {
  async connect(host: string, port: number, options?: ConnectOptions): Promise<Socket> {
    return await open(builtinConnect(), host, port, options);
  },
};

async function open(
  connect: CloudflareConnect,
  host: string,
  port: number,
  options?: ConnectOptions,
): Promise<Socket> {
  const tls = options?.tls;
  refuseUnsupported(host, port, tls);
  const address = formatAddress({ host, port });
  // TLS goes the "starttls" way: connected first, then the handshake (see the module).
  let socket = connect({ hostname: host, port }, {
    secureTransport: tls ? "starttls" : "off",
    allowHalfOpen: false,
  });
  socket.closed.catch(() => {}); // the readable reports the same failure
  try {
    await socket.opened;
  } catch (error) {
    closeQuietly(socket);
    throw error;
  }
  if (tls) {
    const plain = socket;
    try {
      socket = startTls(plain, host, port, tls.serverName);
      socket.closed.catch(() => {});
      await socket.opened;
    } catch (error) {
      closeQuietly(socket);
      closeQuietly(plain);
      throw error instanceof ConfigError ? error : handshakeFailure(address, error);
    }
  }
  let closed = false;
  return {
    readable: tls
      ? mapTlsReadErrors(socket.readable, address, /tls|ssl|certificate|alert/i)
      : socket.readable,
    writable: socket.writable,
    close() {
      if (closed) return;
      closed = true;
      closeQuietly(socket);
    },
  };
}

/** @throws {ConfigError} for the TLS options a `cloudflare:sockets` socket cannot take. */
function refuseUnsupported(host: string, port: number, tls: TlsConnectOptions | undefined): void {
  if (tls === undefined) return;
  const address = formatAddress({ host, port });
  if (tls.ca.length > 0) {
    throw new ConfigError(
      `tls.ca cannot be honoured on workerd (connecting to ${address}): cloudflare:sockets ` +
        "verifies the broker's certificate against the runtime's trust store only; give the CA " +
        "in the network's tlsOptions.trustedCertificates of the workerd config and leave tls.ca " +
        "unset (Cloudflare's network trusts the public CAs only)",
    );
  }
  if (tls.cert !== undefined || tls.key !== undefined) {
    throw new ConfigError(
      `tls.cert and tls.key cannot be honoured on workerd (connecting to ${address}): ` +
        "cloudflare:sockets takes no client certificate per socket; a workerd config can give " +
        "one to a whole network (tlsOptions.keypair), Cloudflare's network cannot",
    );
  }
}

/**
 * Upgrades `plain` to TLS, verified for `serverName` when it is not the host.
 * @throws {ConfigError} when this workerd refuses `expectedServerHostname`
 * (workerd 1.20261117 takes it and logs that it is unsupported; Cloudflare's
 * network is reported to refuse it).
 */
function startTls(
  plain: CloudflareSocket,
  host: string,
  port: number,
  serverName: string | undefined,
): CloudflareSocket {
  if (serverName === undefined || serverName === host) return plain.startTls();
  try {
    return plain.startTls({ expectedServerHostname: serverName });
  } catch (error) {
    if (!/expectedServerHostname/.test(errorMessage(error))) throw error;
    throw new ConfigError(
      `tls.serverName cannot be honoured here (connecting to ${formatAddress({ host, port })}): ` +
        `this runtime's startTls refuses expectedServerHostname (${
          errorMessage(error)
        }); connect ` +
        `to ${JSON.stringify(serverName)} by that name instead`,
      { cause: error },
    );
  }
}

/**
 * A failed handshake as a `TlsAuthenticationError`. workerd does not tell the
 * Worker why ("internal error; reference = …"; its own log says, e.g.
 * `invalid peer certificate: UnknownIssuer`), so the message lists what it
 * may be.
 */
function handshakeFailure(address: string, error: unknown): TlsAuthenticationError {
  const detail = errorMessage(error);
  if (!/internal error|proxy request failed|connection lost/i.test(detail)) {
    return tlsFailure(address, error);
  }
  return new TlsAuthenticationError(
    `TLS handshake with ${address} failed: workerd tells only its own log why; the broker's certificate ` +
      "may not be signed by a CA the runtime trusts (Cloudflare: the public CAs; workerd: its " +
      "network's tlsOptions) or not be valid for the name connected to (the broker's address, " +
      `or tls.serverName), or the listener may not speak TLS (${detail})`,
    { cause: error },
  );
}

function closeQuietly(socket: CloudflareSocket): void {
  try {
    socket.close().catch(() => {});
  } catch {
    // already closed
  }
}
