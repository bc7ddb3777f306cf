/**
 * `producer.metrics()`: Java's producer-metrics vocabulary, windowed as
 * Java's (rates over at least 30 s), counted per batch and per request —
 * against the in-memory fake broker (retries, errors, throttling,
 * compression, the per-broker map) and against the real broker.
 */
import assert from "node:assert/strict";
import { Producer } from "../../mod.ts";
import { BOOTSTRAP, createTopic, uniqueTopic } from "../support/cluster.ts";
import { fakeBroker } from "../support/fake_broker/mod.ts";

const NOT_LEADER_OR_FOLLOWER = 6;
const INVALID_RECORD = 87;

Deno.test("metrics: rates, averages and the per-broker map from a fake broker", async () => {
  let answers = 0;
  const broker = fakeBroker({
    partitions: 1,
    produceThrottleTimeMs: 7,
    // The first answer asks for a retry, the fourth refuses its batch for good.
    onProduce: () => {
      answers++;
      if (answers === 1) return { errorCode: NOT_LEADER_OR_FOLLOWER };
      if (answers === 4) return { errorCode: INVALID_RECORD };
      return undefined;
    },
  });
  const producer = new Producer({
    bootstrapServers: "fake:9092",
    transport: broker.transport,
    enableIdempotence: false,
    compressionType: "gzip",
    retryBackoffMs: 1,
    lingerMs: 0,
  });
  const value = "x".repeat(200);
  const started = Date.now();
  await producer.send({ topic: "t", value }); // retried once, then written
  await producer.send({ topic: "t", value }); // written
  await assert.rejects(producer.send({ topic: "t", value }), /INVALID_RECORD/);
  const m = producer.metrics();
  const elapsedS = (Date.now() - started) / 1000;
  assert.equal(m.recordsSent, 2);
  assert.equal(m.retries, 1);
  assert.equal(m.recordErrors, 1);
  // Four Produce requests (one retried), one record each; a rate divides by the time plus 30 s.
  assert.ok(Math.abs(m.recordSendRate - 4 / (30 + elapsedS)) < 0.01, `${m.recordSendRate}`);
  assert.ok(Math.abs(m.requestRate - 4 / (30 + elapsedS)) < 0.01, `${m.requestRate}`);
  assert.ok(m.recordRetryRate > 0 && m.recordRetryRate <= 1 / 30, `${m.recordRetryRate}`);
  assert.ok(m.recordErrorRate > 0 && m.recordErrorRate <= 1 / 30, `${m.recordErrorRate}`);
  assert.equal(m.recordsPerRequestAvg, 1);
  assert.ok(m.compressionRateAvg > 0 && m.compressionRateAvg < 0.8, `${m.compressionRateAvg}`);
  assert.ok(m.batchSizeAvg > 61 && m.batchSizeAvg < 200, `${m.batchSizeAvg}`);
  assert.ok(m.batchSizeMax >= m.batchSizeAvg);
  assert.equal(m.produceThrottleTimeAvg, 7);
  assert.equal(m.produceThrottleTimeMax, 7);
  assert.ok(m.requestLatencyMax >= m.requestLatencyAvg && m.requestLatencyAvg >= 0);
  assert.ok(m.recordQueueTimeMax >= m.recordQueueTimeAvg && m.recordQueueTimeAvg >= 0);
  assert.deepEqual(Object.keys(m.nodes), ["fake:9092"]);
  assert.equal(m.nodes["fake:9092"].nodeId, 1);
  assert.equal(m.nodes["fake:9092"].requestLatencyMax, m.requestLatencyMax);
  assert.ok(m.nodes["fake:9092"].requestRate > 0);
  assert.equal(m.bufferTotalBytes, 32 * 1024 * 1024);
  assert.equal(m.bufferAvailableBytes, m.bufferTotalBytes);
  assert.equal(m.connectionCount, 1);
  assert.ok(m.metadataAge >= 0 && m.metadataAge < elapsedS + 1, `${m.metadataAge}`);
  assert.doesNotThrow(() => JSON.stringify(m), "plain numbers, JSON-able");
  await producer.close();
  assert.equal(producer.metrics().connectionCount, 0);
});

Deno.test("metrics: a fresh producer reads 0, not NaN", () => {
  const producer = new Producer({ bootstrapServers: "127.0.0.1:9092" });
  const m = producer.metrics();
  for (const [name, value] of Object.entries(m)) {
    if (typeof value === "number") assert.ok(Number.isFinite(value), `${name} is ${value}`);
  }
  assert.deepEqual(m.nodes, {});
  assert.equal(m.metadataAge, 0);
  producer.close();
});

Deno.test("metrics: against the real broker, per batch and per request", async () => {
  const topic = uniqueTopic("metrics");
  await createTopic(topic, 3);
  await using producer = new Producer({ bootstrapServers: BOOTSTRAP, lingerMs: 20 });
  const started = Date.now();
  await Promise.all(
    Array.from({ length: 3000 }, (_, i) => producer.send({ topic, key: `k${i}`, value: "v" })),
  );
  const m = producer.metrics();
  const elapsedS = (Date.now() - started) / 1000;
  assert.equal(m.recordsSent, 3000);
  assert.ok(m.recordSendRate > 3000 / (31 + elapsedS) && m.recordSendRate <= 3000 / 30);
  assert.ok(m.batchesSent >= 3 && m.requestsSent >= 1);
  assert.equal(m.recordsPerRequestAvg, 3000 / m.requestsSent);
  assert.ok(m.batchSizeAvg > 61 && m.batchSizeMax <= 16384, `${m.batchSizeAvg}`);
  assert.equal(m.compressionRateAvg, 1);
  assert.equal(m.produceThrottleTimeMax, 0);
  assert.equal(m.recordErrorRate, 0);
  assert.ok(m.requestLatencyMax >= m.requestLatencyAvg && m.requestLatencyMax < 10000);
  const [address] = Object.keys(m.nodes);
  assert.equal(address, BOOTSTRAP);
  assert.equal(m.nodes[address].nodeId, 1);
  assert.equal(m.connectionCount, 1);
  assert.ok(m.metadataAge < elapsedS + 1);
});
