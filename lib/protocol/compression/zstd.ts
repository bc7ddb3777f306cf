/**
 * zstd (codec id 4) over `node:zlib`'s `zstdCompressSync` and
 * `zstdDecompressSync`, which only newer runtimes have (Deno 2.9.6, Bun 1.4.5
 * and Node from 22.15 do): {@link zstdAvailable} says whether this one does.
 * Levels as Java's `compression.zstd.level`: -131072–22, default 3.
 *
 * @module
 */
import * as zlib from "node:zlib";
import { ProtocolError } from "../../errors.ts";
import type { CompressionCodec } from "./codec.ts";
import { DEFAULT_MAX_OUTPUT, zlibDecompress } from "./zlib_decompress.ts";
import { zstdFramesProblem } from "./zstd_frames.ts";

type Sync = (input: Uint8Array, options?: object) => Uint8Array;

const api = zlib as unknown as {
  zstdCompressSync?: Sync;
  zstdDecompressSync?: Sync;
  constants: { ZSTD_c_compressionLevel?: number };
};
const compressSync = api.zstdCompressSync;
const decompressSync = api.zstdDecompressSync;
/** zstd's `ZSTD_c_compressionLevel` parameter (100 in zstd.h). */
const LEVEL_PARAMETER = api.constants.ZSTD_c_compressionLevel ?? 100;

/** Whether this runtime's `node:zlib` has zstd. */
export const zstdAvailable: boolean = typeof compressSync === "function" &&
  typeof decompressSync === "function";

function missing(): never {
  throw new ProtocolError("zstd is not available: this runtime's node:zlib has no zstd");
}

/** zstd: Kafka's `compression.type=zstd` (needs Produce v7+, Kafka 2.1+). */
export const zstd: CompressionCodec = {
  name: "zstd",
  id: 4,
  compress(input: Uint8Array, level = 3): Uint8Array {
    if (compressSync === undefined) missing();
    const out = compressSync(input, { params: { [LEVEL_PARAMETER]: level } });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  },
  decompress(input: Uint8Array, maxOutput = DEFAULT_MAX_OUTPUT): Uint8Array {
    if (decompressSync === undefined) missing();
    const problem = zstdFramesProblem(input);
    if (problem !== null) throw new ProtocolError(`corrupt zstd data: ${problem}`);
    return zlibDecompress("zstd", input, maxOutput, decompressSync);
  },
};
