/**
 * The end-to-end path under Bun: produce mixed records with concurrent
 * `send()` (uncompressed and with every codec Bun's node:zlib has) and with
 * `pipeTo(producer.writable)` through Bun's own sockets,
 * then read them back with Kafka's Java consumer and compare; a commit, an
 * abort and a commit of transactions read back `read_committed`; and Bun's
 * socket writable under `pipeTo` (how every connection writes) pushes back.
 *
 * Run: `bun tests/bun/e2e.ts` with a broker on $KAFKA_BOOTSTRAP.
 */
import assert from "node:assert/strict";
import { createServer, type Socket as NetSocket } from "node:net";
import { type CompressionType, Producer, type ProducerRecord } from "../../mod.ts";
import { bunTransport } from "../../lib/net/bun.ts";
import { codecAvailable, CODECS } from "../../lib/protocol/compression/mod.ts";
import { keyedPartition } from "../../lib/producer/partitioner.ts";
import { b64, BOOTSTRAP, createTopic, readBack, uniqueTopic } from "../support/cluster.ts";
import { bytesOf, mixedRecord, prng } from "../support/records.ts";
import { check, finish } from "../support/checks.ts";
import { fromB64 } from "../support/txn_source.ts";

const PARTITIONS = 6;

function headerPairs(record: ProducerRecord): [string, string | null][] {
  const h = record.headers;
  if (h === undefined) return [];
  const pairs = Array.isArray(h) ? h : Object.entries(h);
  return pairs.map(([k, v]) => [k as string, b64(bytesOf(v as Uint8Array | string | null))]);
}

assert.ok("Bun" in globalThis, "run this file with bun");

/** Sends `n` mixed records concurrently with `compressionType`, reads them back, compares. */
async function sendAndReadBack(n: number, compressionType: CompressionType, seed: number) {
  const topic = uniqueTopic(`bun-send-${compressionType}`);
  await createTopic(topic, PARTITIONS, { configs: { "compression.type": "producer" } });
  const random = prng(seed);
  const sent = Array.from({ length: n }, (_, i) => mixedRecord(topic, i, PARTITIONS, random));
  const producer = new Producer({ bootstrapServers: BOOTSTRAP, compressionType });
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
}

await check(
  "bun: concurrent send() of 20,000 mixed records, read back by Kafka's consumer",
  () => sendAndReadBack(20_000, "none", 11),
);

for (const codec of [...CODECS.values()].filter(codecAvailable)) {
  await check(
    `bun: ${codec.name}: 5,000 mixed records compressed, read back by Kafka's consumer`,
    () => sendAndReadBack(5_000, codec.name, 12),
  );
}

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

await check(
  "bun: Bun's socket keeps its back-pressure under pipeTo: a peer that stops reading stops the pulls",
  async () => {
    const CHUNK = 1 << 20;
    const CHUNKS = 64;
    let peer: NetSocket | null = null;
    let received = 0;
    let misplaced = 0;
    const server = createServer((s) => {
      peer = s;
      s.pause();
      s.on("data", (data: Uint8Array) => {
        // Byte o of the stream belongs to chunk floor(o / CHUNK), filled with its number.
        const last = received + data.length - 1;
        if (data[0] !== (Math.floor(received / CHUNK) & 255)) misplaced++;
        if (data[data.length - 1] !== (Math.floor(last / CHUNK) & 255)) misplaced++;
        received += data.length;
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as { port: number };
    const socket = await bunTransport.connect("127.0.0.1", port);
    try {
      let pulls = 0;
      const source = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (pulls === CHUNKS) return controller.close();
          controller.enqueue(new Uint8Array(CHUNK).fill(pulls++ & 255));
        },
      }, { highWaterMark: 0 });
      const piped = source.pipeTo(socket.writable, { preventClose: true });
      await new Promise((resolve) => setTimeout(resolve, 500));
      const whilePaused = pulls;
      assert.ok(
        whilePaused < CHUNKS / 2,
        `${whilePaused} of ${CHUNKS} MiB pulled while the peer read nothing`,
      );
      assert.ok(peer !== null, "the server accepted");
      (peer as NetSocket).resume();
      await piped;
      const deadline = Date.now() + 10_000;
      while (received < CHUNK * CHUNKS && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.equal(received, CHUNK * CHUNKS, "every byte arrived");
      assert.equal(misplaced, 0, "in order");
      console.log(`     ${whilePaused} of ${CHUNKS} MiB pulled while the peer was paused`);
    } finally {
      socket.close();
      server.close();
    }
  },
);

await check(
  "transactions: commit, abort, commit; read_committed sees the two commits",
  async () => {
    const topic = uniqueTopic("bun-txn");
    await createTopic(topic, 3);
    const producer = new Producer({
      bootstrapServers: BOOTSTRAP,
      transport: bunTransport,
      transactionalId: uniqueTopic("bun-txid"),
    });
    try {
      await producer.initTransactions();
      for (const [round, commit] of [[0, true], [1, false], [2, true]] as const) {
        producer.beginTransaction();
        const sends = [];
        for (let i = 0; i < 100; i++) {
          sends.push(producer.send({ topic, key: `k${i}`, value: `${round}-${i}` }));
        }
        await Promise.all(sends);
        if (commit) await producer.commitTransaction();
        else await producer.abortTransaction();
      }
      assert.equal(producer.transactionState, "READY");
    } finally {
      await producer.close();
    }
    const committed = await readBack(topic, 200, { isolation: "read_committed" });
    const rounds = committed.map((r) => new TextDecoder().decode(fromB64(r.v)!).split("-")[0]);
    assert.equal(committed.length, 200);
    assert.ok(rounds.every((r) => r === "0" || r === "2"), "no record of the aborted transaction");
    const all = await readBack(topic, 300, { isolation: "read_uncommitted" });
    assert.equal(all.length, 300);
  },
);

finish();
