/**
 * Bad input and unreachable brokers get typed errors that name the problem,
 * within the configured bounds; nothing hangs.
 */
import assert from "node:assert/strict";
import {
  InvalidRecordError,
  Producer,
  ProducerClosedError,
  RecordTooLargeError,
  TimeoutError,
} from "../../mod.ts";
import { BOOTSTRAP, createTopic, uniqueTopic } from "../support/cluster.ts";

Deno.test("unreachable bootstrap server: TimeoutError within maxBlockMs, naming the refused connection", async () => {
  await using producer = new Producer({ bootstrapServers: ["127.0.0.1:1"], maxBlockMs: 1500 });
  const start = Date.now();
  const error = await producer.send({ topic: "t", value: "v" }).catch((e) => e);
  const elapsed = Date.now() - start;
  assert.ok(error instanceof TimeoutError, String(error));
  assert.match(error.message, /not present in metadata after 1500 ms/);
  assert.match(error.message, /127\.0\.0\.1:1/);
  assert.ok(elapsed >= 1400 && elapsed < 5000, `took ${elapsed} ms`);
});

Deno.test("unknown topic with auto-creation off: TimeoutError naming UNKNOWN_TOPIC_OR_PARTITION", async () => {
  await using producer = new Producer({
    bootstrapServers: BOOTSTRAP,
    maxBlockMs: 1500,
    allowAutoTopicCreation: false,
  });
  const error = await producer.send({ topic: uniqueTopic("missing"), value: "v" }).catch((e) => e);
  assert.ok(error instanceof TimeoutError, String(error));
  assert.match(error.message, /UNKNOWN_TOPIC_OR_PARTITION/);
});

Deno.test("record larger than maxRequestSize: RecordTooLargeError, others still delivered", async () => {
  const topic = uniqueTopic("too-large");
  await createTopic(topic, 1);
  await using producer = new Producer({ bootstrapServers: BOOTSTRAP, maxRequestSize: 10_000 });
  const ok = producer.send({ topic, value: "small" });
  await assert.rejects(
    producer.send({ topic, value: new Uint8Array(20_000) }),
    (e: Error) => e instanceof RecordTooLargeError && /maxRequestSize \(10000\)/.test(e.message),
  );
  assert.equal((await ok).offset, 0n);
});

Deno.test("invalid records: typed errors naming the field", async () => {
  const topic = uniqueTopic("invalid");
  await createTopic(topic, 2);
  await using producer = new Producer({ bootstrapServers: BOOTSTRAP });
  const cases: [unknown, RegExp][] = [
    [{ topic: "bad topic!", value: "v" }, /invalid topic name/],
    [{ topic: "", value: "v" }, /invalid topic name/],
    [{ topic, value: undefined }, /has no value: pass null/],
    [{ topic, value: 42 }, /value must be a Uint8Array, a string or null, got number/],
    [{ topic, value: "v", key: {} }, /key must be a Uint8Array/],
    [{ topic, value: "v", partition: -1 }, /partition must be a non-negative integer/],
    [{ topic, value: "v", partition: 1.5 }, /partition must be a non-negative integer/],
    [
      { topic, value: "v", partition: 2 },
      /partition 2 is out of range: topic ".*" has 2 partition/,
    ],
    [{ topic, value: "v", timestamp: -5 }, /timestamp must be epoch milliseconds/],
    [{ topic, value: "v", timestamp: 1e20 }, /timestamp must be epoch milliseconds/],
    [
      { topic, value: "v", headers: [[new Uint8Array([0xff]), "x"]] },
      /header key must be a string/,
    ],
    [{ topic, value: "v", headers: { a: undefined } }, /header "a" has value undefined/],
    [{ topic, value: "v", headers: "x" }, /headers must be a plain object or an array/],
  ];
  for (const [record, message] of cases) {
    await assert.rejects(
      producer.send(record as never),
      (e: Error) => e instanceof InvalidRecordError && message.test(e.message),
      `${JSON.stringify(record)} → ${message}`,
    );
  }
  // The producer still works after all that.
  assert.equal((await producer.send({ topic, value: "fine", partition: 1 })).partition, 1);
});

Deno.test("send after close, and close twice", async () => {
  const topic = uniqueTopic("closed");
  await createTopic(topic, 1);
  const producer = new Producer({ bootstrapServers: BOOTSTRAP });
  const pending = producer.send({ topic, value: "before close" });
  const closing = producer.close();
  assert.equal(producer.close(), closing, "close() twice returns the same promise");
  await assert.rejects(producer.send({ topic, value: "after" }), ProducerClosedError);
  await closing;
  assert.equal((await pending).offset, 0n, "what was sent before close is delivered");
});

Deno.test("aborted signal: before the send, and while it waits for metadata", async () => {
  await using producer = new Producer({
    bootstrapServers: BOOTSTRAP,
    maxBlockMs: 30_000,
    allowAutoTopicCreation: false,
  });
  const before = new AbortController();
  before.abort(new Error("cancelled before"));
  await assert.rejects(
    producer.send({ topic: "t", value: "v" }, { signal: before.signal }),
    /cancelled before/,
  );
  const during = new AbortController();
  const start = Date.now();
  const sending = producer.send({ topic: uniqueTopic("nowhere"), value: "v" }, {
    signal: during.signal,
  });
  setTimeout(() => during.abort(new Error("cancelled during")), 200);
  await assert.rejects(sending, /cancelled during/);
  assert.ok(Date.now() - start < 5000);
});

Deno.test("close with a timeout while records are stuck rejects them with ProducerClosedError", async () => {
  const producer = new Producer({
    bootstrapServers: ["127.0.0.1:1"],
    maxBlockMs: 60_000,
  });
  const stuck = producer.send({ topic: "never", value: "v" });
  const start = Date.now();
  await producer.close({ timeoutMs: 300 });
  await assert.rejects(stuck, ProducerClosedError);
  assert.ok(Date.now() - start < 5000, "close returned promptly");
});
