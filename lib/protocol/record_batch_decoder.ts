/**
 * Decoding of RecordBatch v2 data, for tests, fuzzing and the split of a
 * batch the broker refused as too large. Every batch's CRC is verified; a
 * compressed batch's records are decompressed (at most 64 MiB per batch).
 *
 * @module
 */

import { ProtocolError } from "../errors.ts";
import { codecAvailable, CODECS_BY_ID } from "./compression/mod.ts";
import { crc32c } from "./crc32c.ts";
import { Reader } from "./reader.ts";
import * as layout from "./record_batch_layout.ts";
import { decodeUtf8 } from "./utf8.ts";

/** One decoded record. Keys, values and header values are views into the input. */
export interface DecodedRecord {
  /** Absolute offset: baseOffset + offsetDelta. */
  offset: bigint;
  /** Timestamp: baseTimestamp + timestampDelta (maxTimestamp for LogAppendTime batches). */
  timestamp: bigint;
  /** Key, or null. */
  key: Uint8Array | null;
  /** Value, or null. */
  value: Uint8Array | null;
  /** Headers in order: UTF-8 key and nullable value. */
  headers: [string, Uint8Array | null][];
}

/** One decoded batch with its header fields. */
export interface DecodedBatch {
  /** Offset of the first record. */
  baseOffset: bigint;
  /** Partition leader epoch (-1 as produced). */
  partitionLeaderEpoch: number;
  /** Magic byte (always 2 here). */
  magic: number;
  /** Stored CRC-32C (verified). */
  crc: number;
  /** Attributes bits. */
  attributes: number;
  /** Offset delta of the last record. */
  lastOffsetDelta: number;
  /** Timestamp of the first record. */
  baseTimestamp: bigint;
  /** Largest record timestamp. */
  maxTimestamp: bigint;
  /** Producer id (-1 if none). */
  producerId: bigint;
  /** Producer epoch (-1 if none). */
  producerEpoch: number;
  /** Sequence of the first record (-1 if none). */
  baseSequence: number;
  /** The records. */
  records: DecodedRecord[];
}

/**
 * Decodes consecutive RecordBatch v2 batches filling `buf`. Throws
 * {@link ProtocolError} on truncation, a bad magic byte, a CRC mismatch, a
 * codec that is unknown or unavailable here, corrupt compressed data, or
 * records that do not match their lengths.
 */
export function decodeRecordBatches(buf: Uint8Array): DecodedBatch[] {
  return decodeBatches(buf, stringKey);
}

/** A decoded record whose header keys are of type `K`. */
interface GenericRecord<K> extends Omit<DecodedRecord, "headers"> {
  headers: [K, Uint8Array | null][];
}

function decodeBatches<K>(
  buf: Uint8Array,
  headerKey: (bytes: Uint8Array) => K,
): (Omit<DecodedBatch, "records"> & { records: GenericRecord<K>[] })[] {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const batches: (Omit<DecodedBatch, "records"> & { records: GenericRecord<K>[] })[] = [];
  let off = 0;
  while (off < buf.length) {
    if (buf.length - off < layout.RECORDS_OFFSET) {
      throw new ProtocolError(
        `truncated record batch header at offset ${off}: ${buf.length - off} bytes`,
      );
    }
    const length = view.getInt32(off + layout.LENGTH_OFFSET);
    const end = off + layout.LOG_OVERHEAD + length;
    if (length < layout.RECORDS_OFFSET - layout.LOG_OVERHEAD || end > buf.length) {
      throw new ProtocolError(
        `record batch at offset ${off} declares length ${length}; ${
          buf.length - off - layout.LOG_OVERHEAD
        } bytes follow`,
      );
    }
    const magic = view.getInt8(off + layout.MAGIC_OFFSET);
    if (magic !== layout.MAGIC_V2) {
      throw new ProtocolError(
        `record batch at offset ${off} has magic ${magic}, expected 2`,
      );
    }
    const crc = view.getUint32(off + layout.CRC_OFFSET);
    const actual = crc32c(buf, off + layout.ATTRIBUTES_OFFSET, end);
    if (crc !== actual) {
      throw new ProtocolError(
        `record batch at offset ${off}: CRC mismatch (stored 0x${hex(crc)}, computed 0x${
          hex(actual)
        })`,
      );
    }
    const attributes = view.getInt16(off + layout.ATTRIBUTES_OFFSET);
    const baseOffset = view.getBigInt64(off);
    const baseTimestamp = view.getBigInt64(off + layout.BASE_TIMESTAMP_OFFSET);
    const maxTimestamp = view.getBigInt64(off + layout.MAX_TIMESTAMP_OFFSET);
    const codecId = attributes & layout.COMPRESSION_MASK;
    const records = decodeRecords(
      codecId === 0 ? buf.subarray(0, end) : decompressRecords(buf, off, end, codecId),
      codecId === 0 ? off + layout.RECORDS_OFFSET : 0,
      off,
      view.getInt32(off + layout.RECORDS_COUNT_OFFSET),
      baseOffset,
      baseTimestamp,
      (attributes & layout.LOG_APPEND_TIME_FLAG) !== 0 ? maxTimestamp : null,
      headerKey,
    );
    batches.push({
      baseOffset,
      partitionLeaderEpoch: view.getInt32(off + layout.PARTITION_LEADER_EPOCH_OFFSET),
      magic,
      crc,
      attributes,
      lastOffsetDelta: view.getInt32(off + layout.LAST_OFFSET_DELTA_OFFSET),
      baseTimestamp,
      maxTimestamp,
      producerId: view.getBigInt64(off + layout.PRODUCER_ID_OFFSET),
      producerEpoch: view.getInt16(off + layout.PRODUCER_EPOCH_OFFSET),
      baseSequence: view.getInt32(off + layout.BASE_SEQUENCE_OFFSET),
      records,
    });
    off = end;
  }
  return batches;
}

