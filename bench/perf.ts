/**
 * End-to-end producer benchmark shaped like Kafka's `ProducerPerformance`
 * (`kafka-producer-perf-test`): sends N records of a fixed size to a real
 * broker and reports throughput and send → acknowledgement latency.
 * Runs on Deno, Bun and Node: Node runs it compiled to JavaScript with the
 * npm package's compiler (`deno task build:perf-node`, see
 * bench/support/node_build.ts), same flags and output.
 *
 *   deno run -A bench/perf.ts --num-records 1000000 --record-size 100
 *   bun bench/perf.ts --mode pipe --acks 1
 *   deno task build:perf-node && bash scripts/tools.sh node24 .cache/perf-node/bench/perf.js
 *
 * Options: --bootstrap (127.0.0.1:9092), --topic (perf-<random>, created),
 * --num-records (1000000), --record-size (100), --partitions (6, for a
 * created topic), --acks (all), --idempotence (true), --linger-ms (5),
 * --batch-size (16384), --compression-type (none), --mode send|sync|pipe (send: concurrent send(),
 * sync: await each send, pipe: pipeTo(producer.writable)), --json (one JSON
 * line on stdout, the shape `bench/compare.ts` reads from every client),
 * --buffer-memory B (the producer's bufferMemory, default Java's 32 MiB;
 * send mode's window of unacknowledged records is what it holds:
 * B / (record size + 30 + RECORD_OVERHEAD)),
 * --pipe-chunk N (pipe mode: chunks of N records, as arrays, instead of one
 * record each), --writable-high-water-mark B (the producer's option).
 *
 * Transactions (send mode; Java's API, as bench/peers/java/TxnPerf.java
 * drives KafkaProducer): --transaction-size N (records per transaction;
 * default none: no transactions), --transactional-id ID (default
 * `perf-txn-<random>`, so one per run). `initTransactions()` once (not
 * timed; `initMs` in the JSON), then `beginTransaction()`, N concurrent
 * `send()`s, `commitTransaction()` (which flushes), until every record is
 * sent. A record's latency is still send → its acknowledgement; `acked`
 * counts the records of committed transactions; the first failed transaction
 * is aborted and ends the run.
 *
 * Security (Java's `security.protocol`; files are read here, the producer
 * takes PEM text): --security-protocol PLAINTEXT|SSL|SASL_PLAINTEXT|SASL_SSL
 * (PLAINTEXT), --ca FILE (PEM CA to trust; default the runtime's store),
 * --cert FILE --key FILE (PEM client certificate and unencrypted key, for
 * `ssl.client.auth=required`), --server-name NAME, --sasl-mechanism
 * PLAIN|SCRAM-SHA-256|SCRAM-SHA-512|OAUTHBEARER, --sasl-username U
 * --sasl-password P, --sasl-token T (OAUTHBEARER). A created topic is
 * created through the same listener and credentials.
 *
 *   deno run -A bench/perf.ts --bootstrap 127.0.0.1:9102 --security-protocol SSL \
 *     --ca ca.pem --cert client.pem --key client.key
 *   bun bench/perf.ts --bootstrap 127.0.0.1:9103 --security-protocol SASL_SSL --ca ca.pem \
 *     --sasl-mechanism SCRAM-SHA-512 --sasl-username alice --sasl-password alice-secret
 *
 * @module
 */
import { type CompressionType, Producer, type ProducerRecord } from "../mod.ts";
import { RECORD_OVERHEAD } from "../lib/producer/buffer_pool.ts";
import { createTopic } from "../tests/support/cluster.ts";
import { parseArgs, randomTopic } from "./support/args.ts";
import { securityFromArgs } from "./support/security.ts";

