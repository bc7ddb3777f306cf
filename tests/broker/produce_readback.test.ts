/**
 * The core promise, against a real broker: every record sent — concurrently,
 * one awaited send at a time, or through `pipeTo(producer.writable)` — is
 * written exactly as given, where RecordMetadata says, and Kafka's own Java
 * consumer reads it back unchanged.
 */
import assert from "node:assert/strict";
import { Producer, type ProducerRecord, type RecordMetadata } from "../../mod.ts";
import { keyedPartition } from "../../lib/producer/partitioner.ts";
import {
  b64,
  BOOTSTRAP,
  type ConsumedRecord,
  createTopic,
  readBack,
  uniqueTopic,
} from "../support/cluster.ts";
import { bytesOf, mixedRecord, prng } from "../support/records.ts";

const PARTITIONS = 6;

function headerPairs(record: ProducerRecord): [string, string | null][] {
  const h = record.headers;
  if (h === undefined) return [];
  const pairs = Array.isArray(h) ? h : Object.entries(h);
  return pairs.map(([k, v]) => [k as string, b64(bytesOf(v as Uint8Array | string | null))]);
}

/** Asserts the consumed record equals what was sent and what RecordMetadata said. */
function assertSame(
  sent: ProducerRecord,
  md: RecordMetadata,
  got: ConsumedRecord | undefined,
  i: number,
) {
  assert.ok(got, `record ${i} (${md.partition}/${md.offset}) was not read back`);
  assert.equal(got.p, md.partition, `record ${i}: partition`);
  assert.equal(BigInt(got.o), md.offset, `record ${i}: offset`);
  assert.equal(got.k, b64(bytesOf(sent.key)), `record ${i}: key`);
  assert.equal(got.v, b64(bytesOf(sent.value)), `record ${i}: value`);
  assert.deepEqual(got.h, headerPairs(sent), `record ${i}: headers`);
  assert.equal(got.tt, "CreateTime");
  assert.equal(got.t, md.timestamp, `record ${i}: timestamp`);
  if (sent.timestamp !== undefined) {
    assert.equal(got.t, sent.timestamp, `record ${i}: explicit timestamp`);
  }
  if (sent.partition !== undefined) {
    assert.equal(got.p, sent.partition, `record ${i}: explicit partition`);
  } else if (sent.key !== undefined && sent.key !== null) {
    assert.equal(
      got.p,
      keyedPartition(bytesOf(sent.key)!, PARTITIONS),
      `record ${i}: keyed partition`,
    );
  }
}

async function verify(topic: string, sent: ProducerRecord[], mds: RecordMetadata[]) {
  const consumed = await readBack(topic, sent.length);
  assert.equal(consumed.length, sent.length, "records read back");
  const byPosition = new Map(consumed.map((r) => [`${r.p}/${r.o}`, r]));
  for (let i = 0; i < sent.length; i++) {
    assertSame(sent[i], mds[i], byPosition.get(`${mds[i].partition}/${mds[i].offset}`), i);
  }
}

Deno.test("concurrent send(): 100,000 mixed records read back unchanged (acks=all, idempotent)", async () => {
  const topic = uniqueTopic("concurrent");
  await createTopic(topic, PARTITIONS);
  const random = prng(1);
  const sent = Array.from({ length: 100_000 }, (_, i) => mixedRecord(topic, i, PARTITIONS, random));
  const producer = new Producer({ bootstrapServers: BOOTSTRAP });
  const mds = await Promise.all(sent.map((r) => producer.send(r)));
  const metrics = producer.metrics();
  await producer.close();
  assert.equal(metrics.recordsSent, sent.length);
  assert.equal(metrics.recordErrors, 0);
  // Offsets are dense per partition: no gaps, no duplicates.
  const perPartition = new Map<number, bigint[]>();
  for (const md of mds) {
    if (!perPartition.has(md.partition)) perPartition.set(md.partition, []);
    perPartition.get(md.partition)!.push(md.offset);
  }
  for (const [p, offsets] of perPartition) {
    offsets.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    offsets.forEach((o, i) => assert.equal(o, BigInt(i), `partition ${p} offset ${i}`));
  }
  await verify(topic, sent, mds);
});

Deno.test("awaited sequential send(): 5,000 mixed records, acks=1, in send order", async () => {
  const topic = uniqueTopic("sequential");
  await createTopic(topic, PARTITIONS);
  const random = prng(2);
  const sent = Array.from({ length: 5_000 }, (_, i) => mixedRecord(topic, i, PARTITIONS, random));
  await using producer = new Producer({ bootstrapServers: BOOTSTRAP, acks: 1, lingerMs: 0 });
  const mds: RecordMetadata[] = [];
  for (const record of sent) mds.push(await producer.send(record));
  const last = new Map<number, bigint>();
  for (const md of mds) {
    assert.ok(md.offset > (last.get(md.partition) ?? -1n), "offsets grow in send order");
    last.set(md.partition, md.offset);
  }
  await verify(topic, sent, mds);
});

