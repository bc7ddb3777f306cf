/**
 * Bad input catalogue, part 1: invalid producer options. Each is a
 * ConfigError from the constructor whose message names the option and the
 * value; no broker is needed (nothing connects before the first send).
 */
import assert from "node:assert/strict";
import { ConfigError, Producer, type ProducerOptions } from "../../mod.ts";

const BROKER = ["127.0.0.1:9092"];

/** Asserts `new Producer(options)` throws ConfigError matching each pattern. */
function rejects(options: Record<string, unknown>, ...patterns: RegExp[]): void {
  assert.throws(
    () => new Producer({ bootstrapServers: BROKER, ...options } as ProducerOptions),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError, `${JSON.stringify(options)}: got ${e}`);
      assert.equal(e.name, "ConfigError");
      for (const p of patterns) assert.match(e.message, p, JSON.stringify(options));
      return true;
    },
  );
}

Deno.test("options: negative, zero and NaN sizes", () => {
  rejects({ batchSize: -1 }, /batchSize must be an integer in 0\.\.2147483647, got -1/);
  rejects({ bufferMemory: 0 }, /bufferMemory must be an integer in 1\.\./, /got 0/);
  rejects({ bufferMemory: -5 }, /bufferMemory/, /got -5/);
  rejects({ maxRequestSize: NaN }, /maxRequestSize must be an integer/, /got NaN/);
  rejects({ maxRequestSize: 0 }, /maxRequestSize/, /got 0/);
  rejects({ lingerMs: -1 }, /lingerMs/, /got -1/);
  rejects({ requestTimeoutMs: 0 }, /requestTimeoutMs/, /got 0/);
  rejects({ maxBlockMs: Infinity }, /maxBlockMs/, /got Infinity/);
  rejects({ batchSize: 1.5 }, /batchSize/, /got 1\.5/);
  rejects({ batchSize: "16384" }, /batchSize must be an integer/, /got "16384"/);
  rejects({ connectTimeoutMs: -100 }, /connectTimeoutMs/, /got -100/);
});

Deno.test("options: deliveryTimeoutMs below lingerMs + requestTimeoutMs", () => {
  rejects(
    { deliveryTimeoutMs: 1000, lingerMs: 100, requestTimeoutMs: 1000 },
    /deliveryTimeoutMs \(1000\) must be at least lingerMs \+ requestTimeoutMs \(1100\)/,
  );
  // With the default requestTimeoutMs (30000).
  rejects({ deliveryTimeoutMs: 20000 }, /deliveryTimeoutMs \(20000\)/, /30005/);
});

Deno.test("options: idempotence asked for with acks other than all", () => {
  rejects(
    { enableIdempotence: true, acks: 1 },
    /enableIdempotence requires that acks must be "all"/,
  );
  rejects({ enableIdempotence: true, acks: 0 }, /enableIdempotence requires/, /got 0/);
  // Left unset, a conflict turns idempotence off silently, as in Java.
  new Producer({ bootstrapServers: BROKER, acks: 1 }).close();
});

Deno.test("options: maxInFlightRequestsPerConnection above 5 with idempotence", () => {
  rejects(
    { enableIdempotence: true, maxInFlightRequestsPerConnection: 6 },
    /enableIdempotence requires that maxInFlightRequestsPerConnection must be at most 5 \(got 6\)/,
  );
  rejects({ maxInFlightRequestsPerConnection: 0 }, /maxInFlightRequestsPerConnection/, /got 0/);
});

Deno.test("options: retries below 0, and retries 0 with idempotence", () => {
  rejects({ retries: -1 }, /retries must be an integer in 0\.\.2147483647, got -1/);
  rejects({ enableIdempotence: true, retries: 0 }, /retries must be greater than 0/);
});

Deno.test("options: unknown acks values", () => {
  for (const acks of [2, "2", "none", -2, null, true, "ALL"]) {
    rejects({ acks }, /acks must be "all", -1, 0 or 1/, new RegExp(`got ${JSON.stringify(acks)}`));
  }
});

Deno.test("options: wrong types (options, clientId, partitioner, transport, booleans)", () => {
  assert.throws(() => new Producer(null as unknown as ProducerOptions), ConfigError);
  assert.throws(
    () => new Producer("127.0.0.1:9092" as unknown as ProducerOptions),
    /producer options must be an object/,
  );
  rejects({ clientId: 42 }, /clientId must be a string, got number/);
  rejects({ partitioner: "murmur2" }, /partitioner must be a function/);
  rejects({ transport: {} }, /transport must be an object with a connect\(host, port\) method/);
  rejects({ transport: "deno" }, /transport must be an object with a connect/);
  rejects({ transport: { connect: 5 } }, /transport must be an object with a connect/);
  rejects({ enableIdempotence: "yes" }, /enableIdempotence must be a boolean, got "yes"/);
  rejects({ allowAutoTopicCreation: 1 }, /allowAutoTopicCreation must be a boolean/);
});

