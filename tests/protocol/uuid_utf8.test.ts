import assert from "node:assert/strict";
import { decodeUtf8, encodeUtf8Into, utf8Length } from "../../lib/protocol/utf8.ts";
import { isZeroUuid, uuidToString, ZERO_UUID } from "../../lib/protocol/uuid.ts";
import { unhex } from "../support/bytes.ts";

Deno.test("uuidToString matches Kafka's Uuid.toString", () => {
  assert.equal(uuidToString(unhex("0102030405060708090a0b0c0d0e0f10")), "AQIDBAUGBwgJCgsMDQ4PEA");
  assert.equal(uuidToString(unhex("fffffffffffffffffffffffffffffffe")), "_____________________g");
  assert.equal(uuidToString(ZERO_UUID), "AAAAAAAAAAAAAAAAAAAAAA");
  assert.throws(() => uuidToString(new Uint8Array(4)), RangeError);
});

Deno.test("isZeroUuid", () => {
  assert.equal(isZeroUuid(null), true);
  assert.equal(isZeroUuid(undefined), true);
  assert.equal(isZeroUuid(new Uint8Array(16)), true);
  assert.equal(isZeroUuid(unhex("00000000000000000000000000000001")), false);
});

Deno.test("utf8Length agrees with TextEncoder, including lone surrogates", () => {
  const samples = [
    "",
    "abc",
    "é",
    "€",
    "𝄞",
    "a\ud800",
    "\udc00b",
    "\ud800\ud800",
    "ключ 日本 🎉",
    "x".repeat(100),
  ];
  for (const s of samples) {
    const expected = new TextEncoder().encode(s);
    assert.equal(utf8Length(s), expected.length, JSON.stringify(s));
    const buf = new Uint8Array(expected.length + 4);
    assert.equal(encodeUtf8Into(buf, 2, s), expected.length);
    assert.deepEqual(buf.subarray(2, 2 + expected.length), expected);
    assert.equal(decodeUtf8(buf, 2, 2 + expected.length), new TextDecoder().decode(expected));
  }
});

Deno.test("decodeUtf8 replaces malformed bytes like Java does", () => {
  assert.equal(decodeUtf8(unhex("61ff62"), 0, 3), "a\ufffdb");
  assert.equal(decodeUtf8(unhex("41424344"), 1, 3), "BC");
});
