/**
 * Compressed RecordBatches: for every codec of the registry available here,
 * a batch decodes back to its records, its attributes carry the codec id,
 * its length and CRC cover the compressed form, a rebuild with other
 * producer state rewrites only the header and the CRC, a split keeps the
 * codec, and corrupt or truncated compressed data is a ProtocolError.
 */
import assert from "node:assert/strict";
import { codecAvailable, CODECS, LEVELS } from "../../lib/protocol/compression/mod.ts";
import type { CompressionCodec } from "../../lib/protocol/compression/codec.ts";
import { crc32c } from "../../lib/protocol/crc32c.ts";
import {
  decodeRecordBatches,
  RECORD_BATCH_OVERHEAD,
  RecordBatchBuilder,
  splitRecordBatch,
} from "../../lib/protocol/record_batch.ts";
import { assertProtocolError } from "../support/assert_protocol_error.ts";
import { utf8 } from "../support/bytes.ts";

const T0 = 1700000000000;
const codecs = [...CODECS.values()].filter(codecAvailable);

/** 200 compressible records: keyed and unkeyed, some with headers, one tombstone. */
function fill(b: RecordBatchBuilder): void {
  for (let i = 0; i < 200; i++) {
    const key = i % 3 === 0 ? null : utf8(`key-${i % 17}`);
    const value = i === 7 ? null : utf8(`value ${i} `.repeat(1 + (i % 5)));
    const headers: [Uint8Array, Uint8Array | null][] = i % 4 === 0
      ? [[utf8("trace"), utf8(`t-${i}`)], [utf8("empty"), null]]
      : [];
    assert.equal(b.tryAppend(T0 + i, key, value, headers), i);
  }
}

function plain(): RecordBatchBuilder {
  const b = new RecordBatchBuilder(new Uint8Array(65536));
  fill(b);
  return b;
}

function compressed(codec: CompressionCodec, level?: number): RecordBatchBuilder {
  const b = new RecordBatchBuilder(new Uint8Array(65536), codec, level);
  fill(b);
  return b;
}

/** The records without their offsets' batch, comparable across batches. */
function recordsOf(bytes: Uint8Array) {
  return decodeRecordBatches(bytes).flatMap((batch) =>
    batch.records.map((r) => [r.offset, r.timestamp, r.key, r.value, r.headers])
  );
}

function recrc(x: Uint8Array): Uint8Array {
  new DataView(x.buffer, x.byteOffset).setUint32(17, crc32c(x, 21));
  return x;
}

Deno.test("gzip and zstd are in the registry, available on this runtime", () => {
  for (const name of ["gzip", "zstd"]) {
    const codec = CODECS.get(name);
    assert.ok(codec !== undefined && codecAvailable(codec), name);
  }
});

