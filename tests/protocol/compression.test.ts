import assert from "node:assert/strict";
import { ProtocolError } from "../../lib/errors.ts";
import type { CompressionCodec } from "../../lib/protocol/compression/codec.ts";
import { lz4 } from "../../lib/protocol/compression/lz4.ts";
import { snappy } from "../../lib/protocol/compression/snappy.ts";
import { snappyCompressBlock } from "../../lib/protocol/compression/snappy_block.ts";
import { xxhash32 } from "../../lib/protocol/compression/xxhash32.ts";
import { assertProtocolError } from "../support/assert_protocol_error.ts";
import { concat, hex, unhex, utf8 } from "../support/bytes.ts";
import {
  compressionInputs,
  compressionVector,
  javaCompressed,
  javaDecompress,
} from "../support/compression_vectors.ts";

const CODECS: readonly CompressionCodec[] = [snappy, lz4];
const MIB = 1024 * 1024;

/** Deterministic pseudo-random bytes (incompressible). */
function noise(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x >>> 24;
  }
  return out;
}

/** Whether `z` is the xerial header followed by whole blocks only. */
function endsAtXerialBlock(z: Uint8Array): boolean {
  if (z.length < 16) return false;
  let p = 16;
  while (p + 4 <= z.length) p += 4 + new DataView(z.buffer, z.byteOffset + p).getInt32(0);
  return p === z.length;
}

/** Inputs of the round trips: name → bytes. */
function roundTripInputs(): Map<string, Uint8Array> {
  const m = new Map(compressionInputs());
  m.set("1 MiB random", noise(MIB));
  m.set("300 KB zeros", new Uint8Array(300_000));
  m.set("period 3", Uint8Array.from({ length: 100_000 }, (_, i) => i % 3));
  m.set("records ×8", concat(...Array(8).fill(m.get("records")!)));
  m.set("64 KiB + 1 text", m.get("records")!.subarray(0, 65537));
  return m;
}

Deno.test("xxHash32 matches lz4-java's", () => {
  for (const [name, input] of compressionInputs()) {
    for (const seed of [0, 0x9747b28c]) {
      const want = Number(compressionVector(`xxh32:${name}:${seed}`));
      assert.equal(xxhash32(input, seed), want, `${name} seed ${seed}`);
    }
  }
  const rec = compressionInputs().get("records")!;
  assert.equal(xxhash32(concat(utf8("xyz"), rec, utf8("!")), 0, 3, 3 + rec.length), xxhash32(rec));
});

Deno.test("codec names and ids", () => {
  assert.deepEqual([snappy.name, snappy.id, lz4.name, lz4.id], ["snappy", 2, "lz4", 3]);
});

for (const codec of CODECS) {
  Deno.test(`${codec.name}: round trips (empty, tiny, 1 MiB random, repetitive)`, () => {
    for (const [name, input] of roundTripInputs()) {
      const z = codec.compress(input);
      assert.deepEqual(codec.decompress(z), input, name);
      assert.deepEqual(codec.decompress(codec.compress(input, 9)), input, `${name} level 9`);
      if (name === "1 MiB random") assert.ok(z.length < input.length * 1.01, `${name} expands`);
      if (name === "300 KB zeros") assert.ok(z.length < 20_000, `${name} ${z.length}`);
    }
  });

  Deno.test(`${codec.name}: decodes the bytes Kafka's Java codec wrote`, () => {
    for (const [name, input] of compressionInputs()) {
      assert.deepEqual(codec.decompress(javaCompressed(codec.name, name)), input, name);
    }
  });

  Deno.test(`${codec.name}: truncated input → ProtocolError`, () => {
    const records = compressionInputs().get("records")!;
    const random = noise(40_000);
    for (
      const [input, z] of [[records, javaCompressed(codec.name, "records")], [
        random,
        codec.compress(random),
      ]]
    ) {
      for (let n = 0; n < z.length; n += n < 64 ? 1 : 97) {
        const cut = z.subarray(0, n);
        if (codec === snappy && endsAtXerialBlock(cut)) {
          // the xerial framing has no end mark: a cut after a whole block is a valid stream
          const out = snappy.decompress(cut);
          assert.deepEqual(out, input.subarray(0, out.length));
          assert.equal(out.length % 32768, 0);
        } else {
          assertProtocolError(() => codec.decompress(cut));
        }
      }
      assertProtocolError(() => codec.decompress(z.subarray(0, z.length - 1)));
    }
  });

  Deno.test(`${codec.name}: corrupt input → ProtocolError or bounded output, never another error`, () => {
    const z = javaCompressed(codec.name, "records");
    for (let i = 0; i < z.length; i += 7) {
      const bad = z.slice();
      bad[i] ^= 1 << (i % 8);
      try {
        const out = codec.decompress(bad, MIB);
        assert.ok(out.length <= MIB);
      } catch (err) {
        assert.ok(err instanceof ProtocolError, `byte ${i}: ${err}`);
      }
    }
  });

  Deno.test(`${codec.name}: maxOutput is enforced`, () => {
    const input = compressionInputs().get("records")!;
    const z = codec.compress(input);
    assert.deepEqual(codec.decompress(z, input.length), input);
    assertProtocolError(() => codec.decompress(z, input.length - 1));
    assertProtocolError(() => codec.decompress(codec.compress(new Uint8Array(MIB)), 1000));
  });
}

