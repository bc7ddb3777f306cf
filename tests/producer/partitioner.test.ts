import assert from "node:assert/strict";
import {
  keyedPartition,
  murmur2,
  StickyPartitioner,
  toPositive,
} from "../../lib/producer/partitioner.ts";

interface Vector {
  key: string;
  murmur2: number;
  partition6: number;
  partition7: number;
}

// Computed by Java's own Utils.murmur2 (tests/support/Murmur2Vectors.java).
const vectors: Vector[] = Deno.readTextFileSync(
  new URL("../fixtures/murmur2.jsonl", import.meta.url),
)
  .split("\n").filter(Boolean).map((l) => JSON.parse(l));

function bytes(b64: string): Uint8Array {
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
}

Deno.test("murmur2 equals Java's Utils.murmur2 on every vector", () => {
  assert.ok(vectors.length > 200);
  for (const v of vectors) {
    const key = bytes(v.key);
    assert.equal(murmur2(key), v.murmur2, `key ${v.key}`);
    assert.equal(keyedPartition(key, 6), v.partition6, `key ${v.key} over 6`);
    assert.equal(keyedPartition(key, 7), v.partition7, `key ${v.key} over 7`);
  }
});

Deno.test("toPositive masks the sign bit rather than taking the absolute value", () => {
  assert.equal(toPositive(-1), 0x7fffffff);
  assert.equal(toPositive(-2147483648), 0);
  assert.equal(toPositive(5), 5);
});

Deno.test("sticky partitioner stays on a partition until its batch is full, then moves", () => {
  const sticky = new StickyPartitioner(100);
  const available = [0, 1, 2, 3];
  let room = true;
  const hasRoom = () => room;
  const first = sticky.partition("t", 4, available, hasRoom);
  assert.equal(sticky.partition("t", 4, available, () => false), first, "nothing produced yet");
  for (let i = 0; i < 9; i++) {
    assert.equal(sticky.partition("t", 4, available, hasRoom), first);
    sticky.onAppend("t", first, 10, 4, available);
  }
  room = false;
  const second = sticky.partition("t", 4, available, hasRoom);
  assert.notEqual(second, first, "moved once the open batch was full");
  assert.ok(available.includes(second));
});

Deno.test("sticky partitioner moves after twice batchSize bytes whatever its batches", () => {
  const sticky = new StickyPartitioner(100);
  const available = [0, 1, 2, 3];
  const first = sticky.partition("t", 4, available);
  for (let i = 0; i < 19; i++) sticky.onAppend("t", first, 10, 4, available);
  assert.equal(sticky.partition("t", 4, available), first);
  sticky.onAppend("t", first, 10, 4, available);
  assert.notEqual(sticky.partition("t", 4, available), first, "moved after 200 bytes");
});

Deno.test("sticky partitioner only picks partitions with a leader", () => {
  const sticky = new StickyPartitioner(1);
  for (let i = 0; i < 50; i++) {
    const p = sticky.partition("t", 8, [5]);
    assert.equal(p, 5);
    sticky.onAppend("t", p, 10, 8, [5]);
  }
});
