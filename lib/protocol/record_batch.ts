/**
 * RecordBatch v2 (magic 2) encoding — the producer's hot path.
 *
 * {@link RecordBatchBuilder} encodes each record straight into one
 * preallocated buffer (from the producer's buffer pool), after room for the
 * 61-byte header. Nothing is allocated per record. The header and the CRC
 * are written once, by {@link RecordBatchBuilder.build}, when the batch is
 * drained — and can be rewritten if the batch is retried with other producer
 * state.
 *
 * A builder given a codec compresses the records section (everything after
 * the header) once, the first time the batch's wire form is asked for, and
 * keeps that form: a retry, or a rewrite of the producer fields after an
 * epoch bump (they are in the header, outside the compressed part), only
 * rewrites the header and the CRC.
 *
 * A record: length varint · attributes int8 (0) · timestampDelta varlong ·
 * offsetDelta varint · keyLength varint (-1 null) · key · valueLength
 * varint (-1 null) · value · headerCount varint · headers { keyLength
 * varint, key, valueLength varint (-1 null), value }.
 *
 * @module
 */

import type { CompressionCodec } from "./compression/codec.ts";
import { CODECS_BY_ID } from "./compression/mod.ts";
import { crc32c } from "./crc32c.ts";
import { ProtocolError } from "../errors.ts";
import {
  ATTRIBUTES_OFFSET,
  BASE_SEQUENCE_OFFSET,
  BASE_TIMESTAMP_OFFSET,
  COMPRESSION_MASK,
  CRC_OFFSET,
  LAST_OFFSET_DELTA_OFFSET,
  LENGTH_OFFSET,
  LOG_OVERHEAD,
  MAGIC_OFFSET,
  MAGIC_V2,
  MAX_RECORD_OVERHEAD,
  MAX_TIMESTAMP_OFFSET,
  PARTITION_LEADER_EPOCH_OFFSET,
  PRODUCER_EPOCH_OFFSET,
  PRODUCER_ID_OFFSET,
  RECORDS_COUNT_OFFSET,
  RECORDS_OFFSET,
  TRANSACTIONAL_FLAG,
} from "./record_batch_layout.ts";
import { sizeOfVarint, sizeOfVarlong, writeVarint, writeVarlong } from "./varint.ts";

import { decodeRecordsRaw } from "./record_batch_decoder.ts";
export { decodeRecordBatches, decodeRecordsRaw } from "./record_batch_decoder.ts";
export type { DecodedBatch, DecodedRecord } from "./record_batch_decoder.ts";

/** Bytes of the RecordBatch v2 header; records start at this offset. */
export const RECORD_BATCH_OVERHEAD: number = RECORDS_OFFSET;

/** A record header as bytes: key (UTF-8, never null) and value (nullable). */
export type RecordHeaderBytes = readonly [
  key: Uint8Array,
  value: Uint8Array | null,
];

const TWO_POW_32 = 4294967296;
/** Below this length, copying byte by byte beats `TypedArray.prototype.set`. */
const SMALL_COPY = 16;

/** Copies `src` into `dst` at `pos`; returns the position after it. */
function copy(dst: Uint8Array, pos: number, src: Uint8Array): number {
  const n = src.length;
  if (n < SMALL_COPY) {
    for (let i = 0; i < n; i++) dst[pos + i] = src[i];
  } else {
    dst.set(src, pos);
  }
  return pos + n;
}

/** Writes a varint length and the bytes, or -1 (zigzag 1) for null; returns the position after. */
function writeNullableBytes(dst: Uint8Array, pos: number, src: Uint8Array | null): number {
  if (src === null) {
    dst[pos] = 1; // zigzag(-1)
    return pos + 1;
  }
  return copy(dst, writeVarint(dst, pos, src.length), src);
}

/** Exact bytes of key, value and headers, with their length varints and the header count. */
function payloadSize(
  key: Uint8Array | null,
  value: Uint8Array | null,
  headers: readonly RecordHeaderBytes[],
): number {
  let size = key === null ? 1 : sizeOfVarint(key.length) + key.length;
  size += value === null ? 1 : sizeOfVarint(value.length) + value.length;
  size += sizeOfVarint(headers.length);
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i];
    const k = h[0];
    const v = h[1];
    size += sizeOfVarint(k.length) + k.length;
    size += v === null ? 1 : sizeOfVarint(v.length) + v.length;
  }
  return size;
}

/** Writes a number that is an integer in the int64 range as a big-endian int64. */
function setInt64(view: DataView, offset: number, v: number): void {
  const hi = Math.floor(v / TWO_POW_32);
  view.setInt32(offset, hi);
  view.setUint32(offset + 4, v - hi * TWO_POW_32);
}

