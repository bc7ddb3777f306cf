/**
 * Picks the transport of the runtime we run on.
 *
 * @module
 */
import { bunTransport } from "./bun.ts";
import { denoTransport } from "./deno.ts";
import { nodeTransport } from "./node.ts";
import type { Transport } from "./transport.ts";
import { workerdTransport } from "./workerd.ts";
import { ConfigError } from "../errors.ts";

/**
 * The transport for the current runtime: Bun's sockets on Bun, `Deno.connect`
 * on Deno, `cloudflare:sockets` on workerd (Cloudflare Workers), `node:net` /
 * `node:tls` on Node. Bun, Deno and workerd are asked first: all three also
 * set `process.versions.node`.
 */
export function defaultTransport(): Transport {
  if ("Bun" in globalThis) return bunTransport;
  if ("Deno" in globalThis) return denoTransport;
  if (isWorkerd()) return workerdTransport;
  const process = (globalThis as { process?: { versions?: { node?: unknown } } }).process;
  if (typeof process?.versions?.node === "string") return nodeTransport;
  throw new ConfigError(
    "no TCP transport for this runtime: run on Deno, Bun, Node or workerd, or pass `transport`",
  );
}

/** Whether we run in workerd, which names itself so in `navigator.userAgent`. */
export function isWorkerd(): boolean {
  return (globalThis as { navigator?: { userAgent?: unknown } }).navigator?.userAgent ===
    "Cloudflare-Workers";
}
