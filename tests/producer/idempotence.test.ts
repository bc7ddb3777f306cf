/**
 * The idempotent producer against broker answers a real broker can't give on
 * demand: sequence errors (OUT_OF_ORDER_SEQUENCE_NUMBER, UNKNOWN_PRODUCER_ID),
 * InitProducerId refusals and NOT_ENOUGH_REPLICAS_AFTER_APPEND, from the
 * in-memory fake broker (`tests/support/fake_broker/`). Each test follows
 * the producer id, epoch and sequence of every batch the fake received.
 */
import assert from "node:assert/strict";
import {
  fakeBroker,
  type FakeBrokerOptions,
  type ProduceAnswer,
  type ProducedBatch,
} from "../support/fake_broker/mod.ts";
import type { Transport } from "../../lib/net/transport.ts";
import { KafkaError, Producer, type ProducerOptions, TimeoutError } from "../../mod.ts";

const PRODUCE = 0;
const INIT_PRODUCER_ID = 22;

/**
 * A fake broker of one partition answering each batch from `script`, keyed
 * by `e<epoch>s<baseSequence>`: the next answer listed for that key, success
 * once none is left. `sent` lists the keys received, in order.
 */
function scripted(
  script: Record<string, ProduceAnswer[]>,
  options: FakeBrokerOptions = {},
): { transport: Transport; sent: string[]; initRequests: () => number } {
  const sent: string[] = [];
  let initRequests = 0;
  const fake = fakeBroker({
    partitions: 1,
    onProduce: (b: ProducedBatch) => {
      const key = `e${b.producerEpoch}s${b.baseSequence}`;
      sent.push(key);
      return script[key]?.shift();
    },
    ...options,
    onRequest: (apiKey, connection) => {
      if (apiKey === INIT_PRODUCER_ID) initRequests++;
      return options.onRequest?.(apiKey, connection);
    },
  });
  return { transport: fake.transport, sent, initRequests: () => initRequests };
}

function producerOn(
  transport: Transport,
  options: Partial<ProducerOptions> = {},
): Producer {
  return new Producer({
    bootstrapServers: "fake:9092",
    transport,
    lingerMs: 0,
    retryBackoffMs: 5,
    retryBackoffMaxMs: 5,
    ...options,
  });
}

/**
 * An `onRequest` hook holding the answer to the `n`th Produce request until
 * the next one arrives: two batches of a partition are then in flight
 * together. `arrived` resolves when the `n`th came.
 */
function holdProduce(n: number): {
  onRequest: FakeBrokerOptions["onRequest"];
  arrived: Promise<void>;
} {
  let produces = 0;
  const arrived = Promise.withResolvers<void>();
  const next = Promise.withResolvers<void>();
  return {
    arrived: arrived.promise,
    onRequest: (apiKey) => {
      if (apiKey !== PRODUCE) return undefined;
      produces++;
      if (produces === n) {
        arrived.resolve();
        return next.promise;
      }
      if (produces === n + 1) next.resolve();
      return undefined;
    },
  };
}

function send(producer: Producer, value: string) {
  return producer.send({ topic: "t", partition: 0, value });
}

Deno.test("idempotence: OUT_OF_ORDER_SEQUENCE_NUMBER on the next expected batch bumps the epoch and retries", async () => {
  // The broker lost the batch before ours (lastAcked + 1 is ours): the gap is real.
  const { transport, sent } = scripted({ e0s1: [{ errorCode: 45 }] });
  await using producer = producerOn(transport);
  assert.equal((await send(producer, "a")).offset, 0n);
  const second = await send(producer, "b");
  assert.equal(second.offset, 1n, "the retry was written");
  assert.deepEqual(sent, ["e0s0", "e0s1", "e1s0"], "retried in epoch 1 from sequence 0");
  assert.equal(producer.metrics().epochBumps, 1);
});

Deno.test("idempotence: OUT_OF_ORDER_SEQUENCE_NUMBER right after a batch of unknown fate bumps the epoch and retries", async () => {
  // b (s1) times out on the broker every time: its fate is unknown when it
  // fails. c (s2), sent while b was in flight, then meets the gap b left.
  const hold = holdProduce(2);
  const { transport, sent } = scripted({
    e0s1: Array(4).fill({ errorCode: 7 }),
    e0s2: Array(4).fill({ errorCode: 45 }),
  }, { onRequest: hold.onRequest });
  await using producer = producerOn(transport, { retries: 3 });
  await send(producer, "a");
  const b = send(producer, "b");
  await hold.arrived;
  const c = send(producer, "c");
  const error = await b.then(() => assert.fail("b succeeded"), (e) => e);
  assert.ok(error instanceof KafkaError && error.name === "REQUEST_TIMED_OUT", String(error));
  assert.equal((await c).offset, 1n, "c was written");
  assert.deepEqual(sent.slice(-2), ["e0s2", "e1s0"], "c retried in epoch 1 from sequence 0");
  assert.equal(producer.metrics().epochBumps, 1);
});

