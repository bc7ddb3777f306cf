/**
 * The producer's `node:diagnostics_channel` events: each channel's messages
 * and their fields, from the real broker (connect, request, response,
 * metadata-refresh, disconnect, the transaction calls) and from the
 * in-memory fake broker where a fault is scripted (retry, batch-expired,
 * epoch-bump, SASL authentication and re-authentication); and subscribe()'s
 * unsubscribe.
 */
import assert from "node:assert/strict";
import {
  type AuthenticationEvent,
  channels,
  type ConnectEvent,
  type DisconnectEvent,
  type MetadataRefreshEvent,
  Producer,
  type ProducerEventName,
  type ProducerEvents,
  type RequestEvent,
  type ResponseEvent,
  subscribe,
} from "../../mod.ts";
import { BOOTSTRAP, createTopic, uniqueTopic } from "../support/cluster.ts";
import { fakeBroker } from "../support/fake_broker/mod.ts";

const NOT_LEADER_OR_FOLLOWER = 6;
const OUT_OF_ORDER_SEQUENCE_NUMBER = 45;

/** Every message on every channel whose `clientId` is `clientId`, by channel name. */
function record(clientId: string): {
  events: { [K in ProducerEventName]: ProducerEvents[K][] };
  stop: () => void;
} {
  const events = Object.fromEntries(
    Object.values(channels).map((name) => [name, [] as unknown[]]),
  ) as unknown as { [K in ProducerEventName]: ProducerEvents[K][] };
  const stops = Object.values(channels).map((name) =>
    subscribe(name, (message) => {
      if (message.clientId === clientId) (events[name] as unknown[]).push(message);
    })
  );
  return { events, stop: () => stops.forEach((stop) => stop()) };
}

Deno.test("events: connect, request, response, metadata-refresh, disconnect (real broker)", async () => {
  const topic = uniqueTopic("events");
  await createTopic(topic, 2);
  const clientId = uniqueTopic("events-client");
  const { events, stop } = record(clientId);
  try {
    const producer = new Producer({ bootstrapServers: BOOTSTRAP, clientId });
    await Promise.all([0, 1, 2].map((i) => producer.send({ topic, key: `k${i}`, value: "v" })));
    await producer.close();

    const [connect] = events["kafkats:connect"] as ConnectEvent[];
    assert.equal(events["kafkats:connect"].length, 1);
    assert.deepEqual({ ...connect, durationMs: 0 }, {
      clientId,
      broker: BOOTSTRAP,
      durationMs: 0,
      tls: false,
      saslMechanism: null,
      errorName: null,
      errorMessage: null,
    });
    assert.ok(connect.durationMs >= 0 && connect.durationMs < 10000);

    const requests = events["kafkats:request"] as RequestEvent[];
    const apis = new Set(requests.map((r) => r.apiName));
    for (const api of ["ApiVersions", "Metadata", "InitProducerId", "Produce"]) {
      assert.ok(apis.has(api), `a ${api} request (${[...apis]})`);
    }
    const produce = requests.find((r) => r.apiName === "Produce")!;
    assert.equal(produce.apiKey, 0);
    assert.equal(produce.broker, BOOTSTRAP);
    assert.ok(produce.apiVersion >= 3 && produce.expectResponse);

    // Every request is answered once, by correlation id, without an error.
    const responses = events["kafkats:response"] as ResponseEvent[];
    assert.deepEqual(
      responses.map((r) => r.correlationId).sort((a, b) => a - b),
      requests.map((r) => r.correlationId).sort((a, b) => a - b),
    );
    for (const response of responses) {
      const request = requests.find((r) => r.correlationId === response.correlationId)!;
      assert.equal(response.apiName, request.apiName);
      assert.equal(response.apiVersion, request.apiVersion);
      assert.equal(response.errorName, null);
      assert.ok(response.durationMs >= 0);
    }

    const refreshes = events["kafkats:metadata-refresh"] as MetadataRefreshEvent[];
    assert.ok(refreshes.length >= 1);
    assert.deepEqual(refreshes[0].topics, [topic]);
    assert.deepEqual(refreshes[0].topicErrors, {});
    assert.equal(refreshes[0].errorName, null);

    const [disconnect] = events["kafkats:disconnect"] as DisconnectEvent[];
    assert.equal(disconnect.broker, BOOTSTRAP);
    assert.equal(disconnect.inFlightRequests, 0);
    assert.ok(disconnect.connectedMs > 0);
    assert.equal(disconnect.errorName, "NetworkError");
  } finally {
    stop();
  }
});

