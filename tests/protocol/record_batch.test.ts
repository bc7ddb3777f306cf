import assert from "node:assert/strict";
import { crc32c } from "../../lib/protocol/crc32c.ts";
import {
  decodeRecordBatches,
  RECORD_BATCH_OVERHEAD,
  RecordBatchBuilder,
  type RecordHeaderBytes,
  splitRecordBatch,
} from "../../lib/protocol/record_batch.ts";
import { assertProtocolError } from "../support/assert_protocol_error.ts";
import { concat, hex, utf8 } from "../support/bytes.ts";
import { java } from "../support/java_vectors.ts";

const T0 = 1700000000000;

/** The records of the Java vector "batch1" (see fixtures/GenVectors.java). */
function fillBatch1(b: RecordBatchBuilder): void {
  assert.equal(b.tryAppend(T0, utf8("k1"), utf8("hello"), []), 0);
  assert.equal(
    b.tryAppend(T0 + 5, null, new Uint8Array(0), [[utf8("h"), utf8("v")], [utf8("h"), null]]),
    1,
  );
  assert.equal(b.tryAppend(T0 - 10, utf8("ключ"), null, [[utf8("ü"), utf8("x")]]), 2);
}

Deno.test("RecordBatch matches Kafka's MemoryRecordsBuilder byte for byte", () => {
  const b = new RecordBatchBuilder(new Uint8Array(1024));
  fillBatch1(b);
  assert.equal(hex(b.build(1234n, 5, 42)), hex(java("batch1")));

  const t = new RecordBatchBuilder(new Uint8Array(1024));
  t.tryAppend(1000, null, utf8("a"), []);
  t.tryAppend(1000 + 2 ** 32 + 5, utf8("b"), utf8("c"), []); // delta beyond int32
  assert.equal(hex(t.build(1n << 40n, 0, 0, true)), hex(java("batch2")));
});

Deno.test("RecordBatch header fields sit at the documented offsets", () => {
  const b = new RecordBatchBuilder(new Uint8Array(512));
  fillBatch1(b);
  const bytes = b.build(0x0102030405060708n, 0x0a0b, 0x0c0d0e0f, true);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  assert.equal(v.getBigInt64(0), 0n, "baseOffset@0");
  assert.equal(v.getInt32(8), bytes.length - 12, "length@8");
  assert.equal(v.getInt32(12), -1, "partitionLeaderEpoch@12");
  assert.equal(v.getInt8(16), 2, "magic@16");
  assert.equal(v.getUint32(17), crc32c(bytes, 21), "crc@17");
  assert.equal(v.getInt16(21), 0x10, "attributes@21 (transactional)");
  assert.equal(v.getInt32(23), 2, "lastOffsetDelta@23");
  assert.equal(v.getBigInt64(27), BigInt(T0), "baseTimestamp@27");
  assert.equal(v.getBigInt64(35), BigInt(T0 + 5), "maxTimestamp@35");
  assert.equal(v.getBigInt64(43), 0x0102030405060708n, "producerId@43");
  assert.equal(v.getInt16(51), 0x0a0b, "producerEpoch@51");
  assert.equal(v.getInt32(53), 0x0c0d0e0f, "baseSequence@53");
  assert.equal(v.getInt32(57), 3, "recordsCount@57");
  assert.equal(RECORD_BATCH_OVERHEAD, 61);
  // First record at 61: length varint, then attributes 0 and timestampDelta 0.
  assert.equal(bytes[62], 0);
  assert.equal(bytes[63], 0);
  assert.equal(b.sizeInBytes, bytes.length);
  assert.equal(b.recordCount, 3);
  assert.equal(b.baseTimestamp, T0);
  assert.equal(b.maxTimestamp, T0 + 5);
});

Deno.test("RecordBatch round trips through decodeRecordBatches", () => {
  const b = new RecordBatchBuilder(new Uint8Array(4096));
  const headers: RecordHeaderBytes[] = [
    [utf8("trace"), utf8("abc")],
    [utf8("trace"), utf8("def")], // repeated key
    [utf8("ключ"), null],
    [utf8(""), new Uint8Array(0)],
  ];
  const big = new Uint8Array(1000).map((_, i) => i & 0xff);
  b.tryAppend(T0, null, null, []);
  b.tryAppend(T0 - 1000, utf8(""), new Uint8Array(0), headers);
  b.tryAppend(T0 + 7, utf8("日本"), utf8("🎉 value"), []);
  b.tryAppend(T0 - 2 ** 40, utf8("k"), big, []); // far past: varlong delta
  const [batch, ...rest] = decodeRecordBatches(b.build(-1n, -1, -1));
  assert.equal(rest.length, 0);
  assert.equal(batch.baseOffset, 0n);
  assert.equal(batch.magic, 2);
  assert.equal(batch.attributes, 0);
  assert.equal(batch.lastOffsetDelta, 3);
  assert.equal(batch.baseTimestamp, BigInt(T0));
  assert.equal(batch.maxTimestamp, BigInt(T0 + 7));
  assert.equal(batch.producerId, -1n);
  assert.equal(batch.producerEpoch, -1);
  assert.equal(batch.baseSequence, -1);
  assert.equal(batch.partitionLeaderEpoch, -1);
  const [r0, r1, r2, r3] = batch.records;
  assert.deepEqual(r0, { offset: 0n, timestamp: BigInt(T0), key: null, value: null, headers: [] });
  assert.equal(r1.offset, 1n);
  assert.equal(r1.timestamp, BigInt(T0 - 1000));
  assert.deepEqual(r1.key, new Uint8Array(0));
  assert.deepEqual(r1.value, new Uint8Array(0));
  assert.deepEqual(r1.headers, [
    ["trace", utf8("abc")],
    ["trace", utf8("def")],
    ["ключ", null],
    ["", new Uint8Array(0)],
  ]);
  assert.equal(new TextDecoder().decode(r2.key!), "日本");
  assert.equal(new TextDecoder().decode(r2.value!), "🎉 value");
  assert.equal(r3.timestamp, BigInt(T0 - 2 ** 40));
  assert.deepEqual(r3.value, big);
});