Deno.test("snappy: xerial header and 32 KiB blocks as Java writes them", () => {
  const header = "82534e41505059000000000100000001";
  assert.equal(hex(snappy.compress(new Uint8Array(0))), compressionVector("snappy:empty"));
  assert.equal(hex(snappy.compress(utf8("kafka"))), compressionVector("snappy:tiny"));
  const ours = snappy.compress(compressionInputs().get("records")!);
  assert.equal(hex(ours.subarray(0, 16)), header);
  // the first block's raw snappy length varint: 32768 = 80 80 02
  const len = new DataView(ours.buffer, ours.byteOffset).getInt32(16);
  assert.equal(hex(ours.subarray(20, 23)), "808002");
  assert.ok(len > 0 && 20 + len < ours.length);
});

Deno.test("snappy: raw snappy without the xerial header (librdkafka's producer)", () => {
  assert.deepEqual(snappy.decompress(unhex("05106b61666b61")), utf8("kafka"));
  assert.deepEqual(snappy.decompress(unhex("00")), new Uint8Array(0));
  for (const input of [compressionInputs().get("records")!, noise(100_000)]) {
    const raw = new Uint8Array(input.length * 2 + 64);
    const end = snappyCompressBlock(input, 0, input.length, raw, 0);
    assert.deepEqual(snappy.decompress(raw.subarray(0, end)), input);
  }
});

Deno.test("snappy: concatenated xerial streams", () => {
  const a = utf8("first;"), b = compressionInputs().get("records")!;
  assert.deepEqual(snappy.decompress(concat(snappy.compress(a), snappy.compress(b))), concat(a, b));
});

Deno.test("snappy: a huge declared length fails before allocating", () => {
  assertProtocolError(
    () => snappy.decompress(unhex("ffffffff0f00")),
    /declares 4294967295 bytes, more than 67108864/,
  );
  const xerial = unhex("82534e41505059000000000100000001" + "00000006ffffffff0f00");
  assertProtocolError(() => snappy.decompress(xerial), /more than 67108864/);
  assertProtocolError(() => snappy.decompress(unhex("ffffffffff7f")), /invalid block length/);
  // a copy before any output, an offset past the start
  assertProtocolError(() => snappy.decompress(unhex("0401000000")), /offset/);
  assertProtocolError(() => snappy.decompress(unhex("080061050a")), /offset/);
});

Deno.test("lz4: frame header as Kafka's Lz4BlockOutputStream writes it", () => {
  assert.equal(hex(lz4.compress(new Uint8Array(0))), compressionVector("lz4:empty"));
  assert.equal(hex(lz4.compress(utf8("kafka"))), compressionVector("lz4:tiny"));
  // 33000 incompressible bytes: one block stored uncompressed (size | 0x80000000)
  assert.equal(
    hex(lz4.compress(compressionInputs().get("noise")!)),
    compressionVector("lz4:noise"),
  );
  assert.equal(hex(lz4.compress(new Uint8Array(10)).subarray(0, 7)), "04224d18604082");
});

