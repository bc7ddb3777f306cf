/**
 * Fault scenario: a read-process-write relay (exactly-once) while its
 * transaction coordinator dies twice. An input topic (6 partitions) is
 * filled with `FAULT_RELAY_RECORDS` (default RECORDS × 2) id-tagged records
 * by a plain idempotent producer; then a loop reads batches of 500–2000 of
 * them read_committed for group G (Kafka's Java consumer,
 * tests/support/TxnSource.java), sends each as `out:` + its value to an
 * output topic in a transaction with the batch's next offsets
 * (`sendOffsetsToTransaction(…, G)`), and commits. When a step fails
 * abortably the transaction is aborted and the source rewound to G's
 * committed offsets. Meanwhile the node FindCoordinator names for the
 * transactional id is SIGKILLed and started again 3 s later, twice.
 *
 * Read back read_committed, the output holds every input record exactly
 * once (by id), on its input partition, in input order; G's committed
 * offsets are the input's end offsets.
 *
 * `FAULT_TXN_VERSION=1|2` runs it with Transactions V1 or V2 (the cluster's
 * level otherwise, V2 on Kafka 4.1); `FAULT_TXN_DELIVERY_TIMEOUT_MS=5000`
 * makes the records of a partition led by the dead node expire, so some
 * transactions fail abortably and are aborted (at the defaults none are).
 *
 * Full local size (3-node cluster on your port base): `export KAFKA_PORT_BASE=19092;
 * bash scripts/kafka.sh up --brokers 3; KAFKA_BOOTSTRAP=$(bash scripts/kafka.sh bootstrap)
 * FAULT_RECORDS=200000 deno test -A tests/faults/txn_relay.test.ts`; CI runs 50,000
 * (`scripts/test.sh`), so 100,000 relayed.
 */
import assert from "node:assert/strict";
import { Producer, type RecordMetadata, TimeoutError } from "../../mod.ts";
import { createTopic, readBack, uniqueTopic } from "../support/cluster.ts";
import {
  coordinatorOf,
  ensureAllUp,
  kafkaSh,
  NODES,
  PARTITIONS,
  pause,
  RECORDS,
  withTransactionVersion,
} from "../support/fault_scenario.ts";
import { groupOffsets } from "../support/group_offsets.ts";
import { fromB64, nextOffsets, type SourceRecord, TxnSource } from "../support/txn_source.ts";

const NAME = "txn-relay";
const INPUT_RECORDS = Number(Deno.env.get("FAULT_RELAY_RECORDS") ?? RECORDS * 2);
/** Batch sizes are drawn from [MIN_BATCH, MAX_BATCH]. */
const MIN_BATCH = 500;
const MAX_BATCH = 2000;
/** The coordinator bounces, at these fractions of the input relayed. */
const BOUNCES = [0.25, 0.55];
/** The relay waits for the bounces to be over before relaying the last 10%. */
const HOLD_AT = 0.9;
/** The longest the relay may take, faults included. */
const RELAY_TIMEOUT_MS = Number(Deno.env.get("FAULT_RELAY_TIMEOUT_MS") ?? 300_000);
const FILLER = "x".repeat(40);
const FILL_WAVE = 20_000;

const decoder = new TextDecoder();

Deno.test("faults: read-process-write relay, transaction coordinator SIGKILLed twice (exactly once)", () =>
  withTransactionVersion(scenario));

