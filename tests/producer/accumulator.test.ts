/**
 * The accumulator and idempotence bookkeeping without a broker: batching,
 * readiness, drain limits, sequence numbers, retry order, and the queue
 * lengths the adaptive partitioner reads.
 */
import assert from "node:assert/strict";
import { RecordAccumulator } from "../../lib/producer/accumulator.ts";
import { BufferPool, RECORD_OVERHEAD } from "../../lib/producer/buffer_pool.ts";
import { resolveConfig } from "../../lib/producer/config.ts";
import { IdempotenceManager } from "../../lib/producer/idempotence.ts";
import { StickyPartitioner } from "../../lib/producer/partitioner.ts";
import { encodeRecord } from "../../lib/producer/record.ts";

const config = resolveConfig({ bootstrapServers: "x:1", batchSize: 1024, lingerMs: 50 });
const leaders = { leaderFor: () => 1 };
const noMute = () => false;

function setup() {
  const pool = new BufferPool(64 * 1024, config.batchSize);
  let wakeups = 0;
  const acc = new RecordAccumulator(config, pool, () => wakeups++);
  return { acc, pool, wakeups: () => wakeups };
}

function rec(value: string, partition = 0) {
  return encodeRecord({ topic: "t", value, partition }, 1000);
}

Deno.test("records share a batch until it is full; a full batch is ready before lingerMs", () => {
  const { acc, wakeups } = setup();
  for (let i = 0; i < 5; i++) assert.ok(acc.tryAppend(rec("x".repeat(100)), 0, 0, null));
  const queue = acc.queue("t", 0);
  assert.equal(queue.batches.length, 1);
  assert.equal(queue.batches[0].recordCount, 5);
  assert.equal(wakeups(), 1, "the sender is woken per new batch, not per record");
  let ready = acc.ready(leaders, 10, noMute);
  assert.equal(ready.readyNodes.size, 0, "not ready before lingerMs");
  assert.equal(ready.nextReadyCheckDelayMs, 40);
  for (let i = 0; i < 10; i++) acc.tryAppend(rec("x".repeat(100)), 0, 0, null);
  assert.equal(queue.batches.length, 2);
  ready = acc.ready(leaders, 10, noMute);
  assert.deepEqual([...ready.readyNodes], [1], "a full batch is ready at once");
});

Deno.test("an exhausted pool makes tryAppend return null", () => {
  const pool = new BufferPool(2 * (1024 + RECORD_OVERHEAD), 1024);
  const acc = new RecordAccumulator(config, pool, () => {});
  assert.ok(acc.tryAppend(rec("a".repeat(900), 0), 0, 0, null));
  assert.ok(acc.tryAppend(rec("b".repeat(900), 1), 1, 0, null));
  assert.equal(acc.tryAppend(rec("c".repeat(900), 2), 2, 0, null), null);
});

Deno.test("each record is charged RECORD_OVERHEAD besides its batch's buffer; an open batch takes records while the pool is overdrawn; deallocate returns both", () => {
  const pool = new BufferPool(8 * 1024, 1024);
  const acc = new RecordAccumulator(config, pool, () => {});
  for (let i = 0; i < 8; i++) assert.ok(acc.tryAppend(rec("x".repeat(100)), 0, 0, null));
  const [batch] = acc.queue("t", 0).batches;
  assert.equal(
    batch.recordCount,
    8,
    "all in the first batch, the last ones with the pool overdrawn",
  );
  assert.equal(pool.availableMemory, 0, "1 KiB buffer + 8 × 1 KiB charged: overdrawn by 1 KiB");
  assert.equal(acc.tryAppend(rec("y".repeat(100), 1), 1, 0, null), null, "no new batch meanwhile");
  acc.deallocate(batch);
  assert.equal(pool.availableMemory, 8 * 1024, "the buffer and the records' charge are back");
  assert.ok(acc.tryAppend(rec("y".repeat(100), 1), 1, 0, null));
});

