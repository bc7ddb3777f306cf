/**
 * Transactions against the real broker, once with Transactions V1
 * (`transaction.version` 1: AddPartitionsToTxn, AddOffsetsToTxn, Produce
 * ≤ v11) and once with V2 (KIP-890: partitions and offsets join implicitly,
 * the epoch is bumped at every EndTxn), the broker switched with Kafka's
 * feature tool between the two. Every outcome is read back with Kafka's own
 * Java consumer, under `read_committed` and `read_uncommitted`, and offsets
 * with Kafka's consumer-group tool:
 *
 * - commit / abort / commit across two topics and six partitions;
 * - `pipeTo(producer.writable)` inside transactions;
 * - offsets sent to the transaction are committed for the group with it,
 *   and dropped by an abort;
 * - a record the broker refuses makes the transaction abortable: commit
 *   rejects, abort recovers (V1 bumps the epoch), the next one commits;
 * - a second producer with the same transactional id fences the first;
 * - a transaction left open by a killed producer is aborted by the next
 *   `initTransactions()`, and by the broker after `transactionTimeoutMs`.
 */
import assert from "node:assert/strict";
import {
  Producer,
  ProducerFencedError,
  type ProducerOptions,
  type RecordMetadata,
  TransactionAbortableError,
  TransactionAbortedError,
} from "../../mod.ts";
import { defaultTransport } from "../../lib/net/runtime.ts";
import { ApiKey } from "../../lib/protocol/api.ts";
import { BOOTSTRAP, createTopic, readBack, uniqueTopic } from "../support/cluster.ts";
import {
  describeFeatures,
  setTransactionVersion,
  transactionVersion,
} from "../support/features.ts";
import { groupOffsets } from "../support/group_offsets.ts";
import { RequestSpy } from "../support/request_spy.ts";

const PARTITIONS = 3;
const values = (records: { v: string | null }[]) =>
  records.map((r) => new TextDecoder().decode(Uint8Array.from(atob(r.v!), (c) => c.charCodeAt(0))));

function transactional(id: string, spy?: RequestSpy, extra: Partial<ProducerOptions> = {}) {
  return new Producer({
    bootstrapServers: BOOTSTRAP,
    transactionalId: id,
    lingerMs: 2,
    ...(spy ? { transport: spy } : {}),
    ...extra,
  });
}

/** Sends `n` records `${tag}-${i}` spread over the topics' partitions by key. */
function sendAll(producer: Producer, topics: string[], tag: string, n: number) {
  const sends: Promise<RecordMetadata>[] = [];
  for (let i = 0; i < n; i++) {
    const send = producer.send({
      topic: topics[i % topics.length],
      key: `k${i}`,
      value: `${tag}-${i}`,
    });
    send.catch(() => {});
    sends.push(send);
  }
  return sends;
}

async function committedAndAll(topic: string, expectedAll: number) {
  const all = values(await readBack(topic, expectedAll, { isolation: "read_uncommitted" }));
  const committed = values(await readBack(topic, expectedAll, { isolation: "read_committed" }));
  return { all, committed };
}

// Kafka 4.x can switch between V1 and V2; a broker without the feature (3.9) speaks V1 only.
const feature = (await describeFeatures(BOOTSTRAP)).find((f) => f.name === "transaction.version");
const switchable = feature !== undefined && Number(feature.supportedMax) >= 2;
const original = switchable ? await transactionVersion(BOOTSTRAP) : 0;

