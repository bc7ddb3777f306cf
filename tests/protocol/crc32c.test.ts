import assert from "node:assert/strict";
import { crc32c, crc32cBackend, resetCrc32cBackend } from "../../lib/protocol/crc32c.ts";
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

/** Deterministic pseudo-random generator (xorshift32), so a failure can be replayed. */
function prng(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

function randomBytes(n: number, seed: number): Uint8Array {
  const next = prng(seed);
  return Uint8Array.from({ length: n }, () => next() & 0xff);
}

/** Every length 0…300 at random offsets, then lengths around the SIMD block (4 KiB) and chunk (64 KiB) sizes. */
function checkAgainstReference(label: string): void {
  const next = prng(0x9e3779b9);
  const big = randomBytes(3 * 65536 + 64, 7);
  for (let n = 0; n <= 300; n++) {
    for (let k = 0; k < 4; k++) {
      const start = next() % 64;
      assert.equal(
        crc32c(big, start, start + n),
        reference(big, start, start + n),
        `${label} n=${n} @${start}`,
      );
    }
  }
  for (
    const n of [4095, 4096, 4097, 8191, 8192 + 3, 16384, 16384 - 61, 65535, 65536, 65537, 3 * 65536]
  ) {
    const start = next() % 64;
    assert.equal(
      crc32c(big, start, start + n),
      reference(big, start, start + n),
      `${label} n=${n} @${start}`,
    );
    const view = big.subarray(start, start + n);
    assert.equal(crc32c(view), reference(big, start, start + n), `${label} view n=${n}`);
  }
  for (let k = 0; k < 40; k++) {
    const n = 256 + (next() % 20000);
    const start = next() % 64;
    assert.equal(
      crc32c(big, start, start + n),
      reference(big, start, start + n),
      `${label} n=${n} @${start}`,
    );
  }
}

/** Runs `body` with `WebAssembly[key]` replaced, forgetting the compiled module before and after. */
function withStub<K extends "Module" | "validate">(
  key: K,
  stub: (typeof WebAssembly)[K],
  body: () => void,
): void {
  const original = WebAssembly[key];
  WebAssembly[key] = stub;
  resetCrc32cBackend();
  try {
    body();
  } finally {
    WebAssembly[key] = original;
    resetCrc32cBackend();
  }
}

Deno.test("CRC-32C matches the bitwise reference: every length 0…300, random offsets", () => {
  resetCrc32cBackend();
  assert.notEqual(crc32cBackend(), "js", "this runtime compiles the wasm module");
  checkAgainstReference(crc32cBackend());
});

Deno.test("CRC-32C without relaxed SIMD: plain i8x16.swizzle gives the same answers", () => {
  const validate = WebAssembly.validate;
  withStub("validate", (bytes) => {
    const b = bytes as Uint8Array;
    // Only the relaxed module (it holds fd 80 02) is refused, as an engine without relaxed SIMD would.
    for (let i = 0; i + 2 < b.length; i++) {
      if (b[i] === 0xfd && b[i + 1] === 0x80 && b[i + 2] === 0x02) return false;
    }
    return validate(bytes);
  }, () => {
    assert.equal(crc32cBackend(), "wasm simd");
    checkAgainstReference("wasm simd");
  });
});

Deno.test("CRC-32C falls back to JS where wasm cannot be compiled from bytes (workerd)", () => {
  let attempts = 0;
  const refuse = function () {
    attempts++;
    throw new WebAssembly.CompileError("Wasm code generation disallowed by embedder");
  } as unknown as typeof WebAssembly.Module;
  withStub("Module", refuse, () => {
    const data = randomBytes(70000, 3);
    assert.equal(crc32c(data), reference(data));
    assert.equal(crc32cBackend(), "js");
    checkAgainstReference("js");
    assert.equal(attempts, 1, "compiling is tried once, not per call");
    assert.throws(() => crc32c(data, 0, data.length + 1), RangeError);
  });
  assert.notEqual(crc32cBackend(), "js");
});

Deno.test("CRC-32C rejects ranges outside the array on the wasm path too", () => {
  const b = new Uint8Array(5000);
  assert.throws(() => crc32c(b, -1, 4000), RangeError);
  assert.throws(() => crc32c(b, 0, 5001), RangeError);
  assert.throws(() => crc32c(b, 4000, 3000), RangeError);
  assert.throws(() => crc32c(b, Number.NaN, 4000), RangeError);
});
