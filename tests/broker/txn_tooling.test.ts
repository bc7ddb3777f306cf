/**
 * The Java-side tooling of the transaction tests, against the real broker
 * and with Kafka's own Java clients only (no producer of ours): ReadBack by
 * isolation level (JavaTxnWriter commits some records and aborts others),
 * ReadBack's stop at an open transaction, TxnSource (read_committed source
 * of a read-process-write loop: next, rewind to the group's committed
 * offsets), the consumer-group tool's offsets, and the broker's
 * transaction.version.
 */
import assert from "node:assert/strict";
import {
  BOOTSTRAP,
  createTopic,
  readBack,
  readBackReport,
  uniqueTopic,
} from "../support/cluster.ts";
import { javaTxnWrite, startJavaTxnWriter } from "../support/java_txn_writer.ts";
import { fromB64, nextOffsets, type SourceRecord, TxnSource } from "../support/txn_source.ts";
import { groupOffsets, parseGroupDescribe } from "../support/group_offsets.ts";
import { parseFeatures, setTransactionVersion, transactionVersion } from "../support/features.ts";

const text = (b64: string | null) => new TextDecoder().decode(fromB64(b64) ?? new Uint8Array());
/** `v-a` … `v-(b-1)`. */
const values = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => `v-${a + i}`);
const sorted = (xs: Iterable<string>) => [...xs].sort();

Deno.test("ReadBack: read_committed sees the committed records, read_uncommitted the aborted too", async () => {
  const topic = uniqueTopic("txn-readback");
  await createTopic(topic, 3);
  const summary = await javaTxnWrite(topic, ["commit:20", "abort:12", "commit:10"]);
  assert.deepEqual({ ...summary, transactionalId: "" }, {
    transactionalId: "",
    committed: 30,
    aborted: 12,
    open: 0,
  });

  const committed = await readBackReport(topic, 30, { isolation: "read_committed" });
  assert.equal(committed.reason, "complete");
  assert.equal(committed.isolation, "read_committed");
  assert.deepEqual(
    sorted(committed.records.map((r) => text(r.v))),
    sorted([...values(0, 20), ...values(32, 42)]),
  );
  const all = await readBack(topic, 42, { isolation: "read_uncommitted" });
  assert.deepEqual(sorted(all.map((r) => text(r.v))), sorted(values(0, 42)));
  // The old call shape (bootstrap as the third argument) reads uncommitted as before.
  assert.equal((await readBack(topic, 42, BOOTSTRAP)).length, 42);
  // Offsets: the transaction markers take offsets no record has.
  for (let p = 0; p < 3; p++) {
    const offsets = all.filter((r) => r.p === p).map((r) => r.o);
    assert.deepEqual(offsets, [...offsets].sort((a, b) => a - b), `partition ${p} in order`);
  }
});

Deno.test("ReadBack read_committed ends at an open transaction's first offset, not at its timeout", async () => {
  const topic = uniqueTopic("txn-open");
  await createTopic(topic, 2);
  const writer = startJavaTxnWriter(topic, ["commit:5", "send:4", "hold", "abort"]);
  try {
    await writer.holding();
    // Enough records before the open transaction: complete, at once.
    const enough = await readBackReport(topic, 5, {
      isolation: "read_committed",
      timeoutMs: 60_000,
    });
    assert.equal(enough.reason, "complete");
    assert.deepEqual(sorted(enough.records.map((r) => text(r.v))), sorted(values(0, 5)));
    // Expecting the open transaction's records too: the quiet period (3 s), not the 60 s cap.
    const more = await readBackReport(topic, 9, { isolation: "read_committed", timeoutMs: 60_000 });
    assert.equal(more.reason, "end");
    assert.equal(more.records.length, 5);
    assert.ok(more.elapsedMs < 30_000, `read_committed took ${more.elapsedMs} ms`);
    // read_uncommitted sees the open transaction's records.
    const dirty = await readBackReport(topic, 9, { timeoutMs: 60_000 });
    assert.equal(dirty.reason, "complete");
    assert.deepEqual(sorted(dirty.records.map((r) => text(r.v))), sorted(values(0, 9)));
    writer.release();
    const summary = await writer.done();
    assert.equal(summary.committed, 5);
    assert.equal(summary.aborted, 4);
  } finally {
    writer.kill();
  }
  const after = await readBackReport(topic, 5, { isolation: "read_committed" });
  assert.equal(after.records.length, 5);
});

/**
 * Calls `source.next` until `want` records came (then checks nothing more
 * comes at once) or a call returns none.
 */
async function drain(source: TxnSource, want: number): Promise<SourceRecord[]> {
  const got: SourceRecord[] = [];
  while (got.length < want) {
    const batch = await source.next(want - got.length, 5000);
    if (batch.length === 0) break;
    got.push(...batch);
  }
  if (got.length === want) got.push(...await source.next(10, 200));
  return got;
}

