/**
 * Picks the transport of the runtime we run on.
 *
 * @module
 */
import { bunTransport } from "./bun.ts";
import { denoTransport } from "./deno.ts";
import type { Transport } from "./transport.ts";
import { ConfigError } from "../errors.ts";

/** The transport for the current runtime: Bun's sockets on Bun, `Deno.connect` on Deno. */
export function defaultTransport(): Transport {
  if ("Bun" in globalThis) return bunTransport;
  if ("Deno" in globalThis) return denoTransport;
  throw new ConfigError(
    "no TCP transport for this runtime: run on Deno or Bun, or pass `transport`",
  );
}
