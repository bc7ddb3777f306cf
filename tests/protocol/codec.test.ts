import assert from "node:assert/strict";
import { message } from "../../lib/protocol/codec.ts";
import { Reader } from "../../lib/protocol/reader.ts";
import {
  array,
  atLeast,
  bool,
  bytes,
  float64,
  ignored,
  type In,
  int16,
  int32,
  int64,
  int8,
  type Out,
  records,
  string,
  struct,
  uint16,
  uuid,
  varint,
} from "../../lib/protocol/schema.ts";
import { Writer } from "../../lib/protocol/writer.ts";
import { assertProtocolError } from "../support/assert_protocol_error.ts";
import { hex, unhex } from "../support/bytes.ts";

const ID = unhex("0102030405060708090a0b0c0d0e0f10");

/** Every wire type, fields added and removed across versions, tagged fields from v2. */
const Item = struct({
  id: int32({ check: atLeast(0) }),
  label: string({ nullable: "1+", default: null }),
});
const Everything = struct({
  i8: int8(),
  i16: int16(),
  i32: int32(),
  i64: int64(),
  u16: uint16(),
  zigzag: varint(),
  ratio: float64(),
  flag: bool(),
  name: string(),
  maybe: string({ nullable: "0+" }),
  blob: bytes(),
  batches: records({ versions: "1+" }),
  topicId: uuid(),
  optionalId: uuid({ zeroIsNull: true, optional: true }),
  ints: array(int32()),
  items: array(Item, { nullable: "1+" }),
  nested: struct({ depth: int16(), leaf: struct({ ok: bool() }) }),
  onlyV0: int32({ versions: "0", default: -7 }),
  secret: ignored(int32({ versions: "1+", default: 42 })),
  hint: struct({ leader: int32(), epoch: int32() }, {
    versions: "2+",
    tag: 0,
    taggedVersions: "2+",
    default: null,
  }),
  code: int16({ versions: "2+", tag: 5, taggedVersions: "2+", default: -1 }),
});

/** A message whose request and response are both `Everything` (v0–1 classic, v2 flexible). */
const Test = message({
  name: "Test",
  apiKey: 1000,
  validVersions: "0-2",
  flexibleVersions: "2+",
  request: Everything,
  response: Everything,
});

const value: In<typeof Everything> = {
  i8: -8,
  i16: -1600,
  i32: 320000,
  i64: -(2n ** 40n),
  u16: 65535,
  zigzag: -300,
  ratio: 0.25,
  flag: true,
  name: "été",
  maybe: null,
  blob: unhex("beef"),
  batches: unhex("0102"),
  topicId: ID,
  ints: [1, -1],
  items: [{ id: 1, label: "a" }, { id: 2, label: "b" }],
  nested: { depth: 3, leaf: { ok: true } },
  onlyV0: 9,
  hint: { leader: 2, epoch: 5 },
  code: 29,
};

function encode(v: In<typeof Everything>, version: number): Uint8Array {
  const w = new Writer(Test.request.size(v, version));
  Test.request.encode(w, v, version);
  return w.finish();
}

function decode(bytes: Uint8Array, version: number): Out<typeof Everything> {
  const r = new Reader(bytes);
  const out = Test.response.decode(r, version);
  assert.equal(r.remaining, 0, `v${version}: every byte read`);
  return out;
}

Deno.test("codec: every wire type round-trips at every version, absent fields read as defaults", () => {
  for (let v = 0; v <= 2; v++) {
    const bytes = encode(value, v);
    assert.ok(Test.request.size(value, v) >= bytes.length, `v${v}: size is a bound`);
    const out = decode(bytes, v);
    assert.deepEqual(out, {
      ...value,
      optionalId: null,
      batches: v >= 1 ? value.batches : new Uint8Array(0),
      onlyV0: v === 0 ? 9 : -7,
      hint: v >= 2 ? value.hint : null,
      code: v >= 2 ? 29 : -1,
    });
    assert.equal(hex(encode(out, v)), hex(bytes), `v${v}: decoded value encodes the same`);
    assert.ok(!("secret" in out), "ignored fields stay out of the value");
  }
});

Deno.test("codec: flexible versions use compact lengths, classic ones int16/int32 lengths", () => {
  const small = { ...value, name: "n", ints: [], items: [] };
  const v1 = encode(small, 1);
  const v2 = encode(small, 2);
  // name follows i8 i16 i32 i64 u16 zigzag(2 bytes) ratio flag = 28 bytes.
  assert.equal(hex(v1.subarray(28, 31)), "00016e", "v1: int16 length");
  assert.equal(hex(v2.subarray(28, 30)), "026e", "v2: uvarint length + 1");
});

Deno.test("codec: tagged fields are read when known, skipped when not, written only when set", () => {
  const plain = { ...value, hint: null, code: -1 };
  const bare = encode(plain, 2);
  assert.equal(bare.at(-1), 0, "nothing tagged: an empty tagged section");
  // Append unknown tag 7 (3 bytes) before known tag 5 to the top-level section.
  const withUnknown = new Writer().raw(bare.subarray(0, bare.length - 1))
    .taggedFields([
      { tag: 7, write: (w) => w.raw(unhex("ffffff")) },
      { tag: 5, write: (w) => w.int16(87) },
    ]).finish();
  const out = decode(withUnknown, 2);
  assert.equal(out.code, 87, "known tag read");
  assert.equal(out.hint, null, "absent tag: its default");
  assert.deepEqual({ ...out, code: -1 }, decode(bare, 2), "unknown tag skipped");
  // A known tag's value is bounded to its size: a truncated hint is an error naming it.
  const short = new Writer().raw(bare.subarray(0, bare.length - 1))
    .taggedFields([{ tag: 0, write: (w) => w.int32(1) }]).finish();
  assertProtocolError(() => decode(short, 2), /^hint\.epoch: truncated int32/);
});

Deno.test("codec: errors name the field path", () => {
  const bad = encode({ ...value, items: [{ id: 1, label: null }, { id: -5, label: null }] }, 1);
  assertProtocolError(() => decode(bad, 1), /^items\[1\]\.id: -5 is below 0$/);
  const bytes = encode(value, 1);
  // v1 ends with nested.leaf.ok (1 byte) and the ignored secret (4 bytes).
  assertProtocolError(() => decode(bytes.subarray(0, bytes.length - 1), 1), /^secret: truncated/);
  assertProtocolError(() => decode(bytes.subarray(0, bytes.length - 5), 1), /^nested\.leaf\.ok: /);
  assert.throws(
    () => encode({ ...value, items: [{ id: 1, label: "a" }, { id: 2, label: null }] }, 0),
    /^RangeError: Test v0 request: items\[1\]\.label: null in a non-nullable field$/,
  );
  assert.throws(
    () => encode({ ...value, name: null as unknown as string }, 1),
    /^RangeError: Test v1 request: name: null in a non-nullable field$/,
  );
  assert.throws(
    () => encode({ ...value, items: null }, 0),
    /^RangeError: Test v0 request: items: null in a non-nullable field$/,
  );
  assert.throws(() => encode(value, 3), /version 3 outside 0…2/);
});