/** 40 records of ~100 B (5 batches) queued for partition 0, with idempotence at `epoch`. */
function idempotentSetup(epoch: number) {
  const { acc } = setup();
  const idem = new IdempotenceManager();
  idem.setProducerId({ producerId: 7n, epoch });
  for (let i = 0; i < 40; i++) acc.tryAppend(rec("y".repeat(100)), 0, 0, null);
  const policy = { canSend: (b: never) => idem.canSend(b), onDrain: (b: never) => idem.onDrain(b) };
  return { acc, idem, queue: acc.queue("t", 0), policy };
}

Deno.test("idempotence: a partition's first batch goes alone until it is acknowledged", () => {
  const { acc, idem, queue, policy } = idempotentSetup(0);
  const [first] = acc.drain(1, [queue], policy, 100);
  assert.equal(first.baseSequence, 0);
  // The broker may have no state for us on the partition and would take any
  // sequence: nothing may overtake the first batch if it has to be retried.
  assert.deepEqual(acc.drain(1, [queue], policy, 100), [], "the next waits for the first ack");
  idem.onSuccess(first);
  const [second] = acc.drain(1, [queue], policy, 100);
  const [third] = acc.drain(1, [queue], policy, 100);
  assert.equal(second.baseSequence, first.recordCount);
  assert.equal(third.baseSequence, first.recordCount + second.recordCount, "then they pipeline");
});

Deno.test("idempotence: sequences at drain, one batch in line while a partition retries", () => {
  const { acc, idem, queue, policy } = idempotentSetup(0);
  const [acked] = acc.drain(1, [queue], policy, 100);
  idem.onSuccess(acked);
  const first = acc.drain(1, [queue], policy, 100);
  const second = acc.drain(1, [queue], policy, 100);
  assert.equal(first.length, 1);
  assert.equal(first[0].baseSequence, acked.recordCount);
  assert.equal(
    second[0].baseSequence,
    acked.recordCount + first[0].recordCount,
    "next batch continues the sequence",
  );
  // Both come back with a retriable error: re-enqueued in sequence order.
  acc.reenqueue(second[0], 200);
  acc.reenqueue(first[0], 200);
  assert.deepEqual(queue.batches.slice(0, 2), [first[0], second[0]]);
  const retry = acc.drain(1, [queue], policy, 200);
  assert.deepEqual(retry, [first[0]], "the first in line goes");
  assert.deepEqual(acc.drain(1, [queue], policy, 200), [], "the next waits for it");
  idem.onSuccess(first[0]);
  assert.deepEqual(acc.drain(1, [queue], policy, 200), [second[0]]);
});

Deno.test("idempotence: a definitive failure bumps the epoch and restarts sequences", () => {
  const { acc, idem, queue, policy } = idempotentSetup(3);
  const [acked] = acc.drain(1, [queue], policy, 0);
  idem.onSuccess(acked);
  const [a] = acc.drain(1, [queue], policy, 0);
  const [b] = acc.drain(1, [queue], policy, 0);
  idem.onFailure(a, false);
  assert.equal(idem.maybeBumpEpoch(), false);
  assert.equal(idem.epochBumps, 1);
  assert.equal(b.producerEpoch, 4, "the unsettled batch moves to the new epoch");
  assert.equal(b.baseSequence, 0, "and restarts at sequence 0");
  // Nothing acknowledged in the new epoch yet: b goes alone first.
  assert.deepEqual(acc.drain(1, [queue], policy, 0), []);
  idem.onSuccess(b);
  // A new batch continues after it.
  const [c] = acc.drain(1, [queue], policy, 0);
  assert.equal(c.producerEpoch, 4);
  assert.equal(c.baseSequence, b.recordCount);
  idem.onSuccess(c);
  const [d] = acc.drain(1, [queue], policy, 0);
  assert.equal(d.baseSequence, b.recordCount + c.recordCount);
});

