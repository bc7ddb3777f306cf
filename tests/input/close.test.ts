/**
 * close() is bounded: with sends waiting for memory and a broker that
 * stopped answering, close({ timeoutMs }) resolves within that bound and
 * settles every promise; a connect still in progress ends with it.
 */
import assert from "node:assert/strict";
import { Producer, ProducerClosedError } from "../../mod.ts";
import type { Socket, Transport } from "../../mod.ts";
import { startFakeBroker } from "../support/fake_broker/mod.ts";

Deno.test("close: close({timeoutMs: 300}) with 3,000 sends waiting for memory and an unanswering broker settles every promise", async () => {
  // The fake broker reads Produce requests and never answers them.
  await using broker = startFakeBroker({ kafka: { produce: [3, 8], partitions: 2 } });
  const producer = new Producer({
    bootstrapServers: broker.address,
    acks: 1,
    bufferMemory: 64 * 1024,
    batchSize: 16 * 1024,
    maxBlockedBytes: 64 * 1024 * 1024,
    lingerMs: 0,
  });
  let settled = 0;
  const sends = Array.from(
    { length: 3000 },
    (_, i) =>
      producer.send({ topic: "t", value: new Uint8Array(1000), partition: i % 2 }).then(
        () => "ok",
        (error) => error,
      ).finally(() => settled++),
  );
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(producer.metrics().waitingSends > 2000, `${producer.metrics().waitingSends} waiting`);
  const started = Date.now();
  await producer.close({ timeoutMs: 300 });
  const took = Date.now() - started;
  assert.ok(took < 300 + 200, `close took ${took} ms`);
  await Promise.resolve();
  assert.equal(settled, 3000, "every promise is settled once close resolves");
  for (const outcome of await Promise.all(sends)) {
    assert.ok(outcome instanceof ProducerClosedError, String(outcome));
  }
  assert.equal(producer.metrics().waitingSends, 0);
  assert.equal(producer.metrics().incompleteBatches, 0);
});

Deno.test("close: a send made before close() to a topic whose metadata is not known yet is still delivered", async () => {
  await using broker = startFakeBroker({ kafka: { produce: [3, 8], partitions: 1 } });
  const producer = new Producer({ bootstrapServers: broker.address, acks: 0 });
  const before = producer.send({ topic: "t", value: "sent before close" });
  await producer.close();
  assert.equal((await before).partition, 0);
  for (let i = 0; i < 100 && broker.produceRequests === 0; i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(broker.produceRequests, 1, "the record reached the broker");
});

Deno.test("close: ends a connect still in progress, and its timer", async () => {
  // A transport whose connect never completes: close() must not wait for
  // connectTimeoutMs, and Deno's sanitizers fail the test on a leaked timer.
  let connects = 0;
  const never: Transport = {
    connect: () => {
      connects++;
      return new Promise<Socket>(() => {});
    },
  };
  const producer = new Producer({
    bootstrapServers: "127.0.0.1:9",
    transport: never,
    connectTimeoutMs: 60_000,
  });
  const pending = producer.send({ topic: "t", value: "v" });
  pending.catch(() => {});
  while (connects === 0) await new Promise((r) => setTimeout(r, 5));
  const started = Date.now();
  await producer.close({ timeoutMs: 50 });
  assert.ok(Date.now() - started < 1000, `close took ${Date.now() - started} ms`);
  await assert.rejects(pending, ProducerClosedError);
});

Deno.test("close: close({timeoutMs}) after a close() without one shortens the wait", async () => {
  await using broker = startFakeBroker({ kafka: { produce: [3, 8], partitions: 1 } });
  const producer = new Producer({ bootstrapServers: broker.address, acks: 1, lingerMs: 0 });
  const stuck = producer.send({ topic: "t", value: "never answered" });
  stuck.catch(() => {});
  while (broker.produceRequests === 0) await new Promise((r) => setTimeout(r, 10));
  const graceful = producer.close(); // would wait up to deliveryTimeoutMs
  const started = Date.now();
  assert.equal(producer.close({ timeoutMs: 100 }), graceful, "the same close");
  await graceful;
  assert.ok(Date.now() - started < 1000, `close took ${Date.now() - started} ms`);
  await assert.rejects(stuck, ProducerClosedError);
});