Deno.test("pipeTo(producer.writable): 100,000 records batched, resolves after the last ack", async () => {
  const topic = uniqueTopic("pipe");
  await createTopic(topic, PARTITIONS);
  const random = prng(3);
  const N = 100_000;
  const sent = Array.from({ length: N }, (_, i) => {
    const r = mixedRecord(topic, i, PARTITIONS, random);
    // Tag every record with its index so the read-back can find it.
    const pairs = Array.isArray(r.headers) ? [...r.headers] : Object.entries(r.headers ?? {});
    r.headers = [["i", String(i)], ...pairs] as [string, string | Uint8Array | null][];
    return r;
  });
  const producer = new Producer({ bootstrapServers: BOOTSTRAP });
  await ReadableStream.from(sent).pipeTo(producer.writable);
  const metrics = producer.metrics();
  assert.equal(metrics.recordsSent, N, "every record acknowledged when pipeTo resolved");
  assert.equal(metrics.incompleteBatches, 0);
  assert.ok(
    metrics.recordsPerBatch > 50,
    `batches hold many records (got ${metrics.recordsPerBatch.toFixed(1)} per batch)`,
  );
  assert.ok(metrics.requestsSent < N / 50, `requests: ${metrics.requestsSent} for ${N} records`);
  await assert.rejects(producer.send({ topic, value: "x" }), { name: "ProducerClosedError" });

  const consumed = await readBack(topic, N);
  assert.equal(consumed.length, N);
  const lastIndex = new Map<number, number>();
  const seen = new Set<number>();
  for (const got of consumed) {
    const i = Number(atob(got.h[0][1]!));
    assert.ok(!seen.has(i), `record ${i} read twice`);
    seen.add(i);
    // Within a partition, offsets follow the order records were written to the stream.
    assert.ok(i > (lastIndex.get(got.p) ?? -1), `partition ${got.p} keeps stream order`);
    lastIndex.set(got.p, i);
    const s = sent[i];
    assert.equal(got.k, b64(bytesOf(s.key)));
    assert.equal(got.v, b64(bytesOf(s.value)));
    assert.deepEqual(got.h, headerPairs(s));
    if (s.timestamp !== undefined) assert.equal(got.t, s.timestamp);
    if (s.partition !== undefined) assert.equal(got.p, s.partition);
    else if (s.key != null) assert.equal(got.p, keyedPartition(bytesOf(s.key)!, PARTITIONS));
  }
});

Deno.test("pipeTo with preventClose keeps the producer open", async () => {
  const topic = uniqueTopic("pipe-open");
  await createTopic(topic, 1);
  await using producer = new Producer({ bootstrapServers: BOOTSTRAP });
  const records = Array.from({ length: 1000 }, (_, i) => ({ topic, value: `v${i}` }));
  await ReadableStream.from(records).pipeTo(producer.writable, { preventClose: true });
  assert.equal(producer.metrics().recordsSent, 1000);
  const md = await producer.send({ topic, value: "after" });
  assert.equal(md.offset, 1000n);
});

Deno.test("acks=0: records are written, offsets unknown", async () => {
  const topic = uniqueTopic("acks0");
  await createTopic(topic, 3);
  const sent = Array.from(
    { length: 10_000 },
    (_, i) => ({ topic, key: `k${i % 50}`, value: `v${i}` }),
  );
  const producer = new Producer({ bootstrapServers: BOOTSTRAP, acks: 0 });
  const mds = await Promise.all(sent.map((r) => producer.send(r)));
  await producer.close();
  assert.ok(mds.every((md) => md.offset === -1n));
  const consumed = await readBack(topic, sent.length);
  assert.equal(consumed.length, sent.length);
  // Per key, values arrive in send order, on the partition Java would choose.
  const dec = (s: string | null) => (s === null ? null : atob(s));
  const expected = new Map<string, string[]>();
  for (const r of sent) {
    if (!expected.has(r.key)) expected.set(r.key, []);
    expected.get(r.key)!.push(r.value);
  }
  const got = new Map<string, string[]>();
  for (const c of consumed) {
    const key = dec(c.k)!;
    assert.equal(c.p, keyedPartition(new TextEncoder().encode(key), 3));
    if (!got.has(key)) got.set(key, []);
    got.get(key)!.push(dec(c.v)!);
  }
  assert.deepEqual(got, expected);
});

Deno.test("acks=0 with maxInFlightRequestsPerConnection 1: 50 awaited sends all resolve and land", async () => {
  const topic = uniqueTopic("acks0-inflight1");
  await createTopic(topic, 1);
  const producer = new Producer({
    bootstrapServers: BOOTSTRAP,
    acks: 0,
    maxInFlightRequestsPerConnection: 1,
    lingerMs: 0,
    requestTimeoutMs: 2000,
    // A partition left muted would expire its next batch after this, not hang the test.
    deliveryTimeoutMs: 4000,
  });
  try {
    for (let i = 0; i < 50; i++) {
      const md = await producer.send({ topic, value: `v${i}` });
      assert.equal(md.offset, -1n, `send ${i}`);
    }
  } finally {
    await producer.close({ timeoutMs: 1000 });
  }
  const consumed = await readBack(topic, 50);
  assert.deepEqual(
    consumed.map((c) => atob(c.v!)),
    Array.from({ length: 50 }, (_, i) => `v${i}`),
  );
});
