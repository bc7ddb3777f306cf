/**
 * gzip (codec id 1) over `node:zlib`, which Deno, Bun and Node all have.
 * Levels as Java's `compression.gzip.level`: 1–9, or -1 for zlib's default (6).
 *
 * @module
 */
import { gunzipSync, gzipSync } from "node:zlib";
import type { CompressionCodec } from "./codec.ts";
import { DEFAULT_MAX_OUTPUT, zlibDecompress } from "./zlib_decompress.ts";

/** gzip: Kafka's `compression.type=gzip`. */
export const gzip: CompressionCodec = {
  name: "gzip",
  id: 1,
  compress(input: Uint8Array, level = -1): Uint8Array {
    const out = gzipSync(input, { level });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  },
  decompress(input: Uint8Array, maxOutput = DEFAULT_MAX_OUTPUT): Uint8Array {
    return zlibDecompress("gzip", input, maxOutput, gunzipSync);
  },
};
