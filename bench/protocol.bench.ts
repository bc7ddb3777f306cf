/**
 * Micro-benchmarks of the protocol layer's hot paths: CRC-32C, filling and
 * closing RecordBatch v2 buffers, varint writes, Produce request framing.
 *
 * Run: `deno bench bench/protocol.bench.ts`. Throughput = bytes or records
 * per iteration (in the bench names) / time per iteration.
 *
 * @module
 */

import { crc32c } from "../lib/protocol/crc32c.ts";
import { encodeRequest } from "../lib/protocol/frame.ts";
import { Produce, type ProduceRequest } from "../lib/protocol/produce.ts";
import { RecordBatchBuilder, type RecordHeaderBytes } from "../lib/protocol/record_batch.ts";
import { writeVarint, writeVarlong } from "../lib/protocol/varint.ts";
import { Writer } from "../lib/protocol/writer.ts";

const MIB = 1 << 20;
const BATCH_SIZE = 16384;
const T0 = 1700000000000;

const data = new Uint8Array(MIB).map((_, i) => (i * 2654435761) >>> 24);

Deno.bench("crc32c 1 MiB", { group: "crc32c", baseline: true }, () => {
  crc32c(data);
});

Deno.bench("crc32c 16 KiB", { group: "crc32c" }, () => {
  crc32c(data, 0, BATCH_SIZE);
});

const NO_HEADERS: readonly RecordHeaderBytes[] = [];
const batchBuffer = new Uint8Array(BATCH_SIZE);

/** Fills a fresh batch over `batchBuffer` with `value`-sized records; returns the count. */
function fill(value: Uint8Array, key: Uint8Array | null, headers: readonly RecordHeaderBytes[]) {
  const b = new RecordBatchBuilder(batchBuffer);
  let ts = T0;
  while (b.tryAppend(ts++, key, value, headers) >= 0) {
    // keep appending until the buffer is full
  }
  return b;
}

const v100 = new Uint8Array(100).fill(7);
const v1k = new Uint8Array(1000).fill(7);
const key16 = new Uint8Array(16).fill(1);
const twoHeaders: readonly RecordHeaderBytes[] = [
  [new TextEncoder().encode("trace-id"), new Uint8Array(16)],
  [new TextEncoder().encode("source"), new TextEncoder().encode("bench")],
];
const n100 = fill(v100, null, NO_HEADERS).recordCount;
const n1k = fill(v1k, null, NO_HEADERS).recordCount;
const nKeyed = fill(v100, key16, twoHeaders).recordCount;

Deno.bench(`fill 16 KiB batch, 100 B values (${n100} records)`, { group: "batch" }, () => {
  fill(v100, null, NO_HEADERS);
});

Deno.bench(`fill 16 KiB batch, 1 KB values (${n1k} records)`, { group: "batch" }, () => {
  fill(v1k, null, NO_HEADERS);
});

Deno.bench(
  `fill 16 KiB batch, 100 B values + 16 B key + 2 headers (${nKeyed} records)`,
  { group: "batch" },
  () => {
    fill(v100, key16, twoHeaders);
  },
);

Deno.bench(`fill + build 16 KiB batch, 100 B values (${n100} records)`, { group: "batch" }, () => {
  fill(v100, null, NO_HEADERS).build(1000n, 0, 0);
});

const full = fill(v100, null, NO_HEADERS);
Deno.bench("build (header + CRC) of a full 16 KiB batch", { group: "batch" }, () => {
  full.build(1000n, 0, 0);
});

const varintBuf = new Uint8Array(5 * 1000);
const small = Array.from({ length: 1000 }, (_, i) => (i % 200) - 100);
const mixed = Array.from({ length: 1000 }, (_, i) => (i * 2654435761) | 0);

Deno.bench("writeVarint × 1000, small values", { group: "varint" }, () => {
  let pos = 0;
  for (let i = 0; i < 1000; i++) pos = writeVarint(varintBuf, pos, small[i]);
});

Deno.bench("writeVarint × 1000, int32 values", { group: "varint" }, () => {
  let pos = 0;
  for (let i = 0; i < 1000; i++) pos = writeVarint(varintBuf, pos, mixed[i]);
});

const longBuf = new Uint8Array(10 * 1000);
const longs = Array.from({ length: 1000 }, (_, i) => i * 1e9);
Deno.bench("writeVarlong × 1000, numbers up to 2^40", { group: "varint" }, () => {
  let pos = 0;
  for (let i = 0; i < 1000; i++) pos = writeVarlong(longBuf, pos, longs[i]);
});

Deno.bench("Writer.varint × 1000", { group: "varint" }, () => {
  const w = new Writer(5000);
  for (let i = 0; i < 1000; i++) w.varint(mixed[i]);
});

const produceReq: ProduceRequest = {
  transactionalId: null,
  acks: -1,
  timeoutMs: 30000,
  topics: [{
    name: "bench-topic",
    topicId: null,
    partitions: Array.from({ length: 4 }, (_, index) => ({
      index,
      records: full.build(1000n, 0, 0).slice(),
    })),
  }],
};

Deno.bench("encodeRequest Produce v11, 4 × 16 KiB batches", { group: "frame" }, () => {
  encodeRequest(Produce, 11, 1, "bench", produceReq);
});
