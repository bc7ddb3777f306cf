/**
 * The `logger` option: silent without one; what the Java client logs at
 * INFO and WARN (connections that fail, retries, epoch bumps and producer
 * ids, metadata errors, fencing) reaches it with its fields; a logger that
 * throws changes nothing; the sender's loop guard reports to it (where it
 * used `console.error`).
 */
import assert from "node:assert/strict";
import { type Logger, type LogLevel, Producer, ProducerClosedError } from "../../mod.ts";
import { ConnectionPool } from "../../lib/net/pool.ts";
import { RecordAccumulator } from "../../lib/producer/accumulator.ts";
import { BufferPool } from "../../lib/producer/buffer_pool.ts";
import { resolveConfig } from "../../lib/producer/config.ts";
import { ProducerMetadata } from "../../lib/producer/metadata.ts";
import { MetricCounters } from "../../lib/producer/metrics.ts";
import { Sender } from "../../lib/producer/sender.ts";
import { BOOTSTRAP, createTopic, uniqueTopic } from "../support/cluster.ts";
import { fakeBroker } from "../support/fake_broker/mod.ts";

const NOT_LEADER_OR_FOLLOWER = 6;
const OUT_OF_ORDER_SEQUENCE_NUMBER = 45;
const UNKNOWN_TOPIC_OR_PARTITION = 3;

interface Line {
  level: LogLevel;
  message: string;
  fields: Record<string, unknown>;
}

function collector(): { lines: Line[]; logger: Logger } {
  const lines: Line[] = [];
  return { lines, logger: (level, message, fields) => lines.push({ level, message, fields }) };
}

function find(lines: Line[], pattern: RegExp): Line {
  const line = lines.find((l) => pattern.test(l.message));
  assert.ok(
    line !== undefined,
    `no line matches ${pattern}:\n${lines.map((l) => l.message).join("\n")}`,
  );
  return line;
}

Deno.test("logger: a refused connection and the failed metadata refresh are warnings", async () => {
  const { lines, logger } = collector();
  const producer = new Producer({ bootstrapServers: "127.0.0.1:1", logger, maxBlockMs: 300 });
  await assert.rejects(producer.send({ topic: "t", value: "v" }));
  await producer.close();
  const connect = find(lines, /connection to broker 127\.0\.0\.1:1 could not be established/);
  assert.equal(connect.level, "warn");
  assert.equal(connect.fields.broker, "127.0.0.1:1");
  assert.equal(connect.fields.errorName, "NetworkError");
  assert.equal(find(lines, /metadata refresh failed/).level, "warn");
  for (const line of lines) assert.doesNotThrow(() => JSON.stringify(line), "JSON-able fields");
});