Deno.test("events: a connection refused is a connect event with the error", async () => {
  const clientId = uniqueTopic("events-refused");
  const { events, stop } = record(clientId);
  try {
    const producer = new Producer({ bootstrapServers: "127.0.0.1:1", clientId, maxBlockMs: 300 });
    await assert.rejects(producer.send({ topic: "t", value: "v" }));
    await producer.close();
    const connects = events["kafkats:connect"] as ConnectEvent[];
    assert.ok(connects.length >= 1);
    assert.equal(connects[0].broker, "127.0.0.1:1");
    assert.equal(connects[0].errorName, "NetworkError");
    assert.match(connects[0].errorMessage!, /cannot connect to 127\.0\.0\.1:1/);
    assert.deepEqual(events["kafkats:disconnect"], [], "never open, never disconnected");
    const refresh = events["kafkats:metadata-refresh"][0];
    assert.equal(refresh.errorName, "NetworkError");
  } finally {
    stop();
  }
});

Deno.test("events: retry and epoch-bump from scripted answers (fake broker)", async () => {
  const clientId = uniqueTopic("events-retry");
  const { events, stop } = record(clientId);
  let answers = 0;
  const broker = fakeBroker({
    partitions: 1,
    onProduce: () => {
      answers++;
      if (answers === 1) return { errorCode: NOT_LEADER_OR_FOLLOWER };
      if (answers === 2) return { errorCode: OUT_OF_ORDER_SEQUENCE_NUMBER };
      return undefined;
    },
  });
  try {
    const producer = new Producer({
      bootstrapServers: "fake:9092",
      transport: broker.transport,
      clientId,
      retryBackoffMs: 1,
    });
    await producer.send({ topic: "t", value: "v" });
    await producer.close();
    const retries = events["kafkats:retry"];
    assert.deepEqual(retries.map((r) => [r.errorName, r.attempt, r.topic, r.partition]), [
      ["NOT_LEADER_OR_FOLLOWER", 1, "t", 0],
      ["OUT_OF_ORDER_SEQUENCE_NUMBER", 2, "t", 0],
    ]);
    assert.equal(retries[0].recordCount, 1);
    assert.ok(retries[0].backoffMs >= 0);
    assert.match(retries[0].errorMessage!, /Produce to t-0 failed/);
    assert.deepEqual(events["kafkats:epoch-bump"], [{
      clientId,
      transactionalId: null,
      producerId: 1000n,
      epoch: 1,
      reason: "sequence",
    }]);
  } finally {
    stop();
  }
});

Deno.test("events: batch-expired after deliveryTimeoutMs (fake broker that never answers)", async () => {
  const clientId = uniqueTopic("events-expired");
  const { events, stop } = record(clientId);
  const broker = fakeBroker({ partitions: 1, answerProduce: false });
  try {
    const producer = new Producer({
      bootstrapServers: "fake:9092",
      transport: broker.transport,
      clientId,
      enableIdempotence: false,
      lingerMs: 0,
      requestTimeoutMs: 100,
      deliveryTimeoutMs: 250,
      retryBackoffMs: 10,
    });
    await assert.rejects(producer.send({ topic: "t", value: "v" }), /TimeoutError|Expiring/);
    await producer.close();
    const [expired] = events["kafkats:batch-expired"];
    assert.ok(expired !== undefined, "a batch-expired event");
    assert.equal(expired.topic, "t");
    assert.equal(expired.partition, 0);
    assert.equal(expired.recordCount, 1);
    assert.ok(expired.attempts >= 1);
    assert.ok(expired.ageMs >= 250, `${expired.ageMs}`);
    assert.ok(expired.errorName !== null, "the last error's name");
    // The request timed out, so a response event said so.
    const timedOut = events["kafkats:response"].filter((r) => r.apiName === "Produce");
    assert.ok(timedOut.some((r) => r.errorName === "TimeoutError"), JSON.stringify(timedOut));
  } finally {
    stop();
  }
});

