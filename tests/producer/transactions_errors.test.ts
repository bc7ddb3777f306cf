/**
 * The transaction manager's error table against the in-memory fake broker
 * (`tests/support/fake_broker/`), which answers the coordinator APIs and
 * lets each test script an answer's error code, delay it, or never send it
 * — what a real broker cannot be made to do on demand. Each test reads back
 * the requests the fake decoded (`requestLog`): which API, at which version,
 * to which coordinator address, when, and with what producer epoch.
 *
 * The reference is Kafka 4.1's Java `TransactionManager`: coordinator moves
 * are retried after a new FindCoordinator, retriable codes after a backoff,
 * CONCURRENT_TRANSACTIONS after a short one; fencing and refusals are fatal
 * (every later call rejects), failures of the transaction abortable
 * (commit rejects until `abortTransaction()`); every call waits at most
 * `maxBlockMs`. Transactions V1 (AddPartitionsToTxn before a partition's
 * first batch, Produce ≤ v11) and V2 (implicit, Produce v12+, EndTxn v5
 * bumping the epoch) are checked from the requests.
 */
import assert from "node:assert/strict";
import {
  KafkaError,
  Producer,
  ProducerFencedError,
  type ProducerOptions,
  type RecordMetadata,
  TimeoutError,
  TransactionAbortableError,
  TransactionAbortedError,
  TransactionStateError,
} from "../../mod.ts";
import { ApiKey } from "../../lib/protocol/api.ts";
import type { AddPartitionsToTxnRequest } from "../../lib/protocol/messages/add_partitions_to_txn.ts";
import type { EndTxnRequest } from "../../lib/protocol/messages/end_txn.ts";
import type { FindCoordinatorRequest } from "../../lib/protocol/messages/find_coordinator.ts";
import type { TxnOffsetCommitRequest } from "../../lib/protocol/messages/txn_offset_commit.ts";
import {
  fakeBroker,
  type FakeBrokerOptions,
  type FakeRequest,
  type ProduceBody,
  type ProducedBatch,
  type TxnAnswer,
  type TxnRequest,
} from "../support/fake_broker/mod.ts";

const TXN_ID = "txn-errors";
const GROUP = "group-1";
const OFFSETS = [{ topic: "in", partition: 0, offset: 42n }];

const Code = {
  REQUEST_TIMED_OUT: 7,
  COORDINATOR_LOAD_IN_PROGRESS: 14,
  COORDINATOR_NOT_AVAILABLE: 15,
  NOT_COORDINATOR: 16,
  ILLEGAL_GENERATION: 22,
  UNKNOWN_MEMBER_ID: 25,
  TOPIC_AUTHORIZATION_FAILED: 29,
  GROUP_AUTHORIZATION_FAILED: 30,
  INVALID_PRODUCER_EPOCH: 47,
  INVALID_TXN_STATE: 48,
  INVALID_TRANSACTION_TIMEOUT: 50,
  CONCURRENT_TRANSACTIONS: 51,
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: 53,
  PRODUCER_FENCED: 90,
  TRANSACTION_ABORTABLE: 120,
} as const;

const NAMES: Record<number, string> = {
  [ApiKey.Produce]: "Produce",
  [ApiKey.FindCoordinator]: "FindCoordinator",
  [ApiKey.InitProducerId]: "InitProducerId",
  [ApiKey.AddPartitionsToTxn]: "AddPartitionsToTxn",
  [ApiKey.AddOffsetsToTxn]: "AddOffsetsToTxn",
  [ApiKey.EndTxn]: "EndTxn",
  [ApiKey.TxnOffsetCommit]: "TxnOffsetCommit",
};
const codeName = (code: number) =>
  Object.entries(Code).find(([, c]) => c === code)?.[0] ?? String(code);

/** Transactions V2 finalized on the fake (with the Produce versions V2 needs). */
const V2: FakeBrokerOptions = {
  finalizedFeatures: { epoch: 1n, levels: { "transaction.version": 2 } },
  produceVersions: [9, 13],
};

/** A transactional producer over a fake broker whose requests are logged. */
interface Rig {
  readonly producer: Producer;
  /** Every coordinator and Produce request, as the fake read it. */
  readonly log: FakeRequest[];
  /** The requests of one API key. */
  of(apiKey: number): FakeRequest[];
  /** The API names of the log, in order. */
  names(): string[];
  /** What every Produce request carried, per partition, in order. */
  batches(): ProducedBatch[];
}

function rig(fake: FakeBrokerOptions = {}, options: Partial<ProducerOptions> = {}): Rig {
  const log: FakeRequest[] = [];
  const broker = fakeBroker({ partitions: 6, requestLog: log, ...fake });
  const producer = new Producer({
    bootstrapServers: "fake:9092",
    transport: broker.transport,
    transactionalId: TXN_ID,
    lingerMs: 0,
    retryBackoffMs: 20,
    retryBackoffMaxMs: 200,
    maxBlockMs: 5000,
    ...options,
  });
  return {
    producer,
    log,
    of: (apiKey) => log.filter((r) => r.apiKey === apiKey),
    names: () => log.map((r) => NAMES[r.apiKey]),
    batches: () =>
      log.filter((r) => r.apiKey === ApiKey.Produce).flatMap((r) =>
        (r.body as ProduceBody).topics.flatMap((t) => t.partitions)
      ),
  };
}

