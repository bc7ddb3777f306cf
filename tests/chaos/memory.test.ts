/**
 * bufferMemory bounds the producer's memory. `memory_run.ts`, in a process
 * of its own, feeds a producer with 32 MiB of bufferMemory far faster than
 * a broker slowed by the chaos proxy takes records: the pool fills and
 * send() waits for memory. Its peak RSS must stay within the idle baseline +
 * bufferMemory + a fixed allowance, and its live memory (after a full
 * collection) within baseline + bufferMemory + the caller's window. And when
 * the broker stalls completely, a send() waiting for memory rejects with
 * TimeoutError after maxBlockMs.
 *
 * Size: 256 MiB by default (CI, about 40 s at the 8 MiB/s the proxy allows);
 * the full 1 GiB run:
 *   KAFKATS_MEMORY_MIB=1024 KAFKATS_MEMORY_BANDWIDTH=32 deno test -A tests/chaos/memory.test.ts
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { Producer, type RecordMetadata, TimeoutError } from "../../mod.ts";
import { RECORD_OVERHEAD } from "../../lib/producer/buffer_pool.ts";
import { brokerAddresses } from "../support/brokers.ts";
import { ChaosProxy } from "../support/chaos_proxy.ts";
import { BOOTSTRAP, createTopic, uniqueTopic } from "../support/cluster.ts";
import { type MemoryRunResult, randomBlock, RECORD_BYTES, valueAt } from "./memory_run.ts";

const MIB = 1024 * 1024;
const TOTAL_MIB = Number(Deno.env.get("KAFKATS_MEMORY_MIB") ?? 256);
const BANDWIDTH_MIB = Number(Deno.env.get("KAFKATS_MEMORY_BANDWIDTH") ?? 8);
const BUFFER_MEMORY = 32 * MIB;
const BATCH_SIZE = 16384;
const PARTITIONS = 8;
/**
 * Live memory allowed above baseline + bufferMemory at full load: the
 * caller's window of 40,960 unsettled records (a promise, its handlers and
 * the producer's per-record closures, ~700 B each ≈ 28 MiB, of which ~10,000
 * records wait in send() with their encoded form), plus up to 5 Produce
 * request frames of 8 × 16 KiB and the proxy's 2 × 128 KiB per connection.
 */
const LIVE_ALLOWANCE = 48 * MIB;
/** Live memory allowed above baseline + bufferMemory once all is acknowledged (no leak). */
const FINAL_ALLOWANCE = 8 * MIB;
/**
 * RSS allowed above baseline + bufferMemory at the peak. The live memory is
 * bounded as above; the rest is V8's: every record leaves ~1 KiB of promises
 * and closures that live for the seconds it waits in the full buffer, so
 * they reach the old generation, which V8 lets grow to a few times its live
 * size between full collections and keeps committed (measured: heap
 * committed ~150 MiB at the peak for ~60 MiB live), plus Produce frames and
 * socket chunks awaiting collection as external memory. Measured peak excess
 * over baseline: ~235 MiB for 256 MiB and for 1 GiB alike — it does not grow
 * with the amount sent.
 */
const RSS_ALLOWANCE = 288 * MIB;
const mib = (bytes: number) => (bytes / MIB).toFixed(1);

Deno.test({
  name: `memory: ${TOTAL_MIB} MiB through bufferMemory 32 MiB to a slow broker stays bounded`,
  async fn() {
    const script = fileURLToPath(new URL("./memory_run.ts", import.meta.url));
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        "--v8-flags=--expose-gc",
        script,
        "--mib",
        String(TOTAL_MIB),
        "--bandwidth",
        String(BANDWIDTH_MIB),
      ],
      env: { KAFKA_BOOTSTRAP: BOOTSTRAP },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    // Generous: the run takes ~40 s at the default size; a hung one must not hang CI.
    const timer = setTimeout(() => child.kill("SIGKILL"), 20 * 60_000);
    const output = await child.output().finally(() => clearTimeout(timer));
    const report = new TextDecoder().decode(output.stderr);
    console.log(report.trim());
    assert.ok(output.success, `memory_run.ts failed (exit ${output.code})`);
    const lines = new TextDecoder().decode(output.stdout).trim().split("\n");
    const r: MemoryRunResult = JSON.parse(lines[lines.length - 1]);

    assert.equal(r.failures, 0, "every record acknowledged");
    assert.equal(r.recordsSent, r.records + r.warmupRecords);
    assert.ok(r.exhausted > 0, "the pool filled up: the producer was back-pressured");
    const rssBound = r.baselineRss + BUFFER_MEMORY + RSS_ALLOWANCE;
    console.log(
      `peak RSS ${mib(r.peakRss)} MiB ≤ bound ${mib(rssBound)} MiB (baseline ${
        mib(r.baselineRss)
      } + bufferMemory ${mib(BUFFER_MEMORY)} + allowance ${mib(RSS_ALLOWANCE)})`,
    );
    assert.ok(r.peakRss <= rssBound, `peak RSS ${mib(r.peakRss)} MiB > ${mib(rssBound)} MiB`);
    assert.ok(r.baselineLive > 0, "live memory measured (--expose-gc)");
    assert.ok(
      r.loadedLive - r.baselineLive <= BUFFER_MEMORY + LIVE_ALLOWANCE,
      `live memory at full load +${mib(r.loadedLive - r.baselineLive)} MiB`,
    );
    assert.ok(
      r.finalLive - r.baselineLive <= BUFFER_MEMORY + FINAL_ALLOWANCE,
      `live memory once all is acknowledged +${mib(r.finalLive - r.baselineLive)} MiB`,
    );
  },
});