for (const codec of codecs) {
  Deno.test(`${codec.name}: a compressed batch decodes back to its records`, () => {
    const want = recordsOf(plain().build(-1n, -1, -1));
    const b = compressed(codec);
    const bytes = b.build(7n, 3, 42);
    assert.ok(bytes.length < b.sizeInBytes / 2, `${bytes.length} of ${b.sizeInBytes} bytes`);
    assert.equal(b.wireSizeInBytes, bytes.length);
    assert.deepEqual(recordsOf(bytes), want);
    const [batch] = decodeRecordBatches(bytes);
    assert.equal(batch.attributes & 7, codec.id, "attributes low bits");
    assert.equal(batch.producerId, 7n);
    assert.equal(batch.producerEpoch, 3);
    assert.equal(batch.baseSequence, 42);
    assert.equal(batch.lastOffsetDelta, 199);
    assert.equal(batch.maxTimestamp, BigInt(T0 + 199));
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    assert.equal(view.getInt32(8), bytes.length - 12, "length covers the compressed form");
    assert.equal(view.getUint32(17), crc32c(bytes, 21), "CRC over the compressed form");
    assert.equal(view.getInt32(57), 200, "recordsCount");
  });

  Deno.test(`${codec.name}: a rebuild reuses the compressed bytes, rewriting header and CRC`, () => {
    const b = compressed(codec);
    const first = b.build(-1n, -1, -1).slice();
    const compressCalls = { n: 0 };
    const counting: CompressionCodec = {
      ...codec,
      compress: (input, level) => (compressCalls.n++, codec.compress(input, level)),
    };
    const c = new RecordBatchBuilder(new Uint8Array(65536), counting);
    fill(c);
    c.build(-1n, -1, -1);
    const again = c.build(9n, 1, 100);
    assert.equal(c.wireSizeInBytes, again.length);
    assert.equal(compressCalls.n, 1, "compressed once");
    assert.deepEqual(again.subarray(61), first.subarray(61), "same compressed records");
    const [batch] = decodeRecordBatches(again);
    assert.deepEqual([batch.producerId, batch.producerEpoch, batch.baseSequence], [9n, 1, 100]);
    // The transactional bit joins the codec bits.
    assert.equal(decodeRecordBatches(c.build(9n, 1, 100, true))[0].attributes, 0x10 | codec.id);
    // An append after a build makes the compressed bytes stale: recompressed.
    c.tryAppend(T0, null, utf8("late"), []);
    assert.equal(decodeRecordBatches(c.build(-1n, -1, -1))[0].records.length, 201);
    assert.equal(compressCalls.n, 2);
  });

  Deno.test(`${codec.name}: every level of the registry's range round trips`, () => {
    const range = LEVELS[codec.name];
    const levels = range === undefined
      ? [undefined]
      : [range.min === -131072 ? -5 : range.min, range.default, range.max];
    const want = recordsOf(plain().build(-1n, -1, -1));
    for (const level of levels) {
      assert.deepEqual(recordsOf(compressed(codec, level).build(-1n, -1, -1)), want, `${level}`);
    }
  });

  Deno.test(`${codec.name}: splitRecordBatch keeps the codec`, () => {
    const bytes = compressed(codec).build(-1n, -1, -1);
    const parts = splitRecordBatch(bytes, 2048);
    assert.ok(parts.length > 1);
    const again = parts.map((p) => {
      assert.equal(p.codec, codec);
      assert.ok(p.sizeInBytes <= 2048);
      const built = p.build(-1n, -1, -1);
      assert.equal(decodeRecordBatches(built)[0].attributes & 7, codec.id);
      return decodeRecordBatches(built)[0].records;
    }).flat();
    const want = decodeRecordBatches(bytes)[0].records;
    assert.deepEqual(
      again.map((r) => [r.timestamp, r.key, r.value, r.headers]),
      want.map((r) => [r.timestamp, r.key, r.value, r.headers]),
    );
  });

  Deno.test(`${codec.name}: corrupt or truncated compressed data is a ProtocolError`, () => {
    const good = compressed(codec).build(-1n, -1, -1).slice();
    // Garbage instead of the compressed records (CRC recomputed so it passes).
    const garbage = good.slice();
    garbage.fill(0x5a, RECORD_BATCH_OVERHEAD);
    assertProtocolError(
      () => decodeRecordBatches(recrc(garbage)),
      new RegExp(`compressed with ${codec.name}`),
    );
    // Truncated: the compressed records cut in half, length and CRC fixed up.
    const cut = good.slice(0, RECORD_BATCH_OVERHEAD + (good.length - RECORD_BATCH_OVERHEAD) / 2);
    new DataView(cut.buffer).setInt32(8, cut.length - 12);
    assertProtocolError(() => decodeRecordBatches(recrc(cut)), /compressed with/);
    // A flipped byte without a CRC fix-up is caught by the CRC first.
    const flipped = good.slice();
    flipped[good.length - 3] ^= 0xff;
    assertProtocolError(() => decodeRecordBatches(flipped), /CRC mismatch/);
    // The codec itself: garbage and a too-small bound.
    assertProtocolError(() => codec.decompress(new Uint8Array([1, 2, 3, 4, 5])));
    const small = codec.compress(new Uint8Array(100_000));
    assertProtocolError(() => codec.decompress(small, 1000), /more than 1000 bytes/);
    assert.equal(codec.decompress(small).length, 100_000);
    for (const cutAt of [1, small.length >> 1, small.length - 1]) {
      assertProtocolError(() => codec.decompress(small.subarray(0, cutAt)));
    }
  });

  Deno.test(`${codec.name}: a valid frame holding the wrong records count is a ProtocolError`, () => {
    const bytes = compressed(codec).build(-1n, -1, -1).slice();
    new DataView(bytes.buffer).setInt32(57, 201);
    assertProtocolError(() => decodeRecordBatches(recrc(bytes)));
  });
}
