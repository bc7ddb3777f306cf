/**
 * Bad input catalogue, part 4: using the producer wrongly over its life —
 * send after close, close twice, close with a timeout while records are
 * stuck, and aborted signals.
 */
import assert from "node:assert/strict";
import { InvalidRecordError, Producer, ProducerClosedError, TimeoutError } from "../../mod.ts";
import { BOOTSTRAP, createTopic, uniqueTopic } from "../support/cluster.ts";
import { startFakeBroker } from "../support/fake_broker/mod.ts";

Deno.test("lifecycle: send after close is ProducerClosedError; what was sent before lands", async () => {
  const topic = uniqueTopic("after-close");
  await createTopic(topic, 1);
  const producer = new Producer({ bootstrapServers: BOOTSTRAP });
  const before = producer.send({ topic, value: "before" });
  const closing = producer.close();
  const error = await producer.send({ topic, value: "after" }).catch((e) => e);
  assert.ok(error instanceof ProducerClosedError, String(error));
  assert.match(error.message, /cannot send: the producer is closed/);
  await closing;
  assert.equal((await before).offset, 0n);
  await assert.rejects(producer.send({ topic, value: "later" }), ProducerClosedError);
});

Deno.test("lifecycle: close twice (and dispose after close) resolves without error", async () => {
  const topic = uniqueTopic("close-twice");
  await createTopic(topic, 1);
  const producer = new Producer({ bootstrapServers: BOOTSTRAP });
  await producer.send({ topic, value: "v" });
  const first = producer.close();
  const second = producer.close({ timeoutMs: 10 });
  assert.equal(second, first, "the same promise");
  await first;
  await second;
  await producer.close();
  await producer[Symbol.asyncDispose]();
});

Deno.test("lifecycle: close({timeoutMs}) with a broker unreachable: bounded, stuck records ProducerClosedError", async () => {
  const producer = new Producer({ bootstrapServers: ["127.0.0.1:1"], maxBlockMs: 60_000 });
  const stuck = [0, 1, 2].map((i) => producer.send({ topic: "never", value: `${i}` }));
  for (const p of stuck) p.catch(() => {});
  const started = Date.now();
  await producer.close({ timeoutMs: 300 });
  const took = Date.now() - started;
  assert.ok(took >= 250 && took < 5000, `close took ${took} ms`);
  for (const p of stuck) {
    const error = await p.catch((e) => e);
    assert.ok(error instanceof ProducerClosedError, String(error));
    assert.match(error.message, /closed while waiting for metadata of "never"/);
  }
});

