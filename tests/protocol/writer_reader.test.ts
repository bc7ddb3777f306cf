import assert from "node:assert/strict";
import { Reader } from "../../lib/protocol/reader.ts";
import { Writer } from "../../lib/protocol/writer.ts";
import { assertProtocolError } from "../support/assert_protocol_error.ts";
import { hex, unhex, utf8 } from "../support/bytes.ts";

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

Deno.test("fixed-width integers round trip big-endian", () => {
  const w = new Writer(1)
    .int8(-128).int8(127)
    .int16(-32768).int16(32767)
    .int32(INT32_MIN).int32(INT32_MAX)
    .uint32(0xffffffff)
    .int64(INT64_MIN).int64(INT64_MAX).int64(-1n)
    .bool(true).bool(false);
  const bytes = w.finish();
  assert.equal(w.length, 1 + 1 + 2 + 2 + 4 + 4 + 4 + 8 * 3 + 2);
  assert.equal(hex(bytes.subarray(0, 6)), "807f80007fff");
  const r = new Reader(bytes);
  assert.equal(r.int8(), -128);
  assert.equal(r.int8(), 127);
  assert.equal(r.int16(), -32768);
  assert.equal(r.int16(), 32767);
  assert.equal(r.int32(), INT32_MIN);
  assert.equal(r.int32(), INT32_MAX);
  assert.equal(r.uint32(), 0xffffffff);
  assert.equal(r.int64(), INT64_MIN);
  assert.equal(r.int64(), INT64_MAX);
  assert.equal(r.int64(), -1n);
  assert.equal(r.bool(), true);
  assert.equal(r.bool(), false);
  assert.equal(r.remaining, 0);
});

Deno.test("int64 outside the range is a RangeError", () => {
  assert.throws(() => new Writer().int64(INT64_MAX + 1n), RangeError);
  assert.throws(() => new Writer().int64(INT64_MIN - 1n), RangeError);
});

Deno.test("uvarint round trips and uses LEB128", () => {
  const cases: [number, string][] = [
    [0, "00"],
    [1, "01"],
    [127, "7f"],
    [128, "8001"],
    [300, "ac02"],
    [16383, "ff7f"],
    [16384, "808001"],
    [0x0fffffff, "ffffff7f"],
    [0x10000000, "8080808001"],
    [0xffffffff, "ffffffff0f"],
  ];
  for (const [v, expected] of cases) {
    const bytes = new Writer().uvarint(v).finish();
    assert.equal(hex(bytes), expected, `uvarint ${v}`);
    const r = new Reader(bytes);
    assert.equal(r.uvarint(), v);
    assert.equal(r.remaining, 0);
  }
  assert.throws(() => new Writer().uvarint(-1), RangeError);
  assert.throws(() => new Writer().uvarint(2 ** 32), RangeError);
  assert.throws(() => new Writer().uvarint(1.5), RangeError);
});

Deno.test("varint (zigzag int32) edge cases", () => {
  const cases: [number, string][] = [
    [0, "00"],
    [-1, "01"],
    [1, "02"],
    [-63, "7d"],
    [63, "7e"],
    [-64, "7f"],
    [64, "8001"],
    [-65, "8101"],
    [INT32_MAX, "feffffff0f"],
    [INT32_MIN, "ffffffff0f"],
  ];
  for (const [v, expected] of cases) {
    const bytes = new Writer().varint(v).finish();
    assert.equal(hex(bytes), expected, `varint ${v}`);
    const r = new Reader(bytes);
    assert.equal(r.varint(), v);
    assert.equal(r.remaining, 0);
  }
  assert.throws(() => new Writer().varint(INT32_MAX + 1), RangeError);
  assert.throws(() => new Writer().varint(0.5), RangeError);
});

