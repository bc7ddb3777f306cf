/**
 * Byte layout of a RecordBatch v2 (magic 2) header: 61 bytes, big-endian.
 *
 * ```
 *  0 baseOffset int64        27 baseTimestamp int64
 *  8 length int32            35 maxTimestamp int64
 * 12 partitionLeaderEpoch    43 producerId int64
 * 16 magic int8 (2)          51 producerEpoch int16
 * 17 crc uint32              53 baseSequence int32
 * 21 attributes int16        57 recordsCount int32
 * 23 lastOffsetDelta int32   61 records…
 * ```
 *
 * `length` counts the bytes after itself (batch size − 12). The CRC-32C
 * covers `attributes` through the end of the batch.
 *
 * @module
 */

/** Offset of baseOffset (int64). */
export const BASE_OFFSET_OFFSET = 0;
/** Offset of length (int32): batch size − 12. */
export const LENGTH_OFFSET = 8;
/** Offset of partitionLeaderEpoch (int32). */
export const PARTITION_LEADER_EPOCH_OFFSET = 12;
/** Offset of magic (int8). */
export const MAGIC_OFFSET = 16;
/** Offset of crc (uint32). */
export const CRC_OFFSET = 17;
/** Offset of attributes (int16); the CRC starts here. */
export const ATTRIBUTES_OFFSET = 21;
/** Offset of lastOffsetDelta (int32). */
export const LAST_OFFSET_DELTA_OFFSET = 23;
/** Offset of baseTimestamp (int64). */
export const BASE_TIMESTAMP_OFFSET = 27;
/** Offset of maxTimestamp (int64). */
export const MAX_TIMESTAMP_OFFSET = 35;
/** Offset of producerId (int64). */
export const PRODUCER_ID_OFFSET = 43;
/** Offset of producerEpoch (int16). */
export const PRODUCER_EPOCH_OFFSET = 51;
/** Offset of baseSequence (int32). */
export const BASE_SEQUENCE_OFFSET = 53;
/** Offset of recordsCount (int32). */
export const RECORDS_COUNT_OFFSET = 57;
/** Offset of the first record; also the header size. */
export const RECORDS_OFFSET = 61;
/** Bytes before `length`'s scope starts (baseOffset + length). */
export const LOG_OVERHEAD = 12;

/** The magic byte of RecordBatch v2. */
export const MAGIC_V2 = 2;

/** attributes bits 0–2: compression codec. */
export const COMPRESSION_MASK = 0x07;
/** attributes bit 3: timestamps are LogAppendTime. */
export const LOG_APPEND_TIME_FLAG = 0x08;
/** attributes bit 4: the batch belongs to a transaction. */
export const TRANSACTIONAL_FLAG = 0x10;
/** attributes bit 5: control batch (transaction markers). */
export const CONTROL_FLAG = 0x20;

/** Compression codec names by attributes value (bits 0–2). */
export const COMPRESSION_NAMES: readonly string[] = [
  "none",
  "gzip",
  "snappy",
  "lz4",
  "zstd",
];

/**
 * Most bytes a record's fixed fields take: length varint (5), attributes (1),
 * timestampDelta varlong (10), offsetDelta varint (5).
 */
export const MAX_RECORD_OVERHEAD = 21;