const args = parseArgs(globalThis.process?.argv.slice(2) ?? []);
const bootstrap = args.get("bootstrap") ?? "127.0.0.1:9092";
const numRecords = Number(args.get("num-records") ?? 1_000_000);
const recordSize = Number(args.get("record-size") ?? 100);
const partitions = Number(args.get("partitions") ?? 6);
const mode = args.get("mode") ?? "send";
const acks = (args.get("acks") ?? "all") as "all";
const topic = args.get("topic") ?? randomTopic("perf");
if (!["send", "sync", "pipe"].includes(mode)) throw new Error(`--mode must be send, sync or pipe`);
const pipeChunk = Number(args.get("pipe-chunk") ?? 1);
if (!Number.isInteger(pipeChunk) || pipeChunk < 1) throw new Error("--pipe-chunk must be ≥ 1");
const transactionSize = Number(args.get("transaction-size") ?? 0);
const transactional = transactionSize > 0;
if (!Number.isInteger(transactionSize) || transactionSize < 0) {
  throw new Error("--transaction-size must be a positive integer");
}
if (transactional && mode !== "send") throw new Error("--transaction-size needs --mode send");
if (!transactional && args.has("transactional-id")) {
  throw new Error("--transactional-id needs --transaction-size");
}
const transactionalId = args.get("transactional-id") ?? randomTopic("perf-txn");
const security = securityFromArgs(args);
const secure = {
  ...(security.tls ? { tls: security.tls } : {}),
  ...(security.sasl ? { sasl: security.sasl } : {}),
};

if (!args.has("topic")) await createTopic(topic, partitions, { bootstrap, security: secure });

const settings = {
  acks: acks === "all" ? "all" as const : (Number(acks) as 0 | 1),
  enableIdempotence: (args.get("idempotence") ?? "true") === "true",
  lingerMs: Number(args.get("linger-ms") ?? 5),
  batchSize: Number(args.get("batch-size") ?? 16384),
  compressionType: (args.get("compression-type") ?? "none") as CompressionType,
  ...(args.has("buffer-memory") ? { bufferMemory: Number(args.get("buffer-memory")) } : {}),
  ...(args.has("writable-high-water-mark")
    ? { writableHighWaterMark: Number(args.get("writable-high-water-mark")) }
    : {}),
  ...(transactional ? { transactionalId, transactionTimeoutMs: 60000, transactionSize } : {}),
};
if (transactional && !settings.enableIdempotence) {
  throw new Error("--transaction-size needs --idempotence true");
}
const { transactionSize: _, ...producerSettings } = settings;
const bufferMemory = settings.bufferMemory ?? 33554432;
const producer = new Producer({ bootstrapServers: bootstrap, ...producerSettings, ...secure });
let initMs = NaN;
if (transactional) {
  const t = performance.now();
  await producer.initTransactions();
  initMs = performance.now() - t;
}

// One payload, like ProducerPerformance without --payload-file.
const payload = new Uint8Array(recordSize);
for (let i = 0; i < recordSize; i++) payload[i] = 65 + (i % 26);
const record: ProducerRecord = { topic, value: payload };

const latencies = new Float64Array(numRecords);
let acked = 0;
let failed = 0;
let firstError: unknown = null;
let peakRss = 0;
const start = performance.now();

const rss = () => globalThis.process?.memoryUsage?.().rss ?? 0;
const progress = setInterval(() => {
  peakRss = Math.max(peakRss, rss());
  const s = (performance.now() - start) / 1000;
  const m = producer.metrics();
  // pipeTo hides each record's acknowledgement: count the producer's instead.
  const done = mode === "pipe" ? m.recordsSent : acked;
  console.error(
    `${done} records acked, ${(done / s).toFixed(0)} records/sec (${
      (done * recordSize / s / 1048576).toFixed(2)
    } MB/sec), ${m.requestsInFlight} requests in flight, buffer ${
      ((1 - m.bufferAvailableBytes / bufferMemory) * 100).toFixed(0)
    }% used`,
  );
}, 2000);