Deno.test("varlong (zigzag int64) edge cases, numbers and bigints", () => {
  const cases: [number | bigint, bigint, number][] = [
    [0, 0n, 1],
    [-1, -1n, 1],
    [1, 1n, 1],
    [63, 63n, 1],
    [-64, -64n, 1],
    [64, 64n, 2],
    [INT32_MAX, 2147483647n, 5],
    [INT32_MIN, -2147483648n, 5],
    [INT32_MAX + 1, 2147483648n, 5],
    [INT32_MIN - 1, -2147483649n, 5],
    [2 ** 35, 2n ** 35n, 6],
    [2 ** 52 - 1, 2n ** 52n - 1n, 8],
    [-(2 ** 52), -(2n ** 52n), 8],
    [2 ** 53, 2n ** 53n, 8],
    [-(2 ** 53), -(2n ** 53n), 8],
    [Number.MAX_SAFE_INTEGER, 2n ** 53n - 1n, 8],
    [2n ** 53n + 1n, 2n ** 53n + 1n, 8],
    [INT64_MAX, INT64_MAX, 10],
    [INT64_MIN, INT64_MIN, 10],
    [-(2 ** 63), INT64_MIN, 10],
  ];
  for (const [v, expected, size] of cases) {
    const bytes = new Writer().varlong(v).finish();
    assert.equal(bytes.length, size, `size of varlong ${v}`);
    // The bigint encoding is the reference for the number fast paths.
    assert.equal(hex(bytes), hex(new Writer().varlong(BigInt(v)).finish()));
    const r = new Reader(bytes);
    assert.equal(r.varlong(), expected, `varlong ${v}`);
    assert.equal(r.remaining, 0);
  }
  assert.equal(hex(new Writer().varlong(INT64_MAX).finish()), "feffffffffffffffff01");
  assert.equal(hex(new Writer().varlong(INT64_MIN).finish()), "ffffffffffffffffff01");
  assert.throws(() => new Writer().varlong(INT64_MAX + 1n), RangeError);
  assert.throws(() => new Writer().varlong(2 ** 63), RangeError);
  assert.throws(() => new Writer().varlong(1.5), RangeError);
  assert.throws(() => new Writer().varlong(NaN), RangeError);
});

Deno.test("overlong and unterminated varints are ProtocolErrors", () => {
  assertProtocolError(() => new Reader(unhex("ffffffff1f")).uvarint(), /longer than 32 bits/);
  assertProtocolError(() => new Reader(unhex("ffffffff8f01")).varint(), /varint/);
  assertProtocolError(() => new Reader(unhex("8080")).uvarint(), /truncated unsigned varint/);
  assertProtocolError(() => new Reader(unhex("")).varint(), /truncated varint/);
  assertProtocolError(
    () => new Reader(unhex("ffffffffffffffffff02")).varlong(),
    /longer than 64 bits/,
  );
  assertProtocolError(
    () => new Reader(unhex("ffffffffffffffffff8001")).varlong(),
    /longer than 64 bits/,
  );
  assertProtocolError(() => new Reader(unhex("ffffffffff")).varlong(), /truncated varlong/);
  assertProtocolError(() => new Reader(unhex("80")).varlong(), /truncated varlong/);
});

Deno.test("strings: int16 and compact lengths, null, unicode", () => {
  const values = ["", "a", "topic-1", "ключ", "日本語", "emoji 🎉", "x".repeat(300)];
  for (const s of values) {
    const b = utf8(s);
    const plain = new Writer().string(s).finish();
    assert.equal(plain.length, 2 + b.length);
    assert.equal((plain[0] << 8) | plain[1], b.length);
    assert.equal(new Reader(plain).string(), s);

    const compact = new Writer().compactString(s).finish();
    const r = new Reader(compact);
    assert.equal(r.uvarint(), b.length + 1);
    assert.equal(new Reader(compact).compactString(), s);
  }
  assert.equal(hex(new Writer().string(null).finish()), "ffff");
  assert.equal(hex(new Writer().compactString(null).finish()), "00");
  assert.equal(new Reader(unhex("ffff")).string(), null);
  assert.equal(new Reader(unhex("00")).compactString(), null);
  // Lone surrogates are written as U+FFFD, with a matching length prefix.
  const lone = new Writer().string("a\ud800b").finish();
  assert.equal(hex(lone), "000561efbfbd62");
  assert.equal(new Reader(lone).string(), "a\ufffdb");
  assert.throws(() => new Writer().string("x".repeat(32768)), RangeError);
  assert.throws(() => new Writer().compactString("é".repeat(16384)), RangeError);
});