/**
 * Builds one RecordBatch v2 in a caller-provided buffer, uncompressed or
 * (given a codec) with its records section compressed.
 *
 * @example
 * ```ts
 * const b = new RecordBatchBuilder(new Uint8Array(16384));
 * const value = new TextEncoder().encode("hello");
 * if (b.tryAppend(Date.now(), null, value, []) < 0) throw new Error("full");
 * const bytes = b.build(-1n, -1, -1);
 * ```
 */
export class RecordBatchBuilder {
  /** The batch's memory: header at 0, records from byte 61. */
  readonly buffer: Uint8Array;
  readonly #view: DataView;
  #pos = RECORDS_OFFSET;
  #count = 0;
  #baseTimestamp = -1;
  #maxTimestamp = -1;
  /** The codec compressing the records section, or null. */
  readonly codec: CompressionCodec | null;
  /** The codec's level (its default when undefined). */
  readonly level: number | undefined;
  /** The compressed batch (header + compressed records), once built. */
  #compressed: Uint8Array | null = null;
  /** Records in {@link RecordBatchBuilder.#compressed}; appends after it make it stale. */
  #compressedCount = 0;

  /**
   * Uses `buffer` (at least 61 bytes) for the batch; its capacity bounds the
   * batch size (uncompressed). With a `codec`, the built batch holds its
   * records compressed at `level`.
   */
  constructor(buffer: Uint8Array, codec: CompressionCodec | null = null, level?: number) {
    if (buffer.length < RECORDS_OFFSET) {
      throw new RangeError(
        `a record batch buffer needs at least ${RECORDS_OFFSET} bytes`,
      );
    }
    this.buffer = buffer;
    this.codec = codec;
    this.level = level;
    this.#view = new DataView(
      buffer.buffer,
      buffer.byteOffset,
      buffer.byteLength,
    );
  }

  /** Records appended so far. */
  get recordCount(): number {
    return this.#count;
  }

  /** Bytes used, including the 61-byte header (uncompressed). */
  get sizeInBytes(): number {
    return this.#pos;
  }

  /**
   * Bytes of the built batch on the wire: {@link sizeInBytes} uncompressed;
   * with a codec, the compressed size (compressing the records now if they
   * were not yet, or were appended to since).
   */
  get wireSizeInBytes(): number {
    return this.codec === null ? this.#pos : this.#compress().length;
  }

  /** Bytes still free in the buffer. */
  get remainingBytes(): number {
    return this.buffer.length - this.#pos;
  }

  /** Timestamp of the first record (-1 while empty). */
  get baseTimestamp(): number {
    return this.#baseTimestamp;
  }

  /** Largest record timestamp (-1 while empty). */
  get maxTimestamp(): number {
    return this.#maxTimestamp;
  }

  /**
   * Most bytes one record can take in a batch, with the timestamp and offset
   * deltas at their widest: what a batch needs beyond its 61-byte header to
   * hold this record alone.
   */
  static recordSizeUpperBound(
    key: Uint8Array | null,
    value: Uint8Array | null,
    headers: readonly RecordHeaderBytes[],
  ): number {
    return MAX_RECORD_OVERHEAD + payloadSize(key, value, headers);
  }

  /**
   * Appends one record with timestamp `timestamp` (epoch ms, an integer).
   * Returns its offsetDelta (0-based index in the batch), or -1 if it does
   * not fit in the rest of the buffer (then nothing was written). Header
   * keys must be UTF-8 bytes. Throws `RangeError` for a non-integral
   * timestamp.
   */
  tryAppend(
    timestamp: number,
    key: Uint8Array | null,
    value: Uint8Array | null,
    headers: readonly RecordHeaderBytes[],
  ): number {
    const count = this.#count;
    const delta = count === 0 ? 0 : timestamp - this.#baseTimestamp;
    const smallDelta = (delta | 0) === delta;
    if (count === 0 && !Number.isSafeInteger(timestamp)) {
      throw new RangeError(`record timestamp is not an integer: ${timestamp}`);
    }
    const bodySize = 1 +
      (smallDelta ? sizeOfVarint(delta) : sizeOfVarlong(delta)) +
      sizeOfVarint(count) + payloadSize(key, value, headers);
    const buf = this.buffer;
    let pos = this.#pos;
    if (pos + sizeOfVarint(bodySize) + bodySize > buf.length) return -1;

    pos = writeVarint(buf, pos, bodySize);
    buf[pos++] = 0; // attributes
    pos = smallDelta ? writeVarint(buf, pos, delta) : writeVarlong(buf, pos, delta);
    pos = writeVarint(buf, pos, count);
    pos = writeNullableBytes(buf, pos, key);
    pos = writeNullableBytes(buf, pos, value);
    pos = writeVarint(buf, pos, headers.length);
    for (let i = 0; i < headers.length; i++) {
      const h = headers[i];
      pos = writeNullableBytes(buf, pos, h[0]);
      pos = writeNullableBytes(buf, pos, h[1]);
    }

    this.#pos = pos;
    this.#count = count + 1;
    if (count === 0) {
      this.#baseTimestamp = timestamp;
      this.#maxTimestamp = timestamp;
    } else if (timestamp > this.#maxTimestamp) {
      this.#maxTimestamp = timestamp;
    }
    return count;
  }

  /**
   * Writes the header (baseOffset 0, partitionLeaderEpoch -1, the codec's id
   * in the attributes, the transactional bit if asked) and the CRC, and
   * returns the exact batch bytes: a view of {@link buffer}, or with a codec
   * the compressed batch, compressed on the first call only. Can be called
   * again with other producer state, e.g. after an epoch bump: it rewrites
   * the header and the CRC. Throws `RangeError` on an empty batch.
   */
  build(
    producerId: bigint,
    producerEpoch: number,
    baseSequence: number,
    transactional = false,
  ): Uint8Array {
    if (this.#count === 0) throw new RangeError("cannot build an empty record batch");
    let out: Uint8Array;
    let v: DataView;
    if (this.codec === null) {
      out = this.buffer.subarray(0, this.#pos);
      v = this.#view;
    } else {
      out = this.#compress();
      v = new DataView(out.buffer, out.byteOffset, out.byteLength);
    }
    const attributes = (transactional ? TRANSACTIONAL_FLAG : 0) | (this.codec?.id ?? 0);
    this.#writeHeader(v, out.length, attributes, producerId, producerEpoch, baseSequence);
    v.setUint32(CRC_OFFSET, crc32c(out, ATTRIBUTES_OFFSET, out.length));
    return out;
  }

  /** The compressed batch (its header still to write), compressing the records if needed. */
  #compress(): Uint8Array {
    const cached = this.#compressed;
    if (cached !== null && this.#compressedCount === this.#count) return cached;
    const records = this.codec!.compress(
      this.buffer.subarray(RECORDS_OFFSET, this.#pos),
      this.level,
    );
    const out = new Uint8Array(RECORDS_OFFSET + records.length);
    out.set(records, RECORDS_OFFSET);
    this.#compressed = out;
    this.#compressedCount = this.#count;
    return out;
  }

  #writeHeader(
    v: DataView,
    size: number,
    attributes: number,
    producerId: bigint,
    producerEpoch: number,
    baseSequence: number,
  ): void {
    const count = this.#count;
    v.setInt32(0, 0); // baseOffset (int64) = 0
    v.setInt32(4, 0);
    v.setInt32(LENGTH_OFFSET, size - LOG_OVERHEAD);
    v.setInt32(PARTITION_LEADER_EPOCH_OFFSET, -1);
    v.setInt8(MAGIC_OFFSET, MAGIC_V2);
    v.setInt16(ATTRIBUTES_OFFSET, attributes);
    v.setInt32(LAST_OFFSET_DELTA_OFFSET, count - 1);
    setInt64(v, BASE_TIMESTAMP_OFFSET, this.#baseTimestamp);
    setInt64(v, MAX_TIMESTAMP_OFFSET, this.#maxTimestamp);
    v.setBigInt64(PRODUCER_ID_OFFSET, producerId);
    v.setInt16(PRODUCER_EPOCH_OFFSET, producerEpoch);
    v.setInt32(BASE_SEQUENCE_OFFSET, baseSequence);
    v.setInt32(RECORDS_COUNT_OFFSET, count);
  }
}

/**
 * Re-encodes the records of one RecordBatch v2 into new batches of at most
 * `targetBytes` uncompressed bytes each (a record too big for that gets a
 * batch of its own), in order; header keys stay bytes. For a batch the
 * broker refused as too large. The parts use the batch's codec (at `level`,
 * else the codec's default). The builders are built with their producer
 * fields later, like any other.
 * @throws {ProtocolError} when `batch` is malformed or its codec unknown.
 */
export function splitRecordBatch(
  batch: Uint8Array,
  targetBytes: number,
  level?: number,
): RecordBatchBuilder[] {
  const codecId = batch.length > ATTRIBUTES_OFFSET + 1
    ? batch[ATTRIBUTES_OFFSET + 1] & COMPRESSION_MASK
    : 0;
  const codec = codecId === 0 ? null : CODECS_BY_ID.get(codecId);
  if (codec === undefined) throw new ProtocolError(`record batch has unknown codec ${codecId}`);
  const out: RecordBatchBuilder[] = [];
  let current: RecordBatchBuilder | null = null;
  for (const { timestamp, key, value, headers } of decodeRecordsRaw(batch)) {
    if (current !== null && current.tryAppend(timestamp, key, value, headers) >= 0) continue;
    const size = RECORDS_OFFSET + RecordBatchBuilder.recordSizeUpperBound(key, value, headers);
    current = new RecordBatchBuilder(new Uint8Array(Math.max(targetBytes, size)), codec, level);
    current.tryAppend(timestamp, key, value, headers);
    out.push(current);
  }
  return out;
}
