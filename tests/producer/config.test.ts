import assert from "node:assert/strict";
import { ConfigError, Producer } from "../../mod.ts";
import { parseBootstrapServers, resolveConfig } from "../../lib/producer/config.ts";

const base = { bootstrapServers: ["127.0.0.1:9092"] };

Deno.test("defaults are Java 4.x's", () => {
  const c = resolveConfig(base);
  assert.equal(c.acks, -1);
  assert.equal(c.enableIdempotence, true);
  assert.equal(c.lingerMs, 5);
  assert.equal(c.batchSize, 16384);
  assert.equal(c.bufferMemory, 33554432);
  assert.equal(c.maxBlockMs, 60000);
  assert.equal(c.maxBlockedBytes, 33554432, "maxBlockedBytes defaults to bufferMemory");
  assert.equal(c.deliveryTimeoutMs, 120000);
  assert.equal(c.requestTimeoutMs, 30000);
  assert.equal(c.retries, 2147483647);
  assert.equal(c.retryBackoffMs, 100);
  assert.equal(c.retryBackoffMaxMs, 1000);
  assert.equal(c.maxInFlightRequestsPerConnection, 5);
  assert.equal(c.maxRequestSize, 1048576);
  assert.equal(c.metadataMaxAgeMs, 300000);
  assert.equal(c.metadataMaxIdleMs, 300000);
  assert.equal(c.partitionerIgnoreKeys, false);
  assert.equal(c.partitionerAdaptivePartitioning, true);
});

Deno.test("bootstrap servers: arrays, comma lists, IPv6", () => {
  assert.deepEqual(parseBootstrapServers("a:1, b:2"), [{ host: "a", port: 1 }, {
    host: "b",
    port: 2,
  }]);
  assert.deepEqual(parseBootstrapServers(["[::1]:9092"]), [{ host: "::1", port: 9092 }]);
});

Deno.test("invalid options throw ConfigError naming the option", () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ bootstrapServers: [] }, /bootstrapServers must name at least one broker/],
    [{ bootstrapServers: "" }, /bootstrapServers must name at least one broker/],
    [{ bootstrapServers: ["localhost"] }, /"localhost" is not host:port/],
    [{ bootstrapServers: ["host:99999"] }, /"host:99999" is not host:port/],
    [{ bootstrapServers: ["http://h:1"] }, /is not host:port/],
    [{ bootstrapServers: [9092] }, /is not a string/],
    [{ ...base, batchSize: -1 }, /batchSize must be an integer in 0\.\./],
    [{ ...base, lingerMs: 1.5 }, /lingerMs must be an integer/],
    [{ ...base, bufferMemory: 0 }, /bufferMemory must be an integer in 1\.\./],
    [{ ...base, maxRequestSize: "1mb" }, /maxRequestSize must be an integer/],
    [{ ...base, acks: 2 }, /acks must be "all", -1, 0 or 1, got 2/],
    [
      { ...base, deliveryTimeoutMs: 1000 },
      /deliveryTimeoutMs \(1000\) must be at least lingerMs \+ requestTimeoutMs \(30005\)/,
    ],
    [
      { ...base, enableIdempotence: true, acks: 1 },
      /enableIdempotence requires that acks must be "all"/,
    ],
    [{ ...base, enableIdempotence: true, maxInFlightRequestsPerConnection: 6 }, /at most 5/],
    [{ ...base, enableIdempotence: true, retries: 0 }, /retries must be greater than 0/],
    [{ ...base, enableIdempotence: "yes" }, /enableIdempotence must be a boolean/],
    [{ ...base, partitioner: 3 }, /partitioner must be a function/],
    [{ ...base, metadataMaxIdleMs: 4999 }, /metadataMaxIdleMs must be an integer in 5000\.\./],
    [
      { ...base, partitionerAdaptivePartitioning: "yes" },
      /partitionerAdaptivePartitioning must be a boolean/,
    ],
  ];
  for (const [options, message] of cases) {
    assert.throws(
      () => new Producer(options as never),
      (e: Error) => e instanceof ConfigError && message.test(e.message),
      JSON.stringify(options),
    );
  }
});

Deno.test("conflicting settings turn idempotence off when it was not asked for", () => {
  assert.equal(resolveConfig({ ...base, acks: 1 }).enableIdempotence, false);
  assert.equal(
    resolveConfig({ ...base, maxInFlightRequestsPerConnection: 10 }).enableIdempotence,
    false,
  );
  assert.equal(resolveConfig({ ...base, enableIdempotence: false }).enableIdempotence, false);
});