Deno.test("build() can be called again with other producer state", () => {
  const b = new RecordBatchBuilder(new Uint8Array(256));
  fillBatch1(b);
  const first = b.build(1n, 0, 0).slice();
  const second = b.build(2n, 1, 100, true);
  assert.equal(second.length, first.length);
  assert.notEqual(hex(second.subarray(17, 21)), hex(first.subarray(17, 21)), "CRC rewritten");
  const [d1] = decodeRecordBatches(first);
  const [d2] = decodeRecordBatches(second);
  assert.equal(d2.producerId, 2n);
  assert.equal(d2.producerEpoch, 1);
  assert.equal(d2.baseSequence, 100);
  assert.equal(d2.attributes, 0x10);
  assert.deepEqual(d2.records, d1.records);
  // And back: the same bytes as the first build.
  assert.equal(hex(b.build(1n, 0, 0)), hex(first));
});

Deno.test("tryAppend returns -1 when the record does not fit, writing nothing", () => {
  const value = new Uint8Array(100);
  const b = new RecordBatchBuilder(new Uint8Array(RECORD_BATCH_OVERHEAD + 250));
  assert.equal(b.tryAppend(T0, null, value, []), 0);
  assert.equal(b.tryAppend(T0, null, value, []), 1);
  const size = b.sizeInBytes;
  assert.equal(b.tryAppend(T0, null, value, []), -1);
  assert.equal(b.sizeInBytes, size);
  assert.equal(b.recordCount, 2);
  assert.equal(b.tryAppend(T0, null, new Uint8Array(10), []), 2, "a smaller record still fits");
  const [batch] = decodeRecordBatches(b.build(-1n, -1, -1));
  assert.equal(batch.records.length, 3);
});

Deno.test("recordSizeUpperBound sizes a batch for one oversized record", () => {
  const key = utf8("key");
  const value = new Uint8Array(20000);
  const headers: RecordHeaderBytes[] = [[utf8("h"), new Uint8Array(300)]];
  const bound = RecordBatchBuilder.recordSizeUpperBound(key, value, headers);
  const b = new RecordBatchBuilder(new Uint8Array(RECORD_BATCH_OVERHEAD + bound));
  assert.equal(b.tryAppend(T0, key, value, headers), 0);
  assert.ok(b.sizeInBytes - RECORD_BATCH_OVERHEAD <= bound);
  assert.ok(bound - (b.sizeInBytes - RECORD_BATCH_OVERHEAD) <= 21);
  // The bound holds at the widest deltas too.
  const small = RecordBatchBuilder.recordSizeUpperBound(null, null, []);
  const c = new RecordBatchBuilder(new Uint8Array(RECORD_BATCH_OVERHEAD + 3 * small));
  assert.equal(c.tryAppend(0, null, null, []), 0);
  assert.equal(c.tryAppend(-(2 ** 52), null, null, []), 1);
  assert.ok(c.sizeInBytes <= RECORD_BATCH_OVERHEAD + 2 * small);
});

Deno.test("a builder over a pool slice leaves the rest of the pool alone", () => {
  const pool = new Uint8Array(1000).fill(0xee);
  const b = new RecordBatchBuilder(pool.subarray(100, 400));
  b.tryAppend(T0, utf8("k"), utf8("v"), []);
  const bytes = b.build(-1n, -1, -1);
  assert.equal(bytes.byteOffset, 100);
  assert.equal(pool[99], 0xee);
  assert.equal(pool[100 + bytes.length], 0xee);
  assert.equal(decodeRecordBatches(bytes)[0].records.length, 1);
});

