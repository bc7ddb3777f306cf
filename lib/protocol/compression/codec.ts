/**
 * The shape every RecordBatch compression codec has (gzip, snappy, lz4, zstd).
 *
 * @module
 */

/** A RecordBatch compression codec: bytes to bytes, no I/O. */
export interface CompressionCodec {
  /** Kafka's name, as in `compression.type`. */
  readonly name: "gzip" | "snappy" | "lz4" | "zstd";
  /** The codec's id in the batch attributes' low 3 bits. */
  readonly id: 1 | 2 | 3 | 4;
  /** Compresses `input`; `level` where the codec has levels (else ignored). */
  compress(input: Uint8Array, level?: number): Uint8Array;
  /** Decompresses `input`; throws ProtocolError (lib/errors.ts) on corrupt or truncated input, and never allocates more than `maxOutput` bytes (default 64 MiB) for the result. */
  decompress(input: Uint8Array, maxOutput?: number): Uint8Array;
}