Deno.test("lifecycle: close({timeoutMs}) with requests in flight to a broker that never answers", async () => {
  await using broker = startFakeBroker({ kafka: { produce: [3, 8], partitions: 2 } });
  const producer = new Producer({ bootstrapServers: broker.address, acks: 1, lingerMs: 0 });
  const stuck = [0, 1, 0, 1].map((partition) =>
    producer.send({ topic: "t", value: "v", partition })
  );
  for (const p of stuck) p.catch(() => {});
  const deadline = Date.now() + 10_000;
  while (broker.produceRequests === 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.ok(broker.produceRequests > 0, "the records were sent");
  const started = Date.now();
  await producer.close({ timeoutMs: 300 });
  assert.ok(Date.now() - started < 5000, `close took ${Date.now() - started} ms`);
  for (const p of stuck) {
    const error = await p.catch((e) => e);
    assert.ok(error instanceof ProducerClosedError, String(error));
    assert.match(
      error.message,
      /closed before the record was acknowledged \(close timeout 300 ms\)/,
    );
  }
});

Deno.test("lifecycle: a signal aborted before send rejects with its reason; nothing is written", async () => {
  const topic = uniqueTopic("abort-before");
  await createTopic(topic, 1);
  await using producer = new Producer({ bootstrapServers: BOOTSTRAP });
  const controller = new AbortController();
  controller.abort();
  const error = await producer.send({ topic, value: "aborted" }, { signal: controller.signal })
    .catch((e) => e);
  assert.ok(error instanceof DOMException && error.name === "AbortError", String(error));
  const reason = new TimeoutError("gave up");
  const custom = await producer.send({ topic, value: "aborted" }, {
    signal: AbortSignal.abort(reason),
  }).catch((e) => e);
  assert.equal(custom, reason, "rejects with the signal's own reason");
  assert.equal(
    (await producer.send({ topic, value: "kept" })).offset,
    0n,
    "no aborted record landed",
  );
});

Deno.test("lifecycle: a signal aborted during the wait for metadata, or for buffer memory", async () => {
  await using producer = new Producer({
    bootstrapServers: BOOTSTRAP,
    maxBlockMs: 30_000,
    allowAutoTopicCreation: false,
  });
  const started = Date.now();
  const error = await producer.send({ topic: uniqueTopic("missing"), value: "v" }, {
    signal: AbortSignal.timeout(300),
  }).catch((e) => e);
  assert.ok(error instanceof DOMException && error.name === "TimeoutError", String(error));
  assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);

  await using broker = startFakeBroker({ kafka: { produce: [3, 8], partitions: 1 } });
  const stalled = new Producer({
    bootstrapServers: broker.address,
    acks: 1,
    bufferMemory: 20_000,
    maxBlockedBytes: 100_000,
    maxBlockMs: 30_000,
    lingerMs: 0,
  });
  const held = stalled.send({ topic: "t", value: new Uint8Array(15_000) });
  held.catch(() => {});
  const controller = new AbortController();
  const waiting = stalled.send({ topic: "t", value: new Uint8Array(15_000) }, {
    signal: controller.signal,
  });
  setTimeout(() => controller.abort(new Error("stop waiting for memory")), 300);
  await assert.rejects(waiting, /stop waiting for memory/);
  await stalled.close({ timeoutMs: 100 });
  await assert.rejects(held, ProducerClosedError);
});

Deno.test("lifecycle: send options that are not an object, or a signal that is not an AbortSignal", async () => {
  const topic = uniqueTopic("bad-signal");
  await createTopic(topic, 1);
  await using producer = new Producer({ bootstrapServers: BOOTSTRAP });
  const inFlight = producer.send({ topic, value: "in flight" });
  const cases: [unknown, RegExp][] = [
    [{ signal: {} }, /send options: signal must be an AbortSignal, got Object/],
    [{ signal: "abort" }, /send options: signal must be an AbortSignal, got string/],
    [{ signal: new AbortController() }, /signal must be an AbortSignal, got AbortController/],
    ["fast", /send options must be an object, got string/],
  ];
  for (const [options, pattern] of cases) {
    // Both before the topic is known (slow path) and after (fast path) the check is the same.
    for (const name of [topic, uniqueTopic("unknown")]) {
      const error = await producer.send({ topic: name, value: "v" }, options as never).catch((e) =>
        e
      );
      assert.ok(error instanceof InvalidRecordError, `${JSON.stringify(options)}: ${error}`);
      assert.match(error.message, pattern);
    }
  }
  assert.equal((await inFlight).offset, 0n);
  assert.equal((await producer.send({ topic, value: "v" }, { signal: null as never })).offset, 1n);
});

Deno.test("lifecycle: close({timeoutMs}) while a send waits for buffer memory", async () => {
  await using broker = startFakeBroker({ kafka: { produce: [3, 8], partitions: 1 } });
  const producer = new Producer({
    bootstrapServers: broker.address,
    acks: 1,
    bufferMemory: 20_000,
    maxBlockedBytes: 100_000,
    maxBlockMs: 60_000,
    lingerMs: 0,
  });
  const held = producer.send({ topic: "t", value: new Uint8Array(15_000) });
  const blocked = producer.send({ topic: "t", value: new Uint8Array(15_000) });
  for (const p of [held, blocked]) p.catch(() => {});
  await new Promise((r) => setTimeout(r, 300));
  const started = Date.now();
  await producer.close({ timeoutMs: 200 });
  assert.ok(Date.now() - started < 5000, `close took ${Date.now() - started} ms`);
  const error = await blocked.catch((e) => e);
  assert.ok(error instanceof ProducerClosedError, String(error));
  assert.match(error.message, /closed while send\(\) waited for buffer memory/);
  await assert.rejects(held, ProducerClosedError);
});