Deno.test("string reads check lengths", () => {
  assertProtocolError(() => new Reader(unhex("fffe")).string(), /invalid string length -2/);
  assertProtocolError(() => new Reader(unhex("7fff6162")).string(), /truncated string/);
  assertProtocolError(
    () => new Reader(unhex("0a6162")).compactString(),
    /truncated compact string/,
  );
  assertProtocolError(
    () => new Reader(unhex("ffffffff0f")).compactString(),
    /invalid compact string length/,
  );
  assertProtocolError(() => new Reader(unhex("00")).string(), /truncated int16/);
});

Deno.test("bytes: int32 and compact lengths, null, empty, views", () => {
  const data = unhex("00ff10");
  const plain = new Writer().bytes(data).bytes(null).bytes(new Uint8Array(0)).finish();
  assert.equal(hex(plain), "0000000300ff10ffffffff00000000");
  const r = new Reader(plain);
  const got = r.bytes();
  assert.deepEqual(got, data);
  assert.equal(got?.buffer, plain.buffer, "bytes() returns a view");
  assert.equal(r.bytes(), null);
  assert.deepEqual(r.bytes(), new Uint8Array(0));

  const compact = new Writer().compactBytes(data).compactBytes(null).compactBytes(new Uint8Array(0))
    .finish();
  assert.equal(hex(compact), "0400ff100001");
  const c = new Reader(compact);
  assert.deepEqual(c.compactBytes(), data);
  assert.equal(c.compactBytes(), null);
  assert.deepEqual(c.compactBytes(), new Uint8Array(0));

  assertProtocolError(() => new Reader(unhex("fffffffe")).bytes(), /invalid bytes length/);
  assertProtocolError(() => new Reader(unhex("7fffffff00")).bytes(), /truncated bytes/);
  assertProtocolError(
    () => new Reader(unhex("ffffffff0f")).compactBytes(),
    /truncated compact bytes/,
  );
});

Deno.test("uuid and raw", () => {
  const id = unhex("0102030405060708090a0b0c0d0e0f10");
  const bytes = new Writer().uuid(id).raw(unhex("abcd")).finish();
  const r = new Reader(bytes);
  const got = r.uuid();
  assert.deepEqual(got, id);
  assert.notEqual(got.buffer, bytes.buffer, "uuid() copies");
  assert.deepEqual(r.raw(2), unhex("abcd"));
  assert.throws(() => new Writer().uuid(new Uint8Array(15)), RangeError);
  assertProtocolError(() => new Reader(new Uint8Array(15)).uuid(), /truncated uuid/);
  assertProtocolError(() => new Reader(new Uint8Array(1)).raw(2), /truncated raw/);
});

Deno.test("arrays: compact and not, null, empty", () => {
  const items = [1, -2, 3];
  const plain = new Writer().array(items, false, (w, v) => w.int32(v)).finish();
  assert.equal(hex(plain), "0000000300000001fffffffe00000003");
  assert.deepEqual(new Reader(plain).array(false, (r) => r.int32()), items);
  const compact = new Writer().array(items, true, (w, v) => w.int8(v)).finish();
  assert.equal(hex(compact), "0401fe03");
  assert.deepEqual(new Reader(compact).array(true, (r) => r.int8()), items);
  assert.equal(hex(new Writer().array(null, false, () => {}).finish()), "ffffffff");
  assert.equal(hex(new Writer().array(null, true, () => {}).finish()), "00");
  assert.equal(hex(new Writer().array([], true, () => {}).finish()), "01");
  assert.equal(new Reader(unhex("ffffffff")).array(false, (r) => r.int8()), null);
  assert.equal(new Reader(unhex("00")).array(true, (r) => r.int8()), null);
  assert.deepEqual(new Reader(unhex("01")).array(true, (r) => r.int8()), []);
});