// Latency clocks: Date.now() (ms, as ProducerPerformance's
// System.currentTimeMillis()) for the concurrent modes, where reading the
// clock twice per record is part of the cost (Deno's performance.now() is an
// op call: 7% of a T1 profile); performance.now() for sync mode, whose
// latencies are below a millisecond.
function onAck(sentAt: number, i: number) {
  latencies[i] = Date.now() - sentAt;
  acked++;
  wakeIfSettled();
}
function onSyncAck(sentAt: number, i: number) {
  latencies[i] = performance.now() - sentAt;
  acked++;
}

// send mode's window: the loop waits until a number of sends have settled.
let resumeAt = Infinity;
let resume: () => void = () => {};
function untilSettled(count: number): Promise<void> {
  if (acked + failed >= count) return Promise.resolve();
  resumeAt = count;
  return new Promise((resolve) => resume = resolve);
}
function wakeIfSettled() {
  if (acked + failed < resumeAt) return;
  resumeAt = Infinity;
  resume();
}
function onError(error: unknown) {
  failed++;
  firstError ??= error;
  wakeIfSettled();
}

// What bufferMemory holds: each record's bytes (~30 of framing) and the
// RECORD_OVERHEAD it is counted for.
const window = Math.floor(bufferMemory / (recordSize + 30 + RECORD_OVERHEAD));
/** Records of committed transactions; commit times (ms). */
let committed = 0;
const commitMs: number[] = [];
if (transactional) {
  // As send mode below, in transactions of --transaction-size records: the
  // sends of one transaction go out concurrently (the same window), then
  // commitTransaction() flushes them and commits, as Java's caller does.
  const ring: Promise<void>[] = new Array(Math.min(window, numRecords, transactionSize));
  for (let first = 0; first < numRecords && firstError === null; first += transactionSize) {
    const last = Math.min(numRecords, first + transactionSize);
    producer.beginTransaction();
    for (let i = first; i < last; i++) {
      const t = Date.now();
      const slot = (i - first) % ring.length;
      if (i - first >= ring.length) await ring[slot];
      ring[slot] = producer.send(record).then(() => onAck(t, i), onError);
      if ((i & 1023) === 1023) {
        while (producer.metrics().waitingSends > 0) await new Promise((r) => setTimeout(r, 0));
      }
    }
    const c = performance.now();
    try {
      await producer.commitTransaction();
      await Promise.all(ring);
      if (firstError !== null) throw firstError;
      commitMs.push(performance.now() - c);
      committed = last;
    } catch (error) {
      firstError ??= error;
      console.error(`transaction of records ${first}..${last - 1} failed, stopping:`, error);
      await producer.abortTransaction().catch((e) =>
        console.error("abortTransaction failed too:", e)
      );
    }
  }
  await Promise.all(ring);
  acked = committed;
  failed = numRecords - committed;
} else if (mode === "sync") {
  for (let i = 0; i < numRecords; i++) {
    const t = performance.now();
    try {
      await producer.send(record);
      onSyncAck(t, i);
    } catch (e) {
      onError(e);
    }
  }
} else if (mode === "send") {
  // Block like Java's send() does when buffer.memory is full: wait while
  // more records are unacknowledged than the buffer holds. The loop counts
  // them rather than awaiting an older send's promise every record (an await
  // per record cost ~8% of the CPU, which ProducerPerformance's loop does not
  // have); the wait ends at the next acknowledgement, whose batch's other
  // callbacks run before the loop resumes, so it resumes about once a batch.
  // Only that window of promises is kept, so memory does not grow with
  // --num-records. And as Java's caller does not go on while its send waits
  // for memory, pause (checked every 1024 sends) while sends wait, so they
  // stay far below maxBlockedBytes.
  for (let i = 0; i < numRecords; i++) {
    if (i - acked - failed >= window) await untilSettled(i - window + 1);
    const t = Date.now();
    producer.send(record).then(() => onAck(t, i), onError);
    if ((i & 1023) === 1023) {
      while (producer.metrics().waitingSends > 0) await new Promise((r) => setTimeout(r, 0));
    }
  }
  await untilSettled(numRecords);
} else {
  // What a user writes: one pipeTo. Per-record latency is not observable
  // from outside the stream, so only throughput is reported for this mode.
  let i = 0;
  const source = new ReadableStream<ProducerRecord | ProducerRecord[]>({
    pull(controller) {
      if (pipeChunk === 1) {
        for (let n = 0; n < 1024 && i < numRecords; n++, i++) controller.enqueue(record);
      } else {
        for (let n = 0; n < 1024 && i < numRecords; n += pipeChunk, i += pipeChunk) {
          controller.enqueue(new Array(Math.min(pipeChunk, numRecords - i)).fill(record));
        }
      }
      if (i >= numRecords) controller.close();
    },
  }, { highWaterMark: 0 });
  await source.pipeTo(producer.writable, { preventClose: true });
  acked = producer.metrics().recordsSent;
  latencies.fill(NaN);
}
await producer.flush();
const elapsed = (performance.now() - start) / 1000;
clearInterval(progress);
peakRss = Math.max(peakRss, rss());
const metrics = producer.metrics();
await producer.close();

