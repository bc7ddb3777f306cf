/**
 * The Sender on its own: a RecordAccumulator filled by the test (no
 * Producer), ProducerMetadata and a ConnectionPool to the in-memory fake
 * broker (`tests/support/fake_broker/`). Ready → drain → request, retries
 * and their backoff, expiry at deliveryTimeoutMs, and stop().
 */
import assert from "node:assert/strict";
import {
  KafkaError,
  ProducerClosedError,
  RecordTooLargeError,
  TimeoutError,
} from "../../lib/errors.ts";
import { ConnectionPool } from "../../lib/net/pool.ts";
import { RecordAccumulator } from "../../lib/producer/accumulator.ts";
import type { ProducerBatch, RecordSettler } from "../../lib/producer/batch.ts";
import { BufferPool } from "../../lib/producer/buffer_pool.ts";
import { type ProducerOptions, resolveConfig } from "../../lib/producer/config.ts";
import { IdempotenceManager } from "../../lib/producer/idempotence.ts";
import { ProducerMetadata } from "../../lib/producer/metadata.ts";
import { MetricCounters } from "../../lib/producer/metrics.ts";
import { encodeRecord, type RecordMetadata } from "../../lib/producer/record.ts";
import { Sender } from "../../lib/producer/sender.ts";
import {
  fakeBroker,
  type FakeBrokerOptions,
  type FakeBrokerStats,
} from "../support/fake_broker/mod.ts";

const NOT_ENOUGH_REPLICAS = 19;
const UNKNOWN_TOPIC_OR_PARTITION = 3;
const INVALID_RECORD = 87;
const MESSAGE_TOO_LARGE = 10;

/** A Sender with its parts, over a fake broker of 2 partitions per topic. */
interface Rig extends AsyncDisposable {
  readonly sender: Sender;
  readonly accumulator: RecordAccumulator;
  readonly metrics: MetricCounters;
  /** What the fake received. */
  readonly stats: FakeBrokerStats;
  /** Appends one record to `topic`-`partition`: its batch and its promise. */
  append(
    topic: string,
    partition: number,
    value?: string,
  ): { batch: ProducerBatch; result: Promise<RecordMetadata> };
}

function rig(options: Partial<ProducerOptions> = {}, fake: FakeBrokerOptions = {}): Rig {
  const config = resolveConfig({
    bootstrapServers: "fake:9092",
    lingerMs: 0,
    enableIdempotence: false,
    ...options,
  });
  const broker = fakeBroker({ partitions: 2, ...fake });
  const wakeup = () => sender.wakeup();
  const pool = new ConnectionPool(broker.transport, {
    clientId: config.clientId,
    connectTimeoutMs: config.connectTimeoutMs,
    maxFrameSize: 1 << 20,
  }, wakeup);
  const metadata = new ProducerMetadata(config, pool, wakeup);
  const accumulator = new RecordAccumulator(
    config,
    new BufferPool(config.bufferMemory, config.batchSize),
    wakeup,
  );
  const metrics = new MetricCounters();
  const sender: Sender = new Sender({
    config,
    accumulator,
    metadata,
    connections: pool,
    idempotence: config.enableIdempotence ? new IdempotenceManager() : null,
    transactions: null,
    metrics,
  });
  return {
    sender,
    accumulator,
    metrics,
    stats: broker.stats,
    append(topic, partition, value = "v") {
      let future!: RecordSettler;
      const result = new Promise<RecordMetadata>((resolve) => future = resolve);
      const now = Date.now();
      const batch = accumulator.tryAppend(
        encodeRecord({ topic, partition, value }, now),
        partition,
        now,
        future,
      );
      assert.ok(batch !== null, "the buffer pool has room");
      return { batch, result };
    },
    async [Symbol.asyncDispose]() {
      await sender.stop(new ProducerClosedError("the test is over"));
      metadata.close();
      pool.close();
    },
  };
}