/** The scenario, with `transaction.version` at `level`. */
async function scenario(level: number): Promise<void> {
  await ensureAllUp();
  const input = uniqueTopic(`fault-${NAME}-in`);
  const output = uniqueTopic(`fault-${NAME}-out`);
  for (const topic of [input, output]) {
    await createTopic(topic, PARTITIONS, {
      replicationFactor: 3,
      configs: { "min.insync.replicas": "2" },
    });
  }
  const group = uniqueTopic(`${NAME}-group`);
  const transactionalId = uniqueTopic(`${NAME}-txid`);
  const t0 = Date.now();
  const log = (m: string) =>
    console.log(`  [${NAME} +${((Date.now() - t0) / 1000).toFixed(1)}s] ${m}`);

  // ── The input: id-tagged records, id i on partition i % 6 ─────────────
  const end = new Array<bigint>(PARTITIONS).fill(0n);
  const filler = new Producer({ bootstrapServers: NODES.join(","), enableIdempotence: true });
  try {
    // In waves of 20,000, within the producer's buffer memory (past it, sends are refused).
    for (let from = 0; from < INPUT_RECORDS; from += FILL_WAVE) {
      const sends: Promise<RecordMetadata>[] = [];
      for (let id = from; id < Math.min(INPUT_RECORDS, from + FILL_WAVE); id++) {
        sends.push(
          filler.send({ topic: input, partition: id % PARTITIONS, value: `${id} ${FILLER}` }),
        );
      }
      for (const md of await Promise.all(sends)) {
        if (md.offset + 1n > end[md.partition]) end[md.partition] = md.offset + 1n;
      }
    }
  } finally {
    await filler.close({ timeoutMs: 10_000 });
  }
  log(`input: ${INPUT_RECORDS} records, end offsets ${end.join(",")}`);

  // ── The relay, and the faults beside it ───────────────────────────────
  const producer = new Producer({
    bootstrapServers: NODES.join(","),
    transactionalId,
    acks: "all",
    ...deliveryTimeouts(),
  });
  let source: TxnSource | null = null;
  const stats = {
    transactions: 0,
    aborts: 0,
    rewinds: 0,
    reprocessed: 0,
    commitWaits: 0,
    emptyPolls: 0,
    abortReasons: new Map<string, number>(),
  };
  /** Records relayed in committed transactions. */
  let relayed = 0;
  let relayDone = false;
  let faultsDone = false;
  const bounced: string[] = [];
  const faults = (async () => {
    for (const at of BOUNCES) {
      const threshold = Math.floor(INPUT_RECORDS * at);
      while (relayed < threshold && !relayDone) await pause(20);
      if (relayDone) return;
      const node = await coordinatorOf(transactionalId);
      if (node < 0) throw new Error("no transaction coordinator found");
      const state = producer.transactionState;
      const killedAt = Date.now();
      const relayedAtKill = relayed;
      await kafkaSh("kill", String(node));
      log(
        `kill -9 node ${node} (transaction coordinator; relayed ${relayedAtKill}, producer ${state})`,
      );
      await pause(3_000);
      await kafkaSh("start", String(node));
      log(`node ${node} back after ${Date.now() - killedAt} ms`);
      bounced.push(`${node}@${relayedAtKill}`);
    }
  })().finally(() => faultsDone = true);
  faults.catch(() => {});

  let closed = false;
  let relayMs = 0;
  try {
    await producer.initTransactions();
    source = await TxnSource.open(input, group);
    const relayStart = Date.now();
    const deadline = relayStart + RELAY_TIMEOUT_MS;
    const random = mulberry32(Number(Deno.env.get("FAULT_SEED") ?? 1));
    /** Per partition: the next offset of the last committed transaction. */
    const position = new Array<bigint>(PARTITIONS).fill(0n);
    /** Per partition: the highest next offset read so far (ahead of `position` after an abort). */
    const read = new Array<bigint>(PARTITIONS).fill(0n);
    const caughtUp = () => position.every((o, p) => o >= end[p]);
    while (!caughtUp()) {
      if (Date.now() > deadline) {
        throw new Error(`relay not done after ${RELAY_TIMEOUT_MS} ms: at ${position.join(",")}`);
      }
      if (relayed >= INPUT_RECORDS * HOLD_AT && !faultsDone) {
        await pause(50);
        continue;
      }
      const n = MIN_BATCH + Math.floor(random() * (MAX_BATCH - MIN_BATCH + 1));
      const batch = await source.next(n, 1000);
      if (batch.length === 0) {
        stats.emptyPolls++;
        continue;
      }
      for (const r of batch) {
        if (BigInt(r.o) < read[r.p]) stats.reprocessed++;
        else read[r.p] = BigInt(r.o) + 1n;
      }
      const result = await relayBatch(producer, output, batch, input, group, log, stats);
      if (result === "committed") {
        stats.transactions++;
        relayed += batch.length;
        for (const o of nextOffsets(input, batch)) position[o.partition] = o.offset;
      } else {
        stats.aborts++;
        stats.abortReasons.set(result.reason, (stats.abortReasons.get(result.reason) ?? 0) + 1);
        // (Its committed offsets may be unreadable while the group's coordinator moves: again.)
        for (let attempt = 1;; attempt++) {
          try {
            await source.rewind();
            break;
          } catch (error) {
            if (attempt >= 3 || !String(error).includes("TxnSource rewind: error")) throw error;
            log(`rewind failed (${error}); again`);
          }
        }
        stats.rewinds++;
      }
    }
    relayMs = Date.now() - relayStart;
    relayDone = true;
    await faults;
    const metrics = producer.metrics();
    await source.close();
    source = null;
    await producer.close({ timeoutMs: 10_000 });
    closed = true;
    await ensureAllUp();

    // ── Read back and validate ──────────────────────────────────────────
    const out = await readBack(output, INPUT_RECORDS, { isolation: "read_committed" });
    const times = new Uint8Array(INPUT_RECORDS);
    const lastId = new Array<number>(PARTITIONS).fill(-1);
    let unexpected = 0;
    let duplicated = 0;
    let reordered = 0;
    for (const r of out) {
      const m = /^out:(\d+) /.exec(decoder.decode(fromB64(r.v) ?? new Uint8Array()));
      const id = m === null ? -1 : Number(m[1]);
      if (id < 0 || id >= INPUT_RECORDS || id % PARTITIONS !== r.p) {
        unexpected++;
        continue;
      }
      if (times[id]++ > 0) duplicated++;
      if (id <= lastId[r.p]) reordered++;
      lastId[r.p] = id;
    }
    const missing = times.reduce((n, t) => n + (t === 0 ? 1 : 0), 0);
    const committedOffsets = await groupOffsets(NODES.join(","), group);
    const expectedOffsets = new Map(end.map((o, p) => [`${input}-${p}`, o]));
    const reasons = [...stats.abortReasons].map(([k, v]) => `${k}:${v}`).join(",");
    const line =
      `[${NAME}] txnVersion=${level} records=${INPUT_RECORDS} transactions=${stats.transactions}` +
      ` aborts=${stats.aborts}${reasons ? `(${reasons})` : ""} rewinds=${stats.rewinds}` +
      ` reprocessed=${stats.reprocessed} commitWaits=${stats.commitWaits}` +
      ` read=${out.length} missing=${missing} duplicated=${duplicated} reordered=${reordered}` +
      ` unexpected=${unexpected} offsetsMatch=${sameOffsets(committedOffsets, expectedOffsets)}` +
      ` bounced=${bounced.join(",")} retries=${metrics.retries} epochBumps=${metrics.epochBumps}` +
      ` relay=${(relayMs / 1000).toFixed(1)}s wall=${((Date.now() - t0) / 1000).toFixed(1)}s`;
    console.log(line);

    assert.equal(bounced.length, BOUNCES.length, "every planned bounce happened");
    assert.equal(unexpected, 0, "output records that match no input record (or misplaced)");
    assert.equal(missing, 0, "input records missing from the output");
    assert.equal(duplicated, 0, "input records relayed more than once");
    assert.equal(reordered, 0, "output records out of input order within a partition");
    assert.deepEqual(committedOffsets, expectedOffsets, "the group's committed offsets");
  } finally {
    relayDone = true;
    await source?.close().catch(() => {});
    if (!closed) await producer.close({ timeoutMs: 1_000 }).catch(() => {});
    await faults.catch(() => {});
    await ensureAllUp();
  }
}