for (const level of switchable ? [1, 2] : [0]) {
  const v1 = level < 2;
  const name = switchable ? `V${level}` : "V1 (a broker without transaction.version)";
  Deno.test(`transactions ${name}`, async (t) => {
    if (switchable) await setTransactionVersion(BOOTSTRAP, level);
    try {
      await t.step("commit, abort, commit across two topics and six partitions", async () => {
        const topics = [uniqueTopic("txn-a"), uniqueTopic("txn-b")];
        for (const topic of topics) await createTopic(topic, PARTITIONS);
        const spy = new RequestSpy(defaultTransport());
        const producer = transactional(uniqueTopic("txid"), spy);
        try {
          await producer.initTransactions();
          assert.equal(producer.transactionState, "READY");

          producer.beginTransaction();
          const first = sendAll(producer, topics, "one", 300);
          await producer.commitTransaction();
          const firstMd = await Promise.all(first);
          assert.equal(new Set(firstMd.map((m) => `${m.topic}-${m.partition}`)).size, 6);

          producer.beginTransaction();
          const second = sendAll(producer, topics, "two", 300);
          await Promise.all(second); // written to the log, then aborted with markers
          await producer.abortTransaction();

          producer.beginTransaction();
          const third = sendAll(producer, topics, "three", 300);
          await producer.commitTransaction();
          await Promise.all(third);
          assert.equal(producer.transactionState, "READY");
        } finally {
          await producer.close();
        }
        for (const topic of topics) {
          const { all, committed } = await committedAndAll(topic, 450);
          assert.equal(all.length, 450, `${topic}: read_uncommitted sees the aborted records too`);
          assert.equal(committed.length, 300, `${topic}: read_committed sees two transactions`);
          assert.ok(committed.every((v) => !v.startsWith("two-")));
          assert.equal(committed.filter((v) => v.startsWith("one-")).length, 150);
          assert.equal(committed.filter((v) => v.startsWith("three-")).length, 150);
        }
        // V1 adds partitions explicitly, V2 implicitly through Produce.
        // V1: the partitions new since the last request join together: one request per partition
        // would be 18 (6 partitions, 3 transactions); retries (CONCURRENT_TRANSACTIONS while the
        // last transaction's markers are written) add a few.
        const adds = spy.count(ApiKey.AddPartitionsToTxn);
        if (v1) assert.ok(adds >= 3 && adds < 18, `${adds} AddPartitionsToTxn`);
        else assert.equal(spy.count(ApiKey.AddPartitionsToTxn), 0);
        assert.equal(spy.count(ApiKey.EndTxn), 3);
      });

      await t.step("pipeTo(producer.writable) inside transactions", async () => {
        const topic = uniqueTopic("txn-pipe");
        await createTopic(topic, PARTITIONS);
        const producer = transactional(uniqueTopic("txid"));
        const records = (tag: string, n: number) =>
          ReadableStream.from(
            Array.from({ length: n }, (_, i) => ({ topic, key: `k${i}`, value: `${tag}-${i}` })),
          );
        try {
          await producer.initTransactions();
          producer.beginTransaction();
          await records("piped", 2000).pipeTo(producer.writable, { preventClose: true });
          await producer.commitTransaction();
          producer.beginTransaction();
          await records("dropped", 500).pipeTo(producer.writable, { preventClose: true });
          await producer.abortTransaction();
        } finally {
          await producer.close();
        }
        const { all, committed } = await committedAndAll(topic, 2500);
        assert.equal(all.length, 2500);
        assert.equal(committed.length, 2000);
        assert.ok(committed.every((v) => v.startsWith("piped-")));
      });

      await t.step("offsets are committed with the transaction, dropped by an abort", async () => {
        const input = uniqueTopic("txn-in");
        const output = uniqueTopic("txn-out");
        await createTopic(input, 2);
        await createTopic(output, PARTITIONS);
        const group = uniqueTopic("txn-group");
        const spy = new RequestSpy(defaultTransport());
        const producer = transactional(uniqueTopic("txid"), spy);
        try {
          await producer.initTransactions();
          await producer.transaction(async (tx) => {
            sendAll(tx, [output], "a", 10);
            await tx.sendOffsetsToTransaction([
              { topic: input, partition: 0, offset: 5n },
              { topic: input, partition: 1, offset: 7 },
            ], group);
          });
          assert.deepEqual(
            await groupOffsets(BOOTSTRAP, group),
            new Map([[`${input}-0`, 5n], [`${input}-1`, 7n]]),
          );

          producer.beginTransaction();
          await producer.sendOffsetsToTransaction([{ topic: input, partition: 0, offset: 9n }], {
            groupId: group,
          });
          await producer.abortTransaction();
          assert.deepEqual(
            await groupOffsets(BOOTSTRAP, group),
            new Map([[`${input}-0`, 5n], [`${input}-1`, 7n]]),
            "the aborted offsets are not committed",
          );

          await producer.transaction(async (tx) => {
            await tx.sendOffsetsToTransaction([{ topic: input, partition: 1, offset: 8n }], {
              groupId: group,
              generationId: -1,
              memberId: "",
              groupInstanceId: null,
            });
          });
          assert.deepEqual(
            await groupOffsets(BOOTSTRAP, group),
            new Map([[`${input}-0`, 5n], [`${input}-1`, 8n]]),
          );
        } finally {
          await producer.close();
        }
        // (Counts include retries, e.g. COORDINATOR_LOAD_IN_PROGRESS of a new group's coordinator.)
        if (v1) assert.ok(spy.count(ApiKey.AddOffsetsToTxn) >= 3);
        else assert.equal(spy.count(ApiKey.AddOffsetsToTxn), 0);
        assert.ok(spy.count(ApiKey.TxnOffsetCommit) >= 3);
        assert.equal(
          values(await readBack(output, 10, { isolation: "read_committed" })).length,
          10,
        );
      });

      await t.step("a refused record makes the transaction abortable; abort recovers", async () => {
        const topic = uniqueTopic("txn-small");
        await createTopic(topic, 1, { configs: { "max.message.bytes": "2000" } });
        const spy = new RequestSpy(defaultTransport());
        const producer = transactional(uniqueTopic("txid"), spy);
        try {
          await producer.initTransactions();
          producer.beginTransaction();
          const ok = producer.send({ topic, value: "fits" });
          await ok;
          const tooLarge = producer.send({ topic, value: "x".repeat(5000) });
          await assert.rejects(tooLarge);
          assert.equal(producer.transactionState, "ABORTABLE_ERROR");
          await assert.rejects(producer.send({ topic, value: "after" }), TransactionAbortableError);
          await assert.rejects(producer.commitTransaction(), TransactionAbortableError);
          const initsBefore = spy.count(ApiKey.InitProducerId);
          await producer.abortTransaction();
          assert.equal(producer.transactionState, "READY");
          // V1 bumps the epoch itself after the failed (sequenced) batch; V2's EndTxn does it.
          // (V1 may ask more than once: CONCURRENT_TRANSACTIONS while the abort's markers are written.)
          const bumps = spy.count(ApiKey.InitProducerId) - initsBefore;
          assert.ok(v1 ? bumps >= 1 : bumps === 0, `${bumps} InitProducerId`);

          await producer.transaction(async (tx) => {
            await tx.send({ topic, value: "next" });
          });
        } finally {
          await producer.close();
        }
        assert.deepEqual(values(await readBack(topic, 1, { isolation: "read_committed" })), [
          "next",
        ]);
      });

      await t.step("a second producer with the same id fences the first", async () => {
        const topic = uniqueTopic("txn-fence");
        await createTopic(topic, PARTITIONS);
        const id = uniqueTopic("txid");
        const zombie = transactional(id);
        const successor = transactional(id);
        try {
          await zombie.initTransactions();
          zombie.beginTransaction();
          await Promise.all(sendAll(zombie, [topic], "zombie", 20));

          await successor.initTransactions(); // fences the zombie, aborts its transaction
          const late = zombie.send({ topic, key: "k0", value: "zombie-late" });
          await assert.rejects(late, ProducerFencedError);
          await assert.rejects(zombie.commitTransaction(), ProducerFencedError);
          assert.equal(zombie.transactionState, "FATAL_ERROR");
          await assert.rejects(zombie.abortTransaction(), ProducerFencedError);
          assert.throws(() => zombie.beginTransaction(), ProducerFencedError);

          await successor.transaction(async (tx) => {
            await Promise.all(sendAll(tx, [topic], "successor", 20));
          });
        } finally {
          await zombie.close();
          await successor.close();
        }
        const { all, committed } = await committedAndAll(topic, 40);
        assert.equal(all.filter((v) => v.startsWith("zombie-")).length, 20);
        assert.equal(committed.length, 20);
        assert.ok(committed.every((v) => v.startsWith("successor-")));
      });

      await t.step(
        "a killed producer's open transaction: aborted by the next initTransactions()",
        async () => {
          const topic = uniqueTopic("txn-killed");
          await createTopic(topic, 1);
          const id = uniqueTopic("txid");
          await killedMidTransaction(topic, id, 60_000);
          const next = transactional(id);
          try {
            await next.initTransactions();
            await next.transaction(async (tx) => {
              await tx.send({ topic, value: "after-restart" });
            });
          } finally {
            await next.close();
          }
          const { all, committed } = await committedAndAll(topic, 51);
          assert.equal(all.length, 51);
          assert.deepEqual(committed, ["after-restart"]);
        },
      );

      await t.step(
        "a killed producer's open transaction: aborted by the broker's timeout",
        async () => {
          const topic = uniqueTopic("txn-timeout");
          await createTopic(topic, 1);
          await killedMidTransaction(topic, uniqueTopic("txid"), 2_000);
          // Another producer's committed record lands after the open transaction: it becomes
          // visible to read_committed only once the broker has aborted that one.
          const other = transactional(uniqueTopic("txid"));
          try {
            await other.initTransactions();
            await other.transaction(async (tx) => {
              await tx.send({ topic, value: "later" });
            });
          } finally {
            await other.close();
          }
          const deadline = Date.now() + 60_000;
          let committed: string[] = [];
          while (Date.now() < deadline) {
            committed = values(
              await readBack(topic, 1, { isolation: "read_committed", timeoutMs: 10_000 }),
            );
            if (committed.length > 0) break;
          }
          assert.deepEqual(committed, ["later"]);
        },
      );
    } finally {
      if (switchable) await setTransactionVersion(BOOTSTRAP, original);
    }
  });
}

