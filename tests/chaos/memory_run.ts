/**
 * The memory-bound run, in a process of its own so its RSS is the producer's
 * (and the proxy's) alone, not the test runner's: produces `--mib` MiB of
 * 1 KiB records through a producer with 32 MiB of bufferMemory, to a broker
 * the chaos proxy slows to `--bandwidth` MiB/s, with the caller keeping 1.25
 * pools' worth of records unsettled — so the pool stays full and send()
 * keeps waiting for memory. Samples RSS every 10 ms and after every 256
 * sends (the peak, with V8's own garbage collection). With `--expose-gc` it
 * also measures live memory (V8 heap used + external after a full
 * collection) at the baseline, at full load (every record sent, the pool
 * full) and once every record is acknowledged. Prints a report to stderr
 * and the numbers as one JSON line to stdout; `tests/chaos/memory.test.ts`
 * runs it and asserts the bounds.
 *
 *   KAFKA_BOOTSTRAP=127.0.0.1:9092 deno run -A --v8-flags=--expose-gc \
 *     tests/chaos/memory_run.ts --mib 1024 [--bandwidth 8]
 *
 * @module
 */
import { Producer, type RecordMetadata } from "../../mod.ts";
import { brokerAddresses } from "../support/brokers.ts";
import { ChaosProxy } from "../support/chaos_proxy.ts";
import { BOOTSTRAP, createTopic, uniqueTopic } from "../support/cluster.ts";
import { prng } from "../support/records.ts";

const MIB = 1024 * 1024;

/** What one run measured (bytes, seconds). */
export interface MemoryRunResult {
  /** Records produced after the warm-up. */
  records: number;
  /** Size of each record's value. */
  recordBytes: number;
  /** The producer's bufferMemory. */
  bufferMemory: number;
  /** RSS after the warm-up, the producer idle. */
  baselineRss: number;
  /** Highest RSS sampled during the run. */
  peakRss: number;
  /** Heap and external memory when the peak was sampled. */
  peakHeapUsed: number;
  /** See {@link MemoryRunResult.peakHeapUsed}. */
  peakExternal: number;
  /** See {@link MemoryRunResult.peakHeapUsed}: the V8 heap's committed size. */
  peakHeapTotal: number;
  /** RSS samples taken. */
  samples: number;
  /** Live memory (heap used + external, after a full GC) at the baseline; -1 without `--expose-gc`. */
  baselineLive: number;
  /** Live memory with every record sent and the pool full. */
  loadedLive: number;
  /** Live memory once every record is acknowledged. */
  finalLive: number;
  /** RSS samples that found the pool with less than one batch free. */
  exhausted: number;
  /** Records that failed. */
  failures: number;
  /** Records the producer counted as acknowledged, warm-up included. */
  recordsSent: number;
  /** Records the warm-up sent. */
  warmupRecords: number;
  /** Seconds from the first to the last acknowledgement. */
  seconds: number;
  /** Bytes the proxy forwarded to the broker. */
  bytesUp: number;
  /** Produce requests sent. */
  requests: number;
}

/**
 * 1 KiB values: 15 fill a default 16 KiB batch, whose buffer comes from the
 * pool and goes back to it — the path bufferMemory governs. (16 KiB values
 * would each exceed batchSize and get a one-off buffer per record, turning
 * the measure into one of garbage-collector timing.)
 */
/** Size of every record value. */
export const RECORD_BYTES = 1024;
const BUFFER_MEMORY = 32 * MIB;
const BATCH_SIZE = 16384;
const PARTITIONS = 8;
const WARMUP_ROUNDS = 3;
const WARMUP_RECORDS = 300;
/** Records the caller keeps unsettled: 1.25 × what the pool can hold. */
const WINDOW = Math.ceil((1.25 * BUFFER_MEMORY) / RECORD_BYTES);

/**
 * Heap used + external after a full collection, or -1 when `gc` is not
 * exposed. Collects twice, 200 ms apart: V8 frees dead ArrayBuffers'
 * memory (and updates `external`) on a background thread after a collection.
 */
async function liveMemory(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return -1;
  gc();
  await new Promise((resolve) => setTimeout(resolve, 200));
  gc();
  const usage = Deno.memoryUsage();
  return usage.heapUsed + usage.external;
}

function arg(name: string, fallback: number): number {
  const i = Deno.args.indexOf(`--${name}`);
  const value = i >= 0 ? Number(Deno.args[i + 1]) : fallback;
  if (!(value > 0)) throw new RangeError(`--${name} must be a positive number`);
  return value;
}

/** 4 MiB of random bytes; record values are 1 KiB views into it (never written again). */
export function randomBlock(): Uint8Array {
  const random = prng(7);
  const block = new Uint8Array(4 * MIB);
  for (let i = 0; i < block.length; i++) block[i] = Math.floor(random() * 256);
  return block;
}