/**
 * One transaction: the batch transformed to `output`, its offsets for
 * `group`, commit. A commit still running after `maxBlockMs` is waited for
 * again (twice at most). When a step fails with the producer in
 * ABORTABLE_ERROR (or the transaction still open), the transaction is
 * aborted and the reason returned; a fatal error is thrown.
 */
async function relayBatch(
  producer: Producer,
  output: string,
  batch: readonly SourceRecord[],
  input: string,
  group: string,
  log: (m: string) => void,
  stats: { commitWaits: number },
): Promise<"committed" | { reason: string }> {
  producer.beginTransaction();
  try {
    for (const r of batch) {
      producer.send({
        topic: output,
        partition: r.p,
        key: fromB64(r.k),
        value: `out:${decoder.decode(fromB64(r.v) ?? new Uint8Array())}`,
      }).catch(() => {}); // a failed record fails the commit
    }
    await producer.sendOffsetsToTransaction(nextOffsets(input, batch), group);
    let commit = producer.commitTransaction();
    for (let wait = 1;; wait++) {
      try {
        await commit;
        return "committed";
      } catch (error) {
        if (
          !(error instanceof TimeoutError) ||
          producer.transactionState !== "COMMITTING_TRANSACTION" ||
          wait >= 3
        ) throw error;
        stats.commitWaits++;
        log(`commit still running after maxBlockMs; waiting again`);
        commit = producer.commitTransaction();
      }
    }
  } catch (error) {
    const state = producer.transactionState;
    if (state !== "ABORTABLE_ERROR" && state !== "IN_TRANSACTION") {
      throw new Error(`relay transaction failed in state ${state}: ${error}`, { cause: error });
    }
    const e = error as Error;
    const reason = e.cause instanceof Error ? `${e.name}/${e.cause.name}` : e.name;
    log(`transaction failed (${reason}: ${e.message}); aborting`);
    let abort = producer.abortTransaction();
    for (let wait = 1;; wait++) {
      try {
        await abort;
        return { reason };
      } catch (abortError) {
        if (!(abortError instanceof TimeoutError) || wait >= 3) throw abortError;
        abort = producer.abortTransaction();
      }
    }
  }
}

function sameOffsets(a: Map<string, bigint>, b: Map<string, bigint>): boolean {
  return a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
}

/** A small seeded PRNG (mulberry32), for reproducible batch sizes. */
function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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
