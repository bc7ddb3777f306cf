/**
 * Turns node:zlib's decompression failures into {@link ProtocolError}s.
 *
 * @module
 */
import { ProtocolError } from "../../errors.ts";

/** Default bound on one decompressed records section: 64 MiB. */
export const DEFAULT_MAX_OUTPUT = 64 * 1024 * 1024;

/**
 * Runs `decompress` over `input`; rethrows any failure (corrupt or truncated
 * input, output past `maxOutput`) as a ProtocolError naming `codec`.
 */
export function zlibDecompress(
  codec: string,
  input: Uint8Array,
  maxOutput: number,
  decompress: (input: Uint8Array, options: { maxOutputLength: number }) => Uint8Array,
): Uint8Array {
  let out: Uint8Array;
  try {
    out = decompress(input, { maxOutputLength: maxOutput });
  } catch (error) {
    const tooLarge = (error as { code?: unknown }).code === "ERR_BUFFER_TOO_LARGE";
    throw new ProtocolError(
      tooLarge
        ? `${codec} data decompresses to more than ${maxOutput} bytes`
        : `corrupt ${codec} data: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
