/**
 * Kafka's snappy codec (id 2): raw snappy blocks in the xerial snappy-java
 * framing that Kafka's Java producer writes (`SnappyOutputStream`): a 16-byte
 * header — magic `0x82 'S' 'N' 'A' 'P' 'P' 'Y' 0x00`, version 1 and
 * compatible version 1 as big-endian int32s — then, per 32 KiB of input,
 * a big-endian int32 compressed length and a raw snappy block.
 *
 * The decoder also reads plain raw snappy without the header (librdkafka's
 * producer writes that; Java's `SnappyInputStream` accepts it too) and
 * concatenated xerial streams.
 *
 * @module
 */
import { ProtocolError } from "../../errors.ts";
import type { CompressionCodec } from "./codec.ts";
import {
  snappyCompressBlock,
  snappyDecompressBlock,
  snappyMaxCompressedLength,
  snappyPreamble,
} from "./snappy_block.ts";

const MAGIC = [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00];
const HEADER_SIZE = 16;
/** snappy-java's `SnappyOutputStream.DEFAULT_BLOCK_SIZE`, which Kafka uses. */
const BLOCK_SIZE = 32 * 1024;
const DEFAULT_MAX_OUTPUT = 64 * 1024 * 1024;

/** Whether the xerial magic starts at `p`. */
function hasMagic(b: Uint8Array, p: number): boolean {
  if (b.length - p < MAGIC.length) return false;
  for (let i = 0; i < MAGIC.length; i++) if (b[p + i] !== MAGIC[i]) return false;
  return true;
}

/** Compresses `input` into the xerial framing; `level` is ignored. */
function compress(input: Uint8Array): Uint8Array {
  const n = input.length;
  const blocks = Math.ceil(n / BLOCK_SIZE);
  const out = new Uint8Array(HEADER_SIZE + blocks * 4 + snappyMaxCompressedLength(n) + blocks * 8);
  out.set(MAGIC);
  out[11] = 1; // version
  out[15] = 1; // compatible version
  let dp = HEADER_SIZE;
  for (let s = 0; s < n; s += BLOCK_SIZE) {
    const at = dp;
    dp = snappyCompressBlock(input, s, Math.min(s + BLOCK_SIZE, n), out, at + 4);
    const len = dp - at - 4;
    out[at] = len >>> 24;
    out[at + 1] = (len >>> 16) & 0xff;
    out[at + 2] = (len >>> 8) & 0xff;
    out[at + 3] = len & 0xff;
  }
  return out.subarray(0, dp);
}

/** Decompresses xerial-framed or raw snappy; at most `maxOutput` bytes. */
function decompress(input: Uint8Array, maxOutput = DEFAULT_MAX_OUTPUT): Uint8Array {
  if (!hasMagic(input, 0)) {
    const { length, body } = snappyPreamble(input, 0, input.length);
    if (length > maxOutput) {
      throw new ProtocolError(`snappy data declares ${length} bytes, more than ${maxOutput}`);
    }
    const out = new Uint8Array(length);
    snappyDecompressBlock(input, body, input.length, out, 0, length);
    return out;
  }
  // First pass: every block's declared length, so the result is allocated once.
  const blocks: number[] = [];
  let total = 0;
  for (let p = 0; p < input.length;) {
    if (hasMagic(input, p)) {
      if (input.length - p < HEADER_SIZE) throw new ProtocolError("snappy: truncated header");
      p += HEADER_SIZE;
      continue;
    }
    if (input.length - p < 4) throw new ProtocolError("snappy: truncated block size");
    const len = ((input[p] << 24) | (input[p + 1] << 16) | (input[p + 2] << 8) | input[p + 3]) >>>
      0;
    const end = p + 4 + len;
    if (end > input.length) throw new ProtocolError("snappy: truncated block");
    const { length, body } = snappyPreamble(input, p + 4, end);
    total += length;
    if (total > maxOutput) {
      throw new ProtocolError(`snappy data decompresses to more than ${maxOutput} bytes`);
    }
    blocks.push(body, end, length);
    p = end;
  }
  const out = new Uint8Array(total);
  let dp = 0;
  for (let i = 0; i < blocks.length; i += 3) {
    snappyDecompressBlock(input, blocks[i], blocks[i + 1], out, dp, dp + blocks[i + 2]);
    dp += blocks[i + 2];
  }
  return out;
}

/** The snappy codec, xerial-framed as Kafka's Java client writes it. */
export const snappy: CompressionCodec = { name: "snappy", id: 2, compress, decompress };