/**
 * Runs a producer in a child process that opens a transaction, writes 50
 * acknowledged records to `topic` and then is SIGKILLed, its transaction
 * left open.
 */
async function killedMidTransaction(topic: string, id: string, transactionTimeoutMs: number) {
  const script = `
    import { Producer } from ${JSON.stringify(new URL("../../mod.ts", import.meta.url).href)};
    const p = new Producer({ bootstrapServers: ${JSON.stringify(BOOTSTRAP)}, transactionalId: ${
    JSON.stringify(id)
  }, transactionTimeoutMs: ${transactionTimeoutMs} });
    await p.initTransactions();
    p.beginTransaction();
    const sends = [];
    for (let i = 0; i < 50; i++) sends.push(p.send({ topic: ${
    JSON.stringify(topic)
  }, value: "open-" + i }));
    await Promise.all(sends);
    console.log("sent");
    await new Promise(() => setInterval(() => {}, 1000));
  `;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "-"],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(script));
  await writer.close();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
  let out = "";
  try {
    while (!out.includes("sent")) {
      const { value, done } = await reader.read();
      if (done) break;
      out += value;
    }
  } finally {
    clearTimeout(timer);
  }
  assert.ok(out.includes("sent"), "the child producer wrote its records");
  child.kill("SIGKILL");
  await child.status;
  await reader.cancel().catch(() => {});
}

// Abort fails records not yet sent with TransactionAbortedError (no broker needed beyond init).
Deno.test("transactions: abort fails the records not yet sent", async () => {
  const topic = uniqueTopic("txn-unsent");
  await createTopic(topic, 1);
  const producer = transactional(uniqueTopic("txid"), undefined, { lingerMs: 60_000 });
  try {
    await producer.initTransactions();
    producer.beginTransaction();
    const pending = sendAll(producer, [topic], "unsent", 5);
    await producer.abortTransaction();
    for (const send of pending) await assert.rejects(send, TransactionAbortedError);
    assert.equal(producer.transactionState, "READY");
  } finally {
    await producer.close();
  }
});