Deno.test("memory: send() waits for buffer memory, then rejects with TimeoutError after maxBlockMs", async () => {
  const topic = uniqueTopic("memory-block");
  await createTopic(topic, PARTITIONS);
  const proxy = await ChaosProxy.start(await brokerAddresses());
  const maxBlockMs = 3000;
  const producer = new Producer({
    bootstrapServers: BOOTSTRAP,
    transport: proxy.transport(),
    bufferMemory: BUFFER_MEMORY,
    batchSize: BATCH_SIZE,
    maxBlockMs,
  });
  try {
    const block = randomBlock();
    await producer.send({ topic, value: valueAt(block, 0) }); // metadata and producer id
    proxy.stall(10 * 60_000); // the broker answers nothing until heal()

    // Fill the pool, all on partition 0: nothing drains while the broker stalls.
    const accepted: Promise<RecordMetadata>[] = [];
    const sendTo0 = (i: number) => {
      const result = producer.send({ topic, partition: 0, value: valueAt(block, i) });
      result.catch(() => {});
      accepted.push(result);
    };
    for (let i = 1; producer.metrics().bufferAvailableBytes >= BATCH_SIZE; i++) {
      sendTo0(i);
      if (accepted.length > 2 * BUFFER_MEMORY / RECORD_BYTES) {
        assert.fail(`the pool never filled (${producer.metrics().bufferAvailableBytes} B free)`);
      }
    }
    // The open batch takes at most 15 more records: the 16th needs memory
    // and waits, and every send() after it waits behind it, in order.
    for (let i = 0; i < 16; i++) sendTo0(i);
    const start = Date.now();
    let settled = false;
    const blocked = producer.send({ topic, partition: 0, value: valueAt(block, 1) });
    blocked.then(() => settled = true, () => settled = true);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(settled, false, "send() waits while bufferMemory is full");

    const error = await blocked.then(
      () => assert.fail("send() succeeded although the broker stalled"),
      (e) => e,
    );
    const waited = Date.now() - start;
    console.log(`blocked send() rejected after ${waited} ms (maxBlockMs ${maxBlockMs}): ${error}`);
    assert.ok(error instanceof TimeoutError, `TimeoutError, got ${error}`);
    assert.match(error.message, /maxBlockMs/);
    assert.ok(waited >= maxBlockMs - 20, `rejected after ${waited} ms, before maxBlockMs`);
    assert.ok(waited < maxBlockMs + 30_000, `rejected only after ${waited} ms`);

    // Once the broker is back, every record that got into the pool is acknowledged.
    proxy.heal();
    const outcomes = await Promise.allSettled(accepted);
    const rejected = outcomes.filter((o) => o.status === "rejected");
    for (const o of rejected) {
      // Only sends queued behind the blocked one may have timed out too.
      assert.ok((o as PromiseRejectedResult).reason instanceof TimeoutError);
    }
    // A full batch holds 15 records of 1 KiB and is counted for its buffer
    // and RECORD_OVERHEAD per record: at least 10 per batch's worth of that.
    assert.ok(
      outcomes.length - rejected.length >=
        Math.floor(BUFFER_MEMORY / (BATCH_SIZE + 15 * RECORD_OVERHEAD)) * 10,
      `records in the full pool acknowledged: ${outcomes.length - rejected.length}`,
    );
    assert.equal(producer.metrics().recordErrors, 0, "nothing in the pool failed");
  } finally {
    proxy.heal();
    await producer.close();
    await proxy.close();
  }
});
