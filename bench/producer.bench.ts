/**
 * Micro benchmarks of the producer layer: murmur2, the accumulator's append
 * path, the sticky partitioner, and the whole `send()` path into an
 * in-memory fake broker (`tests/support/fake_broker/`) that discards the
 * bytes — the producer's own cost, without sockets or a broker.
 *
 * Run: `deno bench -A bench/` or `deno task bench`. Every name ends with
 * `[n=… unit]`, the work of one iteration; `deno run -A bench/micro_report.ts`
 * turns the times into records/s.
 *
 * @module
 */

import { type CompressionType, Producer, type ProducerRecord } from "../mod.ts";
import { codecAvailable, CODECS } from "../lib/protocol/compression/mod.ts";
import { RecordAccumulator } from "../lib/producer/accumulator.ts";
import type { ProducerBatch } from "../lib/producer/batch.ts";
import { BufferPool } from "../lib/producer/buffer_pool.ts";
import { resolveConfig } from "../lib/producer/config.ts";
import { murmur2, StickyPartitioner } from "../lib/producer/partitioner.ts";
import type { EncodedRecord } from "../lib/producer/record.ts";
import { fakeBroker } from "../tests/support/fake_broker/mod.ts";

// ---------------------------------------------------------------- murmur2

const KEYS = 1000;
for (const size of [16, 100]) {
  const keys = Array.from({ length: KEYS }, (_, i) => new Uint8Array(size).fill(i & 255));
  Deno.bench(`murmur2 of ${size} B keys [n=${KEYS} keys]`, {
    group: "murmur2",
    baseline: size === 16,
  }, () => {
    let h = 0;
    for (let i = 0; i < KEYS; i++) h ^= murmur2(keys[i]);
    if (h === 0.5) throw new Error("unreachable"); // keeps the loop observable
  });
}

// ---------------------------------------------------------------- accumulator append

const APPENDS = 10_000;
const value100 = new Uint8Array(100).fill(7);
const encoded: EncodedRecord = {
  topic: "bench",
  partition: -1,
  timestamp: 1700000000000,
  key: null,
  value: value100,
  headers: [],
  source: { topic: "bench", value: value100 },
};
const everySend = { canSend: () => true, onDrain: () => {} };

/**
 * One iteration of the accumulator bench with `compressionType`: appends,
 * drains each full batch, encodes it (compressing it, if compressed) and
 * completes it.
 */
function accumulatorRun(compressionType: CompressionType): () => void {
  const config = resolveConfig({
    bootstrapServers: "bench:9092",
    batchSize: 16384,
    compressionType,
  });
  const pool = new BufferPool(config.bufferMemory, config.batchSize);
  const accumulator = new RecordAccumulator(config, pool, () => {});
  const queue = accumulator.queue("bench", 0);
  let nextOffset = 0n;

  /** Drains the first batch of the queue, encodes it (header + CRC) and completes it. */
  function drainOne(nowMs: number): void {
    const [batch]: ProducerBatch[] = accumulator.drain(1, [queue], everySend, nowMs);
    batch.encode();
    batch.complete(nextOffset, -1);
    nextOffset += BigInt(batch.recordCount);
    accumulator.deallocate(batch);
  }

  return () => {
    const now = Date.now();
    for (let i = 0; i < APPENDS; i++) {
      if (accumulator.tryAppend(encoded, 0, now, null) === null) {
        throw new Error("buffer pool exhausted");
      }
      if (queue.batches.length > 1) drainOne(now);
    }
    while (queue.batches.length > 0) drainOne(now);
  };
}

Deno.bench(
  `RecordAccumulator append of 100 B records into 16 KiB batches, full batches drained, encoded and completed [n=${APPENDS} records]`,
  { group: "accumulator" },
  accumulatorRun("none"),
);

for (const codec of [...CODECS.values()].filter(codecAvailable)) {
  Deno.bench(
    `RecordAccumulator append of 100 B records into 16 KiB batches compressed with ${codec.name} [n=${APPENDS} records]`,
    { group: "accumulator" },
    accumulatorRun(codec.name),
  );
}

// ---------------------------------------------------------------- sticky partitioner

const PICKS = 10_000;
const SIX = [0, 1, 2, 3, 4, 5];

/** Unkeyed 100 B records through the sticky partitioner: one batch (150 records) per partition, then a switch. */
function stickyRun(sticky: StickyPartitioner): void {
  let appended = 0;
  for (let i = 0; i < PICKS; i++) {
    const p = sticky.partition("bench", 6, SIX, () => appended % 150 !== 0);
    sticky.onAppend("bench", p, 108, 6, SIX);
    appended++;
  }
}

Deno.bench(
  `StickyPartitioner, uniform, 6 partitions, a switch per 150 records [n=${PICKS} records]`,
  { group: "partitioner", baseline: true },
  () => stickyRun(new StickyPartitioner(16384)),
);

/** Six queues, one to four batches deep: adaptive picks weigh them at every switch. */
const QUEUES = [1, 2, 3, 4, 1, 2].map((length) => ({ batches: { length } }));

Deno.bench(
  `StickyPartitioner, adaptive, 6 partitions, a switch per 150 records [n=${PICKS} records]`,
  { group: "partitioner" },
  () => stickyRun(new StickyPartitioner(16384, { queuesOf: () => QUEUES })),
);

// ---------------------------------------------------------------- send() into a fake broker

const SENDS = 20_000;
const GROUP = "send() end-to-end, fake broker";

/** A producer on a fresh fake broker, with metadata and producer id already fetched. */
async function warmProducer(): Promise<{ producer: Producer; record: ProducerRecord }> {
  const broker = fakeBroker({ partitions: 6 });
  const producer = new Producer({ bootstrapServers: "fake:9092", transport: broker.transport });
  const record: ProducerRecord = { topic: "bench", value: value100 };
  await producer.send(record);
  return { producer, record };
}

Deno.bench({
  name: `concurrent send() of 100 B records, acks=all, idempotent [n=${SENDS} records]`,
  group: GROUP,
  baseline: true,
  n: 30,
  warmup: 5,
  async fn(b) {
    const { producer, record } = await warmProducer();
    b.start();
    const pending: Promise<unknown>[] = new Array(SENDS);
    for (let i = 0; i < SENDS; i++) pending[i] = producer.send(record);
    await producer.flush();
    await Promise.all(pending);
    b.end();
    await producer.close();
  },
});

/**
 * Times `pipeTo(producer.writable)` of SENDS records in chunks of `size`
 * records (1: each record is a chunk; more: arrays of that many).
 */
function benchPipe(name: string, size: number): void {
  Deno.bench({
    name,
    group: GROUP,
    n: 30,
    warmup: 5,
    async fn(b) {
      const { producer, record } = await warmProducer();
      const chunk = size === 1 ? record : new Array<ProducerRecord>(size).fill(record);
      let i = 0;
      const source = new ReadableStream<ProducerRecord | ProducerRecord[]>({
        pull(controller) {
          for (let k = 0; k < 1024 && i < SENDS; k += size, i += size) controller.enqueue(chunk);
          if (i >= SENDS) controller.close();
        },
      }, { highWaterMark: 0 });
      b.start();
      await source.pipeTo(producer.writable, { preventClose: true });
      b.end();
      await producer.close();
    },
  });
}

benchPipe(
  `pipeTo(producer.writable) of 100 B records, acks=all, idempotent [n=${SENDS} records]`,
  1,
);
benchPipe(`pipeTo(producer.writable) of 100 B records in arrays of 100 [n=${SENDS} records]`, 100);
