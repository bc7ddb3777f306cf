/**
 * Raw snappy blocks (the format of google/snappy's `format_description.txt`):
 * a varint of the uncompressed length, then literal and copy elements.
 * The compressor is a greedy single-probe hash-table matcher over 64 KiB
 * fragments, so every copy offset fits in two bytes.
 *
 * @module
 */
import { type BlockCompressor, copyLiterals, copyMatch } from "./block.ts";
import { ProtocolError } from "../../errors.ts";

const HASH_BITS = 14;
const HASH_SHIFT = 32 - HASH_BITS;
const FRAGMENT = 65536;
/** Positions (relative to the fragment) of the last 4-byte word seen per hash; stale entries are harmless, every candidate is compared. */
const table = new Uint16Array(1 << HASH_BITS);

/** The 32-bit little-endian word of `b` at `i`. */
function load32(b: Uint8Array, i: number): number {
  return b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24);
}

/** The most bytes compressing `n` bytes can take (snappy's MaxCompressedLength). */
export function snappyMaxCompressedLength(n: number): number {
  return 32 + n + Math.floor(n / 6);
}

/**
 * Compresses `src[start, end)` as one raw snappy block into `dst` at `dp`
 * (which must have {@link snappyMaxCompressedLength} bytes free); returns
 * the end of what was written.
 */
