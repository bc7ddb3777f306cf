/**
 * Sends that wait: for their topic's metadata (per topic, so other topics go
 * on), for buffer memory (in call order), bounded by maxBlockedBytes; and
 * flush() waiting only for what was sent before it.
 */
import assert from "node:assert/strict";
import { Producer, TimeoutError } from "../../mod.ts";
import { fileURLToPath } from "node:url";
import { BOOTSTRAP, createTopic, uniqueTopic } from "../support/cluster.ts";
import { startFakeBroker } from "../support/fake_broker/mod.ts";

Deno.test("waiting: a send waiting for a missing topic's metadata does not delay sends to a known topic", async () => {
  const known = uniqueTopic("known");
  await createTopic(known, 1);
  await using producer = new Producer({
    bootstrapServers: BOOTSTRAP,
    allowAutoTopicCreation: false,
    maxBlockMs: 4000,
  });
  await producer.send({ topic: known, value: "warm" });
  const missing = producer.send({ topic: uniqueTopic("missing"), value: "v" }).catch((e) => e);
  const started = Date.now();
  const offsets = [];
  for (let i = 0; i < 5; i++) {
    offsets.push((await producer.send({ topic: known, value: `${i}` })).offset);
  }
  const took = Date.now() - started;
  assert.deepEqual(offsets, [1n, 2n, 3n, 4n, 5n]);
  assert.ok(took < 1500, `5 sends to the known topic took ${took} ms`);
  const error = await missing;
  assert.ok(error instanceof TimeoutError, String(error));
  assert.match(error.message, /not present in metadata after 4000 ms/);
});

Deno.test("waiting: records keep call order in their partition while sends wait for metadata and for memory", async () => {
  const topic = uniqueTopic("order");
  await createTopic(topic, 2);
  await using producer = new Producer({
    bootstrapServers: BOOTSTRAP,
    bufferMemory: 64 * 1024,
    batchSize: 16 * 1024,
    maxBlockedBytes: 8 * 1024 * 1024,
  });
  // No metadata yet: the first sends wait for it, the later ones for memory.
  const value = new Uint8Array(1000);
  const sends = Array.from(
    { length: 2000 },
    (_, i) => producer.send({ topic, value, partition: i % 2 }),
  );
  const mds = await Promise.all(sends);
  for (const p of [0, 1]) {
    const offsets = mds.filter((md) => md.partition === p).map((md) => md.offset);
    assert.equal(offsets.length, 1000);
    offsets.forEach((o, i) => assert.equal(o, BigInt(i), `partition ${p}, send ${i}`));
  }
});

Deno.test("waiting: past maxBlockedBytes send() rejects at once with QueueFullError, and memory stays bounded", async () => {
  // A broker that never answers Produce: the buffer fills and stays full. The
  // run is a child process so that it can collect garbage before measuring.
  await using broker = startFakeBroker({ kafka: { produce: [3, 8], partitions: 1 } });
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--v8-flags=--expose-gc",
      fileURLToPath(new URL("./queue_full_run.ts", import.meta.url)),
      broker.address,
    ],
    stdout: "piped",
    stderr: "inherit",
    signal: AbortSignal.timeout(120_000),
  }).output();
  assert.ok(output.success, `queue_full_run.ts exited ${output.code}`);
  const r = JSON.parse(new TextDecoder().decode(output.stdout).trim().split("\n").pop()!);
  const grownMib = (r.liveLoaded - r.liveBefore) / 1048576;
  console.log(
    `waiting ${r.waitingSends} sends (${r.waitingSendBytes} bytes), refused at once ${r.refusedAtOnce} of ${r.late}, live heap +${
      grownMib.toFixed(1)
    } MiB`,
  );
  assert.match(
    r.firstRefusal,
    /the send queue is full: \d+ send\(s\) of \d+ bytes already wait for metadata or buffer memory \(maxBlockedBytes 16777216\)/,
  );
  assert.ok(r.waitingSendBytes <= r.bufferMemory, `${r.waitingSendBytes} bytes wait`);
  assert.ok(r.bufferAvailableBytes < 64 * 1024, "the buffer is full");
  assert.ok(r.late > 350_000, `${r.late} sends after the queue filled`);
  assert.equal(r.refusedAtOnce, r.late, "each send past the bound is refused at once");
  // Live: 16 MiB of batches and at most 16 MiB of waiting sends (1 KiB + 256 B
  // counted each), plus up to 5 encoded Produce requests in flight, the
  // ~28,000 promises the run itself keeps, and the runtime's own (measured:
  // +37 MiB; +57 MiB before bufferMemory counted 1 KiB per record; without
  // the bound, +418 MiB).
  assert.ok(grownMib < 80, `live heap grew by ${grownMib.toFixed(1)} MiB`);
});

Deno.test("waiting: flush() returns once what was sent before it settles, while other code keeps sending", async () => {
  const topic = uniqueTopic("flush");
  await createTopic(topic, 1);
  await using producer = new Producer({
    bootstrapServers: BOOTSTRAP,
    bufferMemory: 256 * 1024,
    batchSize: 16 * 1024,
    lingerMs: 1000,
    maxBlockedBytes: 64 * 1024 * 1024,
  });
  await producer.send({ topic, value: "warm" });
  let sending = true;
  const background: Promise<unknown>[] = [];
  const value = new Uint8Array(1000);
  const loop = (async () => {
    while (sending) {
      // Keep sends waiting for memory all the time, but under maxBlockedBytes.
      if (producer.metrics().waitingSends < 2000) {
        for (let i = 0; i < 200; i++) background.push(producer.send({ topic, value }));
      }
      await new Promise((r) => setTimeout(r, 1));
    }
  })();
  await new Promise((r) => setTimeout(r, 300));
  const before = background.slice();
  let settledBefore = 0;
  for (const p of before) p.then(() => settledBefore++, () => settledBefore++);
  const started = Date.now();
  await producer.flush();
  const took = Date.now() - started;
  await Promise.resolve();
  sending = false;
  await loop;
  assert.ok(took < 5000, `flush took ${took} ms`);
  assert.equal(settledBefore, before.length, "every send made before flush() is settled");
  await Promise.all(background);
});