/** A frame over `input` with our blocks but FLG `flg`: checksums added where `flg` asks. */
function frameWith(input: Uint8Array, flg: number): Uint8Array {
  const ours = lz4.compress(input);
  const blocks: Uint8Array[] = [];
  for (let p = 7;;) {
    const word = new DataView(ours.buffer, ours.byteOffset + p).getUint32(0, true);
    if (word === 0) break;
    const len = word & 0x7fffffff;
    const block = ours.subarray(p, p + 4 + len);
    blocks.push(block);
    if (flg & 0x10) blocks.push(le32(xxhash32(block, 0, 4)));
    p += 4 + len;
  }
  const descriptor = Uint8Array.of(flg, 0x40);
  const head = concat(
    ours.subarray(0, 4),
    descriptor,
    Uint8Array.of((xxhash32(descriptor) >>> 8) & 0xff),
  );
  const tail = flg & 0x04 ? concat(le32(0), le32(xxhash32(input))) : le32(0);
  return concat(head, ...blocks, tail);
}

/** `v` as 4 little-endian bytes. */
function le32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, true);
  return b;
}

Deno.test("lz4: linked blocks; block and content checksums verified when present", () => {
  const input = concat(compressionInputs().get("records")!, noise(70_000));
  for (const flg of [0x40, 0x64, 0x70, 0x74, 0x54]) {
    const frame = frameWith(input, flg);
    assert.deepEqual(lz4.decompress(frame), input, `FLG ${flg}`);
    if ((flg & 0x14) === 0) continue; // linked blocks, no checksum
    const bad = frame.slice();
    bad[bad.length - (flg & 0x04 ? 1 : 9)] ^= 1;
    assertProtocolError(() => lz4.decompress(bad), /checksum/);
  }
});

Deno.test("lz4: header checksum, magic, version, descriptor and trailing bytes are checked", () => {
  const frame = lz4.compress(compressionInputs().get("records")!);
  const edit = (i: number, v: number) => {
    const b = frame.slice();
    b[i] = v;
    return b;
  };
  assertProtocolError(() => lz4.decompress(edit(6, frame[6] ^ 0xff)), /header checksum/);
  assertProtocolError(() => lz4.decompress(edit(0, 0x05)), /magic/);
  assertProtocolError(() => lz4.decompress(edit(4, 0xa0)), /version/);
  assertProtocolError(() => lz4.decompress(edit(5, 0x30)), /descriptor/);
  assertProtocolError(() => lz4.decompress(concat(frame, Uint8Array.of(0))), /after the frame/);
  // an uncompressed block of 4 bytes claiming to be larger than 64 KiB
  assertProtocolError(() => lz4.decompress(unhex("04224d18604082" + "01000180aaaaaaaa00000000")));
  // a match reaching before the block
  assertProtocolError(() =>
    lz4.decompress(unhex("04224d18604082" + "0400000010610200" + "00000000"))
  );
});

Deno.test("Java's codecs read our snappy and lz4 bytes", async () => {
  const inputs = [...roundTripInputs()].filter(([name]) => name !== "1 MiB random");
  inputs.push(["200 KB random", noise(200_000)]);
  const items: [string, Uint8Array][] = [];
  for (const codec of CODECS) {
    for (const [, input] of inputs) items.push([codec.name, codec.compress(input)]);
  }
  const out = await javaDecompress(items);
  assert.equal(out.length, items.length);
  let i = 0;
  for (const codec of CODECS) {
    for (const [name, input] of inputs) assert.equal(out[i++], hex(input), `${codec.name} ${name}`);
  }
});

Deno.test("lz4: a linked block copies from the block before; independent frames refuse that", () => {
  const block2 = concat(Uint8Array.of(0x0c, 0x10, 0x00, 0x10), utf8("Z"));
  const frame = (flg: number) => {
    const descriptor = Uint8Array.of(flg, 0x40);
    return concat(
      le32(0x184d2204),
      descriptor,
      Uint8Array.of((xxhash32(descriptor) >>> 8) & 0xff),
      le32(0x80000010),
      utf8("0123456789abcdef"),
      le32(block2.length),
      block2,
      le32(0),
    );
  };
  assert.deepEqual(lz4.decompress(frame(0x40)), utf8("0123456789abcdef0123456789abcdefZ"));
  assertProtocolError(() => lz4.decompress(frame(0x60)), /offset/);
});