/** The error `promise` rejects with; fails if it resolves or has not settled within 5 s. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) =>
    timer = setTimeout(() => reject(new Error("not settled within 5 s")), 5000)
  );
  try {
    return await Promise.race([
      promise.then(() => assert.fail("resolved"), (error: unknown) => error),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("sender: ready → drain → request: the leader's batches of two partitions go in one Produce request", async () => {
  const produced: [partition: number, records: number, pid: bigint, sequence: number][] = [];
  await using r = rig({ enableIdempotence: true }, {
    onProduce: (b) => {
      produced.push([b.partition, b.records, b.producerId, b.baseSequence]);
      return undefined;
    },
  });
  const records = [
    r.append("t", 0, "a0"),
    r.append("t", 0, "a1"),
    r.append("t", 0, "a2"),
    r.append("t", 1, "b0"),
    r.append("t", 1, "b1"),
  ];
  assert.equal(records[0].batch, records[2].batch, "one batch per partition");
  r.sender.start(); // no leader known yet: the sender asks for metadata, then a producer id
  const metadata = await Promise.all(records.map((x) => x.result));
  assert.deepEqual(metadata.map((m) => [m.partition, m.offset]), [
    [0, 0n],
    [0, 1n],
    [0, 2n],
    [1, 0n],
    [1, 1n],
  ]);
  assert.equal(r.stats.produceRequests, 1, "one request to the one leader");
  assert.deepEqual(
    produced.sort((a, b) => a[0] - b[0]),
    [[0, 3, 1000n, 0], [1, 2, 1000n, 0]],
    "drained with the producer id granted and sequences from 0",
  );
  assert.equal(r.metrics.requestsSent, 1);
  assert.equal(r.metrics.batchesSent, 2);
  assert.equal(r.metrics.recordsSent, 5);
  assert.equal(r.accumulator.incompleteCount, 0, "completed batches are deallocated");
});

Deno.test("sender: a retriable error is retried after retryBackoffMs × 2^(n-1) ±20%, capped at retryBackoffMaxMs", async () => {
  /** Per Produce arrival: when, and the batch's backoff then (set by the failure before). */
  const arrivals: [atMs: number, backoffMs: number][] = [];
  await using r = rig({ retryBackoffMs: 50, retryBackoffMaxMs: 120 }, {
    onProduce: () => {
      arrivals.push([Date.now(), record.batch.backoffMs]);
      return arrivals.length <= 3 ? { errorCode: NOT_ENOUGH_REPLICAS } : undefined;
    },
  });
  const record = r.append("t", 0);
  r.sender.start();
  assert.equal((await record.result).offset, 0n);
  assert.equal(arrivals.length, 4);
  assert.equal(record.batch.attempts, 4);
  assert.equal(r.metrics.retries, 3);
  const bounds = [[40, 60], [80, 120], [96, 144]];
  for (let i = 1; i < arrivals.length; i++) {
    const [at, backoff] = arrivals[i];
    const [low, high] = bounds[i - 1];
    assert.ok(
      backoff >= low && backoff <= high,
      `retry ${i}: backoff ${backoff}, want ${low}–${high}`,
    );
    const waited = at - arrivals[i - 1][0];
    assert.ok(waited >= backoff, `retry ${i}: resent after ${waited} ms, backoff ${backoff}`);
  }
});

Deno.test("sender: retries: N stops after N + 1 attempts; a non-retriable error at the first; MESSAGE_TOO_LARGE of one record is RecordTooLargeError", async () => {
  await using r = rig({ retries: 1, retryBackoffMs: 1, retryBackoffMaxMs: 1 }, {
    onProduce: (b) => ({
      errorCode: [NOT_ENOUGH_REPLICAS, INVALID_RECORD, MESSAGE_TOO_LARGE][b.partition],
    }),
    partitions: 3,
  });
  const retried = r.append("t", 0);
  const invalid = r.append("t", 1);
  const tooLarge = r.append("t", 2);
  r.sender.start();
  const [e0, e1, e2] = await Promise.all(
    [retried, invalid, tooLarge].map((x) => rejection(x.result)),
  );
  assert.ok(e0 instanceof KafkaError && e0.code === NOT_ENOUGH_REPLICAS, String(e0));
  assert.equal(retried.batch.attempts, 2, "retries: 1 → two attempts");
  assert.ok(e1 instanceof KafkaError && e1.code === INVALID_RECORD, String(e1));
  assert.equal(invalid.batch.attempts, 1, "not retriable: one attempt");
  assert.ok(e2 instanceof RecordTooLargeError, String(e2));
  assert.equal(tooLarge.batch.attempts, 1);
  assert.equal(r.metrics.recordErrors, 3);
});

