/**
 * How a ProducerBatch settles its records' promises: it keeps one settler
 * per record (the promise's resolve function) and rejects through a
 * `Rejection` thenable, with no rejected promise of its own that the runtime
 * could report as unhandled.
 */
import assert from "node:assert/strict";
import { type PartitionQueue, ProducerBatch, Rejection } from "../../lib/producer/batch.ts";
import { encodeRecord, type RecordMetadata } from "../../lib/producer/record.ts";

const T0 = 1_700_000_000_000;

function batchOf(count: number) {
  const queue: PartitionQueue = { topic: "t", partition: 3, batches: [], inFlight: 0 };
  const batch = new ProducerBatch(queue, new Uint8Array(4096), T0);
  const results: Promise<RecordMetadata>[] = [];
  for (let i = 0; i < count; i++) {
    const promise = new Promise<RecordMetadata>((resolve) => {
      assert.ok(batch.tryAppend(encodeRecord({ topic: "t", value: `v${i}` }, T0 + i), resolve));
    });
    results.push(promise);
  }
  return { batch, results };
}

Deno.test("batch: complete resolves each record with its offset and create time, or the log append time", async () => {
  const { batch, results } = batchOf(3);
  batch.complete(40n, -1);
  assert.deepEqual(await Promise.all(results), [
    { topic: "t", partition: 3, offset: 40n, timestamp: T0 },
    { topic: "t", partition: 3, offset: 41n, timestamp: T0 + 1 },
    { topic: "t", partition: 3, offset: 42n, timestamp: T0 + 2 },
  ]);
  const other = batchOf(2);
  other.batch.complete(-1n, T0 + 500);
  for (const metadata of await Promise.all(other.results)) {
    assert.equal(metadata.offset, -1n, "offset unknown (acks=0)");
    assert.equal(metadata.timestamp, T0 + 500, "the broker's log append time");
  }
});

Deno.test("batch: fail rejects every record with the same error, skipping records without a promise, and its outcome too", async () => {
  const { batch, results } = batchOf(2);
  assert.ok(batch.tryAppend(encodeRecord({ topic: "t", value: "unwatched" }, T0), null));
  const outcome = batch.outcome;
  const error = new Error("broker said no");
  batch.fail(error);
  for (const result of results) await assert.rejects(result, (e) => e === error);
  await assert.rejects(outcome, (e) => e === error);
  assert.equal(batch.recordCount, 3);
});

Deno.test("Rejection: a promise resolved with it rejects with its error; nothing is reported unhandled once handled", async () => {
  const reported: unknown[] = [];
  const onUnhandled = (event: PromiseRejectionEvent) => {
    reported.push(event.reason);
    event.preventDefault();
  };
  globalThis.addEventListener("unhandledrejection", onUnhandled);
  try {
    const error = new Error("failed");
    let settle!: (value: Rejection) => void;
    const promise = new Promise<never>((resolve) => settle = resolve);
    settle(new Rejection(error));
    await assert.rejects(promise, (e) => e === error);
    await new Promise((resolve) => setTimeout(resolve, 10)); // past the runtime's check
    assert.deepEqual(reported, []);
  } finally {
    globalThis.removeEventListener("unhandledrejection", onUnhandled);
  }
});
