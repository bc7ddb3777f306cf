/**
 * Bad input catalogue, part 2: invalid records, against the real broker.
 * Each bad record rejects with InvalidRecordError naming the problem, and a
 * good record sent just before it (still in flight) is acknowledged.
 */
import assert from "node:assert/strict";
import { InvalidRecordError, KafkaError, Producer, type ProducerRecord } from "../../mod.ts";
import { BOOTSTRAP, createTopic, uniqueTopic } from "../support/cluster.ts";

/**
 * Sends a good record, then each bad one while the good one is in flight;
 * asserts every bad one fails with InvalidRecordError matching its pattern
 * and the good one lands.
 */
async function catalogue(
  name: string,
  bad: (topic: string) => [unknown, RegExp][],
  partitions = 2,
): Promise<void> {
  const topic = uniqueTopic(name);
  await createTopic(topic, partitions);
  await using producer = new Producer({ bootstrapServers: BOOTSTRAP, maxBlockMs: 10_000 });
  const good = producer.send({ topic, value: "good", partition: 0 });
  for (const [record, pattern] of bad(topic)) {
    const started = Date.now();
    const error = await producer.send(record as ProducerRecord).then(
      () => assert.fail(`${describe(record)} was accepted`),
      (e: unknown) => e,
    );
    assert.ok(error instanceof InvalidRecordError, `${describe(record)}: got ${error}`);
    assert.match(error.message, pattern, describe(record));
    assert.ok(Date.now() - started < 5000, `${describe(record)} took ${Date.now() - started} ms`);
  }
  const md = await good;
  assert.equal(md.partition, 0);
  assert.equal(md.offset, 0n, "the good record in flight was acknowledged");
}

function describe(record: unknown): string {
  try {
    return JSON.stringify(
      record,
      (_, v) =>
        v === undefined
          ? "<undefined>"
          : typeof v === "number" && !Number.isFinite(v)
          ? String(v)
          : typeof v === "bigint"
          ? `${v}n`
          : v instanceof Uint8Array
          ? `<bytes ${[...v]}>`
          : v,
    );
  } catch {
    return String(record);
  }
}

Deno.test("records: invalid topic names (empty, too long, illegal characters, '.', '..')", async () => {
  const invalid =
    /invalid topic name .*: use 1 to 249 characters of a-z, A-Z, 0-9, '\.', '_' and '-'/;
  await catalogue("topic-names", () => [
    [{ topic: "", value: "v" }, invalid],
    [{ topic: "a".repeat(250), value: "v" }, invalid],
    [{ topic: "has space", value: "v" }, /invalid topic name "has space"/],
    [{ topic: "slash/topic", value: "v" }, /invalid topic name "slash\/topic"/],
    [{ topic: "colon:topic", value: "v" }, invalid],
    [{ topic: "ümlaut", value: "v" }, invalid],
    [{ topic: "tab\t", value: "v" }, invalid],
    [{ topic: ".", value: "v" }, /invalid topic name "\."/],
    [{ topic: "..", value: "v" }, /invalid topic name "\.\."/],
  ]);
});

Deno.test("records: wrong types for topic and value; the record itself not an object", async () => {
  await catalogue("types", (topic) => [
    [{ topic: 42, value: "v" }, /invalid topic name 42/],
    [{ topic: null, value: "v" }, /invalid topic name null/],
    [{ topic: undefined, value: "v" }, /invalid topic name undefined/],
    [{ topic: ["t"], value: "v" }, /invalid topic name \["t"\]/],
    [{ topic, value: 42 }, /value must be a Uint8Array, a string or null, got number/],
    [{ topic, value: { a: 1 } }, /value must be .*, got Object/],
    [{ topic, value: [1, 2] }, /value must be .*, got Array/],
    [{ topic, value: true }, /value must be .*, got boolean/],
    [{ topic, value: new ArrayBuffer(4) }, /value must be .*, got ArrayBuffer/],
    [{ topic, value: new Uint16Array(2) }, /value must be .*, got Uint16Array/],
    [{ topic, value: "v", key: 7 }, /key must be a Uint8Array, a string or null, got number/],
    [null, /a record must be an object, got null/],
    [undefined, /a record must be an object, got undefined/],
    ["topic", /a record must be an object, got string/],
  ]);
});

Deno.test("records: partition out of range, negative, non-integer", async () => {
  await catalogue("partitions", (topic) => [
    [
      { topic, value: "v", partition: 2 },
      /partition 2 is out of range: topic ".*" has 2 partition/,
    ],
    [{ topic, value: "v", partition: 1000 }, /partition 1000 is out of range/],
    [{ topic, value: "v", partition: -1 }, /partition must be a non-negative integer, got -1/],
    [{ topic, value: "v", partition: 0.5 }, /partition must be a non-negative integer, got 0\.5/],
    [{ topic, value: "v", partition: NaN }, /partition must be a non-negative integer, got NaN/],
    [{ topic, value: "v", partition: "1" }, /partition must be a non-negative integer, got 1/],
    [{ topic, value: "v", partition: 2 ** 31 }, /partition must be a non-negative integer/],
    [{ topic, value: "v", partition: null }, /partition must be a non-negative integer, got null/],
  ]);
});

