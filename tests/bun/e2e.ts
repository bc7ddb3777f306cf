/**
 * The end-to-end path under Bun: produce mixed records with concurrent
 * `send()` and with `pipeTo(producer.writable)` through Bun's own sockets,
 * then read them back with Kafka's Java consumer and compare.
 *
 * Run: `bun tests/bun/e2e.ts` with a broker on $KAFKA_BOOTSTRAP.
 */
import assert from "node:assert/strict";
import { Producer, type ProducerRecord } from "../../mod.ts";
import { keyedPartition } from "../../lib/producer/partitioner.ts";
import { b64, BOOTSTRAP, createTopic, readBack, uniqueTopic } from "../support/cluster.ts";
import { bytesOf, mixedRecord, prng } from "../support/records.ts";

const PARTITIONS = 6;
let passed = 0;
let failed = 0;

async function check(name: string, body: () => Promise<void>) {
  const start = performance.now();
  try {
    await body();
    passed++;
    console.log(`ok   ${name} (${((performance.now() - start) / 1000).toFixed(1)} s)`);
  } catch (error) {
    failed++;
    console.log(`FAIL ${name}\n${error instanceof Error ? error.stack : error}`);
  }
}

function headerPairs(record: ProducerRecord): [string, string | null][] {
  const h = record.headers;
  if (h === undefined) return [];
  const pairs = Array.isArray(h) ? h : Object.entries(h);
  return pairs.map(([k, v]) => [k as string, b64(bytesOf(v as Uint8Array | string | null))]);
}

assert.ok("Bun" in globalThis, "run this file with bun");

await check(
  "bun: concurrent send() of 20,000 mixed records, read back by Kafka's consumer",
  async () => {
    const topic = uniqueTopic("bun-send");
    await createTopic(topic, PARTITIONS);
    const random = prng(11);
    const sent = Array.from(
      { length: 20_000 },
      (_, i) => mixedRecord(topic, i, PARTITIONS, random),
    );
    const producer = new Producer({ bootstrapServers: BOOTSTRAP });
    const mds = await Promise.all(sent.map((r) => producer.send(r)));
    await producer.close();
    const consumed = await readBack(topic, sent.length);
    assert.equal(consumed.length, sent.length);
    const byPosition = new Map(consumed.map((r) => [`${r.p}/${r.o}`, r]));
    sent.forEach((s, i) => {
      const got = byPosition.get(`${mds[i].partition}/${mds[i].offset}`);
      assert.ok(got, `record ${i} missing`);
      assert.equal(got.k, b64(bytesOf(s.key)));
      assert.equal(got.v, b64(bytesOf(s.value)));
      assert.deepEqual(got.h, headerPairs(s));
      assert.equal(got.t, mds[i].timestamp);
      if (s.partition !== undefined) assert.equal(got.p, s.partition);
      else if (s.key != null) assert.equal(got.p, keyedPartition(bytesOf(s.key)!, PARTITIONS));
    });
  },
);

await check(
  "bun: pipeTo(producer.writable) of 20,000 records batches and resolves after the last ack",
  async () => {
    const topic = uniqueTopic("bun-pipe");
    await createTopic(topic, PARTITIONS);
    const N = 20_000;
    const producer = new Producer({ bootstrapServers: BOOTSTRAP });
    const records = Array.from(
      { length: N },
      (_, i) => ({ topic, key: `k${i % 100}`, value: `v${i}` }),
    );
    await ReadableStream.from(records).pipeTo(producer.writable);
    const m = producer.metrics();
    assert.equal(m.recordsSent, N);
    assert.ok(m.recordsPerBatch > 20, `records per batch ${m.recordsPerBatch}`);
    const consumed = await readBack(topic, N);
    assert.equal(consumed.length, N);
    const perKey = new Map<string, number>();
    for (const c of consumed) {
      const key = atob(c.k!);
      const i = Number(atob(c.v!).slice(1));
      assert.ok(i > (perKey.get(key) ?? -1), "per-key order kept");
      perKey.set(key, i);
    }
  },
);

console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