/** Answers `answer` to the first `times` requests of `apiKey`; the fake's own answer otherwise. */
function failFirst(
  apiKey: number,
  answer: TxnAnswer,
  times = 1,
): (key: number, request: TxnRequest, attempt: number) => TxnAnswer | undefined {
  return (key, _request, attempt) => key === apiKey && attempt <= times ? answer : undefined;
}

/** Resolves once `condition` holds (checked every 5 ms), rejects after `ms`. */
async function until(condition: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A send whose rejection the test reads later (no unhandled rejection meanwhile). */
function send(producer: Producer, partition = 0, topic = "out"): Promise<RecordMetadata> {
  const sent = producer.send({ topic, partition, value: `v-${partition}` });
  sent.catch(() => {});
  return sent;
}

/** The requests of the log after `from` and before `to`. */
function between(log: FakeRequest[], from: FakeRequest, to: FakeRequest): FakeRequest[] {
  return log.slice(log.indexOf(from) + 1, log.indexOf(to));
}

/** Whether `r` is a FindCoordinator request for `key` of `keyType`. */
function findsCoordinator(r: FakeRequest, keyType: number, key: string): boolean {
  if (r.apiKey !== ApiKey.FindCoordinator) return false;
  const body = r.body as FindCoordinatorRequest;
  const keys = r.version >= 4 ? body.coordinatorKeys : [body.key];
  return body.keyType === keyType && keys?.length === 1 && keys[0] === key;
}

/** One transaction: a record to out-0, committed. */
async function commitOne(producer: Producer): Promise<void> {
  producer.beginTransaction();
  const sent = send(producer);
  await producer.commitTransaction();
  await sent;
}

/**
 * Every call of a failed producer rejects with `expected` (the same error):
 * send, beginTransaction, commitTransaction, abortTransaction,
 * sendOffsetsToTransaction and initTransactions.
 */
async function everyCallRejects(producer: Producer, expected: Error): Promise<void> {
  const same = (e: unknown) => e === expected;
  await assert.rejects(producer.send({ topic: "out", value: "later" }), same, "send");
  assert.throws(() => producer.beginTransaction(), same, "beginTransaction");
  await assert.rejects(producer.commitTransaction(), same, "commitTransaction");
  await assert.rejects(producer.abortTransaction(), same, "abortTransaction");
  await assert.rejects(
    producer.sendOffsetsToTransaction(OFFSETS, GROUP),
    same,
    "sendOffsetsToTransaction",
  );
  await assert.rejects(producer.initTransactions(), same, "initTransactions");
  assert.equal(producer.transactionState, "FATAL_ERROR");
}

// ── Coordinator moves and retries ──────────────────────────────────────

for (const code of [Code.NOT_COORDINATOR, Code.COORDINATOR_NOT_AVAILABLE]) {
  for (const apiKey of [ApiKey.InitProducerId, ApiKey.AddPartitionsToTxn, ApiKey.EndTxn]) {
    Deno.test(`${codeName(code)} on ${NAMES[apiKey]}: a new FindCoordinator, the request again at the coordinator it names, and the call succeeds`, async () => {
      // The first lookup names node 2, which then answers `code`; every later one node 1.
      let lookups = 0;
      const t = rig({
        coordinator: (keyType) =>
          keyType === 1 && ++lookups === 1
            ? { nodeId: 2, host: "old-coordinator", port: 9093 }
            : undefined,
        onTransactional: failFirst(apiKey, code),
      });
      try {
        await t.producer.initTransactions();
        await commitOne(t.producer);
        assert.equal(t.producer.transactionState, "READY");
        const [failed, retried, ...more] = t.of(apiKey);
        assert.equal(more.length, 0);
        assert.equal(failed.scripted, code);
        assert.equal(failed.address, "old-coordinator:9093");
        assert.equal(retried.address, "fake:9092");
        const lookedUp = between(t.log, failed, retried);
        assert.deepEqual(lookedUp.map((r) => NAMES[r.apiKey]), ["FindCoordinator"]);
        assert.ok(findsCoordinator(lookedUp[0], 1, TXN_ID));
        assert.deepEqual(retried.body, failed.body, "the same request again");
      } finally {
        await t.producer.close();
      }
    });
  }
}

Deno.test("FindCoordinator v1–v6: COORDINATOR_NOT_AVAILABLE from it is asked again, then the transaction commits", async () => {
  for (const version of [1, 2, 3, 4, 5, 6]) {
    const t = rig({
      apiVersions: { [ApiKey.FindCoordinator]: [0, version] },
      onTransactional: failFirst(ApiKey.FindCoordinator, Code.COORDINATOR_NOT_AVAILABLE),
    });
    try {
      await t.producer.initTransactions();
      await commitOne(t.producer);
      const lookups = t.of(ApiKey.FindCoordinator);
      assert.deepEqual(lookups.map((r) => r.version), [version, version], `v${version}`);
      assert.ok(lookups.every((r) => findsCoordinator(r, 1, TXN_ID)), `v${version}`);
      assert.deepEqual(
        t.names().filter((n) => n !== "FindCoordinator"),
        ["InitProducerId", "AddPartitionsToTxn", "Produce", "EndTxn"],
      );
    } finally {
      await t.producer.close();
    }
  }
});

for (const apiKey of [ApiKey.InitProducerId, ApiKey.AddPartitionsToTxn, ApiKey.EndTxn]) {
  Deno.test(`COORDINATOR_LOAD_IN_PROGRESS on ${NAMES[apiKey]}: retried at the same coordinator after retryBackoffMs, no new FindCoordinator`, async () => {
    const t = rig(
      { onTransactional: failFirst(apiKey, Code.COORDINATOR_LOAD_IN_PROGRESS) },
      { retryBackoffMs: 200, retryBackoffMaxMs: 1000 },
    );
    try {
      await t.producer.initTransactions();
      await commitOne(t.producer);
      const [failed, retried, ...more] = t.of(apiKey);
      assert.equal(more.length, 0);
      assert.equal(failed.scripted, Code.COORDINATOR_LOAD_IN_PROGRESS);
      assert.equal(retried.connection, failed.connection, "same connection");
      assert.deepEqual(between(t.log, failed, retried), [], "nothing in between");
      assert.equal(t.of(ApiKey.FindCoordinator).length, 1, "the one lookup of initTransactions()");
      const gap = retried.atMs - failed.atMs;
      // retryBackoffMs 200 with ±20 % jitter.
      assert.ok(gap >= 155 && gap < 1000, `${gap.toFixed(1)} ms`);
    } finally {
      await t.producer.close();
    }
  });
}

for (const apiKey of [ApiKey.AddPartitionsToTxn, ApiKey.InitProducerId, ApiKey.EndTxn]) {
  Deno.test(`CONCURRENT_TRANSACTIONS on ${NAMES[apiKey]}: retried after ≈20 ms, not retryBackoffMs`, async () => {
    const t = rig(
      { onTransactional: failFirst(apiKey, Code.CONCURRENT_TRANSACTIONS, 2) },
      { retryBackoffMs: 500, retryBackoffMaxMs: 1000 },
    );
    try {
      await t.producer.initTransactions();
      await commitOne(t.producer);
      const [first, second, third, ...more] = t.of(apiKey);
      assert.equal(more.length, 0);
      assert.equal(first.scripted, Code.CONCURRENT_TRANSACTIONS);
      assert.equal(second.scripted, Code.CONCURRENT_TRANSACTIONS);
      assert.equal(third.scripted, undefined);
      assert.equal(t.of(ApiKey.FindCoordinator).length, 1, "no new lookup");
      // 20 ms, then 40 ms (±20 %): far below retryBackoffMs 500.
      const gaps = [second.atMs - first.atMs, third.atMs - second.atMs];
      assert.ok(gaps[0] >= 14 && gaps[0] < 100, `first retry after ${gaps[0].toFixed(1)} ms`);
      assert.ok(gaps[1] >= 14 && gaps[1] < 150, `second retry after ${gaps[1].toFixed(1)} ms`);
    } finally {
      await t.producer.close();
    }
  });
}

Deno.test("CONCURRENT_TRANSACTIONS on a later AddPartitionsToTxn of the transaction: retried after retryBackoffMs (Java's rule)", async () => {
  const t = rig(
    {
      onTransactional: (apiKey, _request, attempt) =>
        apiKey === ApiKey.AddPartitionsToTxn && attempt === 2
          ? Code.CONCURRENT_TRANSACTIONS
          : undefined,
    },
    { retryBackoffMs: 300, retryBackoffMaxMs: 1000 },
  );
  try {
    await t.producer.initTransactions();
    t.producer.beginTransaction();
    await send(t.producer, 0); // out-0 joins the transaction
    const second = send(t.producer, 1);
    await t.producer.commitTransaction();
    await second;
    const [, failed, retried] = t.of(ApiKey.AddPartitionsToTxn);
    const gap = retried.atMs - failed.atMs;
    assert.ok(gap >= 235, `${gap.toFixed(1)} ms`);
  } finally {
    await t.producer.close();
  }
});

// ── Fencing ────────────────────────────────────────────────────────────

for (const code of [Code.PRODUCER_FENCED, Code.INVALID_PRODUCER_EPOCH]) {
  for (const apiKey of [ApiKey.EndTxn, ApiKey.AddPartitionsToTxn, ApiKey.TxnOffsetCommit]) {
    Deno.test(`${codeName(code)} on ${NAMES[apiKey]}: FATAL_ERROR, the call and every later one reject with ProducerFencedError`, async () => {
      const t = rig({ onTransactional: failFirst(apiKey, code) });
      try {
        await t.producer.initTransactions();
        t.producer.beginTransaction();
        const sent = send(t.producer);
        let fenced: unknown;
        if (apiKey === ApiKey.EndTxn) {
          await sent;
          fenced = await t.producer.commitTransaction().catch((e) => e);
        } else if (apiKey === ApiKey.AddPartitionsToTxn) {
          fenced = await sent.catch((e) => e);
          await assert.rejects(t.producer.commitTransaction(), (e) => e === fenced);
        } else {
          await sent;
          fenced = await t.producer.sendOffsetsToTransaction(OFFSETS, GROUP).catch((e) => e);
        }
        assert.ok(fenced instanceof ProducerFencedError, String(fenced));
        assert.equal((fenced.cause as KafkaError).code, code);
        assert.equal(t.producer.transactionState, "FATAL_ERROR");
        await everyCallRejects(t.producer, fenced);
        const ended = t.of(ApiKey.EndTxn).length;
        await t.producer.close();
        // A fenced producer does not try to abort on close.
        assert.equal(t.of(ApiKey.EndTxn).length, ended);
      } finally {
        await t.producer.close();
      }
    });
  }

  // Java makes INVALID_PRODUCER_EPOCH on Produce abortable (KIP-588); this producer
  // reports both codes as fencing, everywhere (see ProducerFencedError).
  Deno.test(`${codeName(code)} on Produce: FATAL_ERROR, the record, the commit and every later call reject with ProducerFencedError`, async () => {
    const t = rig({ onProduce: () => ({ errorCode: code }) });
    try {
      await t.producer.initTransactions();
      t.producer.beginTransaction();
      const fenced = await send(t.producer).catch((e) => e);
      assert.ok(fenced instanceof ProducerFencedError, String(fenced));
      assert.equal((fenced.cause as KafkaError).code, code);
      assert.equal(t.producer.transactionState, "FATAL_ERROR");
      await assert.rejects(t.producer.commitTransaction(), (e) => e === fenced);
      await everyCallRejects(t.producer, fenced);
      assert.equal(t.of(ApiKey.EndTxn).length, 0);
    } finally {
      await t.producer.close();
    }
  });
}

Deno.test("PRODUCER_FENCED on a Produce answered while the transaction aborts: the abort rejects with ProducerFencedError, no EndTxn is sent", async () => {
  let release!: () => void;
  const held = new Promise<void>((resolve) => release = resolve);
  let produceArrived = false;
  const t = rig({
    onRequest: (apiKey) => {
      if (apiKey !== ApiKey.Produce) return undefined;
      produceArrived = true;
      return held;
    },
    onProduce: () => ({ errorCode: Code.PRODUCER_FENCED }),
  });
  try {
    await t.producer.initTransactions();
    t.producer.beginTransaction();
    const sent = send(t.producer);
    await until(() => produceArrived);
    const aborted = t.producer.abortTransaction().catch((e) => e);
    release();
    const fenced = await sent.catch((e) => e);
    assert.ok(fenced instanceof ProducerFencedError, String(fenced));
    assert.equal(await aborted, fenced);
    assert.equal(t.producer.transactionState, "FATAL_ERROR");
    assert.equal(t.of(ApiKey.EndTxn).length, 0, "a fenced producer sends nothing more");
    await everyCallRejects(t.producer, fenced);
  } finally {
    release();
    await t.producer.close();
  }
});

// ── Other fatal errors ─────────────────────────────────────────────────

for (const code of [Code.INVALID_TXN_STATE, Code.TRANSACTIONAL_ID_AUTHORIZATION_FAILED]) {
  for (const apiKey of [ApiKey.AddPartitionsToTxn, ApiKey.EndTxn]) {
    Deno.test(`${codeName(code)} on ${NAMES[apiKey]}: FATAL_ERROR with that KafkaError, for every later call`, async () => {
      const t = rig({ onTransactional: failFirst(apiKey, code) });
      try {
        await t.producer.initTransactions();
        t.producer.beginTransaction();
        const sent = send(t.producer);
        let error: unknown;
        if (apiKey === ApiKey.EndTxn) {
          await sent;
          error = await t.producer.commitTransaction().catch((e) => e);
        } else {
          error = await sent.catch((e) => e);
          await assert.rejects(t.producer.commitTransaction(), (e) => e === error);
        }
        assert.ok(error instanceof KafkaError && !(error instanceof ProducerFencedError));
        assert.equal(error.code, code);
        assert.match(error.message, new RegExp(`${NAMES[apiKey]}.*${codeName(code)}`));
        await everyCallRejects(t.producer, error);
      } finally {
        await t.producer.close();
      }
    });
  }
}

Deno.test("TRANSACTION_ABORTABLE on EndTxn(abort): an abort that fails is fatal", async () => {
  const t = rig({
    onTransactional: (apiKey, request) =>
      apiKey === ApiKey.EndTxn && !(request as EndTxnRequest).committed
        ? Code.TRANSACTION_ABORTABLE
        : undefined,
  });
  try {
    await t.producer.initTransactions();
    t.producer.beginTransaction();
    await send(t.producer);
    const error = await t.producer.abortTransaction().catch((e) => e);
    assert.ok(error instanceof KafkaError, String(error));
    assert.equal(error.code, Code.TRANSACTION_ABORTABLE);
    assert.equal(t.producer.transactionState, "FATAL_ERROR");
    await everyCallRejects(t.producer, error);
    assert.equal(t.of(ApiKey.EndTxn).length, 1, "not retried");
  } finally {
    await t.producer.close();
  }
});

// ── Abortable errors ───────────────────────────────────────────────────

for (const code of [Code.TRANSACTION_ABORTABLE, Code.TOPIC_AUTHORIZATION_FAILED]) {
  Deno.test(`${codeName(code)} on AddPartitionsToTxn: ABORTABLE_ERROR; commit rejects, the records are aborted, abortTransaction() recovers`, async () => {
    const t = rig({ onTransactional: failFirst(ApiKey.AddPartitionsToTxn, code) });
    try {
      await t.producer.initTransactions();
      t.producer.beginTransaction();
      const sends = [send(t.producer, 0), send(t.producer, 1)];
      for (const sent of sends) {
        const error = await sent.catch((e) => e);
        assert.ok(error instanceof TransactionAbortedError, String(error));
        assert.equal((error.cause as KafkaError).code, code);
      }
      assert.equal(t.producer.transactionState, "ABORTABLE_ERROR");
      await assert.rejects(
        t.producer.commitTransaction(),
        (e: Error) =>
          e instanceof TransactionAbortableError &&
          (e.cause as KafkaError).code === code && /abortTransaction|aborted/.test(e.message),
      );
      await assert.rejects(send(t.producer), TransactionAbortableError);
      assert.throws(() => t.producer.beginTransaction(), TransactionAbortableError);
      assert.equal(t.batches().length, 0, "nothing was produced");

      await t.producer.abortTransaction();
      assert.equal(t.producer.transactionState, "READY");
      const [abort] = t.of(ApiKey.EndTxn);
      assert.equal((abort.body as EndTxnRequest).committed, false);
      // No batch got a sequence: V1 needs no epoch bump.
      assert.equal(t.of(ApiKey.InitProducerId).length, 1);

      await commitOne(t.producer);
      assert.equal(t.producer.transactionState, "READY");
      const [, added] = t.of(ApiKey.AddPartitionsToTxn);
      assert.equal(added.scripted, undefined);
      assert.equal(t.batches().length, 1);
      assert.equal((t.of(ApiKey.EndTxn)[1].body as EndTxnRequest).committed, true);
    } finally {
      await t.producer.close();
    }
  });
}

for (
  const [apiKey, code] of [
    [ApiKey.AddPartitionsToTxn, Code.TOPIC_AUTHORIZATION_FAILED],
    [ApiKey.TxnOffsetCommit, Code.GROUP_AUTHORIZATION_FAILED],
  ]
) {
  Deno.test(`${codeName(code)} on ${NAMES[apiKey]} answered while the transaction aborts: ignored (as Java), the abort completes`, async () => {
    const t = rig({ onTransactional: failFirst(apiKey, { delayMs: 100, errorCode: code }) });
    try {
      await t.producer.initTransactions();
      t.producer.beginTransaction();
      const sent = send(t.producer);
      if (apiKey === ApiKey.TxnOffsetCommit) await sent;
      const offsets = apiKey === ApiKey.TxnOffsetCommit
        ? t.producer.sendOffsetsToTransaction(OFFSETS, GROUP).catch((e) => e)
        : null;
      await until(() => t.of(apiKey).length === 1);
      await t.producer.abortTransaction();
      assert.equal(t.producer.transactionState, "READY");
      if (offsets === null) await assert.rejects(sent, TransactionAbortedError);
      else assert.equal((await offsets as KafkaError).code, code);
      const [end] = t.of(ApiKey.EndTxn);
      assert.equal((end.body as EndTxnRequest).committed, false);
      assert.ok(end.atMs - t.of(apiKey)[0].atMs >= 99, "EndTxn after the answer");
      await commitOne(t.producer);
    } finally {
      await t.producer.close();
    }
  });
}

for (
  const code of [Code.UNKNOWN_MEMBER_ID, Code.ILLEGAL_GENERATION, Code.GROUP_AUTHORIZATION_FAILED]
) {
  Deno.test(`${codeName(code)} on TxnOffsetCommit: abortable; abortTransaction() recovers`, async () => {
    const t = rig({ onTransactional: failFirst(ApiKey.TxnOffsetCommit, code) });
    try {
      await t.producer.initTransactions();
      t.producer.beginTransaction();
      await send(t.producer);
      const error = await t.producer.sendOffsetsToTransaction(OFFSETS, {
        groupId: GROUP,
        generationId: 3,
        memberId: "member-1",
      }).catch((e) => e);
      assert.ok(error instanceof KafkaError, String(error));
      assert.equal(error.code, code);
      assert.equal(t.producer.transactionState, "ABORTABLE_ERROR");
      await assert.rejects(t.producer.commitTransaction(), TransactionAbortableError);
      await t.producer.abortTransaction();
      assert.equal(t.producer.transactionState, "READY");
      const [commit] = t.of(ApiKey.TxnOffsetCommit);
      const body = commit.body as TxnOffsetCommitRequest;
      assert.equal(body.generationId, 3);
      assert.equal(body.memberId, "member-1");
      assert.equal(t.of(ApiKey.TxnOffsetCommit).length, 1, "not retried");
      await commitOne(t.producer);
    } finally {
      await t.producer.close();
    }
  });
}

for (const code of [Code.REQUEST_TIMED_OUT, Code.NOT_COORDINATOR]) {
  Deno.test(`${codeName(code)} on TxnOffsetCommit: retried after a new FindCoordinator of the group`, async () => {
    const t = rig({ onTransactional: failFirst(ApiKey.TxnOffsetCommit, code) });
    try {
      await t.producer.initTransactions();
      t.producer.beginTransaction();
      const sent = send(t.producer);
      await t.producer.sendOffsetsToTransaction(OFFSETS, GROUP);
      await t.producer.commitTransaction();
      await sent;
      const [failed, retried, ...more] = t.of(ApiKey.TxnOffsetCommit);
      assert.equal(more.length, 0);
      assert.equal(failed.scripted, code);
      const lookedUp = between(t.log, failed, retried);
      assert.deepEqual(lookedUp.map((r) => NAMES[r.apiKey]), ["FindCoordinator"]);
      assert.ok(findsCoordinator(lookedUp[0], 0, GROUP), "key type GROUP, the group id");
      assert.equal(t.of(ApiKey.AddOffsetsToTxn).length, 1, "AddOffsetsToTxn is not repeated");
      assert.equal(t.producer.transactionState, "READY");
    } finally {
      await t.producer.close();
    }
  });
}

// ── initTransactions ───────────────────────────────────────────────────

Deno.test("INVALID_TRANSACTION_TIMEOUT on InitProducerId: fatal, and the error names transactionTimeoutMs", async () => {
  const t = rig(
    { onTransactional: failFirst(ApiKey.InitProducerId, Code.INVALID_TRANSACTION_TIMEOUT) },
    { transactionTimeoutMs: 900_000 },
  );
  try {
    const error = await t.producer.initTransactions().catch((e) => e);
    assert.ok(error instanceof KafkaError, String(error));
    assert.equal(error.code, Code.INVALID_TRANSACTION_TIMEOUT);
    assert.match(error.message, /INVALID_TRANSACTION_TIMEOUT/);
    assert.match(error.message, /transactionTimeoutMs is 900000 ms/);
    assert.match(error.message, /transaction\.max\.timeout\.ms/);
    assert.equal(t.producer.transactionState, "FATAL_ERROR");
    await everyCallRejects(t.producer, error);
    assert.equal(t.of(ApiKey.InitProducerId).length, 1);
  } finally {
    await t.producer.close();
  }
});

Deno.test("TRANSACTIONAL_ID_AUTHORIZATION_FAILED on InitProducerId: initTransactions() rejects, UNINITIALIZED again; a second call can succeed", async () => {
  const t = rig({
    onTransactional: failFirst(ApiKey.InitProducerId, Code.TRANSACTIONAL_ID_AUTHORIZATION_FAILED),
  });
  try {
    const error = await t.producer.initTransactions().catch((e) => e);
    assert.ok(error instanceof KafkaError, String(error));
    assert.equal(error.code, Code.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    assert.equal(t.producer.transactionState, "UNINITIALIZED");
    assert.throws(() => t.producer.beginTransaction(), TransactionStateError);
    await t.producer.initTransactions();
    assert.equal(t.producer.transactionState, "READY");
    await commitOne(t.producer);
    assert.equal(t.of(ApiKey.InitProducerId).length, 2);
  } finally {
    await t.producer.close();
  }
});

// ── Transactions V1 and V2 ─────────────────────────────────────────────

Deno.test("V1: Produce ≤ v11 with the transactional id and bit, after the partition's AddPartitionsToTxn was answered; new partitions join together", async () => {
  const DELAY = 150;
  const t = rig({
    produceVersions: [9, 13], // the broker could take v13: V1 must not use v12+
    onTransactional: (apiKey) =>
      apiKey === ApiKey.AddPartitionsToTxn ? { delayMs: DELAY } : undefined,
  });
  try {
    await t.producer.initTransactions();
    assert.equal(t.producer.transactionState, "READY");
    t.producer.beginTransaction();
    // Three partitions at once: one AddPartitionsToTxn.
    const first = [0, 1, 2].map((p) => send(t.producer, p));
    await until(() => t.of(ApiKey.AddPartitionsToTxn).length === 1);
    // Two more while it is unanswered: they wait, and then join in one request.
    const later = [3, 4].map((p) => send(t.producer, p));
    await Promise.all([...first, ...later]);
    await t.producer.commitTransaction();

    const adds = t.of(ApiKey.AddPartitionsToTxn);
    assert.equal(adds.length, 2);
    const partitionsOf = (r: FakeRequest): [string, number[]][] =>
      (r.body as AddPartitionsToTxnRequest).topics.map((x) => [x.name, [...x.partitions]]);
    assert.deepEqual(partitionsOf(adds[0]), [["out", [0, 1, 2]]]);
    assert.deepEqual(partitionsOf(adds[1]), [["out", [3, 4]]]);
    assert.ok(adds[1].atMs - adds[0].atMs >= DELAY - 1, "one AddPartitionsToTxn at a time");

    const produces = t.of(ApiKey.Produce);
    assert.ok(produces.length >= 2);
    for (const produce of produces) {
      assert.equal(produce.version, 11);
      assert.equal((produce.body as ProduceBody).transactionalId, TXN_ID);
      for (const topic of (produce.body as ProduceBody).topics) {
        for (const batch of topic.partitions) {
          assert.equal(batch.transactional, true);
          assert.equal(batch.transactionalId, TXN_ID);
          // Sent only once the AddPartitionsToTxn naming it was answered.
          const add = adds.find((a) => partitionsOf(a)[0][1].includes(batch.partition))!;
          assert.ok(
            produce.atMs - add.atMs >= DELAY - 1,
            `out-${batch.partition} produced ${
              (produce.atMs - add.atMs).toFixed(1)
            } ms after its AddPartitionsToTxn`,
          );
        }
      }
    }
    assert.deepEqual(t.batches().map((b) => b.partition).sort(), [0, 1, 2, 3, 4]);
    const [end] = t.of(ApiKey.EndTxn);
    assert.equal(end.version, 4, "EndTxn v4: no epoch bump in V1");

    // The next transaction adds its partitions again; the epoch stays.
    await commitOne(t.producer);
    assert.equal(t.of(ApiKey.AddPartitionsToTxn).length, 3);
    assert.ok(t.batches().every((b) => b.producerEpoch === 0));
    // V1 offsets: AddOffsetsToTxn first, then TxnOffsetCommit ≤ v4.
    t.producer.beginTransaction();
    await t.producer.sendOffsetsToTransaction(OFFSETS, GROUP);
    await t.producer.commitTransaction();
    const offsets = t.names().filter((n) => n === "AddOffsetsToTxn" || n === "TxnOffsetCommit");
    assert.deepEqual(offsets, ["AddOffsetsToTxn", "TxnOffsetCommit"]);
    assert.equal(t.of(ApiKey.TxnOffsetCommit)[0].version, 4);
  } finally {
    await t.producer.close();
  }
});

Deno.test("V2: no AddPartitionsToTxn, Produce v12+, EndTxn v5 whose new epoch the next transaction uses; no AddOffsetsToTxn", async () => {
  const t = rig(V2);
  try {
    await t.producer.initTransactions();
    t.producer.beginTransaction();
    await Promise.all([send(t.producer, 0), send(t.producer, 1)]);
    await t.producer.commitTransaction();

    t.producer.beginTransaction();
    const sent = [send(t.producer, 0), send(t.producer, 2)];
    await t.producer.sendOffsetsToTransaction(OFFSETS, GROUP);
    await t.producer.commitTransaction();
    await Promise.all(sent);

    assert.equal(t.of(ApiKey.AddPartitionsToTxn).length, 0);
    assert.equal(t.of(ApiKey.AddOffsetsToTxn).length, 0);
    const [commit] = t.of(ApiKey.TxnOffsetCommit);
    assert.equal(commit.version, 5);
    assert.equal((commit.body as TxnOffsetCommitRequest).producerEpoch, 1);
    for (const produce of t.of(ApiKey.Produce)) {
      assert.ok(produce.version >= 12, `Produce v${produce.version}`);
      assert.equal((produce.body as ProduceBody).transactionalId, TXN_ID);
    }
    const ends = t.of(ApiKey.EndTxn);
    assert.deepEqual(ends.map((r) => r.version), [5, 5]);
    // Epoch 0 for the first transaction; its EndTxn answered epoch 1, used by the next one.
    assert.deepEqual(ends.map((r) => (r.body as EndTxnRequest).producerEpoch), [0, 1]);
    const batches = t.batches();
    assert.ok(batches.every((b) => b.transactional));
    assert.deepEqual(
      batches.map((b) => `${b.partition}@${b.producerEpoch}`).sort(),
      ["0@0", "0@1", "1@0", "2@1"],
    );
    assert.ok(batches.every((b) => b.baseSequence === 0), "sequences restart with the new epoch");

    // An abort in V2 bumps the epoch too, with no InitProducerId.
    t.producer.beginTransaction();
    await send(t.producer, 3);
    await t.producer.abortTransaction();
    t.producer.beginTransaction();
    await send(t.producer, 3);
    await t.producer.commitTransaction();
    assert.equal(t.of(ApiKey.InitProducerId).length, 1);
    const last = t.batches().slice(-1)[0];
    assert.equal(last.producerEpoch, 3);
  } finally {
    await t.producer.close();
  }
});

// ── maxBlockMs ─────────────────────────────────────────────────────────

Deno.test("a coordinator that never answers EndTxn: commitTransaction() times out after maxBlockMs, abort is refused, commit again waits for the same commit", async () => {
  const t = rig(
    { onTransactional: failFirst(ApiKey.EndTxn, "hang") },
    { maxBlockMs: 500, requestTimeoutMs: 700 },
  );
  try {
    await t.producer.initTransactions();
    t.producer.beginTransaction();
    const sent = send(t.producer);
    const started = Date.now();
    await assert.rejects(
      t.producer.commitTransaction(),
      (e: Error) => e instanceof TimeoutError && /maxBlockMs \(500 ms\)/.test(e.message),
    );
    const took = Date.now() - started;
    assert.ok(took >= 490 && took < 700, `${took} ms`);
    await sent;
    assert.equal(t.producer.transactionState, "COMMITTING_TRANSACTION");
    await assert.rejects(
      t.producer.abortTransaction(),
      (e: Error) =>
        e instanceof TransactionStateError && e.state === "COMMITTING_TRANSACTION" &&
        /commitTransaction\(\) is unfinished/.test(e.message),
    );
    assert.throws(() => t.producer.beginTransaction(), TransactionStateError);
    // The unanswered EndTxn times out at requestTimeoutMs; the retry is answered.
    await t.producer.commitTransaction();
    assert.equal(t.producer.transactionState, "READY");
    const [hung, answered, ...more] = t.of(ApiKey.EndTxn);
    assert.equal(more.length, 0);
    assert.equal(hung.scripted, "hang");
    assert.ok(answered.atMs - hung.atMs >= 690, "after requestTimeoutMs");
    assert.equal((answered.body as EndTxnRequest).committed, true);
    await commitOne(t.producer);
  } finally {
    await t.producer.close();
  }
});

Deno.test("sendOffsetsToTransaction() waits at most maxBlockMs; the commit after it waits for the offsets first", async () => {
  const t = rig(
    { onTransactional: failFirst(ApiKey.TxnOffsetCommit, { delayMs: 450 }) },
    { maxBlockMs: 300 },
  );
  try {
    await t.producer.initTransactions();
    t.producer.beginTransaction();
    const sent = send(t.producer);
    const started = Date.now();
    await assert.rejects(t.producer.sendOffsetsToTransaction(OFFSETS, GROUP), TimeoutError);
    const took = Date.now() - started;
    assert.ok(took >= 290 && took < 450, `${took} ms`);
    // Within its own maxBlockMs: the offsets are answered at 450 ms, then EndTxn.
    await t.producer.commitTransaction();
    await sent;
    assert.deepEqual(
      t.names().filter((n) => n === "TxnOffsetCommit" || n === "EndTxn"),
      ["TxnOffsetCommit", "EndTxn"],
    );
    assert.ok(t.of(ApiKey.EndTxn)[0].atMs - t.of(ApiKey.TxnOffsetCommit)[0].atMs >= 449);
  } finally {
    await t.producer.close();
  }
});

// An error code a step does not expect is fatal on AddOffsetsToTxn, TxnOffsetCommit and
// EndTxn(commit), as Java's handlers' "unexpected error" (INVALID_REQUEST, 42, stands for one).
for (const apiKey of [ApiKey.AddOffsetsToTxn, ApiKey.TxnOffsetCommit, ApiKey.EndTxn]) {
  Deno.test(`an unexpected error code on ${NAMES[apiKey]} is fatal`, async () => {
    const t = rig({ onTransactional: failFirst(apiKey, 42) });
    try {
      await t.producer.initTransactions();
      t.producer.beginTransaction();
      await send(t.producer);
      const error = await (async () => {
        await t.producer.sendOffsetsToTransaction(OFFSETS, GROUP);
        await t.producer.commitTransaction();
      })().catch((e) => e);
      assert.ok(error instanceof KafkaError && error.code === 42, String(error));
      assert.equal(t.producer.transactionState, "FATAL_ERROR");
      await assert.rejects(t.producer.abortTransaction(), (e) => e === error);
    } finally {
      await t.producer.close();
    }
  });
}
