/**
 * Kafka's lz4 codec (id 3): the LZ4 frame format as Kafka's
 * `Lz4BlockOutputStream` writes it — magic 0x184D2204, FLG 0x60 (version 01,
 * independent blocks, no block or content checksum, no content size),
 * BD 0x40 (64 KiB blocks), the header checksum byte
 * `(xxh32(FLG BD, 0) >> 8) & 0xFF`, blocks of a little-endian uint32 size
 * (high bit set: stored uncompressed) and data, then the end mark 0.
 *
 * The decoder reads any version-01 frame without a dictionary: linked or
 * independent blocks, 64 KiB–4 MiB block sizes, and verifies the header
 * checksum, block checksums, content size and content checksum when present.
 * `level` is accepted and ignored: there is one fast level.
 *
 * @module
 */
import { ProtocolError } from "../../errors.ts";
import type { CompressionCodec } from "./codec.ts";
import { lz4CompressBlock, lz4DecompressBlock, lz4MaxCompressedLength } from "./lz4_block.ts";
import { xxhash32 } from "./xxhash32.ts";

const MAGIC = 0x184d2204;
const FLG = 0x60;
const BD = 0x40;
const BLOCK_SIZE = 64 * 1024;
const UNCOMPRESSED = 0x80000000;
const DEFAULT_MAX_OUTPUT = 64 * 1024 * 1024;

/** The 32-bit little-endian unsigned word of `b` at `i`. */
function u32(b: Uint8Array, i: number): number {
  return (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
}

/** Writes `v` as a little-endian uint32 at `i`. */
function put32(b: Uint8Array, i: number, v: number): void {
  b[i] = v & 0xff;
  b[i + 1] = (v >>> 8) & 0xff;
  b[i + 2] = (v >>> 16) & 0xff;
  b[i + 3] = v >>> 24;
}

/** Compresses `input` into one LZ4 frame; `level` is ignored. */
function compress(input: Uint8Array): Uint8Array {
  const n = input.length;
  const blocks = Math.ceil(n / BLOCK_SIZE);
  const out = new Uint8Array(7 + blocks * 4 + lz4MaxCompressedLength(n) + blocks * 16 + 4);
  put32(out, 0, MAGIC);
  out[4] = FLG;
  out[5] = BD;
  out[6] = (xxhash32(out, 0, 4, 6) >>> 8) & 0xff;
  let dp = 7;
  for (let s = 0; s < n; s += BLOCK_SIZE) {
    const e = Math.min(s + BLOCK_SIZE, n);
    const end = lz4CompressBlock(input, s, e, out, dp + 4);
    const len = end - dp - 4;
    if (len >= e - s) {
      put32(out, dp, (e - s) | UNCOMPRESSED);
      out.set(input.subarray(s, e), dp + 4);
      dp += 4 + e - s;
    } else {
      put32(out, dp, len);
      dp = end;
    }
  }
  put32(out, dp, 0);
  return out.subarray(0, dp + 4);
}

/** The output of a frame: its bytes so far, grown as needed, never past `max`. */
class Output {
  buf = new Uint8Array(0);
  length = 0;
  constructor(readonly max: number) {}
  /** Appends `src[from, to)`. */
  append(src: Uint8Array, from: number, to: number): void {
    const need = this.length + to - from;
    if (need > this.max) {
      throw new ProtocolError(`lz4 data decompresses to more than ${this.max} bytes`);
    }
    if (need > this.buf.length) {
      const grown = new Uint8Array(Math.min(this.max, Math.max(need, this.buf.length * 2)));
      grown.set(this.buf.subarray(0, this.length));
      this.buf = grown;
    }
    this.buf.set(src.subarray(from, to), this.length);
    this.length = need;
  }
  /** The bytes, trimmed to their length. */
  bytes(): Uint8Array {
    return this.length === this.buf.length ? this.buf : this.buf.slice(0, this.length);
  }
}

/**
 * Where compressed blocks decode to before they are appended: one block
 * window, reused, plus the 64 KiB before it that linked blocks may refer to.
 */
let scratch = new Uint8Array(0);

/** Decompresses one LZ4 frame into at most `maxOutput` bytes. */
function decompress(input: Uint8Array, maxOutput = DEFAULT_MAX_OUTPUT): Uint8Array {
  const n = input.length;
  if (n < 7) throw new ProtocolError("lz4: truncated frame header");
  if (u32(input, 0) !== MAGIC) throw new ProtocolError("lz4: bad magic");
  const flg = input[4];
  if (flg >>> 6 !== 1) throw new ProtocolError(`lz4: unsupported version ${flg >>> 6}`);
  if (flg & 3) throw new ProtocolError("lz4: dictionaries and reserved FLG bits are unsupported");
  const independent = (flg & 0x20) !== 0;
  const blockChecksum = (flg & 0x10) !== 0;
  const hasSize = (flg & 0x08) !== 0;
  const contentChecksum = (flg & 0x04) !== 0;
  const bd = input[5];
  const bsize = (bd >>> 4) & 7;
  if ((bd & 0x8f) !== 0 || bsize < 4) throw new ProtocolError("lz4: bad block descriptor");
  const blockMax = 1 << (2 * bsize + 8);
  let p = hasSize ? 14 : 6;
  if (n < p + 1) throw new ProtocolError("lz4: truncated frame header");
  const size = hasSize ? u32(input, 6) + u32(input, 10) * 2 ** 32 : -1;
  if (((xxhash32(input, 0, 4, p) >>> 8) & 0xff) !== input[p]) {
    throw new ProtocolError("lz4: bad header checksum");
  }
  p++;
  if (size > maxOutput) throw new ProtocolError(`lz4: ${size} bytes exceed ${maxOutput}`);
  const out = new Output(maxOutput);
  // linked blocks may copy from the previous 64 KiB of output, kept before the window
  const history = independent ? 0 : 64 * 1024;
  if (scratch.length < history + blockMax) scratch = new Uint8Array(history + blockMax);
  for (;;) {
    if (n - p < 4) throw new ProtocolError("lz4: truncated block size");
    const word = u32(input, p);
    p += 4;
    if (word === 0) break;
    const len = word & 0x7fffffff;
    if (len > blockMax) throw new ProtocolError("lz4: block larger than the maximum");
    if (n - p < len + (blockChecksum ? 4 : 0)) throw new ProtocolError("lz4: truncated block");
    if (blockChecksum && xxhash32(input, 0, p, p + len) !== u32(input, p + len)) {
      throw new ProtocolError("lz4: bad block checksum");
    }
    if (word & UNCOMPRESSED) {
      out.append(input, p, p + len);
    } else {
      const keep = Math.min(history, out.length);
      scratch.set(out.buf.subarray(out.length - keep, out.length), history - keep);
      const end = lz4DecompressBlock(
        input,
        p,
        p + len,
        scratch,
        history,
        history + blockMax,
        history - keep,
      );
      out.append(scratch, history, end);
    }
    p += len + (blockChecksum ? 4 : 0);
  }
  if (contentChecksum) {
    if (n - p < 4) throw new ProtocolError("lz4: truncated content checksum");
    if (xxhash32(out.buf, 0, 0, out.length) !== u32(input, p)) {
      throw new ProtocolError("lz4: bad content checksum");
    }
    p += 4;
  }
  if (p !== n) throw new ProtocolError("lz4: bytes after the frame");
  if (size >= 0 && out.length !== size) throw new ProtocolError("lz4: content size mismatch");
  return out.bytes();
}

/** The lz4 codec, framed as Kafka's Java client writes it. */
export const lz4: CompressionCodec = { name: "lz4", id: 3, compress, decompress };
