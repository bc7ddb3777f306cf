/**
 * Micro benchmarks of the protocol layer's hot paths: RecordBatch v2
 * encoding, CRC-32C, varints, Produce request framing and response decoding.
 *
 * Run: `deno bench -A bench/` (all micro benchmarks) or `deno task bench`.
 * Every name ends with `[n=… unit, …]`, the work one iteration does:
 * throughput is n ÷ time per iteration (`deno run -A bench/micro_report.ts` does that
 * division and prints records/s, MB/s or GB/s).
 *
 * @module
 */

import { crc32c } from "../lib/protocol/crc32c.ts";
import { decodeResponse, encodeRequest } from "../lib/protocol/envelope.ts";
import { Metadata } from "../lib/protocol/messages/metadata.ts";
import { Produce, type ProduceRequest } from "../lib/protocol/messages/produce.ts";
import { Reader } from "../lib/protocol/reader.ts";
import { RecordBatchBuilder, type RecordHeaderBytes } from "../lib/protocol/record_batch.ts";
import { writeVarint } from "../lib/protocol/varint.ts";
import captured from "../tests/protocol/fixtures/captured_responses.json" with { type: "json" };

const KIB = 1024;
const MIB = 1024 * KIB;
const BATCH_SIZE = 16 * KIB;
const T0 = 1700000000000;
const NO_HEADERS: readonly RecordHeaderBytes[] = [];

// ---------------------------------------------------------------- RecordBatch encoding

const batchBuffer = new Uint8Array(BATCH_SIZE);

/** Fills a fresh batch over `batchBuffer` until full, then writes header and CRC. */
function encodeBatch(value: Uint8Array): RecordBatchBuilder {
  const b = new RecordBatchBuilder(batchBuffer);
  let ts = T0;
  while (b.tryAppend(ts++, null, value, NO_HEADERS) >= 0) {
    // append until the 16 KiB buffer is full
  }
  b.build(1000n, 0, 0);
  return b;
}

for (const size of [100, 1000]) {
  const value = new Uint8Array(size).fill(7);
  const { recordCount, sizeInBytes } = encodeBatch(value);
  const label = size === 100 ? "100 B" : "1 KB";
  Deno.bench(
    `RecordBatch v2: ${label} values into a 16 KiB batch, with header + CRC [n=${recordCount} records, ${sizeInBytes} B]`,
    { group: "RecordBatch encode", baseline: size === 100 },
    () => {
      encodeBatch(value);
    },
  );
}

// ---------------------------------------------------------------- CRC-32C

const data = new Uint8Array(MIB).map((_, i) => (i * 2654435761) >>> 24);

Deno.bench(`CRC-32C of 16 KiB [n=${BATCH_SIZE} B]`, { group: "CRC-32C", baseline: true }, () => {
  crc32c(data, 0, BATCH_SIZE);
});

Deno.bench(`CRC-32C of 1 MiB [n=${MIB} B]`, { group: "CRC-32C" }, () => {
  crc32c(data);
});

// ---------------------------------------------------------------- varints

const VARINTS = 1000;
const small = Array.from({ length: VARINTS }, (_, i) => (i % 200) - 100);
const wide = Array.from({ length: VARINTS }, (_, i) => (i * 2654435761) | 0);
const varintBuf = new Uint8Array(5 * VARINTS);

/** Encodes `values` into `varintBuf`; returns the bytes written. */
function encodeVarints(values: readonly number[]): number {
  let pos = 0;
  for (let i = 0; i < values.length; i++) pos = writeVarint(varintBuf, pos, values[i]);
  return pos;
}

const smallBytes = varintBuf.slice(0, encodeVarints(small));
const wideBytes = varintBuf.slice(0, encodeVarints(wide));

Deno.bench(
  `varint encode, values in -100..99 (1 byte each) [n=${VARINTS} varints]`,
  { group: "varint", baseline: true },
  () => {
    encodeVarints(small);
  },
);

Deno.bench(
  `varint encode, any int32 (≤ 5 bytes) [n=${VARINTS} varints]`,
  { group: "varint" },
  () => {
    encodeVarints(wide);
  },
);

/** Decodes every varint of `bytes`; returns their sum (so nothing is optimized away). */
function decodeVarints(bytes: Uint8Array): number {
  const r = new Reader(bytes);
  let sum = 0;
  for (let i = 0; i < VARINTS; i++) sum += r.varint();
  return sum;
}

Deno.bench(`varint decode, values in -100..99 [n=${VARINTS} varints]`, { group: "varint" }, () => {
  decodeVarints(smallBytes);
});

Deno.bench(`varint decode, any int32 [n=${VARINTS} varints]`, { group: "varint" }, () => {
  decodeVarints(wideBytes);
});

// ---------------------------------------------------------------- Produce framing

const oneBatch = encodeBatch(new Uint8Array(100).fill(7)).build(1000n, 0, 0).slice();
const produceReq: ProduceRequest = {
  transactionalId: null,
  acks: -1,
  timeoutMs: 30000,
  topics: [{
    name: "bench-topic",
    topicId: null,
    partitions: Array.from({ length: 6 }, (_, index) => ({ index, records: oneBatch })),
  }],
};
const frameBytes = encodeRequest(Produce, 11, 1, "bench", produceReq).length;

Deno.bench(
  `Produce v11 request frame, 6 partitions × 16 KiB batch [n=${frameBytes} B]`,
  { group: "Produce framing" },
  () => {
    encodeRequest(Produce, 11, 1, "bench", produceReq);
  },
);

/** 30 partitions of one small batch each: the request's fields, not the copying, dominate. */
const smallBatch = encodeBatch(new Uint8Array(100).fill(7)).build(1000n, 0, 0).slice(0, 200);
const manyPartitionsReq: ProduceRequest = {
  transactionalId: null,
  acks: -1,
  timeoutMs: 30000,
  topics: Array.from({ length: 3 }, (_, t) => ({
    name: `bench-topic-${t}`,
    topicId: null,
    partitions: Array.from({ length: 10 }, (_, index) => ({ index, records: smallBatch })),
  })),
};
const manyFrameBytes = encodeRequest(Produce, 11, 1, "bench", manyPartitionsReq).length;

Deno.bench(
  `Produce v11 request frame, 3 topics × 10 partitions × 200 B [n=30 partitions, ${manyFrameBytes} B]`,
  { group: "Produce framing" },
  () => {
    encodeRequest(Produce, 11, 1, "bench", manyPartitionsReq);
  },
);

// ---------------------------------------------------------------- response decoding

/** A frame of `captured_responses.json` (a real broker's answer), by API, version and note. */
function capturedFrame(api: string, version: number, note: string): Uint8Array {
  const c = captured.find((c) => c.api === api && c.version === version && c.note.includes(note));
  if (c === undefined) throw new Error(`no captured ${api} v${version} (${note})`);
  return Uint8Array.from(atob(c.frame), (ch) => ch.charCodeAt(0));
}

const produceResponse = capturedFrame("Produce", 11, "first broker");
Deno.bench(
  `Produce v11 response decode, 5 partitions [n=5 partitions, ${produceResponse.length} B]`,
  { group: "response decoding", baseline: true },
  () => {
    decodeResponse(Produce, 11, produceResponse);
  },
);

const metadataResponse = capturedFrame("Metadata", 12, "all topics");
Deno.bench(
  `Metadata v12 response decode, all topics [n=1 responses, ${metadataResponse.length} B]`,
  { group: "response decoding" },
  () => {
    decodeResponse(Metadata, 12, metadataResponse);
  },
);