Deno.test("TxnSource: read_committed batches, rewind to the group's committed offsets", async () => {
  const topic = uniqueTopic("txn-source");
  const group = `${topic}-g`;
  await createTopic(topic, 3);
  await javaTxnWrite(topic, ["commit:30", "abort:5", "commit:6"]); // committed: v-0..29, v-35..40
  const committedValues = [...values(0, 30), ...values(35, 41)];

  const source = await TxnSource.open(topic, group);
  try {
    // Batches of at most N, only committed records, offsets ascending per partition.
    const first = await source.next(7, 5000);
    assert.ok(first.length > 0 && first.length <= 7, `first batch: ${first.length}`);
    const all = [...first, ...await drain(source, 36 - first.length)];
    assert.deepEqual(sorted(all.map((r) => text(r.v))), sorted(committedValues));
    for (let p = 0; p < 3; p++) {
      const o = all.filter((r) => r.p === p).map((r) => r.o);
      assert.deepEqual(o, [...o].sort((a, b) => a - b));
    }
    assert.deepEqual(await source.next(10, 300), [], "nothing more: an empty batch");

    // Nothing committed for the group yet: rewind goes back to the beginning.
    await source.rewind();
    assert.deepEqual(
      sorted((await drain(source, 36)).map((r) => text(r.v))),
      sorted(committedValues),
    );

    // Commit offsets for the first 10 records in a Java transaction (TxnOffsetCommit, generation
    // -1: the group has no members); rewind then starts after them.
    const offsets = nextOffsets(topic, all.slice(0, 10));
    const spec = (add: bigint) => offsets.map((o) => `${o.partition}=${o.offset + add}`).join(",");
    /** The committed records at or after the group's offsets of `add` past `offsets`. */
    const from = (add: bigint) =>
      sorted(
        all.filter((r) => {
          const o = offsets.find((o) => o.partition === r.p);
          return o === undefined || BigInt(r.o) >= o.offset + add;
        }).map((r) => text(r.v)),
      );
    const committedAs = (add: bigint) =>
      new Map(offsets.map((o) => [`${topic}-${o.partition}`, o.offset + add]));
    await javaTxnWrite(topic, [`offsets:${group}:${spec(0n)}`, "commit"]);
    assert.deepEqual(await groupOffsets(BOOTSTRAP, group), committedAs(0n));
    await source.rewind();
    assert.deepEqual(
      sorted((await drain(source, from(0n).length)).map((r) => text(r.v))),
      from(0n),
    );

    // Offsets sent in an aborted transaction change nothing.
    await javaTxnWrite(topic, [`offsets:${group}:${spec(1n)}`, "abort"]);
    assert.deepEqual(await groupOffsets(BOOTSTRAP, group), committedAs(0n));
    await source.rewind();
    assert.deepEqual(
      sorted((await drain(source, from(0n).length)).map((r) => text(r.v))),
      from(0n),
    );

    // Offsets of a transaction still open: the tool shows the last committed ones, and rewind
    // (require_stable) waits for the transaction, here past its own short wait.
    const writer = startJavaTxnWriter(topic, [`offsets:${group}:${spec(1n)}`, "hold", "commit"]);
    try {
      await writer.holding();
      assert.deepEqual(await groupOffsets(BOOTSTRAP, group), committedAs(0n));
      await assert.rejects(source.rewind(2000), /TxnSource rewind: error/);
      writer.release();
      await writer.done();
    } finally {
      writer.kill();
    }
    assert.deepEqual(await groupOffsets(BOOTSTRAP, group), committedAs(1n));
    await source.rewind(); // the process goes on after an error answer
    assert.deepEqual(
      sorted((await drain(source, from(1n).length)).map((r) => text(r.v))),
      from(1n),
    );
  } finally {
    await source.close();
    await source.close(); // a second close is a no-op
  }
});

Deno.test("TxnSource: open rejects (and kills the JVM) when start-up takes too long", async () => {
  // The Java side gives up on the topic after 60 s; the wrapper's start-up bound is shorter.
  await assert.rejects(
    TxnSource.open(uniqueTopic("txn-missing"), "g", { startTimeoutMs: 8000 }),
    /TxnSource/,
  );
});

Deno.test("groupOffsets: an unknown group has none; the describe table is parsed", async () => {
  assert.deepEqual(await groupOffsets(BOOTSTRAP, uniqueTopic("no-such-group")), new Map());
  const out = `
GROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID                                            HOST            CLIENT-ID
g               orders-eu       1          17              20              3               consumer-g-1-5b1e6a2c-0d6e-4c4a-8d53-0c36e0c7e7c1 /127.0.0.1      consumer-g-1
g               orders-eu       0          -               4               -               consumer-g-1-5b1e6a2c-0d6e-4c4a-8d53-0c36e0c7e7c1 /127.0.0.1      consumer-g-1
g               other           12         9007199254740993 9007199254740993 0            -                                                      -               -
`;
  assert.deepEqual(
    parseGroupDescribe(out, "g"),
    new Map([["orders-eu-1", 17n], ["other-12", 9007199254740993n]]),
  );
  assert.throws(
    () => parseGroupDescribe("\nError: Executing consumer group command failed due to x\n", "g"),
    /Error: Executing/,
  );
});

Deno.test("transaction.version: read, and set 2 → 1 → 2 without --unsafe (restored)", async () => {
  const features = parseFeatures(
    "Feature: transaction.version\tSupportedMinVersion: 0\tSupportedMaxVersion: 2\tFinalizedVersionLevel: 2\tEpoch: 5\n",
  );
  assert.deepEqual(features, [{
    name: "transaction.version",
    finalized: "2",
    supportedMin: "0",
    supportedMax: "2",
  }]);
  const original = await transactionVersion(BOOTSTRAP);
  assert.ok([0, 1, 2].includes(original), `transaction.version ${original}`);
  await setTransactionVersion(BOOTSTRAP, original); // already there: nothing to do
  const other = original === 1 ? 2 : 1;
  try {
    await setTransactionVersion(BOOTSTRAP, other);
    assert.equal(await transactionVersion(BOOTSTRAP), other);
  } finally {
    await setTransactionVersion(BOOTSTRAP, original);
  }
  assert.equal(await transactionVersion(BOOTSTRAP), original);
});