Deno.test("hostile array counts are rejected before allocating", () => {
  let calls = 0;
  const each = (r: Reader) => {
    calls++;
    return r.int8();
  };
  assertProtocolError(
    () => new Reader(unhex("7fffffff0102")).array(false, each),
    /^count 2147483647 exceeds the 2 bytes left$/,
  );
  assertProtocolError(() => new Reader(unhex("ffffffff0f")).array(true, each), /exceeds/);
  assertProtocolError(
    () => new Reader(unhex("fffffffe")).array(false, each),
    /invalid array length/,
  );
  assert.equal(calls, 0);
  assertProtocolError(() => new Reader(unhex("00000002")).array(false, each), /exceeds/);
  assertProtocolError(
    () => new Reader(unhex("000000020102")).array(false, (r) => r.int16()),
    /truncated int16/,
  );
});

Deno.test("tagged fields: empty is one zero byte; written sorted; unknown tags skipped", () => {
  assert.equal(hex(new Writer().taggedFields().finish()), "00");
  assert.equal(hex(new Writer().taggedFields([]).finish()), "00");
  const bytes = new Writer()
    .taggedFields([
      { tag: 5, write: (w) => w.int32(7) },
      { tag: 1, write: (w) => w.compactString("ab") },
    ])
    .int8(9)
    .finish();
  assert.equal(hex(bytes), "02" + "0103036162" + "050400000007" + "09");
  const seen: [number, unknown][] = [];
  const r = new Reader(bytes);
  r.taggedFields((tag, fr) => {
    if (tag === 5) seen.push([tag, fr.int32()]);
    else seen.push([tag, fr.remaining]);
  });
  assert.deepEqual(seen, [[1, 3], [5, 7]]);
  assert.equal(r.int8(), 9);
  // Without a callback every field is skipped.
  const s = new Reader(bytes);
  s.taggedFields();
  assert.equal(s.int8(), 9);
  assert.throws(
    () => new Writer().taggedFields([{ tag: 1, write: () => {} }, { tag: 1, write: () => {} }]),
    RangeError,
  );
});

Deno.test("tagged fields: readers are bounded to the field; bad sizes are ProtocolErrors", () => {
  // One field, tag 0, size 2, but the callback tries to read 4 bytes.
  const bytes = unhex("0100020102ff");
  assertProtocolError(
    () => new Reader(bytes).taggedFields((_t, r) => r.int32()),
    /truncated int32/,
  );
  // Field size larger than what is left.
  assertProtocolError(
    () => new Reader(unhex("010010ab")).taggedFields(),
    /truncated tagged field 0/,
  );
  // Count larger than what is left.
  assertProtocolError(() => new Reader(unhex("7f00")).taggedFields(), /tagged fields/);
});

Deno.test("Writer grows, patches and returns a view", () => {
  const w = new Writer(1);
  w.int32(0);
  for (let i = 0; i < 1000; i++) w.int32(i);
  w.patchInt32(0, w.length - 4);
  const bytes = w.finish();
  assert.equal(bytes.length, 4004);
  const r = new Reader(bytes);
  assert.equal(r.int32(), 4000);
  for (let i = 0; i < 1000; i++) assert.equal(r.int32(), i);
  assert.throws(() => w.patchInt32(4002, 1), RangeError);
});

Deno.test("Reader starts at an offset and reports remaining", () => {
  const r = new Reader(unhex("00000000002a"), 2);
  assert.equal(r.remaining, 4);
  assert.equal(r.int32(), 42);
  assert.equal(r.remaining, 0);
  assertProtocolError(() => r.int8(), /truncated int8 at offset 6: needs 1 bytes, 0 left/);
  assertProtocolError(() => r.int64(), /truncated int64/);
  assertProtocolError(() => r.bool(), /truncated bool/);
  assertProtocolError(() => r.uint32(), /truncated uint32/);
});

Deno.test("Reader works on a subarray with a non-zero byteOffset", () => {
  const backing = unhex("ff00000007ff");
  const r = new Reader(backing.subarray(1, 5));
  assert.equal(r.int32(), 7);
  assert.equal(r.remaining, 0);
});