Deno.test("sender: a batch that never found a leader expires at deliveryTimeoutMs", async () => {
  await using r = rig({ requestTimeoutMs: 200, deliveryTimeoutMs: 400, retryBackoffMs: 50 }, {
    topicErrorCode: () => UNKNOWN_TOPIC_OR_PARTITION,
  });
  const started = Date.now();
  const { result } = r.append("t", 0);
  r.sender.start();
  const error = await rejection(result);
  const ms = Date.now() - started;
  assert.ok(error instanceof TimeoutError, String(error));
  assert.match(
    error.message,
    /^Expiring 1 record\(s\) for t-0: \d+ ms has passed since batch creation$/,
  );
  assert.ok(ms >= 400 && ms < 1000, `expired after ${ms} ms`);
  assert.equal(r.stats.produceRequests, 0);
  assert.equal(r.metrics.recordErrors, 1);
});

Deno.test("sender: a batch backing off past deliveryTimeoutMs expires naming its last error", async () => {
  await using r = rig(
    { requestTimeoutMs: 200, deliveryTimeoutMs: 400, retryBackoffMs: 1000 },
    { onProduce: () => ({ errorCode: NOT_ENOUGH_REPLICAS }) },
  );
  const started = Date.now();
  const { result } = r.append("t", 0);
  r.sender.start();
  const error = await rejection(result);
  const ms = Date.now() - started;
  assert.ok(error instanceof TimeoutError, String(error));
  assert.match(
    error.message,
    /^Expiring 1 record\(s\) for t-0: \d+ ms has passed since batch creation \(last error: Produce to t-0 failed: NOT_ENOUGH_REPLICAS\)$/,
  );
  assert.ok(error.cause instanceof KafkaError && error.cause.code === NOT_ENOUGH_REPLICAS);
  assert.ok(ms >= 400 && ms < 1000, `expired after ${ms} ms, not at the 1 s backoff`);
  assert.equal(r.stats.produceRequests, 1, "not resent during the backoff");
});

Deno.test("sender: stop(reason) fails the queued batches with reason, and a batch in flight when its answer comes", async () => {
  const produceArrived = Promise.withResolvers<void>();
  const release = Promise.withResolvers<void>();
  await using r = rig({}, {
    topicErrorCode: (topic) => topic === "queued" ? UNKNOWN_TOPIC_OR_PARTITION : 0,
    onProduce: () => ({ errorCode: NOT_ENOUGH_REPLICAS }), // retriable, had the sender not stopped
    onRequest: (apiKey) => {
      if (apiKey !== 0) return undefined;
      produceArrived.resolve();
      return release.promise;
    },
  });
  const queued = r.append("queued", 0);
  const inFlight = r.append("sent", 0);
  r.sender.start();
  await produceArrived.promise;
  assert.equal(inFlight.batch.inFlight, true);

  const reason = new ProducerClosedError("closing now");
  await r.sender.stop(reason);
  assert.equal(await rejection(queued.result), reason, "queued: failed with the reason itself");
  release.resolve();
  assert.equal(await rejection(inFlight.result), reason, "in flight: failed, not retried");
  assert.equal(r.stats.produceRequests, 1, "nothing sent after stop()");
  assert.equal(r.metrics.retries, 0);
  assert.equal(r.metrics.recordErrors, 2);
  assert.equal(r.accumulator.incompleteCount, 0, "both batches deallocated");
});

Deno.test("sender: a MESSAGE_TOO_LARGE answer that comes after stop() fails the batch; it is not split into a stopped accumulator", async () => {
  const produceArrived = Promise.withResolvers<void>();
  const release = Promise.withResolvers<void>();
  await using r = rig({}, {
    onProduce: () => ({ errorCode: MESSAGE_TOO_LARGE }),
    onRequest: (apiKey) => {
      if (apiKey !== 0) return undefined;
      produceArrived.resolve();
      return release.promise;
    },
  });
  const records = [r.append("t", 0, "a"), r.append("t", 0, "b"), r.append("t", 0, "c")];
  assert.equal(records[0].batch, records[2].batch, "one batch of three records");
  r.sender.start();
  await produceArrived.promise;
  const reason = new ProducerClosedError("closing now");
  await r.sender.stop(reason);
  release.resolve();
  for (const record of records) assert.equal(await rejection(record.result), reason);
  assert.equal(r.metrics.splits, 0, "not split after stop()");
  assert.equal(r.stats.produceRequests, 1, "nothing sent after stop()");
  assert.equal(r.accumulator.incompleteCount, 0, "no batch left behind");
});
