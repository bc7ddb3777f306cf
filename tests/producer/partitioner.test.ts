import assert from "node:assert/strict";
import {
  keyedPartition,
  murmur2,
  type QueuedBatches,
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

/** Queues of one topic holding `lengths[p]` batches each (the accumulator's shape). */
function queued(lengths: number[]): QueuedBatches {
  const queues = lengths.map((length) => ({ batches: { length } }));
  return { queuesOf: () => queues };
}

/** Share of each partition over `switches` switches (batchSize 1: every append moves on). */
function shares(
  sticky: StickyPartitioner,
  available: number[],
  partitions = 4,
  switches = 10_000,
): number[] {
  const counts = new Array(partitions).fill(0);
  for (let i = 0; i < switches; i++) {
    const p = sticky.partition("t", partitions, available);
    counts[p]++;
    sticky.onAppend("t", p, 10, partitions, available);
  }
  return counts.map((c) => c / switches);
}

Deno.test("adaptive sticky partitioner: queues [0, 10, 10, 10] send most new batches to partition 0", () => {
  const [p0, ...rest] = shares(new StickyPartitioner(1, queued([0, 10, 10, 10])), [0, 1, 2, 3]);
  // Java's weights: max + 1 - queued = 11, 1, 1, 1 → 11/14 ≈ 0.79 for partition 0.
  assert.ok(p0 > 0.74 && p0 < 0.83, `partition 0 got ${p0}`);
  for (const share of rest) assert.ok(share > 0.05 && share < 0.1, `shares ${p0}, ${rest}`);
});

Deno.test("sticky partitioner without adaptive (or with equal queues) picks uniformly", () => {
  for (const load of [null, queued([10, 10, 10, 10])]) {
    const all = shares(new StickyPartitioner(1, load), [0, 1, 2, 3]);
    for (const share of all) assert.ok(share > 0.21 && share < 0.29, `shares ${all}`);
  }
});

Deno.test("adaptive sticky partitioner only weighs partitions with a leader", () => {
  const all = shares(new StickyPartitioner(1, queued([0, 0, 5, 10])), [1, 2, 3]);
  assert.equal(all[0], 0, "partition 0 has no leader");
  // weights 11, 6, 1 over partitions 1, 2, 3
  assert.ok(all[1] > 0.55 && all[1] < 0.67, `shares ${all}`);
  assert.ok(all[3] > 0.03 && all[3] < 0.09, `shares ${all}`);
});
