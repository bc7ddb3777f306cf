/**
 * The producer's compressed batches over the in-memory fake broker: what
 * goes out is compressed with the chosen codec, a retry and a re-sequencing
 * after an epoch bump resend the same compressed records with a new header
 * and CRC, a split after MESSAGE_TOO_LARGE keeps the codec,
 * `maxRequestSize` counts compressed bytes, and zstd is refused for
 * a broker without Produce v7.
 */
import assert from "node:assert/strict";
import { KafkaError, Producer, type ProducerOptions } from "../../mod.ts";
import { codecAvailable, CODECS } from "../../lib/protocol/compression/mod.ts";
import { decodeRecordBatches } from "../../lib/protocol/record_batch.ts";
import { fakeBroker, type FakeBrokerOptions } from "../support/fake_broker/mod.ts";

const OUT_OF_ORDER_SEQUENCE_NUMBER = 45;
const NOT_ENOUGH_REPLICAS = 19;
const MESSAGE_TOO_LARGE = 10;
const codecs = [...CODECS.values()].filter(codecAvailable);

/** A producer over a fake broker of one partition per topic; every Produce partition's bytes are kept. */
function rig(options: Partial<ProducerOptions>, fake: FakeBrokerOptions = {}) {
  const sent: { bytes: Uint8Array; epoch: number; sequence: number }[] = [];
  const broker = fakeBroker({
    partitions: 1,
    onProduce: (b) => {
      sent.push({ bytes: b.bytes!.slice(), epoch: b.producerEpoch, sequence: b.baseSequence });
      return fake.onProduce?.(b);
    },
    ...fake.produceVersions !== undefined ? { produceVersions: fake.produceVersions } : {},
    ...fake.answerProduce !== undefined ? { answerProduce: fake.answerProduce } : {},
  });
  const producer = new Producer({
    bootstrapServers: "fake:9092",
    transport: broker.transport,
    lingerMs: 0,
    retryBackoffMs: 1,
    retryBackoffMaxMs: 1,
    ...options,
  });
  return { producer, sent, stats: broker.stats };
}

for (const codec of codecs) {
  Deno.test(`producer ${codec.name}: batches go out compressed; a retry resends the same compressed bytes`, async () => {
    let answers = 0;
    const { producer, sent } = rig({ compressionType: codec.name }, {
      onProduce: () => ++answers <= 2 ? { errorCode: NOT_ENOUGH_REPLICAS } : undefined,
    });
    const values = Array.from({ length: 100 }, (_, i) => `record ${i} `.repeat(10));
    await Promise.all(values.map((value) => producer.send({ topic: "t", value })));
    await producer.close();
    assert.equal(sent.length, 3, "two retries");
    for (const { bytes } of sent) {
      const [batch, ...more] = decodeRecordBatches(bytes);
      assert.equal(more.length, 0);
      assert.equal(batch.attributes & 7, codec.id);
      assert.deepEqual(batch.records.map((r) => new TextDecoder().decode(r.value!)), values);
      assert.ok(bytes.length < 100 * 110 / 4, `${bytes.length} bytes: compressed`);
    }
    assert.deepEqual(sent[1].bytes, sent[0].bytes, "retried as built");
    assert.deepEqual(sent[2].bytes, sent[0].bytes);
  });

  Deno.test(`producer ${codec.name}: an epoch bump rewrites the header of the compressed batch`, async () => {
    let answers = 0;
    const { producer, sent } = rig({ compressionType: codec.name }, {
      onProduce: (b) =>
        b.producerEpoch === 0 && b.baseSequence === 1 && ++answers === 1
          ? { errorCode: OUT_OF_ORDER_SEQUENCE_NUMBER }
          : undefined,
    });
    await producer.send({ topic: "t", value: "a" });
    await producer.send({ topic: "t", value: "b".repeat(500) });
    await producer.close();
    assert.deepEqual(sent.map((s) => [s.epoch, s.sequence]), [[0, 0], [0, 1], [1, 0]]);
    const [before, after] = [sent[1].bytes, sent[2].bytes];
    const [batch] = decodeRecordBatches(after); // CRC checked
    assert.equal(batch.attributes & 7, codec.id);
    assert.equal(batch.producerEpoch, 1);
    assert.equal(new TextDecoder().decode(batch.records[0].value!), "b".repeat(500));
    assert.deepEqual(after.subarray(61), before.subarray(61), "the compressed records are reused");
  });

  Deno.test(`producer ${codec.name}: a batch split after MESSAGE_TOO_LARGE keeps the codec`, async () => {
    const { producer, sent } = rig({ compressionType: codec.name, lingerMs: 20 }, {
      onProduce: (b) => b.records > 2 ? { errorCode: MESSAGE_TOO_LARGE } : undefined,
    });
    const values = Array.from({ length: 8 }, (_, i) => `v${i}`.repeat(50));
    await Promise.all(values.map((value) => producer.send({ topic: "t", value })));
    await producer.close();
    const batches = sent.map((s) => decodeRecordBatches(s.bytes)[0]);
    assert.ok(batches.some((b) => b.records.length > 2), "a batch was refused, then split");
    const accepted = batches.filter((b) => b.records.length <= 2);
    for (const batch of accepted) assert.equal(batch.attributes & 7, codec.id);
    assert.deepEqual(
      accepted.flatMap((b) => b.records.map((r) => new TextDecoder().decode(r.value!))),
      values,
    );
  });

  Deno.test(`producer ${codec.name}: maxRequestSize counts compressed bytes`, async () => {
    // Two topics' batches of ~7 KiB each (14 KiB > maxRequestSize), compressing to
    // far less: one request takes both (uncompressed, each would need its own).
    const broker = rig({
      compressionType: codec.name,
      maxRequestSize: 4000,
      batchSize: 8192,
      lingerMs: 50,
    });
    const value = "x".repeat(1000);
    const sends = [];
    for (const topic of ["a", "b"]) {
      for (let i = 0; i < 7; i++) sends.push(broker.producer.send({ topic, value }));
    }
    await Promise.all(sends);
    await broker.producer.close();
    assert.deepEqual(
      broker.sent.map((s) => decodeRecordBatches(s.bytes)[0].records.length),
      [7, 7],
      "one batch per topic",
    );
    assert.equal(broker.stats.produceRequests, 1, "both batches in one request");
  });
}

Deno.test("producer zstd: a broker without Produce v7 fails the batch with UNSUPPORTED_VERSION", async () => {
  const { producer, stats } = rig({ compressionType: "zstd" }, {
    produceVersions: [3, 6],
    answerProduce: false,
  });
  await assert.rejects(
    producer.send({ topic: "t", value: "v" }),
    (e: unknown) => {
      assert.ok(e instanceof KafkaError, String(e));
      assert.equal(e.name, "UNSUPPORTED_VERSION");
      assert.match(
        e.message,
        /zstd needs Produce v7 \(Kafka 2\.1\+\), the broker supports up to v6/,
      );
      return true;
    },
  );
  assert.equal(stats.produceRequests, 0, "nothing sent");
  await producer.close();
});