Deno.test("logger: retries, the epoch bump and the producer id (fake broker)", async () => {
  const { lines, logger } = collector();
  let answers = 0;
  const broker = fakeBroker({
    partitions: 1,
    topicErrorCode: (topic) => topic === "missing" ? UNKNOWN_TOPIC_OR_PARTITION : 0,
    onProduce: () => {
      answers++;
      if (answers === 1) return { errorCode: NOT_LEADER_OR_FOLLOWER };
      if (answers === 2) return { errorCode: OUT_OF_ORDER_SEQUENCE_NUMBER };
      return undefined;
    },
  });
  const producer = new Producer({
    bootstrapServers: "fake:9092",
    transport: broker.transport,
    logger,
    retryBackoffMs: 1,
    maxBlockMs: 300,
  });
  await producer.send({ topic: "t", value: "v" });
  await assert.rejects(producer.send({ topic: "missing", value: "v" }), /not present in metadata/);
  await producer.close();
  const retry = find(lines, /retrying \(\d+ attempts left\): NOT_LEADER_OR_FOLLOWER/);
  assert.equal(retry.level, "warn");
  assert.deepEqual(
    { ...retry.fields, backoffMs: 0 },
    {
      topic: "t",
      partition: 0,
      recordCount: 1,
      attempt: 1,
      errorName: "NOT_LEADER_OR_FOLLOWER",
      backoffMs: 0,
    },
  );
  assert.equal(find(lines, /^ProducerId set to 1000 with epoch 0$/).level, "info");
  const bump = find(lines, /^ProducerId set to 1000 with epoch 1 \(bumped/);
  assert.equal(bump.level, "info");
  assert.deepEqual(bump.fields, { producerId: "1000", epoch: 1 });
  const metadata = find(
    lines,
    /error while fetching metadata: \{missing=UNKNOWN_TOPIC_OR_PARTITION\}/,
  );
  assert.equal(metadata.level, "warn");
  assert.equal(find(lines, /connected to broker fake:9092/).level, "debug");
});

Deno.test("logger: a logger that throws changes nothing", async () => {
  let calls = 0;
  const broker = fakeBroker({ partitions: 1 });
  const producer = new Producer({
    bootstrapServers: "fake:9092",
    transport: broker.transport,
    logger: () => {
      calls++;
      throw new Error("the logging backend is down");
    },
  });
  const md = await producer.send({ topic: "t", value: "v" });
  assert.equal(md.offset, 0n);
  await producer.close();
  assert.ok(calls > 0);
});

Deno.test("logger: the sender's loop guard reports an unexpected error at level error", async () => {
  const { lines, logger } = collector();
  const config = resolveConfig({ bootstrapServers: "fake:9092", logger, enableIdempotence: false });
  const broker = fakeBroker({ partitions: 1 });
  const wakeup = () => sender.wakeup();
  const pool = new ConnectionPool(broker.transport, {
    clientId: config.clientId,
    connectTimeoutMs: 1000,
    maxFrameSize: 1 << 20,
  }, wakeup);
  const metadata = new ProducerMetadata(config, pool, wakeup);
  let thrown = false;
  class BrokenAccumulator extends RecordAccumulator {
    override expiredBatches(nowMs: number) {
      if (!thrown) {
        thrown = true;
        throw new TypeError("a bug in the accumulator");
      }
      return super.expiredBatches(nowMs);
    }
  }
  const accumulator = new BrokenAccumulator(
    config,
    new BufferPool(config.bufferMemory, config.batchSize),
    wakeup,
  );
  const sender: Sender = new Sender({
    config,
    accumulator,
    metadata,
    connections: pool,
    idempotence: null,
    transactions: null,
    metrics: new MetricCounters(),
  });
  sender.start();
  await new Promise((resolve) => setTimeout(resolve, 150)); // the guard waits 100 ms, then goes on
  await sender.stop(new ProducerClosedError("test over"));
  metadata.close();
  pool.close();
  const guard = find(
    lines,
    /the sender's loop caught an unexpected error .*a bug in the accumulator/,
  );
  assert.equal(guard.level, "error");
  assert.equal(guard.fields.errorName, "TypeError");
  assert.match(String(guard.fields.stack), /expiredBatches/);
  assert.equal(lines.filter((l) => l.level === "error").length, 1, "once: the loop went on");
});

Deno.test("logger: a fenced transactional producer logs the fatal error (real broker)", async () => {
  const topic = uniqueTopic("logger-fenced");
  await createTopic(topic, 1);
  const transactionalId = uniqueTopic("logger-fenced-id");
  const { lines, logger } = collector();
  const older = new Producer({ bootstrapServers: BOOTSTRAP, transactionalId, logger });
  await older.initTransactions();
  const newer = new Producer({ bootstrapServers: BOOTSTRAP, transactionalId });
  await newer.initTransactions(); // fences `older`
  older.beginTransaction();
  const sent = older.send({ topic, value: "from the fenced one" });
  await assert.rejects(older.commitTransaction());
  await assert.rejects(sent);
  await older.close();
  await newer.close();
  const init = find(lines, /^ProducerId set to \d+ with epoch \d+ for transactional id/);
  assert.equal(init.level, "info");
  assert.equal(init.fields.transactionalId, transactionalId);
  const fatal = find(lines, /transitioning to fatal error state \(fenced\)/);
  assert.equal(fatal.level, "error");
  assert.equal(fatal.fields.fenced, true);
  assert.equal(fatal.fields.errorName, "PRODUCER_FENCED");
});

Deno.test("logger: silent by default (no logger, nothing printed by the library)", async () => {
  const original = { error: console.error, warn: console.warn, log: console.log };
  const printed: unknown[] = [];
  console.error = console.warn = console.log = (...args: unknown[]) => printed.push(args);
  try {
    const producer = new Producer({ bootstrapServers: "127.0.0.1:1", maxBlockMs: 200 });
    await assert.rejects(producer.send({ topic: "t", value: "v" }));
    await producer.close();
  } finally {
    Object.assign(console, original);
  }
  assert.deepEqual(printed, []);
});
