/**
 * Micro benchmarks of every codec this runtime has (gzip and zstd through
 * `node:zlib`, snappy and lz4 our own) on the records section of a
 * 16 KiB RecordBatch v2 (the bytes a producer compresses), filled with
 * JSON-ish values of ~100 B and ~1 KB, keyed, timestamps one apart.
 *
 * Run: `deno bench -A bench/compression.bench.ts`. Every name ends with
 * `[n=… B]`, the uncompressed bytes one iteration handles
 * (`deno run -A bench/micro_report.ts` turns that into MB/s); the
 * compression ratio (uncompressed ÷ compressed) is in the name too.
 *
 * @module
 */
import { codecAvailable, CODECS as ALL } from "../lib/protocol/compression/mod.ts";
import { snappy } from "../lib/protocol/compression/snappy.ts";
import { RecordBatchBuilder, type RecordHeaderBytes } from "../lib/protocol/record_batch.ts";
import { RECORDS_OFFSET } from "../lib/protocol/record_batch_layout.ts";

const BATCH_SIZE = 16 * 1024;
const NO_HEADERS: readonly RecordHeaderBytes[] = [];
const encoder = new TextEncoder();
const EVENTS = ["click", "view", "purchase", "signup", "logout"];

/** A JSON-ish value of about `size` bytes for record `i`. */
function value(i: number, size: number): Uint8Array {
  let s = `{"id":${100000 + i},"user":"user-${(i * 7919) % 1000}","event":"${
    EVENTS[i % EVENTS.length]
  }","ts":${1700000000000 + i * 13},"score":${((i * 2654435761) >>> 0) % 10000 / 100}`;
  for (let f = 0; s.length < size - 30; f++) {
    s += `,"f${f}":"${((i * 31 + f) * 2654435761 >>> 0).toString(36)}"`;
  }
  return encoder.encode(s + "}");
}

/** The records section of a full 16 KiB batch of ~`size`-byte values. */
function recordsSection(size: number): Uint8Array {
  const b = new RecordBatchBuilder(new Uint8Array(BATCH_SIZE));
  for (let i = 0;; i++) {
    const key = encoder.encode(`key-${i % 64}`);
    if (b.tryAppend(1700000000000 + i, key, value(i, size), NO_HEADERS) < 0) break;
  }
  return b.build(0n, 0, 0).slice(RECORDS_OFFSET);
}

const CODECS = [...ALL.values()].filter(codecAvailable);

for (const size of [100, 1000]) {
  const input = recordsSection(size);
  const label = size === 100 ? "100 B" : "1 KB";
  for (const codec of CODECS) {
    const compressed = codec.compress(input);
    const ratio = (input.length / compressed.length).toFixed(2);
    Deno.bench(
      `${codec.name} compress, ${label} records (ratio ${ratio}) [n=${input.length} B]`,
      { group: `compress ${label}`, baseline: codec === snappy },
      () => {
        codec.compress(input);
      },
    );
    Deno.bench(
      `${codec.name} decompress, ${label} records (ratio ${ratio}) [n=${input.length} B]`,
      { group: `decompress ${label}`, baseline: codec === snappy },
      () => {
        codec.decompress(compressed);
      },
    );
  }
}
