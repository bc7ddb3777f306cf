import assert from "node:assert/strict";
import { Reader } from "../../lib/protocol/reader.ts";
import {
  MAX_VARINT_BYTES,
  MAX_VARLONG_BYTES,
  sizeOfUvarint,
  sizeOfVarint,
  sizeOfVarlong,
  unzigzag32,
  unzigzag64,
  writeUvarint,
  writeVarint,
  writeVarlong,
  zigzag32,
  zigzag64,
} from "../../lib/protocol/varint.ts";

const INT32 = [
  0,
  1,
  -1,
  63,
  -64,
  64,
  -65,
  8191,
  -8192,
  8192,
  1 << 20,
  -(1 << 27),
  2147483647,
  -2147483648,
];

Deno.test("zigzag maps 0, -1, 1, -2 … to 0, 1, 2, 3 …", () => {
  assert.deepEqual([0, -1, 1, -2, 2].map(zigzag32), [0, 1, 2, 3, 4]);
  assert.equal(zigzag32(2147483647), 0xfffffffe);
  assert.equal(zigzag32(-2147483648), 0xffffffff);
  for (const v of INT32) assert.equal(unzigzag32(zigzag32(v)), v);
  assert.equal(zigzag64(-(1n << 63n)), (1n << 64n) - 1n);
  assert.equal(unzigzag64(zigzag64(-12345678901234n)), -12345678901234n);
});

Deno.test("writeVarint/sizeOfVarint agree with the Reader", () => {
  const buf = new Uint8Array(MAX_VARINT_BYTES * INT32.length);
  let pos = 0;
  for (const v of INT32) {
    const next = writeVarint(buf, pos, v);
    assert.equal(next - pos, sizeOfVarint(v), `size of ${v}`);
    pos = next;
  }
  const r = new Reader(buf.subarray(0, pos));
  for (const v of INT32) assert.equal(r.varint(), v);
  assert.equal(r.remaining, 0);
});

Deno.test("writeUvarint/sizeOfUvarint at every width boundary", () => {
  const values = [0, 127, 128, 16383, 16384, 2097151, 2097152, 268435455, 268435456, 4294967295];
  const sizes = [1, 1, 2, 2, 3, 3, 4, 4, 5, 5];
  const buf = new Uint8Array(64);
  values.forEach((v, i) => {
    assert.equal(sizeOfUvarint(v), sizes[i], `size of ${v}`);
    const end = writeUvarint(buf, 3, v);
    assert.equal(end - 3, sizes[i]);
    const r = new Reader(buf.subarray(0, end), 3);
    assert.equal(r.uvarint(), v);
  });
});

Deno.test("writeVarlong/sizeOfVarlong for numbers and bigints", () => {
  const values: (number | bigint)[] = [
    0,
    -1,
    2 ** 31,
    -(2 ** 31) - 1,
    2 ** 40 + 3,
    -(2 ** 45),
    2 ** 52 - 1,
    -(2 ** 52),
    2 ** 53,
    2 ** 60,
    -(2n ** 63n),
    2n ** 63n - 1n,
  ];
  const buf = new Uint8Array(MAX_VARLONG_BYTES);
  for (const v of values) {
    const end = writeVarlong(buf, 0, v);
    assert.equal(end, sizeOfVarlong(v), `size of ${v}`);
    assert.equal(new Reader(buf.subarray(0, end)).varlong(), BigInt(v));
  }
  assert.equal(sizeOfVarlong(-(2n ** 63n)), 10);
  assert.throws(() => sizeOfVarlong(0.5), RangeError);
  assert.throws(() => sizeOfVarlong(2 ** 64), RangeError);
  assert.throws(() => writeVarlong(buf, 0, 2n ** 63n), RangeError);
});