export const snappyCompressBlock: BlockCompressor = (src, start, end, dst, dp) => {
  let n = end - start;
  while (n >= 0x80) {
    dst[dp++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  dst[dp++] = n;
  for (let f = start; f < end; f += FRAGMENT) {
    dp = compressFragment(src, f, Math.min(f + FRAGMENT, end), dst, dp);
  }
  return dp;
};

/** Compresses one fragment of at most 64 KiB; returns the new output position. */
function compressFragment(
  src: Uint8Array,
  base: number,
  end: number,
  dst: Uint8Array,
  dp: number,
): number {
  let emit = base;
  let ip = base;
  let skip = 32;
  const ilimit = end - 4;
  while (ip <= ilimit) {
    const word = load32(src, ip);
    const h = Math.imul(word, 0x1e35a7bd) >>> HASH_SHIFT;
    const cand = base + table[h];
    table[h] = ip - base;
    if (cand < ip && load32(src, cand) === word) {
      if (ip > emit) dp = emitLiteral(src, emit, ip, dst, dp);
      let len = 4;
      const max = end - ip;
      while (len + 4 <= max && load32(src, cand + len) === load32(src, ip + len)) len += 4;
      while (len < max && src[cand + len] === src[ip + len]) len++;
      dp = emitCopy(dst, dp, ip - cand, len);
      ip += len;
      emit = ip;
      skip = 32;
      if (ip <= ilimit) {
        table[Math.imul(load32(src, ip - 1), 0x1e35a7bd) >>> HASH_SHIFT] = ip - 1 - base;
      }
    } else {
      ip += skip >> 5;
      skip++;
    }
  }
  return emit < end ? emitLiteral(src, emit, end, dst, dp) : dp;
}

/** Writes a literal element of `src[from, to)`; returns the new output position. */
function emitLiteral(
  src: Uint8Array,
  from: number,
  to: number,
  dst: Uint8Array,
  dp: number,
): number {
  const n = to - from - 1;
  if (n < 60) {
    dst[dp++] = n << 2;
  } else if (n < 0x100) {
    dst[dp++] = 60 << 2;
    dst[dp++] = n;
  } else if (n < 0x10000) {
    dst[dp++] = 61 << 2;
    dst[dp++] = n & 0xff;
    dst[dp++] = n >>> 8;
  } else if (n < 0x1000000) {
    dst[dp++] = 62 << 2;
    dst[dp++] = n & 0xff;
    dst[dp++] = (n >>> 8) & 0xff;
    dst[dp++] = n >>> 16;
  } else {
    dst[dp++] = 63 << 2;
    dst[dp++] = n & 0xff;
    dst[dp++] = (n >>> 8) & 0xff;
    dst[dp++] = (n >>> 16) & 0xff;
    dst[dp++] = n >>> 24;
  }
  if (n < 16) {
    for (let i = from; i < to; i++) dst[dp++] = src[i];
    return dp;
  }
  dst.set(src.subarray(from, to), dp);
  return dp + n + 1;
}

/** Writes copy elements for a match of `len` bytes at `offset` (< 65536); returns the new output position. */
function emitCopy(dst: Uint8Array, dp: number, offset: number, len: number): number {
  while (len >= 68) {
    dst[dp++] = 2 | (63 << 2);
    dst[dp++] = offset & 0xff;
    dst[dp++] = offset >>> 8;
    len -= 64;
  }
  if (len > 64) {
    dst[dp++] = 2 | (59 << 2);
    dst[dp++] = offset & 0xff;
    dst[dp++] = offset >>> 8;
    len -= 60;
  }
  if (len < 12 && offset < 2048) {
    dst[dp++] = 1 | ((len - 4) << 2) | ((offset >>> 8) << 5);
    dst[dp++] = offset & 0xff;
  } else {
    dst[dp++] = 2 | ((len - 1) << 2);
    dst[dp++] = offset & 0xff;
    dst[dp++] = offset >>> 8;
  }
  return dp;
}

/** A raw block's declared uncompressed length and where its elements start. */
export interface SnappyPreamble {
  /** Uncompressed length in bytes. */
  readonly length: number;
  /** Offset of the first element. */
  readonly body: number;
}

/** Reads the length varint of the raw block starting at `sp` (ending before `end`). */
export function snappyPreamble(src: Uint8Array, sp: number, end: number): SnappyPreamble {
  let length = 0;
  for (let shift = 1; shift < 2 ** 35; shift *= 128) {
    if (sp >= end) throw new ProtocolError("snappy: truncated block length");
    const b = src[sp++];
    length += (b & 0x7f) * shift;
    if (b < 0x80) {
      if (length > 0xffffffff) break;
      return { length, body: sp };
    }
  }
  throw new ProtocolError("snappy: invalid block length");
}

/**
 * Decodes the elements of a raw block, `src[sp, end)`, into exactly
 * `dst[dp, dend)`; throws ProtocolError on anything malformed.
 */
export function snappyDecompressBlock(
  src: Uint8Array,
  sp: number,
  end: number,
  dst: Uint8Array,
  dp: number,
  dend: number,
): void {
  const dstart = dp;
  while (sp < end) {
    const tag = src[sp++];
    let len: number;
    let offset: number;
    switch (tag & 3) {
      case 0: {
        len = tag >>> 2;
        if (len >= 60) {
          const nb = len - 59;
          if (sp + nb > end) throw new ProtocolError("snappy: truncated literal");
          len = src[sp];
          if (nb > 1) len |= src[sp + 1] << 8;
          if (nb > 2) len |= src[sp + 2] << 16;
          if (nb > 3) len = (len | (src[sp + 3] << 24)) >>> 0;
          sp += nb;
        }
        len += 1;
        if (len > end - sp || len > dend - dp) throw new ProtocolError("snappy: literal overruns");
        copyLiterals(dst, dp, src, sp, len);
        sp += len;
        dp += len;
        continue;
      }
      case 1:
        if (sp >= end) throw new ProtocolError("snappy: truncated copy");
        len = ((tag >>> 2) & 7) + 4;
        offset = ((tag >>> 5) << 8) | src[sp++];
        break;
      case 2:
        if (sp + 2 > end) throw new ProtocolError("snappy: truncated copy");
        len = (tag >>> 2) + 1;
        offset = src[sp] | (src[sp + 1] << 8);
        sp += 2;
        break;
      default:
        if (sp + 4 > end) throw new ProtocolError("snappy: truncated copy");
        len = (tag >>> 2) + 1;
        offset = load32(src, sp) >>> 0;
        sp += 4;
    }
    if (offset === 0 || offset > dp - dstart) throw new ProtocolError("snappy: bad copy offset");
    if (len > dend - dp) throw new ProtocolError("snappy: copy overruns");
    dp = copyMatch(dst, dp, offset, len);
  }
  if (dp !== dend) throw new ProtocolError("snappy: block shorter than its length");
}
