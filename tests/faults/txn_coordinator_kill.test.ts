/**
 * Fault scenario: SIGKILL the transaction coordinator during
 * `commitTransaction()`. A transactional acks=all producer runs
 * `FAULT_TRANSACTIONS` (default 20) transactions of RECORDS / 20 records each
 * over the 6 partitions; three of the commits lose their coordinator (the
 * node FindCoordinator names for the transactional id, SIGKILLed, started
 * again 3 s later), each at another moment: with the transaction's records
 * still in flight, the instant its EndTxn is written, and 3 ms after that. A
 * commit that rejects with an abortable error is aborted; a fatal error fails
 * the test.
 *
 * Read back read_committed, every transaction is there exactly once (each
 * record once, at its acknowledged offset, in order per partition) or not at
 * all; every committed one is there, every aborted one is not; read
 * read_uncommitted, every committed record is there.
 *
 * `FAULT_TXN_VERSION=1|2` runs it with Transactions V1 or V2 (the cluster's
 * level otherwise, V2 on Kafka 4.1); `FAULT_TXN_DELIVERY_TIMEOUT_MS=5000`
 * makes the records of a partition led by the dead node expire, so some
 * transactions fail abortably and are aborted (at the defaults none are).
 *
 * Full local size (3-node cluster on your port base): `export KAFKA_PORT_BASE=19092;
 * bash scripts/kafka.sh up --brokers 3; KAFKA_BOOTSTRAP=$(bash scripts/kafka.sh bootstrap)
 * FAULT_RECORDS=200000 deno test -A tests/faults/txn_coordinator_kill.test.ts`; CI runs
 * 50,000 (`scripts/test.sh`).
 */
import assert from "node:assert/strict";
import { Producer, type RecordMetadata, TimeoutError } from "../../mod.ts";
import { defaultTransport } from "../../lib/net/runtime.ts";
import { ApiKey } from "../../lib/protocol/api.ts";
import { type ConsumedRecord, createTopic, readBack, uniqueTopic } from "../support/cluster.ts";
import {
  coordinatorOf,
  ensureAllUp,
  kafkaSh,
  nodePid,
  NODES,
  PARTITIONS,
  pause,
  RECORDS,
  withTransactionVersion,
} from "../support/fault_scenario.ts";
import { RequestSpy } from "../support/request_spy.ts";

const NAME = "txn-coordinator-kill";
const TRANSACTIONS = Number(Deno.env.get("FAULT_TRANSACTIONS") ?? 20);
const PER_TXN = Math.max(PARTITIONS, Math.floor(RECORDS / TRANSACTIONS));
const FILLER = "x".repeat(80);

/** Where in the commit the coordinator dies. */
type KillPoint = "in-flight" | "end-txn" | "end-txn+3ms";
/** The transactions whose commit loses its coordinator, and when. */
const KILLS = new Map<number, KillPoint>([
  [Math.floor(TRANSACTIONS / 4), "in-flight"],
  [Math.floor(TRANSACTIONS / 2), "end-txn"],
  [Math.floor((TRANSACTIONS * 3) / 4), "end-txn+3ms"],
]);

/** The coordinator requests worth a timeline line (Produce is only counted). */
const TXN_APIS = new Map<number, string>([
  [ApiKey.FindCoordinator, "FindCoordinator"],
  [ApiKey.InitProducerId, "InitProducerId"],
  [ApiKey.AddPartitionsToTxn, "AddPartitionsToTxn"],
  [ApiKey.AddOffsetsToTxn, "AddOffsetsToTxn"],
  [ApiKey.EndTxn, "EndTxn"],
  [ApiKey.TxnOffsetCommit, "TxnOffsetCommit"],
]);

const decoder = new TextDecoder();
const valueOf = (r: ConsumedRecord) =>
  decoder.decode(Uint8Array.from(atob(r.v ?? ""), (c) => c.charCodeAt(0)));

