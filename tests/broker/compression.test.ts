/**
 * Compressed batches against a real broker, for every codec of the registry
 * this runtime can use (snappy and lz4 join when they are registered):
 * records read back exactly with Kafka's Java consumer (check.crcs=true),
 * from a topic that keeps the producer's codec and from one whose
 * compression.type makes the broker recompress, and librdkafka's kcat
 * (`-X check.crcs=true`) reads every record too.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { Producer, type ProducerRecord, type RecordMetadata } from "../../mod.ts";
import { codecAvailable, CODECS } from "../../lib/protocol/compression/mod.ts";
import { b64, BOOTSTRAP, createTopic, readBack, uniqueTopic } from "../support/cluster.ts";
import { prng } from "../support/records.ts";

const PARTITIONS = 3;
const N = 3000;
const codecs = [...CODECS.values()].filter(codecAvailable);

/** Keyed and unkeyed text records, most with headers (one a null value), some tombstones. */
function records(topic: string, seed: number): ProducerRecord[] {
  const random = prng(seed);
  const words = ["alpha", "beta", "gamma", "delta", "kafka", "zstd", "gzip", "ünïcødé"];
  return Array.from({ length: N }, (_, i) => {
    const text = Array.from(
      { length: 1 + Math.floor(random() * 40) },
      () => words[Math.floor(random() * words.length)],
    ).join(" ");
    const headers: [string, string | null][] = [["i", String(i)]];
    if (i % 3 === 0) headers.push(["trace", `t-${Math.floor(random() * 1e9)}`], ["nil", null]);
    return {
      topic,
      key: i % 4 === 0 ? undefined : `key-${i % 97}`,
      value: i % 250 === 0 ? null : `${i}: ${text}`,
      headers,
    };
  });
}

/** Sends every record with `compressionType`; the metadata of each, in order. */
async function produce(
  sent: ProducerRecord[],
  compressionType: (typeof codecs)[number]["name"],
): Promise<RecordMetadata[]> {
  await using producer = new Producer({ bootstrapServers: BOOTSTRAP, compressionType });
  const mds = await Promise.all(sent.map((r) => producer.send(r)));
  assert.equal(producer.metrics().recordErrors, 0);
  return mds;
}

/** Where a record was written, as `partition/offset`. */
const at = (md: RecordMetadata) => `${md.partition}/${md.offset}`;
const utf8 = (s: string | null | undefined) =>
  s === null || s === undefined ? null : new TextEncoder().encode(s);

/** Reads the topic back with the Java consumer and compares every record. */
async function assertJavaReadsBack(topic: string, sent: ProducerRecord[], mds: RecordMetadata[]) {
  const consumed = await readBack(topic, sent.length);
  assert.equal(consumed.length, sent.length, "records read back");
  const byPosition = new Map(consumed.map((r) => [`${r.p}/${r.o}`, r]));
  sent.forEach((s, i) => {
    const got = byPosition.get(at(mds[i]));
    assert.ok(got, `record ${i} at ${at(mds[i])} not read back`);
    assert.equal(got.k, b64(utf8(s.key as string | undefined)), `record ${i}: key`);
    assert.equal(got.v, b64(utf8(s.value as string | null)), `record ${i}: value`);
    assert.deepEqual(
      got.h,
      (s.headers as [string, string | null][]).map(([k, v]) => [k, b64(utf8(v))]),
      `record ${i}: headers`,
    );
    assert.equal(got.t, mds[i].timestamp, `record ${i}: timestamp`);
  });
}

/** Whether kcat is installed (scripts/test.sh installs it where it can). */
const kcat = await new Promise<boolean>((resolve) =>
  execFile("kcat", ["-V"], (error) => resolve(error === null))
);

Deno.test("kcat is installed where CI runs (librdkafka's reading of every codec is checked)", () => {
  // Locally without root the kcat steps are skipped; in CI (CI=true, root) test.sh installs it.
  if (Deno.env.get("CI") === "true") assert.ok(kcat, "kcat not found: scripts/test.sh installs it");
});

/** Every record of `topic` as kcat reads it (JSON lines), CRCs checked. */
function kcatRead(topic: string): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) =>
    execFile(
      "kcat",
      ["-C", "-b", BOOTSTRAP, "-t", topic, "-e", "-o", "beginning", "-J", "-q"]
        .concat(["-X", "check.crcs=true"]),
      { maxBuffer: 1 << 28 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`kcat failed: ${error.message}\n${stderr}`));
        else resolve(stdout.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l)));
      },
    )
  );
}

async function assertKcatReadsBack(topic: string, sent: ProducerRecord[], mds: RecordMetadata[]) {
  const read = await kcatRead(topic);
  assert.equal(read.length, sent.length, "records kcat read");
  const byPosition = new Map(read.map((r) => [`${r.partition}/${r.offset}`, r]));
  sent.forEach((s, i) => {
    const got = byPosition.get(at(mds[i]));
    assert.ok(got, `kcat: record ${i} at ${at(mds[i])} missing`);
    assert.equal(got.key, s.key ?? null, `kcat: record ${i}: key`);
    assert.equal(got.payload, s.value, `kcat: record ${i}: value`);
    assert.deepEqual(got.headers, (s.headers as [string, string | null][]).flat(), `record ${i}`);
    assert.equal(got.ts, mds[i].timestamp, `kcat: record ${i}: timestamp`);
  });
}

codecs.forEach((codec, n) => {
  // The broker recompresses into another codec (the next in the registry).
  const other = codecs.length > 1 ? codecs[(n + 1) % codecs.length].name : "uncompressed";

  for (
    const [topicCodec, seed, title] of [
      ["producer", 10 + n, "a compression.type=producer topic reads back exactly (Java, kcat)"],
      [other, 20 + n, `a compression.type=${other} topic recompresses; reads back exactly`],
    ] as const
  ) {
    Deno.test(`${codec.name}: ${title}`, async (t) => {
      const topic = uniqueTopic(
        `${topicCodec === "producer" ? "compress" : "recompress"}-${codec.name}`,
      );
      await createTopic(topic, PARTITIONS, { configs: { "compression.type": topicCodec } });
      const sent = records(topic, seed);
      const mds = await produce(sent, codec.name);
      await assertJavaReadsBack(topic, sent, mds);
      await t.step({
        name: "kcat reads every record (check.crcs=true)",
        ignore: !kcat,
        fn: () => assertKcatReadsBack(topic, sent, mds),
      });
    });
  }
});