Deno.test("idempotence: split parts go back behind an earlier batch waiting to retry", () => {
  const { acc, idem, queue, policy } = idempotentSetup(0);
  const [acked] = acc.drain(1, [queue], policy, 0);
  idem.onSuccess(acked);
  const [a] = acc.drain(1, [queue], policy, 0);
  const [b] = acc.drain(1, [queue], policy, 0);
  // a comes back with a retriable error, then b with MESSAGE_TOO_LARGE: b is split.
  acc.reenqueue(a, 0);
  const parts = b.split(Math.floor(b.sizeInBytes / 2));
  assert.ok(parts.length > 1);
  idem.replace(b, parts);
  acc.deallocate(b);
  acc.reenqueueSplit(parts, 0);
  assert.deepEqual(
    queue.batches.slice(0, 1 + parts.length).map((x) => x.baseSequence),
    [a, ...parts].map((x) => x.baseSequence),
    "in sequence order",
  );
  // Only the first unacknowledged batch may go; were the parts first, nothing could be drained.
  assert.deepEqual(acc.drain(1, [queue], policy, 0), [a]);
  idem.onSuccess(a);
  assert.deepEqual(acc.drain(1, [queue], policy, 0), [parts[0]]);
  assert.equal(parts[0].baseSequence, b.baseSequence);
});

Deno.test("idempotence: after a batch of unknown fate, its successors go; a gap re-sequences them", () => {
  const { acc, idem, queue, policy } = idempotentSetup(0);
  const [acked] = acc.drain(1, [queue], policy, 0);
  idem.onSuccess(acked);
  const [a] = acc.drain(1, [queue], policy, 0);
  const [b] = acc.drain(1, [queue], policy, 0);
  // a expires after it was sent (maybe written, maybe not); b's request fails and is retried.
  idem.onFailure(a, true);
  acc.reenqueue(b, 0);
  assert.equal(idem.maybeBumpEpoch(), false);
  assert.equal(idem.epochBumps, 0, "no bump while b may still tell whether a was written");
  assert.deepEqual(acc.drain(1, [queue], policy, 0), [b], "the sequenced retry goes");
  assert.deepEqual(acc.drain(1, [queue], policy, 0), [], "new batches wait until a is resolved");
  // a was not written: b, right after it, meets a gap. As Java, b is retried
  // in a new epoch, where the partition restarts at sequence 0.
  idem.onSequenceError(b, 45, -1n);
  acc.reenqueue(b, 0);
  assert.equal(idem.maybeBumpEpoch(), false);
  assert.equal(idem.epochBumps, 1);
  assert.deepEqual([b.producerEpoch, b.baseSequence], [1, 0]);
  assert.deepEqual(acc.drain(1, [queue], policy, 0), [b]);
  idem.onSuccess(b);
  const [c] = acc.drain(1, [queue], policy, 0);
  assert.equal(c.producerEpoch, 1, "the partition goes on in the new epoch");
  assert.equal(c.baseSequence, b.recordCount);
});

Deno.test("idempotence: a batch of unknown fate is resolved when its successor is acknowledged", () => {
  const { acc, idem, queue, policy } = idempotentSetup(0);
  const [acked] = acc.drain(1, [queue], policy, 0);
  idem.onSuccess(acked);
  const [a] = acc.drain(1, [queue], policy, 0);
  const [b] = acc.drain(1, [queue], policy, 0);
  idem.onFailure(a, true);
  assert.deepEqual(acc.drain(1, [queue], policy, 0), [], "new batches wait");
  idem.onSuccess(b); // a was written after all: b followed it
  assert.equal(idem.maybeBumpEpoch(), false);
  assert.equal(idem.epochBumps, 0, "no gap, no bump");
  const [c] = acc.drain(1, [queue], policy, 0);
  assert.equal(c.producerEpoch, 0);
  assert.equal(c.baseSequence, b.baseSequence + b.recordCount);
});

Deno.test("queuesOf feeds the adaptive partitioner: the partition with no queued batches gets most new ones", () => {
  const { acc } = setup();
  for (const p of [1, 2, 3]) {
    for (let i = 0; i < 10; i++) assert.ok(acc.tryAppend(rec("x".repeat(900), p), p, 0, null));
  }
  const lengths = Array.from(acc.queuesOf("t") ?? [], (q) => q?.batches.length);
  assert.deepEqual(lengths, [undefined, 10, 10, 10]);
  const sticky = new StickyPartitioner(1, acc);
  const available = [0, 1, 2, 3];
  let zero = 0;
  for (let i = 0; i < 2000; i++) {
    const p = sticky.partition("t", 4, available);
    if (p === 0) zero++;
    sticky.onAppend("t", p, 10, 4, available);
  }
  assert.ok(zero / 2000 > 0.7, `partition 0 got ${zero / 2000} of the switches`);
});