Deno.test("faults: SIGKILL the transaction coordinator during 3 commits (transactional, acks=all)", () =>
  withTransactionVersion(scenario));

/** The scenario, with `transaction.version` at `level`. */
async function scenario(level: number): Promise<void> {
  await ensureAllUp();
  const topic = uniqueTopic(`fault-${NAME}`);
  await createTopic(topic, PARTITIONS, {
    replicationFactor: 3,
    configs: { "min.insync.replicas": "2" },
  });
  const t0 = Date.now();
  const log = (m: string) =>
    console.log(`  [${NAME} +${((Date.now() - t0) / 1000).toFixed(1)}s] ${m}`);

  // Every coordinator request, as written, with the node it went to.
  const timeline: { at: number; what: string }[] = [];
  let onEndTxn: (() => void) | null = null;
  const spy = new RequestSpy(defaultTransport(), (apiKey, address) => {
    const what = TXN_APIS.get(apiKey);
    if (what === undefined) return;
    timeline.push({ at: Date.now(), what: `${what}→${NODES.indexOf(address) + 1}` });
    if (apiKey === ApiKey.EndTxn && onEndTxn !== null) {
      const hook = onEndTxn;
      onEndTxn = null;
      hook();
    }
  });
  const transactionalId = uniqueTopic("txid-coordinator-kill");
  const producer = new Producer({
    bootstrapServers: NODES.join(","),
    transactionalId,
    acks: "all",
    ...deliveryTimeouts(),
    transport: spy,
  });

  /** Per transaction: its outcome and each record's acknowledged offset (-1: none). */
  const outcome: ("committed" | "aborted")[] = [];
  const offsets: Float64Array[] = [];
  const killed: {
    txn: number;
    point: KillPoint;
    node: number;
    commitMs: number;
    outcome: string;
    requests: string;
  }[] = [];
  const commitMs: number[] = [];
  let bounce: Promise<void> = Promise.resolve();
  let closed = false;
  try {
    await producer.initTransactions();
    for (let txn = 0; txn < TRANSACTIONS; txn++) {
      const point = KILLS.get(txn);
      let node = -1;
      let pid = -1;
      if (point !== undefined) {
        await bounce; // the node of the last kill is back (kafkaSh start waits, bounded)
        node = await coordinatorOf(transactionalId);
        if (node < 0) throw new Error("no transaction coordinator found");
        pid = await nodePid(node);
      }
      producer.beginTransaction();
      const acked = new Float64Array(PER_TXN).fill(-1);
      offsets.push(acked);
      const sends: Promise<RecordMetadata>[] = [];
      for (let i = 0; i < PER_TXN; i++) {
        const send = producer.send({
          topic,
          partition: i % PARTITIONS,
          value: `${txn}:${i} ${FILLER}`,
        });
        send.then((md) => acked[i] = Number(md.offset), () => {});
        sends.push(send);
      }
      let killedAt = 0;
      const kill = () => {
        if (killedAt !== 0) return;
        killedAt = Date.now();
        try {
          Deno.kill(pid, "SIGKILL");
        } catch {
          // gone already; the bounce's kafka.sh kill says so
        }
      };
      if (point === "end-txn" || point === "end-txn+3ms") {
        // The records are acknowledged, so the commit goes straight to EndTxn.
        await Promise.allSettled(sends);
        onEndTxn = point === "end-txn" ? kill : () => setTimeout(kill, 3);
      }
      const commitStart = Date.now();
      const mark = timeline.length;
      const commit = producer.commitTransaction();
      if (point === "in-flight") kill();
      if (point !== undefined) {
        // Reaps the node (kill finds it dead or waits for its exit), then starts it again.
        const down = node;
        bounce = (async () => {
          while (killedAt === 0) await pause(5);
          await kafkaSh("kill", String(down));
          await pause(3_000);
          await kafkaSh("start", String(down));
          log(`node ${down} back`);
        })();
        bounce.catch(() => {});
      }
      outcome.push(await settleCommit(producer, commit, log, txn));
      const ms = Date.now() - commitStart;
      onEndTxn = null;
      if (point !== undefined) {
        if (killedAt === 0) kill(); // (EndTxn never written: the commit failed before it)
        const requests = timeline.slice(mark).map((e) => `${e.what}@${e.at - killedAt}`).join(" ");
        killed.push({ txn, point, node, commitMs: ms, outcome: outcome[txn], requests });
        log(
          `txn ${txn}: kill -9 node ${node} (coordinator) at ${point}, ${
            killedAt - commitStart
          } ms into the commit; ${
            outcome[txn]
          } after ${ms} ms; requests (ms from the kill): ${requests}`,
        );
      } else {
        commitMs.push(ms);
      }
    }
    await bounce;
    const metrics = producer.metrics();
    await producer.close({ timeoutMs: 10_000 });
    closed = true;
    await ensureAllUp();

    // ── Read back and validate ──────────────────────────────────────────
    const committed = outcome.filter((o) => o === "committed").length;
    const aborted = TRANSACTIONS - committed;
    const rc = await readBack(topic, committed * PER_TXN, { isolation: "read_committed" });
    const ru = await readBack(topic, TRANSACTIONS * PER_TXN, { isolation: "read_uncommitted" });
    const seen = offsets.map(() => new Uint8Array(PER_TXN)); // times read, read_committed
    const last = new Array<number>(PARTITIONS).fill(-1); // last txn*PER_TXN+i read per partition
    let unexpected = 0;
    let duplicated = 0;
    let reordered = 0;
    let offsetMismatches = 0;
    const parse = (r: ConsumedRecord) => {
      const m = /^(\d+):(\d+) /.exec(valueOf(r));
      if (m === null) return null;
      const txn = Number(m[1]);
      const i = Number(m[2]);
      return txn < TRANSACTIONS && i < PER_TXN && r.p === i % PARTITIONS ? { txn, i } : null;
    };
    for (const r of rc) {
      const id = parse(r);
      if (id === null) {
        unexpected++;
        continue;
      }
      if (seen[id.txn][id.i]++ > 0) duplicated++;
      const order = id.txn * PER_TXN + id.i;
      if (order <= last[r.p]) reordered++;
      last[r.p] = order;
      if (offsets[id.txn][id.i] !== r.o) offsetMismatches++;
    }
    const inUncommitted = offsets.map(() => new Uint8Array(PER_TXN));
    for (const r of ru) {
      const id = parse(r);
      if (id !== null) inUncommitted[id.txn][id.i] = 1;
    }
    const partial: number[] = [];
    const committedMissing: number[] = [];
    const abortedPresent: number[] = [];
    let uncommittedMissing = 0;
    let committedUnacked = 0;
    for (let txn = 0; txn < TRANSACTIONS; txn++) {
      const present = seen[txn].reduce((n, c) => n + (c > 0 ? 1 : 0), 0);
      if (present !== 0 && present !== PER_TXN) partial.push(txn);
      if (outcome[txn] === "committed") {
        if (present !== PER_TXN) committedMissing.push(txn);
        uncommittedMissing += inUncommitted[txn].reduce((n, c) => n + (c === 0 ? 1 : 0), 0);
        committedUnacked += offsets[txn].reduce((n, o) => n + (o < 0 ? 1 : 0), 0);
      } else if (present > 0) {
        abortedPresent.push(txn);
      }
    }
    const median = [...commitMs].sort((a, b) => a - b)[Math.floor(commitMs.length / 2)] ?? 0;
    const line =
      `[${NAME}] txnVersion=${level} transactions=${TRANSACTIONS} records=${
        TRANSACTIONS * PER_TXN
      }` +
      ` committed=${committed} aborted=${aborted} readCommitted=${rc.length}` +
      ` readUncommitted=${ru.length} partial=${partial.length} duplicated=${duplicated}` +
      ` reordered=${reordered} offsetMismatches=${offsetMismatches} unexpected=${unexpected}` +
      ` committedMissing=${committedMissing.length} abortedPresent=${abortedPresent.length}` +
      ` uncommittedMissing=${uncommittedMissing}` +
      ` killedCommitMs=${killed.map((k) => `${k.point}:${k.commitMs}(${k.outcome})`).join(",")}` +
      ` commitMsMedian=${median} commitMsMax=${Math.max(0, ...commitMs)}` +
      ` retries=${metrics.retries} epochBumps=${metrics.epochBumps}` +
      ` wall=${((Date.now() - t0) / 1000).toFixed(1)}s`;
    console.log(line);

    assert.equal(killed.length, KILLS.size, "every planned kill happened");
    assert.equal(unexpected, 0, "records read back that were never sent (or misplaced)");
    assert.deepEqual(partial, [], "transactions partly visible to read_committed");
    assert.equal(duplicated, 0, "records read twice under read_committed");
    assert.equal(reordered, 0, "records out of order within a partition");
    assert.deepEqual(committedMissing, [], "committed transactions not visible");
    assert.deepEqual(abortedPresent, [], "aborted transactions visible to read_committed");
    assert.equal(committedUnacked, 0, "records of committed transactions not acknowledged");
    assert.equal(offsetMismatches, 0, "read_committed offset differs from the acknowledged one");
    assert.equal(uncommittedMissing, 0, "committed records missing under read_uncommitted");
    assert.ok(committed > 0, "nothing committed");
  } finally {
    onEndTxn = null;
    if (!closed) await producer.close({ timeoutMs: 1_000 }).catch(() => {});
    await bounce.catch(() => {});
    await ensureAllUp();
  }
}