Deno.test("misuse: empty build, tiny buffer, non-integral timestamp", () => {
  assert.throws(() => new RecordBatchBuilder(new Uint8Array(60)), RangeError);
  assert.throws(() => new RecordBatchBuilder(new Uint8Array(100)).build(-1n, -1, -1), RangeError);
  const b = new RecordBatchBuilder(new Uint8Array(200));
  assert.throws(() => b.tryAppend(1.5, null, null, []), RangeError);
  assert.throws(() => b.tryAppend(NaN, null, null, []), RangeError);
  assert.equal(b.tryAppend(5, null, null, []), 0);
  assert.throws(() => b.tryAppend(5.5, null, null, []), RangeError);
  assert.equal(b.recordCount, 1);
});

Deno.test("decodeRecordBatches reads consecutive batches", () => {
  const a = new RecordBatchBuilder(new Uint8Array(200));
  a.tryAppend(1, null, utf8("a"), []);
  const b = new RecordBatchBuilder(new Uint8Array(200));
  b.tryAppend(2, null, utf8("b"), []);
  b.tryAppend(3, null, utf8("c"), []);
  const batches = decodeRecordBatches(concat(a.build(-1n, -1, -1), b.build(7n, 1, 5)));
  assert.deepEqual(batches.map((x) => x.records.length), [1, 2]);
  assert.equal(batches[1].producerId, 7n);
  assert.deepEqual(decodeRecordBatches(new Uint8Array(0)), []);
});

Deno.test("decodeRecordBatches rejects corrupt input with ProtocolError", () => {
  const b = new RecordBatchBuilder(new Uint8Array(512));
  fillBatch1(b);
  const good = b.build(-1n, -1, -1).slice();
  const recrc = (x: Uint8Array) => {
    new DataView(x.buffer, x.byteOffset).setUint32(17, crc32c(x, 21));
    return x;
  };

  const flipped = good.slice();
  flipped[70] ^= 1;
  assertProtocolError(() => decodeRecordBatches(flipped), /CRC mismatch/);

  for (const [codec, name] of [[1, "gzip"], [2, "snappy"], [3, "lz4"], [4, "zstd"]] as const) {
    const c = good.slice();
    c[22] = codec;
    assertProtocolError(() => decodeRecordBatches(recrc(c)), new RegExp(`compressed with ${name}`));
  }

  const magic = good.slice();
  magic[16] = 1;
  assertProtocolError(() => decodeRecordBatches(magic), /magic 1/);

  assertProtocolError(
    () => decodeRecordBatches(good.subarray(0, 40)),
    /truncated record batch header/,
  );
  assertProtocolError(
    () => decodeRecordBatches(good.subarray(0, good.length - 1)),
    /declares length/,
  );

  const count = good.slice();
  new DataView(count.buffer).setInt32(57, 4);
  assertProtocolError(() => decodeRecordBatches(recrc(count)), /truncated|declares length/);

  const hostile = good.slice();
  new DataView(hostile.buffer).setInt32(57, 0x7fffffff);
  assertProtocolError(() => decodeRecordBatches(recrc(hostile)), /declares 2147483647 records/);

  const fewer = good.slice();
  new DataView(fewer.buffer).setInt32(57, 2);
  assertProtocolError(() => decodeRecordBatches(recrc(fewer)), /bytes left after 2 records/);

  // First record's length varint (at 61) one too large: it swallows a byte of the next.
  const len = good.slice();
  len[61] += 2;
  assertProtocolError(() => decodeRecordBatches(recrc(len)), /record at offset 61/);
});

Deno.test("splitRecordBatch: parts of at most the target size carry every record, in order, bytes for bytes", () => {
  const b = new RecordBatchBuilder(new Uint8Array(4096));
  const headers = [[utf8("h-ü"), utf8("v")], [utf8(""), null]] as const;
  for (let i = 0; i < 20; i++) {
    b.tryAppend(
      T0 + i * 1000,
      i % 3 === 0 ? null : utf8(`k${i}`),
      utf8(`value ${i}`.repeat(5)),
      headers,
    );
  }
  const original = decodeRecordBatches(b.build(7n, 3, 100))[0].records;
  const parts = splitRecordBatch(b.build(7n, 3, 100), 400);
  assert.ok(parts.length > 2, `${parts.length} parts`);
  for (const part of parts) assert.ok(part.sizeInBytes <= 400, `${part.sizeInBytes} bytes`);
  const again = parts.flatMap((p) => decodeRecordBatches(p.build(-1n, -1, -1))[0].records);
  assert.deepEqual(
    again.map((r) => [r.timestamp, r.key, r.value, r.headers]),
    original.map((r) => [r.timestamp, r.key, r.value, r.headers]),
  );
  // A record larger than the target gets a part of its own.
  const big = new RecordBatchBuilder(new Uint8Array(4096));
  big.tryAppend(T0, null, new Uint8Array(1000), []);
  big.tryAppend(T0, null, new Uint8Array(10), []);
  const [alone, rest] = splitRecordBatch(big.build(-1n, -1, -1), 100);
  assert.equal(alone.recordCount, 1);
  assert.equal(rest.recordCount, 1);
});
