/**
 * The idempotent producer against broker answers a real broker can't give on
 * demand: sequence errors (OUT_OF_ORDER_SEQUENCE_NUMBER, UNKNOWN_PRODUCER_ID),
 * InitProducerId refusals and NOT_ENOUGH_REPLICAS_AFTER_APPEND, from the
 * in-memory fake broker (`bench/support/fake_broker.ts`). Each test follows
 * the producer id, epoch and sequence of every batch the fake received.
 */
import assert from "node:assert/strict";
import {
  fakeBroker,
  type FakeBrokerOptions,
  type ProduceAnswer,
  type ProducedBatch,
} from "../../bench/support/fake_broker.ts";
import type { Transport } from "../../lib/net/transport.ts";
import { KafkaError, Producer, type ProducerOptions } from "../../mod.ts";

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

function send(producer: Producer, value: string) {
  return producer.send({ topic: "t", partition: 0, value });
}

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
