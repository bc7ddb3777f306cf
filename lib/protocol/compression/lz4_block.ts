/**
 * LZ4 blocks (lz4's `lz4_Block_format.md`): sequences of a token, literals,
 * a 2-byte little-endian offset and a match length; the last sequence is
 * literals only, the last 5 bytes are always literals and no match starts
 * in the last 12. The compressor is a greedy single-probe hash-table matcher
 * (one fast level), for blocks of at most 64 KiB.
 *
 * @module
 */
import { type BlockCompressor, copyLiterals, copyMatch } from "./block.ts";
import { ProtocolError } from "../../errors.ts";

const MIN_MATCH = 4;
const LAST_LITERALS = 5;
const MF_LIMIT = 12;
const HASH_BITS = 13;
const HASH_SHIFT = 32 - HASH_BITS;
/** Positions (relative to the block) of the last word seen per hash; stale entries are harmless, every candidate is compared. */
const table = new Uint16Array(1 << HASH_BITS);

/** The 32-bit little-endian word of `b` at `i`. */
function load32(b: Uint8Array, i: number): number {
  return b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
}

/** The hash-table slot of the word at `i`. */
function slot(b: Uint8Array, i: number): number {
  return Math.imul(load32(b, i), 0x9e3779b1) >>> HASH_SHIFT;
}

/** The most bytes compressing `n` bytes can take (lz4's LZ4_COMPRESSBOUND). */
export function lz4MaxCompressedLength(n: number): number {
  return n + Math.floor(n / 255) + 16;
}

/**
 * Compresses `src[start, end)` (at most 64 KiB) as one LZ4 block into `dst`
 * at `dp` (which must have {@link lz4MaxCompressedLength} bytes free);
 * returns the end of what was written.
 */
export const lz4CompressBlock: BlockCompressor = (src, start, end, dst, dp) => {
  let anchor = start;
  if (end - start > MF_LIMIT) {
    const mflimit = end - MF_LIMIT;
    const matchlimit = end - LAST_LITERALS;
    let ip = start;
    let skip = 64;
    while (ip <= mflimit) {
      const word = load32(src, ip);
      const h = Math.imul(word, 0x9e3779b1) >>> HASH_SHIFT;
      let ref = start + table[h];
      table[h] = ip - start;
      if (ref >= ip || load32(src, ref) !== word) {
        ip += skip >> 6;
        skip++;
        continue;
      }
      while (ip > anchor && ref > start && src[ip - 1] === src[ref - 1]) {
        ip--;
        ref--;
      }
      let len = MIN_MATCH;
      while (ip + len + 4 <= matchlimit && load32(src, ref + len) === load32(src, ip + len)) {
        len += 4;
      }
      while (ip + len < matchlimit && src[ref + len] === src[ip + len]) len++;
      dp = emitSequence(src, anchor, ip, dst, dp, ip - ref, len);
      ip += len;
      anchor = ip;
      skip = 64;
      if (ip <= mflimit) table[slot(src, ip - 2)] = ip - 2 - start;
    }
  }
  return emitSequence(src, anchor, end, dst, dp, 0, 0);
};

/** Writes the extra length bytes of a length ≥ 15 (`n` = length − 15). */
function writeLength(dst: Uint8Array, dp: number, n: number): number {
  while (n >= 255) {
    dst[dp++] = 255;
    n -= 255;
  }
  dst[dp++] = n;
  return dp;
}

/** Writes one sequence: literals `src[from, to)`, then a match (none when `len` is 0). */
function emitSequence(
  src: Uint8Array,
  from: number,
  to: number,
  dst: Uint8Array,
  dp: number,
  offset: number,
  len: number,
): number {
  const lit = to - from;
  const tokenAt = dp++;
  let token = lit >= 15 ? 0xf0 : lit << 4;
  if (lit >= 15) dp = writeLength(dst, dp, lit - 15);
  if (lit < 16) {
    for (let i = from; i < to; i++) dst[dp++] = src[i];
  } else {
    dst.set(src.subarray(from, to), dp);
    dp += lit;
  }
  if (len > 0) {
    dst[dp++] = offset & 0xff;
    dst[dp++] = offset >>> 8;
    const m = len - MIN_MATCH;
    token |= m >= 15 ? 15 : m;
    if (m >= 15) dp = writeLength(dst, dp, m - 15);
  }
  dst[tokenAt] = token;
  return dp;
}

/**
 * Decodes the LZ4 block `src[sp, end)` into `dst` from `dp`, writing
 * nothing at or past `dlimit`; copies may reach back to `window`. Returns
 * the end of the output; throws ProtocolError on anything malformed.
 */
export function lz4DecompressBlock(
  src: Uint8Array,
  sp: number,
  end: number,
  dst: Uint8Array,
  dp: number,
  dlimit: number,
  window: number,
): number {
  for (;;) {
    if (sp >= end) throw new ProtocolError("lz4: truncated block");
    const token = src[sp++];
    let lit = token >>> 4;
    if (lit === 15) {
      const k = extensionBytes(src, sp, end, "literal");
      lit += 255 * (k - 1) + src[sp + k - 1];
      sp += k;
    }
    if (lit > end - sp || lit > dlimit - dp) throw new ProtocolError("lz4: literals overrun");
    copyLiterals(dst, dp, src, sp, lit);
    sp += lit;
    dp += lit;
    if (sp === end) return dp;
    if (sp + 2 > end) throw new ProtocolError("lz4: truncated offset");
    const offset = src[sp] | (src[sp + 1] << 8);
    sp += 2;
    if (offset === 0 || offset > dp - window) throw new ProtocolError("lz4: bad match offset");
    let len = token & 15;
    if (len === 15) {
      const k = extensionBytes(src, sp, end, "match");
      len += 255 * (k - 1) + src[sp + k - 1];
      sp += k;
    }
    len += MIN_MATCH;
    if (len > dlimit - dp) throw new ProtocolError("lz4: match overruns");
    dp = copyMatch(dst, dp, offset, len);
  }
}

/**
 * Bytes of the length extension at `src[sp..]`: each 255 continues it, the
 * first other byte ends it (and is counted).
 */
function extensionBytes(src: Uint8Array, sp: number, end: number, what: string): number {
  let k = 0;
  do {
    if (sp + k >= end) throw new ProtocolError(`lz4: truncated ${what} length`);
  } while (src[sp + k++] === 255);
  return k;
}