Deno.test("bootstrap: empty, missing port, port out of range, garbage", () => {
  const empty = /bootstrapServers must name at least one broker/;
  rejects({ bootstrapServers: [] }, empty);
  rejects({ bootstrapServers: "" }, empty);
  rejects({ bootstrapServers: " , ," }, empty);
  rejects({ bootstrapServers: undefined }, empty);
  rejects({ bootstrapServers: ["127.0.0.1"] }, /"127\.0\.0\.1" is not host:port/);
  rejects({ bootstrapServers: ["broker:"] }, /"broker:" is not host:port/);
  rejects({ bootstrapServers: ["broker:0"] }, /"broker:0" is not host:port/);
  rejects({ bootstrapServers: ["broker:65536"] }, /"broker:65536" is not host:port/);
  rejects({ bootstrapServers: ["broker:123456"] }, /"broker:123456" is not host:port/);
  rejects({ bootstrapServers: ["broker:-1"] }, /"broker:-1" is not host:port/);
  rejects({ bootstrapServers: ["::1:9092"] }, /"::1:9092" is not host:port/);
  rejects({ bootstrapServers: ["http://broker:9092"] }, /"http:\/\/broker:9092" is not host:port/);
  rejects({ bootstrapServers: ["bro ker:9092"] }, /is not host:port/);
  rejects({ bootstrapServers: ["broker:90a2"] }, /is not host:port/);
  rejects({ bootstrapServers: "a:1,b" }, /"b" is not host:port/);
  rejects({ bootstrapServers: [9092] }, /entry 9092 is not a string/);
  rejects({ bootstrapServers: 9092 }, empty);
});

Deno.test("options: batchSize larger than bufferMemory", () => {
  rejects(
    { bufferMemory: 1000 },
    /batchSize \(16384\) must not exceed bufferMemory \(1000\): no batch would fit in the buffer/,
  );
  rejects({ bufferMemory: 4096, batchSize: 4097 }, /batchSize \(4097\) must not exceed/);
  new Producer({ bootstrapServers: BROKER, bufferMemory: 4096, batchSize: 4096 }).close();
});

Deno.test("options: a clientId too long for the request header", () => {
  rejects(
    { clientId: "x".repeat(40_000) },
    /clientId is 40000 bytes in UTF-8; the request header holds at most 32767/,
  );
  rejects({ clientId: "ü".repeat(20_000) }, /clientId is 40000 bytes/);
  new Producer({ bootstrapServers: BROKER, clientId: "x".repeat(32_767) }).close();
});

Deno.test("options: an unknown name is a ConfigError naming it and the closest known option", () => {
  rejects({ lingerMS: 5 }, /unknown option "lingerMS"; did you mean "lingerMs"\?/);
  rejects({ "linger.ms": 5 }, /unknown option "linger\.ms"; did you mean "lingerMs"\?/);
  rejects(
    { bootstrapServer: "h:1" },
    /unknown option "bootstrapServer"; did you mean "bootstrapServers"\?/,
  );
  rejects({ acknowledgements: 1 }, /^unknown option "acknowledgements"$/);
  // Java's dotted name of an option this version has (transactions since 03ad24f) points at it.
  rejects(
    { "transactional.id": "t" },
    /unknown option "transactional\.id"; did you mean "transactionalId"\?/,
  );
});

Deno.test("options: compressionType names a codec, compressionLevel is in its range", () => {
  rejects(
    { compressionType: "brotli" },
    /compressionType must be one of "none", "gzip"/,
    /"brotli"/,
  );
  rejects({ compressionType: 1 }, /compressionType must be one of/, /got 1/);
  rejects({ compressionType: "gzip", compressionLevel: 10 }, /gzip must be .* 1\.\.9 or -1/);
  rejects({ compressionType: "gzip", compressionLevel: 0 }, /compressionLevel for gzip/, /got 0/);
  rejects({ compressionType: "zstd", compressionLevel: 23 }, /zstd must be .* -131072\.\.22/);
  rejects({ compressionType: "zstd", compressionLevel: 1.5 }, /compressionLevel for zstd/);
  rejects({ compressionLevel: 3 }, /compressionType "none" has no levels/);
  for (const [type, level] of [["gzip", -1], ["gzip", 9], ["zstd", -5], ["zstd", 22]] as const) {
    new Producer({ bootstrapServers: BROKER, compressionType: type, compressionLevel: level })
      .close();
  }
});

Deno.test("options: maxBlockedBytes is a non-negative integer, default bufferMemory", () => {
  rejects({ maxBlockedBytes: -1 }, /maxBlockedBytes must be an integer/, /got -1/);
  rejects({ maxBlockedBytes: "big" }, /maxBlockedBytes/, /got "big"/);
  new Producer({ bootstrapServers: BROKER, maxBlockedBytes: 0 }).close();
});
