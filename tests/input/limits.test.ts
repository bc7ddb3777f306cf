/**
 * Bad input catalogue, part 3: size limits — the client's maxRequestSize,
 * the broker's message.max.bytes (split, or fail one record), and buffer
 * memory exhausted past maxBlockMs.
 */
import assert from "node:assert/strict";
import {
  KafkaError,
  Producer,
  ProducerClosedError,
  RecordTooLargeError,
  TimeoutError,
} from "../../mod.ts";
import { BOOTSTRAP, createTopic, uniqueTopic } from "../support/cluster.ts";
import { startFakeBroker } from "../support/fake_broker/mod.ts";

Deno.test("limits: a record over maxRequestSize is RecordTooLargeError; records in flight land", async () => {
  const topic = uniqueTopic("max-request");
  await createTopic(topic, 1);
  await using producer = new Producer({ bootstrapServers: BOOTSTRAP, maxRequestSize: 5_000 });
  const before = producer.send({ topic, value: "before" });
  const error = await producer.send({
    topic,
    value: "v",
    headers: [["big", new Uint8Array(6_000)]],
  }).catch((e) => e);
  assert.ok(error instanceof RecordTooLargeError, String(error));
  assert.match(
    error.message,
    /the record is \d+ bytes when serialized, larger than maxRequestSize \(5000\)/,
  );
  const after = producer.send({ topic, value: "after" });
  assert.deepEqual([(await before).offset, (await after).offset], [0n, 1n]);
});

Deno.test("limits: over the topic's max.message.bytes, a batch of many records is split and lands", async () => {
  const topic = uniqueTopic("split");
  await createTopic(topic, 1, { configs: { "max.message.bytes": "2000" } });
  await using producer = new Producer({ bootstrapServers: BOOTSTRAP, lingerMs: 200 });
  const values = Array.from({ length: 6 }, (_, i) => `${i}`.padEnd(1200, "x"));
  const sent = values.map((value) => producer.send({ topic, value }));
  const offsets = (await Promise.all(sent)).map((md) => md.offset);
  // Each record's own offset: all six landed, in the order they were sent.
  assert.deepEqual(offsets, [0n, 1n, 2n, 3n, 4n, 5n]);
  assert.ok(producer.metrics().splits > 0, "the batch was split");
});

Deno.test("limits: a single record over max.message.bytes fails with MESSAGE_TOO_LARGE; others land", async () => {
  const topic = uniqueTopic("too-large-broker");
  await createTopic(topic, 2, { configs: { "max.message.bytes": "2000" } });
  await using producer = new Producer({ bootstrapServers: BOOTSTRAP });
  const other = producer.send({ topic, value: "small", partition: 1 });
  const error = await producer.send({ topic, value: "x".repeat(5000), partition: 0 }).catch((e) =>
    e
  );
  assert.ok(error instanceof RecordTooLargeError, String(error));
  assert.match(
    error.message,
    /rejected a \d+-byte record for .*-0 as too large \(message\.max\.bytes\)/,
  );
  const cause = error.cause;
  assert.ok(cause instanceof KafkaError, String(cause));
  assert.equal(cause.code, 10);
  assert.equal(cause.name, "MESSAGE_TOO_LARGE");
  assert.equal((await other).offset, 0n);
  // The partition still takes records that fit.
  assert.equal((await producer.send({ topic, value: "fits", partition: 0 })).offset, 0n);
});

Deno.test("limits: bufferMemory exhausted past maxBlockMs is a TimeoutError naming buffer memory", async () => {
  // A broker that never answers Produce, so the memory stays taken.
  await using broker = startFakeBroker({ kafka: { produce: [3, 8], partitions: 1 } });
  const producer = new Producer({
    bootstrapServers: broker.address,
    acks: 1,
    bufferMemory: 40_000,
    maxBlockedBytes: 100_000,
    maxBlockMs: 500,
    lingerMs: 0,
  });
  const value = new Uint8Array(15_000);
  const held = [producer.send({ topic: "t", value }), producer.send({ topic: "t", value })];
  for (const p of held) p.catch(() => {});
  const started = Date.now();
  const first = producer.send({ topic: "t", value }).catch((e) => e);
  const second = producer.send({ topic: "t", value }).catch((e) => e); // queued behind the first
  const error = await first;
  const waited = Date.now() - started;
  assert.ok(error instanceof TimeoutError, String(error));
  assert.match(
    error.message,
    /failed to allocate 16384 bytes: bufferMemory \(40000 bytes\) stayed full for the \d+ ms left of maxBlockMs/,
  );
  assert.ok(waited >= 450 && waited < 5000, `waited ${waited} ms`);
  const behind = await second;
  assert.ok(behind instanceof TimeoutError, String(behind));
  assert.match(
    behind.message,
    /waited maxBlockMs \(500 ms\) behind earlier sends and bufferMemory \(40000 bytes\) is still full/,
  );
  await producer.close({ timeoutMs: 100 });
  for (const p of held) await assert.rejects(p, ProducerClosedError);
});

Deno.test("limits: many empty headers count toward the size check (their varints), refused at once", async () => {
  await using producer = new Producer({ bootstrapServers: "127.0.0.1:1", maxBlockMs: 30_000 });
  // 600,000 headers of 2 bytes each on the wire: 1.2 MB, with no key or value bytes at all.
  const headers = Array.from({ length: 600_000 }, () => ["", null] as [string, null]);
  const started = Date.now();
  const error = await producer.send({ topic: "t", value: null, headers }).catch((e) => e);
  assert.ok(error instanceof RecordTooLargeError, String(error));
  assert.match(error.message, /larger than maxRequestSize \(1048576\)/);
  assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
});

Deno.test("limits: a custom partitioner is called once per record, also for records that wait for memory", async () => {
  await using broker = startFakeBroker({ kafka: { produce: [3, 8], partitions: 2 } });
  let calls = 0;
  const producer = new Producer({
    bootstrapServers: broker.address,
    acks: 1,
    bufferMemory: 40_000,
    batchSize: 16_384,
    maxBlockedBytes: 1_000_000,
    lingerMs: 0,
    partitioner: () => (calls++) % 2,
  });
  const value = new Uint8Array(15_000);
  const sends = Array.from({ length: 6 }, () => producer.send({ topic: "t", value }));
  for (const s of sends) s.catch(() => {});
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(producer.metrics().waitingSends >= 3, `${producer.metrics().waitingSends} waiting`);
  await producer.close({ timeoutMs: 0 });
  assert.equal(calls, 6, "one call per record");
});
