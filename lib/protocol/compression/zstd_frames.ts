/**
 * A walk over the frame structure of zstd data (RFC 8878): node:zlib's
 * `zstdDecompressSync` returns what it decoded so far when the input stops
 * mid-frame, so truncation is found here, before decompressing.
 *
 * @module
 */

const ZSTD_MAGIC = 0xfd2fb528;
/** Skippable frames have magic 0x184D2A50–0x184D2A5F. */
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
const DICTIONARY_ID_BYTES = [0, 1, 2, 4];
const RLE_BLOCK = 1;
const RESERVED_BLOCK = 3;

/**
 * Why `input` is not a sequence of whole zstd frames (truncated, bad magic,
 * reserved block type), or null if it is one. Does not look inside blocks.
 */
export function zstdFramesProblem(input: Uint8Array): string | null {
  const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  const n = input.length;
  let pos = 0;
  if (n === 0) return "no zstd frame";
  while (pos < n) {
    if (n - pos < 4) return `truncated zstd frame magic at byte ${pos}`;
    const magic = view.getUint32(pos, true);
    pos += 4;
    if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      if (n - pos < 4) return `truncated skippable frame at byte ${pos}`;
      pos += 4 + view.getUint32(pos, true);
      if (pos > n) return "truncated skippable frame";
      continue;
    }
    if (magic !== ZSTD_MAGIC) return `no zstd frame magic at byte ${pos - 4}`;
    if (pos >= n) return "truncated zstd frame header";
    const descriptor = input[pos++];
    const singleSegment = (descriptor & 0x20) !== 0;
    const fcsFlag = descriptor >> 6;
    const headerBytes = (singleSegment ? 0 : 1) + DICTIONARY_ID_BYTES[descriptor & 3] +
      (fcsFlag === 0 ? (singleSegment ? 1 : 0) : 1 << fcsFlag);
    pos += headerBytes;
    for (let last = false; !last;) {
      if (n - pos < 3) return "truncated zstd block header";
      const header = input[pos] | input[pos + 1] << 8 | input[pos + 2] << 16;
      pos += 3;
      last = (header & 1) !== 0;
      const type = (header >> 1) & 3;
      if (type === RESERVED_BLOCK) return "reserved zstd block type";
      pos += type === RLE_BLOCK ? 1 : header >>> 3;
      if (pos > n) return "truncated zstd block";
    }
    if ((descriptor & 0x04) !== 0) pos += 4; // content checksum
    if (pos > n) return "truncated zstd content checksum";
  }
  return null;
}