Deno.test("records: header keys as bytes or other types, bad header values, headers as a Map", async () => {
  await catalogue("headers", (topic) => [
    [
      { topic, value: "v", headers: [[new Uint8Array([0xff, 0xfe]), "x"]] },
      /a header key must be a string, got Uint8Array/,
    ],
    [{ topic, value: "v", headers: [[1, "x"]] }, /a header key must be a string, got number/],
    [{ topic, value: "v", headers: [[null, "x"]] }, /a header key must be a string, got null/],
    [{ topic, value: "v", headers: [["k"]] }, /\[key, value\] pairs/],
    [{ topic, value: "v", headers: ["k", "v"] }, /\[key, value\] pairs/],
    [{ topic, value: "v", headers: { k: 5 } }, /header "k" value must be .*, got number/],
    [{ topic, value: "v", headers: { k: null } }, /header "k" has value null: .*array form/],
    [{ topic, value: "v", headers: [["k", { v: 1 }]] }, /header "k" value must be/],
    [{ topic, value: "v", headers: "k=v" }, /headers must be a plain object or an array/],
    [{ topic, value: "v", headers: 5 }, /headers must be a plain object or an array .*got number/],
    // Objects with no own keys for their entries: their headers would be lost.
    [{ topic, value: "v", headers: new Map([["k", "v"]]) }, /plain object or an array .*got Map/],
    [{ topic, value: "v", headers: new Headers([["k", "v"]]) }, /got Headers/],
    [{ topic, value: "v", headers: new Date() }, /got Date/],
    [{ topic, value: "v", headers: new Uint8Array(2) }, /got Uint8Array/],
  ]);
});

Deno.test("records: undefined where null is meant (value, header values, headers)", async () => {
  await catalogue("undefined", (topic) => [
    [{ topic, value: undefined }, /has no value: pass null for a record without one/],
    [{ topic }, /has no value: pass null/],
    [{ topic, value: "v", headers: { a: undefined } }, /header "a" has value undefined/],
    [{ topic, value: "v", headers: [["a", undefined]] }, /header "a" has value undefined/],
    [{ topic, value: "v", headers: null }, /headers must be a plain object or an array .*got null/],
  ]);
  // Where undefined means "absent" it is fine: key, headers, partition, timestamp.
  const topic = uniqueTopic("undefined-ok");
  await createTopic(topic, 1);
  await using producer = new Producer({ bootstrapServers: BOOTSTRAP });
  const md = await producer.send({
    topic,
    value: null,
    key: undefined,
    headers: undefined,
    partition: undefined,
    timestamp: undefined,
  });
  assert.equal(md.offset, 0n);
});

Deno.test("records: timestamps negative, beyond int64, NaN, non-integer", async () => {
  const ts = /timestamp must be epoch milliseconds, an integer in 0\.\.8640000000000000, got/;
  await catalogue("timestamps", (topic) => [
    [{ topic, value: "v", timestamp: -1 }, new RegExp(`${ts.source} -1$`)],
    [{ topic, value: "v", timestamp: -1700000000000 }, ts],
    [{ topic, value: "v", timestamp: 2 ** 63 }, ts],
    [{ topic, value: "v", timestamp: 1e20 }, ts],
    [{ topic, value: "v", timestamp: 8.64e15 + 2 }, ts],
    [{ topic, value: "v", timestamp: NaN }, new RegExp(`${ts.source} NaN`)],
    [{ topic, value: "v", timestamp: Infinity }, ts],
    [{ topic, value: "v", timestamp: 1.5 }, new RegExp(`${ts.source} 1\\.5`)],
    [{ topic, value: "v", timestamp: "1700000000000" }, ts],
    [{ topic, value: "v", timestamp: 1700000000000n }, ts],
    [{ topic, value: "v", timestamp: new Date() }, ts],
  ]);
});

Deno.test("records: a timestamp the broker refuses (a day ahead) is KafkaError INVALID_TIMESTAMP", async () => {
  const topic = uniqueTopic("future");
  await createTopic(topic, 2);
  await using producer = new Producer({ bootstrapServers: BOOTSTRAP });
  const other = producer.send({ topic, value: "other batch", partition: 1 });
  const future = Date.now() + 24 * 3600_000;
  const error = await producer.send({ topic, value: "v", partition: 0, timestamp: future }).catch((
    e,
  ) => e);
  assert.ok(error instanceof KafkaError, String(error));
  assert.equal(error.name, "INVALID_TIMESTAMP");
  assert.equal(error.code, 32);
  assert.equal(error.retriable, false);
  assert.match(
    error.message,
    new RegExp(`record 0: Timestamp ${future} of message .* out of range`),
  );
  assert.equal((await other).offset, 0n, "the record in another batch landed");
  assert.equal((await producer.send({ topic, value: "now", partition: 0 })).offset, 0n);
});

Deno.test("records: a bad record in a pipeTo(producer.writable) rejects the pipe; earlier ones land", async () => {
  const topic = uniqueTopic("pipe-bad");
  await createTopic(topic, 1);
  const producer = new Producer({ bootstrapServers: BOOTSTRAP });
  try {
    const records = [
      { topic, value: "one" },
      { topic, value: "two" },
      { topic, value: "three", timestamp: -5 },
      { topic, value: "four" },
    ];
    const error = await ReadableStream.from(records).pipeTo(producer.writable).then(
      () => assert.fail("the pipe resolved"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof InvalidRecordError, String(error));
    assert.match(error.message, /timestamp must be epoch milliseconds, .*got -5/);
    await producer.flush();
    // The records before the bad one landed and the producer still works. ("four" may
    // land too: pipeTo wrote it before the stream errored, and writes append at once.)
    const after = (await producer.send({ topic, value: "after" })).offset;
    assert.ok(after === 2n || after === 3n, `offset ${after}`);
  } finally {
    await producer.close();
  }
});