/** The decompressed records section of the compressed batch at `off..end` of `buf`. */
function decompressRecords(buf: Uint8Array, off: number, end: number, codecId: number): Uint8Array {
  const section = buf.subarray(off + layout.RECORDS_OFFSET, end);
  const codec = CODECS_BY_ID.get(codecId);
  const name = layout.COMPRESSION_NAMES[codecId] ?? `unknown codec ${codecId}`;
  if (codec === undefined || !codecAvailable(codec)) {
    throw new ProtocolError(
      `record batch at offset ${off} is compressed with ${name}, which cannot be decompressed here`,
    );
  }
  try {
    return codec.decompress(section);
  } catch (error) {
    throw new ProtocolError(
      `record batch at offset ${off} is compressed with ${name}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/**
 * Decodes `count` records filling `records` from `start` on (the records
 * section of the batch at `off`).
 */
function decodeRecords<K>(
  records: Uint8Array,
  start: number,
  off: number,
  count: number,
  baseOffset: bigint,
  baseTimestamp: bigint,
  logAppendTime: bigint | null,
  headerKey: (bytes: Uint8Array) => K,
): GenericRecord<K>[] {
  if (count < 0 || count > records.length - start) {
    throw new ProtocolError(
      `record batch at offset ${off} declares ${count} records`,
    );
  }
  const r = new Reader(records, start);
  const out: GenericRecord<K>[] = [];
  for (let i = 0; i < count; i++) {
    const rec = decodeRecord(r, baseOffset, baseTimestamp, headerKey);
    if (logAppendTime !== null) rec.timestamp = logAppendTime;
    out.push(rec);
  }
  if (r.offset !== records.length) {
    throw new ProtocolError(
      `record batch at offset ${off}: ${
        records.length - r.offset
      } bytes left after ${count} records`,
    );
  }
  return out;
}

/**
 * The records of a RecordBatch v2 (one batch, CRC checked, decompressed)
 * with header keys left as bytes: what a split re-encodes, bytes to bytes.
 * @throws {ProtocolError} when the batch is malformed.
 */
export function decodeRecordsRaw(
  batch: Uint8Array,
): {
  timestamp: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: [Uint8Array, Uint8Array | null][];
}[] {
  const [decoded] = decodeBatches(batch, rawKey);
  return decoded.records.map((r) => ({
    timestamp: Number(r.timestamp),
    key: r.key,
    value: r.value,
    headers: r.headers,
  }));
}

const rawKey = (bytes: Uint8Array): Uint8Array => bytes;
const stringKey = (bytes: Uint8Array): string => decodeUtf8(bytes, 0, bytes.length);

function decodeRecord<K>(
  r: Reader,
  baseOffset: bigint,
  baseTimestamp: bigint,
  headerKey: (bytes: Uint8Array) => K,
): GenericRecord<K> {
  const at = r.offset;
  const length = r.varint();
  if (length < 0 || length > r.remaining) {
    throw new ProtocolError(
      `record at offset ${at} declares length ${length}; ${r.remaining} bytes follow`,
    );
  }
  const end = r.offset + length;
  const rr = new Reader(r.buffer.subarray(0, end), r.offset);
  rr.int8(); // attributes: unused in v2
  const timestampDelta = rr.varlong();
  const offsetDelta = rr.varint();
  const key = nullableBytes(rr);
  const value = nullableBytes(rr);
  const headerCount = rr.varint();
  if (headerCount < 0 || headerCount > rr.remaining) {
    throw new ProtocolError(
      `record at offset ${at} declares ${headerCount} headers`,
    );
  }
  const headers: [K, Uint8Array | null][] = [];
  for (let i = 0; i < headerCount; i++) {
    const keyLength = rr.varint();
    if (keyLength < 0) {
      throw new ProtocolError(
        `record at offset ${at}: header key length ${keyLength}`,
      );
    }
    const keyBytes = rr.raw(keyLength);
    headers.push([headerKey(keyBytes), nullableBytes(rr)]);
  }
  if (rr.offset !== end) {
    throw new ProtocolError(
      `record at offset ${at}: ${end - rr.offset} bytes left inside its declared length`,
    );
  }
  r.offset = end;
  return {
    offset: baseOffset + BigInt(offsetDelta),
    timestamp: baseTimestamp + timestampDelta,
    key,
    value,
    headers,
  };
}

/** A varint length then that many bytes; a negative length is null (as in Java). */
function nullableBytes(r: Reader): Uint8Array | null {
  const n = r.varint();
  return n < 0 ? null : r.raw(n);
}

function hex(n: number): string {
  return n.toString(16).padStart(8, "0");
}