/** The `i`th record value: a {@link RECORD_BYTES}-byte view into `block`. */
export function valueAt(block: Uint8Array, i: number): Uint8Array {
  const at = (i * 4099) % (block.length - RECORD_BYTES);
  return block.subarray(at, at + RECORD_BYTES);
}

/** Runs the measurement: `totalBytes` of values, the broker limited to `bytesPerSecond`. */
async function run(totalBytes: number, bytesPerSecond: number): Promise<MemoryRunResult> {
  const topic = uniqueTopic("memory");
  await createTopic(topic, PARTITIONS);
  const proxy = await ChaosProxy.start(await brokerAddresses());
  const producer = new Producer({
    bootstrapServers: BOOTSTRAP,
    transport: proxy.transport(),
    bufferMemory: BUFFER_MEMORY,
    batchSize: BATCH_SIZE,
  });
  let peak = { rss: 0, heapUsed: 0, external: 0, heapTotal: 0 };
  let samples = 0;
  let exhausted = 0;
  const sample = () => {
    const usage = Deno.memoryUsage();
    samples++;
    if (usage.rss > peak.rss) peak = usage;
    if (producer.metrics().bufferAvailableBytes < BATCH_SIZE) exhausted++;
  };
  let timer: ReturnType<typeof setInterval> | undefined;
  try {
    const block = randomBlock();
    // Warm-up: connections, metadata, producer id, compiled code.
    for (let round = 0; round < WARMUP_ROUNDS; round++) {
      await Promise.all(
        Array.from(
          { length: WARMUP_RECORDS },
          (_, i) => producer.send({ topic, value: valueAt(block, i) }),
        ),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const baselineLive = await liveMemory();
    const baselineRss = Deno.memoryUsage().rss;

    proxy.limitBandwidth(bytesPerSecond);
    timer = setInterval(sample, 10);
    const records = Math.floor(totalBytes / RECORD_BYTES);
    const window: Promise<RecordMetadata>[] = new Array(WINDOW);
    let failures = 0;
    const bytesBefore = proxy.stats.bytesUp;
    const started = Date.now();
    for (let i = 0; i < records; i++) {
      const slot = i % WINDOW;
      if (i >= WINDOW) await window[slot].catch(() => {});
      const result = producer.send({ topic, value: valueAt(block, i) });
      result.catch(() => failures++);
      window[slot] = result;
      if ((i & 255) === 0) sample();
    }
    sample();
    const loadedLive = await liveMemory();
    await Promise.allSettled(window);
    const seconds = (Date.now() - started) / 1000;
    clearInterval(timer);
    sample();
    window.fill(undefined as unknown as Promise<RecordMetadata>);
    const finalLive = await liveMemory();
    const metrics = producer.metrics();
    return {
      records,
      recordBytes: RECORD_BYTES,
      bufferMemory: BUFFER_MEMORY,
      baselineRss,
      peakRss: peak.rss,
      peakHeapUsed: peak.heapUsed,
      peakExternal: peak.external,
      peakHeapTotal: peak.heapTotal,
      samples,
      baselineLive,
      loadedLive,
      finalLive,
      exhausted,
      failures,
      recordsSent: metrics.recordsSent,
      warmupRecords: WARMUP_ROUNDS * WARMUP_RECORDS,
      seconds,
      bytesUp: proxy.stats.bytesUp - bytesBefore,
      requests: metrics.requestsSent,
    };
  } finally {
    clearInterval(timer);
    await producer.close();
    await proxy.close();
  }
}

if (import.meta.main) {
  const result = await run(arg("mib", 256) * MIB, arg("bandwidth", 8) * MIB);
  const mib = (bytes: number) => (bytes / MIB).toFixed(1);
  const r = result;
  console.error(
    `${r.records} × ${r.recordBytes} B (${mib(r.records * r.recordBytes)} MiB) in ${
      r.seconds.toFixed(1)
    } s, ${mib(r.bytesUp / r.seconds)} MiB/s to the broker, ${r.requests} requests\n` +
      `RSS: baseline ${mib(r.baselineRss)} MiB, peak ${mib(r.peakRss)} MiB (+${
        mib(r.peakRss - r.baselineRss)
      } MiB; V8 heap ${mib(r.peakHeapTotal)} MiB, used ${mib(r.peakHeapUsed)} MiB, external ${
        mib(r.peakExternal)
      } MiB at the peak)\n` +
      `live after full GC: baseline ${mib(r.baselineLive)} MiB, full load +${
        mib(r.loadedLive - r.baselineLive)
      } MiB, all acked +${mib(r.finalLive - r.baselineLive)} MiB\n` +
      `pool exhausted in ${r.exhausted} of ${r.samples} samples`,
  );
  console.log(JSON.stringify(result));
}