const sorted = latencies.subarray(0, transactional ? committed : numRecords).slice().sort();
const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
const avg = sorted.reduce((a, b) => a + b, 0) / sorted.length;
const result = {
  client: "kafkats",
  clientVersion: "0.1.0",
  runtime: runtime(),
  mode,
  records: numRecords,
  recordSize,
  acked,
  failed,
  recordsPerSec: acked / elapsed,
  mbPerSec: acked * recordSize / elapsed / 1048576,
  avgMs: avg,
  maxMs: sorted[sorted.length - 1],
  p50: pct(0.5),
  p95: pct(0.95),
  p99: pct(0.99),
  p999: pct(0.999),
  peakRssMb: peakRss / 1048576,
  recordsPerRequest: metrics.recordsPerRequest,
  recordsPerBatch: metrics.recordsPerBatch,
  securityProtocol: security.description,
  ...(transactional
    ? {
      transactionSize,
      transactions: commitMs.length,
      initMs,
      commitAvgMs: commitMs.reduce((a, b) => a + b, 0) / commitMs.length,
      commitMaxMs: Math.max(...commitMs),
    }
    : {}),
  settings,
};
if (args.has("json")) {
  console.log(JSON.stringify(result));
} else {
  const latency = mode === "pipe"
    ? "latency not observable through pipeTo"
    : `${avg.toFixed(2)} ms avg latency, ${result.maxMs.toFixed(2)} ms max latency, ${
      result.p50.toFixed(0)
    } ms 50th, ${result.p95.toFixed(0)} ms 95th, ${result.p99.toFixed(0)} ms 99th, ${
      result.p999.toFixed(0)
    } ms 99.9th`;
  console.log(
    `${acked} records sent, ${result.recordsPerSec.toFixed(1)} records/sec (${
      result.mbPerSec.toFixed(2)
    } MB/sec), ${latency}; ${result.recordsPerBatch.toFixed(0)} records/batch, ${
      result.recordsPerRequest.toFixed(0)
    } records/request, peak RSS ${result.peakRssMb.toFixed(0)} MiB`,
  );
}
if (failed > 0) {
  console.error(`${failed} records failed; first error:`, firstError);
  globalThis.process?.exit?.(1);
}

/**
 * The runtime and its version, e.g. `"deno 2.9.6"`, `"bun 1.4.5"`,
 * `"node 24.21.0"`. Deno and Bun have `process.versions.node` too, so they
 * are asked first.
 */
function runtime(): string {
  const g = globalThis as unknown as {
    Deno?: { version: { deno: string } };
    Bun?: { version: string };
    process?: { versions?: { node?: string } };
  };
  if (g.Bun) return `bun ${g.Bun.version}`;
  if (g.Deno) return `deno ${g.Deno.version.deno}`;
  return `node ${g.process?.versions?.node ?? "?"}`;
}
