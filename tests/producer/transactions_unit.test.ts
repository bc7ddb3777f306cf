/**
 * The transactional producer without a broker: its options, the state
 * machine's moves, the typed errors of calls made in the wrong state, the
 * checks of `sendOffsetsToTransaction()`'s arguments, and the `maxBlockMs`
 * bound on a call that cannot reach a coordinator (which goes on, and is
 * waited for again by the same call, as Java's pending transitions).
 */
import assert from "node:assert/strict";
import {
  ConfigError,
  InvalidArgumentError,
  Producer,
  TimeoutError,
  TransactionStateError,
} from "../../mod.ts";
import { canTransition, type TransactionState } from "../../lib/producer/transaction_state.ts";
import { checkOffsetsArguments } from "../../lib/producer/offsets.ts";
import { resolveConfig } from "../../lib/producer/config.ts";

// A port nothing listens on: connects are refused at once.
const NOWHERE = "127.0.0.1:1";

Deno.test("transactionalId: implies idempotence; conflicting options are ConfigErrors naming the cause", () => {
  const base = { bootstrapServers: NOWHERE, transactionalId: "t" };
  assert.equal(resolveConfig(base).enableIdempotence, true);
  assert.equal(resolveConfig(base).transactionTimeoutMs, 60000);
  assert.equal(resolveConfig({ bootstrapServers: NOWHERE }).transactionalId, null);
  assert.throws(
    () => resolveConfig({ ...base, enableIdempotence: false }),
    (e: Error) => e instanceof ConfigError && /requires idempotence/.test(e.message),
  );
  assert.throws(
    () => resolveConfig({ ...base, acks: 1 }),
    (e: Error) => e instanceof ConfigError && /acks must be "all"/.test(e.message),
  );
  assert.throws(
    () => resolveConfig({ ...base, maxInFlightRequestsPerConnection: 6 }),
    (e: Error) => e instanceof ConfigError && /at most 5/.test(e.message),
  );
  assert.throws(
    () => resolveConfig({ ...base, transactionalId: "" }),
    (e: Error) => e instanceof ConfigError && /non-empty string/.test(e.message),
  );
  assert.throws(
    () => resolveConfig({ ...base, transactionalId: 7 as unknown as string }),
    (e: Error) => e instanceof ConfigError && /got number/.test(e.message),
  );
  assert.throws(
    () => resolveConfig({ ...base, transactionTimeoutMs: 0 }),
    (e: Error) => e instanceof ConfigError && /transactionTimeoutMs/.test(e.message),
  );
  assert.throws(
    () => resolveConfig({ ...base, transactionalId: "é".repeat(20000) }),
    (e: Error) => e instanceof ConfigError && /40000 bytes/.test(e.message),
  );
});

Deno.test("transaction states: Java's moves are allowed, others not; FATAL_ERROR from anywhere", () => {
  const allowed: [TransactionState, TransactionState][] = [
    ["UNINITIALIZED", "INITIALIZING"],
    ["INITIALIZING", "READY"],
    ["READY", "IN_TRANSACTION"],
    ["IN_TRANSACTION", "COMMITTING_TRANSACTION"],
    ["COMMITTING_TRANSACTION", "READY"],
    ["IN_TRANSACTION", "ABORTING_TRANSACTION"],
    ["ABORTABLE_ERROR", "ABORTING_TRANSACTION"],
    ["ABORTING_TRANSACTION", "READY"],
    ["ABORTING_TRANSACTION", "INITIALIZING"],
    ["IN_TRANSACTION", "ABORTABLE_ERROR"],
    ["COMMITTING_TRANSACTION", "ABORTABLE_ERROR"],
    ["READY", "FATAL_ERROR"],
  ];
  for (const [from, to] of allowed) assert.ok(canTransition(from, to), `${from} → ${to}`);
  const refused: [TransactionState, TransactionState][] = [
    ["UNINITIALIZED", "IN_TRANSACTION"],
    ["READY", "COMMITTING_TRANSACTION"],
    ["ABORTABLE_ERROR", "COMMITTING_TRANSACTION"],
    ["COMMITTING_TRANSACTION", "IN_TRANSACTION"],
    ["FATAL_ERROR", "READY"],
    ["READY", "ABORTABLE_ERROR"],
  ];
  for (const [from, to] of refused) assert.ok(!canTransition(from, to), `${from} ↛ ${to}`);
});

