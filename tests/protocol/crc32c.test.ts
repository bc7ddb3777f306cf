import assert from "node:assert/strict";
import { crc32c } from "../../lib/protocol/crc32c.ts";
import { utf8 } from "../support/bytes.ts";

/** Bit-at-a-time reference implementation. */
function reference(data: Uint8Array, start = 0, end = data.length): number {
  let crc = 0xffffffff;
  for (let i = start; i < end; i++) {
    crc ^= data[i];
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

Deno.test("CRC-32C check value", () => {
  assert.equal(crc32c(utf8("123456789")), 0xe3069283);
  assert.equal(crc32c(new Uint8Array(0)), 0);
});

Deno.test("CRC-32C known answers (RFC 3720 B.4)", () => {
  assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
  assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
  const inc = Uint8Array.from({ length: 32 }, (_, i) => i);
  assert.equal(crc32c(inc), 0x46dd794e);
  const dec = Uint8Array.from({ length: 32 }, (_, i) => 31 - i);
  assert.equal(crc32c(dec), 0x113fdb5c);
});

Deno.test("CRC-32C over sub-ranges and unaligned views", () => {
  const text = utf8("xx123456789yy");
  assert.equal(crc32c(text, 2, 11), 0xe3069283);
  assert.equal(crc32c(text, 5, 5), 0);
  const big = Uint8Array.from({ length: 5000 }, (_, i) => (i * 131 + 7) & 0xff);
  for (
    const [start, end] of [[0, 5000], [1, 4999], [3, 67], [2, 2 + 64], [5, 5 + 63], [17, 4096]]
  ) {
    assert.equal(crc32c(big, start, end), reference(big, start, end), `[${start}, ${end})`);
    const view = big.subarray(start, end);
    assert.equal(crc32c(view), reference(big, start, end), `view [${start}, ${end})`);
  }
  for (let n = 0; n < 200; n++) {
    assert.equal(crc32c(big.subarray(1, 1 + n)), reference(big, 1, 1 + n));
  }
});

Deno.test("CRC-32C rejects ranges outside the array", () => {
  const b = new Uint8Array(8);
  assert.throws(() => crc32c(b, -1, 4), RangeError);
  assert.throws(() => crc32c(b, 0, 9), RangeError);
  assert.throws(() => crc32c(b, 5, 4), RangeError);
});