Deno.test("events: SASL authentication and re-authentication (fake broker, PLAIN)", async () => {
  const clientId = uniqueTopic("events-sasl");
  const { events, stop } = record(clientId);
  const broker = fakeBroker({
    partitions: 1,
    sasl: { username: "alice", password: "alice-secret", sessionLifetimeMs: 200 },
  });
  try {
    const producer = new Producer({
      bootstrapServers: "fake:9092",
      transport: broker.transport,
      clientId,
      sasl: { mechanism: "PLAIN", username: "alice", password: "alice-secret" },
    });
    await producer.send({ topic: "t", value: "v" });
    await new Promise((resolve) => setTimeout(resolve, 450)); // two re-authentications
    await producer.send({ topic: "t", value: "v" });
    await producer.close();
    const auths = events["kafkats:authentication"] as AuthenticationEvent[];
    assert.ok(auths.length >= 2, `${auths.length}`);
    assert.deepEqual(
      { ...auths[0], durationMs: 0 },
      {
        clientId,
        broker: "fake:9092",
        mechanism: "PLAIN",
        reauthentication: false,
        durationMs: 0,
        sessionLifetimeMs: 200,
        errorName: null,
        errorMessage: null,
      },
    );
    assert.ok(auths.slice(1).every((a) => a.reauthentication && a.errorName === null));
    assert.equal(events["kafkats:connect"][0].saslMechanism, "PLAIN");
    // SaslAuthenticate requests are published by name only: their bytes are not in the event.
    const sasl = events["kafkats:request"].filter((r) => r.apiName === "SaslAuthenticate");
    assert.ok(sasl.length >= 2);
    assert.ok(
      !JSON.stringify(events, (_k, v) => typeof v === "bigint" ? `${v}` : v).includes(
        "alice-secret",
      ),
    );
  } finally {
    stop();
  }
});

Deno.test("events: transaction begin, commit and abort (real broker)", async () => {
  const topic = uniqueTopic("events-txn");
  await createTopic(topic, 1);
  const clientId = uniqueTopic("events-txn-client");
  const { events, stop } = record(clientId);
  try {
    await using producer = new Producer({
      bootstrapServers: BOOTSTRAP,
      clientId,
      transactionalId: uniqueTopic("events-txn-id"),
    });
    await producer.initTransactions();
    producer.beginTransaction();
    await producer.send({ topic, value: "committed" });
    await producer.commitTransaction();
    producer.beginTransaction();
    producer.send({ topic, value: "aborted" }).catch(() => {});
    await producer.abortTransaction();

    assert.equal(events["kafkats:transaction-begin"].length, 2);
    const [commit] = events["kafkats:transaction-commit"];
    const [abort] = events["kafkats:transaction-abort"];
    assert.equal(events["kafkats:transaction-commit"].length, 1);
    assert.equal(events["kafkats:transaction-abort"].length, 1);
    for (const event of [commit, abort]) {
      assert.ok(event.producerId >= 0n && event.epoch >= 0);
      assert.equal(event.errorName, null);
      assert.ok(event.durationMs > 0);
    }
    assert.equal(commit.producerId, events["kafkats:transaction-begin"][0].producerId);
    assert.equal(commit.epoch, events["kafkats:transaction-begin"][0].epoch);
  } finally {
    stop();
  }
});

Deno.test("events: subscribe() returns the unsubscribe", async () => {
  const seen: string[] = [];
  const stopListening = subscribe(channels.connect, (event) => seen.push(event.clientId));
  const broker = fakeBroker({ partitions: 1 });
  const first = new Producer({
    bootstrapServers: "fake:9092",
    transport: broker.transport,
    clientId: "sub-1",
  });
  await first.send({ topic: "t", value: "v" });
  await first.close();
  stopListening();
  const second = new Producer({
    bootstrapServers: "fake:9092",
    transport: broker.transport,
    clientId: "sub-2",
  });
  await second.send({ topic: "t", value: "v" });
  await second.close();
  assert.deepEqual(seen, ["sub-1"]);
});