/**
 * Waits for a commit: a commit still running after `maxBlockMs` is waited
 * for again (twice at most); one that rejects with the producer in
 * ABORTABLE_ERROR is aborted (its outcome "aborted"); anything else (a fatal
 * error) is rethrown.
 */
async function settleCommit(
  producer: Producer,
  commit: Promise<void>,
  log: (m: string) => void,
  txn: number,
): Promise<"committed" | "aborted"> {
  for (let wait = 1;; wait++) {
    try {
      await commit;
      return "committed";
    } catch (error) {
      const state = producer.transactionState;
      if (error instanceof TimeoutError && state === "COMMITTING_TRANSACTION" && wait < 3) {
        log(`txn ${txn}: commit still running after maxBlockMs; waiting again`);
        commit = producer.commitTransaction();
        continue;
      }
      if (state !== "ABORTABLE_ERROR") {
        throw new Error(`txn ${txn}: commit failed in state ${state}: ${error}`, { cause: error });
      }
      log(
        `txn ${txn}: commit rejected (${(error as Error).name}: ${
          (error as Error).message
        }); aborting`,
      );
      let abort = producer.abortTransaction();
      for (let w = 1;; w++) {
        try {
          await abort;
          return "aborted";
        } catch (e) {
          if (!(e instanceof TimeoutError) || w >= 3) throw e;
          abort = producer.abortTransaction();
        }
      }
    }
  }
}

/**
 * `FAULT_TXN_DELIVERY_TIMEOUT_MS` (unset: the defaults): a delivery timeout
 * shorter than an outage makes the records of a partition led by the dead
 * node expire, so transactions fail abortably and are aborted.
 */
function deliveryTimeouts(): { deliveryTimeoutMs?: number; requestTimeoutMs?: number } {
  const ms = Number(Deno.env.get("FAULT_TXN_DELIVERY_TIMEOUT_MS") ?? 0);
  return ms > 0 ? { deliveryTimeoutMs: ms, requestTimeoutMs: Math.min(30_000, ms - 1000) } : {};
}