Deno.test("idempotence: UNKNOWN_PRODUCER_ID with a known log start offset bumps the epoch for a batch that is not the next expected", async () => {
  // b (s1) is refused with a retriable error, c (s2) with UNKNOWN_PRODUCER_ID:
  // the broker dropped our state (retention), so the partition moves to a new epoch.
  const hold = holdProduce(2);
  const { transport, sent } = scripted({
    e0s1: [{ errorCode: 19 }],
    e0s2: [{ errorCode: 59, logStartOffset: 5n }],
  }, { onRequest: hold.onRequest });
  await using producer = producerOn(transport);
  await send(producer, "a");
  const b = send(producer, "b");
  await hold.arrived;
  const c = send(producer, "c");
  assert.deepEqual([(await b).offset, (await c).offset], [1n, 2n]);
  assert.deepEqual(sent, ["e0s0", "e0s1", "e0s2", "e1s0", "e1s1"], "both re-sequenced in epoch 1");
  assert.equal(producer.metrics().epochBumps, 1);
});

Deno.test("idempotence: UNKNOWN_PRODUCER_ID on a re-sequenced batch retries it without another epoch bump", async () => {
  const { transport, sent } = scripted({
    e0s1: [{ errorCode: 59, logStartOffset: 5n }],
    e1s0: [{ errorCode: 59, logStartOffset: 5n }],
  });
  await using producer = producerOn(transport);
  await send(producer, "a");
  assert.equal((await send(producer, "b")).offset, 1n);
  assert.deepEqual(sent, ["e0s0", "e0s1", "e1s0", "e1s0"], "one bump, then retried as is");
  assert.equal(producer.metrics().epochBumps, 1);
});

Deno.test("idempotence: NOT_ENOUGH_REPLICAS_AFTER_APPEND as the final error says the records may have been written and leaves their fate unknown", async () => {
  // b (s1) is appended by the leader but never acknowledged; c (s2), in flight
  // behind it, is acknowledged: b was written, the sequences have no gap.
  const hold = holdProduce(2);
  const { transport, sent } = scripted(
    { e0s1: Array(3).fill({ errorCode: 20 }) },
    { onRequest: hold.onRequest },
  );
  await using producer = producerOn(transport, { retries: 2 });
  await send(producer, "a");
  const b = send(producer, "b");
  await hold.arrived;
  const c = send(producer, "c");
  const error = await b.then(() => assert.fail("b succeeded"), (e) => e);
  assert.ok(error instanceof KafkaError, String(error));
  assert.equal(error.name, "NOT_ENOUGH_REPLICAS_AFTER_APPEND");
  assert.match(error.message, /may have been written/);
  await c;
  await send(producer, "d");
  assert.equal(sent.at(-1), "e0s3", "d follows c in the same epoch: no bump");
  assert.equal(producer.metrics().epochBumps, 0);
});

Deno.test("idempotence: NOT_ENOUGH_REPLICAS_AFTER_APPEND until deliveryTimeoutMs: the TimeoutError says the records may have been written", async () => {
  const fake = fakeBroker({ partitions: 1, onProduce: () => ({ errorCode: 20 }) });
  await using producer = producerOn(fake.transport, {
    requestTimeoutMs: 500,
    deliveryTimeoutMs: 600,
  });
  const error = await send(producer, "a").then(() => assert.fail("a succeeded"), (e) => e);
  assert.ok(error instanceof TimeoutError, String(error));
  assert.match(error.message, /NOT_ENOUGH_REPLICAS_AFTER_APPEND.*may have been written/);
});

Deno.test("idempotence: CLUSTER_AUTHORIZATION_FAILED on InitProducerId fails the waiting records at once; a later send asks again", async () => {
  // A retriable error first (retried), then the refusal, then a producer id.
  const codes = [14, 31];
  const { transport, initRequests } = scripted({}, { onInitProducerId: () => codes.shift() ?? 0 });
  await using producer = producerOn(transport);
  const started = Date.now();
  const error = await send(producer, "a").then(() => assert.fail("a succeeded"), (e) => e);
  assert.ok(error instanceof KafkaError, String(error));
  assert.equal(error.code, 31);
  assert.equal(error.name, "CLUSTER_AUTHORIZATION_FAILED");
  assert.match(error.message, /InitProducerId failed: CLUSTER_AUTHORIZATION_FAILED/);
  assert.ok(Date.now() - started < 5000, "long before deliveryTimeoutMs");
  assert.equal(initRequests(), 2, "COORDINATOR_LOAD_IN_PROGRESS was retried");
  assert.equal((await send(producer, "b")).offset, 0n, "the next send got a producer id");
  assert.equal(initRequests(), 3);
});

Deno.test("idempotence: a non-retriable InitProducerId error is fatal: waiting and later records fail with it", async () => {
  const codes = [35];
  const { transport, initRequests } = scripted({}, { onInitProducerId: () => codes.shift() ?? 0 });
  await using producer = producerOn(transport);
  for (const value of ["a", "b"]) {
    const error = await send(producer, value).then(() => assert.fail("sent"), (e) => e);
    assert.ok(error instanceof KafkaError, String(error));
    assert.equal(error.name, "UNSUPPORTED_VERSION", `record ${value}`);
    assert.match(error.message, /InitProducerId failed: UNSUPPORTED_VERSION.*can no longer send/);
  }
  assert.equal(initRequests(), 1, "not asked again");
});
