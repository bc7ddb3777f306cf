/**
 * What the LZ77-style block codecs (snappy and LZ4) share: the shape of a
 * block compressor, and the two copies every decoder makes — literals from
 * the input, and matches from earlier output, which may overlap their own
 * destination.
 *
 * @module
 */

/**
 * Compresses `src[start, end)` as one block into `dst` at `dp` (which must
 * have the codec's worst-case bound free); returns the end of what was
 * written.
 */
export type BlockCompressor = (
  src: Uint8Array,
  start: number,
  end: number,
  dst: Uint8Array,
  dp: number,
) => number;

/** Below this many bytes a loop beats `TypedArray.prototype.set`. */
const SHORT = 64;

/** Copies `n` literal bytes from `src[sp..]` to `dst[dp..]` (bounds checked by the caller). */
export function copyLiterals(
  dst: Uint8Array,
  dp: number,
  src: Uint8Array,
  sp: number,
  n: number,
): void {
  if (n < SHORT) {
    for (let i = 0; i < n; i++) dst[dp + i] = src[sp + i];
  } else {
    dst.set(src.subarray(sp, sp + n), dp);
  }
}

/**
 * Copies `len` bytes from `offset` bytes back in `dst` to `dst[dp..]`; an
 * overlapping match (offset < len) repeats bytes as it goes, as the
 * formats define. Returns the position after it.
 */
export function copyMatch(dst: Uint8Array, dp: number, offset: number, len: number): number {
  let from = dp - offset;
  if (offset >= len && len >= 32) {
    dst.copyWithin(dp, from, from + len);
    return dp + len;
  }
  for (const stop = dp + len; dp < stop;) dst[dp++] = dst[from++];
  return dp;
}
