/**
 * Kafka wire protocol: pure codecs, bytes in and objects out, no I/O and no
 * timers. Runs unchanged on Deno and Bun (only `Uint8Array`, `DataView`,
 * `TextEncoder` and `TextDecoder`).
 *
 * - {@link Writer} / {@link Reader}: primitives, varints, compact and
 *   flexible encodings, tagged fields.
 * - {@link encodeRequest} / {@link decodeResponse}: framing and headers.
 * - One codec per API over its whole version range: {@link ApiVersions},
 *   {@link Metadata}, {@link Produce}, {@link InitProducerId},
 *   {@link CreateTopics}.
 * - {@link RecordBatchBuilder}: RecordBatch v2, encoded in place.
 * - {@link crc32c}, {@link errorCodeInfo}.
 *
 * @module
 */

export * from "./api.ts";
export * from "./api_versions.ts";
export * from "./crc32c.ts";
export * from "./create_topics.ts";
export * from "./error_codes.ts";
export * from "./frame.ts";
export * from "./init_producer_id.ts";
export * from "./metadata.ts";
export * from "./produce.ts";
export * from "./reader.ts";
export * from "./record_batch.ts";
export * from "./uuid.ts";
export * from "./varint.ts";
export * from "./writer.ts";