Deno.test("transactional calls in the wrong state are TransactionStateErrors naming the state", async () => {
  const producer = new Producer({ bootstrapServers: NOWHERE, transactionalId: "t-states" });
  try {
    assert.equal(producer.transactionState, "UNINITIALIZED");
    const refused = (e: Error, state: string, text: RegExp) =>
      e instanceof TransactionStateError && e.state === state && text.test(e.message);
    assert.throws(
      () => producer.beginTransaction(),
      (e: Error) => refused(e, "UNINITIALIZED", /initTransactions\(\) first/),
    );
    await assert.rejects(
      producer.send({ topic: "t", value: "x" }),
      (e: Error) => refused(e, "UNINITIALIZED", /cannot send a record in state UNINITIALIZED/),
    );
    await assert.rejects(
      producer.commitTransaction(),
      (e: Error) => refused(e, "UNINITIALIZED", /commitTransaction/),
    );
    await assert.rejects(
      producer.abortTransaction(),
      (e: Error) => refused(e, "UNINITIALIZED", /abortTransaction/),
    );
    await assert.rejects(
      producer.sendOffsetsToTransaction([{ topic: "in", partition: 0, offset: 1n }], "g"),
      (e: Error) => refused(e, "UNINITIALIZED", /sendOffsetsToTransaction/),
    );
    // The writable refuses the record the same way.
    const writer = producer.writable.getWriter();
    await assert.rejects(
      writer.write({ topic: "t", value: "x" }),
      (e: Error) => refused(e, "UNINITIALIZED", /send a record/),
    );
    writer.releaseLock();
  } finally {
    await producer.close();
  }

  const plain = new Producer({ bootstrapServers: NOWHERE });
  try {
    assert.equal(plain.transactionState, null);
    assert.throws(
      () => plain.beginTransaction(),
      (e: Error) => e instanceof TransactionStateError && e.state === "NOT_TRANSACTIONAL",
    );
    await assert.rejects(
      plain.initTransactions(),
      (e: Error) => e instanceof TransactionStateError && /no transactionalId/.test(e.message),
    );
  } finally {
    await plain.close();
  }
});

Deno.test("sendOffsetsToTransaction: bad offsets or group are InvalidArgumentErrors naming the field", () => {
  const good = [{ topic: "in", partition: 0, offset: 5n }];
  const cases: [unknown, unknown, RegExp][] = [
    ["x", "g", /offsets must be an array/],
    [[null], "g", /offsets\[0\] must be an object/],
    [[{ topic: "", partition: 0, offset: 1 }], "g", /offsets\[0\]\.topic/],
    [[{ topic: "in", partition: -1, offset: 1 }], "g", /offsets\[0\]\.partition/],
    [[{ topic: "in", partition: 0, offset: -1n }], "g", /offsets\[0\]\.offset/],
    [[{ topic: "in", partition: 0, offset: 1.5 }], "g", /offsets\[0\]\.offset/],
    [[{ topic: "in", partition: 0, offset: 1, metadata: 3 }], "g", /offsets\[0\]\.metadata/],
    [[{ topic: "in", partition: 0, offset: 1, leaderEpoch: -2 }], "g", /leaderEpoch/],
    [[...good, ...good], "g", /in-0 appears more than once/],
    [good, "", /groupId must be a non-empty string/],
    [good, 42, /the group must be a group id/],
    [good, { groupId: "g", generationId: 1.5 }, /generationId/],
    [good, { groupId: "g", memberId: 3 }, /memberId/],
    [good, { groupId: "g", groupInstanceId: 3 }, /groupInstanceId/],
  ];
  for (const [offsets, group, text] of cases) {
    assert.throws(
      () => checkOffsetsArguments(offsets, group),
      (e: Error) => e instanceof InvalidArgumentError && text.test(e.message),
      `${JSON.stringify(offsets, (_, v) => typeof v === "bigint" ? `${v}n` : v)} / ${
        JSON.stringify(group)
      }`,
    );
  }
  const { group } = checkOffsetsArguments(good, "g");
  assert.deepEqual(group, { groupId: "g", generationId: -1, memberId: "", groupInstanceId: null });
});

Deno.test("initTransactions without a reachable coordinator times out after maxBlockMs, goes on, and is waited for again", async () => {
  const producer = new Producer({
    bootstrapServers: NOWHERE,
    transactionalId: "t-timeout",
    maxBlockMs: 300,
    retryBackoffMs: 20,
    retryBackoffMaxMs: 50,
  });
  try {
    const started = Date.now();
    await assert.rejects(
      producer.initTransactions(),
      (e: Error) =>
        e instanceof TimeoutError && /maxBlockMs \(300 ms\); it goes on/.test(e.message),
    );
    const took = Date.now() - started;
    assert.ok(took >= 290 && took < 3000, `${took} ms`);
    assert.equal(producer.transactionState, "INITIALIZING");
    // Another call is refused until the pending one is waited for again.
    assert.throws(
      () => producer.beginTransaction(),
      (e: Error) =>
        e instanceof TransactionStateError && /initTransactions\(\) is unfinished/.test(e.message),
    );
    await assert.rejects(producer.initTransactions(), TimeoutError);
  } finally {
    await producer.close();
  }
});
