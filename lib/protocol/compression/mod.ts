/**
 * The compression codecs by name and by id, whether each works on this
 * runtime, and their levels (as Java's `compression.<codec>.level`).
 *
 * @module
 */
import type { CompressionCodec } from "./codec.ts";
import { gzip } from "./gzip.ts";
import { lz4 } from "./lz4.ts";
import { snappy } from "./snappy.ts";
import { zstd, zstdAvailable } from "./zstd.ts";

export type { CompressionCodec } from "./codec.ts";

/** A `compressionType` value: `"none"` or a codec's name. */
export type CompressionType = "none" | "gzip" | "snappy" | "lz4" | "zstd";

/** Every codec this build knows, in id order (one line per codec). */
const ALL: readonly CompressionCodec[] = [
  gzip,
  snappy,
  lz4,
  zstd,
];

/** Every codec this build knows, by name. */
export const CODECS: ReadonlyMap<string, CompressionCodec> = new Map(
  ALL.map((c) => [c.name, c]),
);

/** Every codec this build knows, by its id in the batch attributes. */
export const CODECS_BY_ID: ReadonlyMap<number, CompressionCodec> = new Map(
  ALL.map((c) => [c.id, c]),
);

/** Whether `codec` can compress and decompress on this runtime. */
export function codecAvailable(codec: CompressionCodec): boolean {
  return codec.name !== "zstd" || zstdAvailable;
}

/** The levels a codec accepts and its default, as Java's. */
export interface LevelRange {
  /** Lowest level. */
  readonly min: number;
  /** Highest level. */
  readonly max: number;
  /** The level used when none is given. */
  readonly default: number;
  /** A value outside `min..max` that is also accepted (gzip's -1, zlib's default). */
  readonly alsoAccepted?: number;
}

/** Levels by codec name; a codec without an entry has no levels. */
export const LEVELS: Readonly<Partial<Record<CompressionCodec["name"], LevelRange>>> = {
  gzip: { min: 1, max: 9, default: -1, alsoAccepted: -1 },
  lz4: { min: 1, max: 17, default: 9 },
  zstd: { min: -131072, max: 22, default: 3 },
};
