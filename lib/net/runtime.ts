/**
 * Picks the transport of the runtime we run on.
 *
 * @module
 */
import { bunTransport } from "./bun.ts";
import { denoTransport } from "./deno.ts";
import { nodeTransport } from "./node.ts";
import type { Transport } from "./transport.ts";
import { ConfigError } from "../errors.ts";

/**
 * The transport for the current runtime: Bun's sockets on Bun, `Deno.connect`
 * on Deno, `node:net` / `node:tls` on Node. Bun and Deno are asked first: both
 * also set `process.versions.node`.
 */
export function defaultTransport(): Transport {
  if ("Bun" in globalThis) return bunTransport;
  if ("Deno" in globalThis) return denoTransport;
  const process = (globalThis as { process?: { versions?: { node?: unknown } } }).process;
  if (typeof process?.versions?.node === "string") return nodeTransport;
  throw new ConfigError(
    "no TCP transport for this runtime: run on Deno, Bun or Node, or pass `transport`",
  );
}
