/**
 * ProducerMetadata on its own, over a ConnectionPool to the in-memory fake
 * broker (`tests/support/fake_broker/`): refreshes when asked and when old,
 * the backoff after failed refreshes, waitForTopic's timeout naming the last
 * error, and KIP-951 leader hints.
 */
import assert from "node:assert/strict";
import { InvalidRecordError, KafkaError, NetworkError, TimeoutError } from "../../lib/errors.ts";
import { ConnectionPool } from "../../lib/net/pool.ts";
import type { Transport } from "../../lib/net/transport.ts";
import { type ProducerOptions, resolveConfig } from "../../lib/producer/config.ts";
import { ProducerMetadata } from "../../lib/producer/metadata.ts";
import { fakeBroker, type FakeBrokerOptions } from "../support/fake_broker/mod.ts";

const METADATA = 3;
const REFRESHING = Number.MAX_SAFE_INTEGER;

/** A ProducerMetadata over a pool to a fake broker (3 partitions, node 1 at broker-1:9093). */
interface Rig extends Disposable {
  readonly metadata: ProducerMetadata;
  /** Metadata requests the fake received. */
  readonly requests: () => number;
  /** Resolves at the next call of the metadata's onUpdate (a refresh attempt ended). */
  readonly nextUpdate: () => Promise<void>;
}

function rig(
  options: Partial<ProducerOptions> = {},
  fake: FakeBrokerOptions = {},
  transport?: Transport,
): Rig {
  let requests = 0;
  const broker = fakeBroker({
    partitions: 3,
    host: "broker-1",
    port: 9093,
    ...fake,
    onRequest: (apiKey) => {
      if (apiKey === METADATA) requests++;
      return undefined;
    },
  });
  const config = resolveConfig({ bootstrapServers: "fake:9092", ...options });
  const pool = new ConnectionPool(transport ?? broker.transport, {
    clientId: config.clientId,
    connectTimeoutMs: config.connectTimeoutMs,
    maxFrameSize: 1 << 20,
  }, () => {});
  const waiters: (() => void)[] = [];
  const metadata = new ProducerMetadata(config, pool, () => {
    for (const resolve of waiters.splice(0)) resolve();
  });
  return {
    metadata,
    requests: () => requests,
    nextUpdate: () => new Promise((resolve) => waiters.push(resolve)),
    [Symbol.dispose]() {
      metadata.close();
      pool.close();
    },
  };
}

/** A transport refusing every connect while `up()` is false, else connecting to `inner`. */
function switchable(inner: Transport, up: () => boolean): Transport & { connects: number } {
  const transport = {
    connects: 0,
    connect(host: string, port: number) {
      transport.connects++;
      return up() ? inner.connect(host, port) : Promise.reject(new Error("refused"));
    },
  };
  return transport;
}

Deno.test("metadata: waitForTopic refreshes once and learns the leaders, the brokers and the topic id", async () => {
  const id = new Uint8Array(16).fill(7);
  using r = rig({}, { topicId: () => id });
  const t = await r.metadata.waitForTopic("t", Date.now() + 2000);
  assert.equal(r.requests(), 1);
  assert.deepEqual(t.partitions, [0, 1, 2].map(() => ({ leader: 1, leaderEpoch: 0 })));
  assert.deepEqual(t.available, [0, 1, 2]);
  assert.deepEqual(t.topicId, id);
  assert.equal(r.metadata.topic("t"), t);
  assert.equal(r.metadata.leaderFor("t", 2), 1);
  assert.equal(r.metadata.leaderFor("t", 3), -1, "no partition 3");
  assert.equal(r.metadata.address(1), "broker-1:9093");
  assert.deepEqual(r.metadata.addresses(), ["broker-1:9093", "fake:9092"], "known brokers first");
});

Deno.test("metadata: requestUpdate() refreshes at the next maybeRefresh past retryBackoffMs; otherwise at metadataMaxAgeMs", async () => {
  using r = rig({ retryBackoffMs: 1000, retryBackoffMaxMs: 1000, metadataMaxAgeMs: 10_000 });
  await r.metadata.waitForTopic("t", Date.now() + 2000);
  const t0 = Date.now();
  const idle = r.metadata.maybeRefresh(t0);
  assert.ok(idle > 9000 && idle <= 10_000, `next refresh in ${idle} ms, want metadataMaxAgeMs`);

  r.metadata.requestUpdate();
  const wait = r.metadata.maybeRefresh(t0);
  assert.ok(wait > 0 && wait <= 1000, `asked for: refresh in ${wait} ms, want ≤ retryBackoffMs`);
  assert.equal(r.requests(), 1, "not before the backoff");
  const asked = r.nextUpdate();
  assert.equal(r.metadata.maybeRefresh(t0 + wait), REFRESHING, "the backoff is over: a refresh");
  assert.equal(r.metadata.maybeRefresh(t0 + wait), REFRESHING, "one refresh at a time");
  await asked;
  assert.equal(r.requests(), 2);

  const t1 = Date.now();
  assert.ok(r.metadata.maybeRefresh(t1) > 9000, "fresh again");
  const aged = r.nextUpdate();
  assert.equal(r.metadata.maybeRefresh(t1 + 10_000), REFRESHING, "metadataMaxAgeMs old: a refresh");
  await aged;
  assert.equal(r.requests(), 3);
});

Deno.test("metadata: failed refreshes back off retryBackoffMs × 2^(n-1) up to retryBackoffMaxMs, ±20% jitter; a success resets it", async () => {
  let up = false;
  const transport = switchable(fakeBroker().transport, () => up);
  using r = rig({ retryBackoffMs: 100, retryBackoffMaxMs: 350 }, {}, transport);
  assert.equal(r.metadata.leaderFor("t", 0), -1, "unknown: the topic is now of interest");
  let at = Date.now();
  for (const [n, backoff] of [100, 200, 350, 350].entries()) {
    const failed = r.nextUpdate();
    assert.equal(r.metadata.maybeRefresh(at), REFRESHING, `refresh ${n + 1} starts`);
    await failed;
    const now = Date.now();
    const wait = r.metadata.maybeRefresh(now);
    assert.ok(
      wait <= backoff * 1.2 && wait > backoff * 0.8 - 50,
      `after ${n + 1} failure(s): next refresh in ${wait} ms, want ${backoff} ± 20%`,
    );
    at = now + wait;
  }
  assert.equal(transport.connects, 4, "one connect per refresh");

  up = true;
  const succeeded = r.nextUpdate();
  assert.equal(r.metadata.maybeRefresh(at), REFRESHING);
  await succeeded;
  assert.equal(r.metadata.leaderFor("t", 0), 1, "the refresh succeeded");
  r.metadata.requestUpdate();
  const wait = r.metadata.maybeRefresh(Date.now());
  assert.ok(wait <= 100 && wait > 50, `after a success: ${wait} ms, want retryBackoffMs`);
});

Deno.test("metadata: waitForTopic times out at the deadline naming the last error: a refused connect", async () => {
  const refusing = switchable(fakeBroker().transport, () => false);
  using r = rig({ maxBlockMs: 300 }, {}, refusing);
  const started = Date.now();
  await assert.rejects(r.metadata.waitForTopic("t", started + 300), (e: unknown) => {
    assert.ok(e instanceof TimeoutError, String(e));
    assert.equal(
      e.message,
      'topic "t" not present in metadata after 300 ms (last error: cannot connect to fake:9092: refused)',
    );
    assert.ok(e.cause instanceof NetworkError, `cause: ${e.cause}`);
    return true;
  });
  const ms = Date.now() - started;
  assert.ok(ms >= 290 && ms < 2000, `took ${ms} ms`);
});

Deno.test("metadata: waitForTopic times out naming the topic's own error; INVALID_TOPIC_EXCEPTION fails at once", async () => {
  {
    using r = rig({ maxBlockMs: 300, retryBackoffMs: 50 }, { topicErrorCode: () => 3 });
    await assert.rejects(r.metadata.waitForTopic("t", Date.now() + 300), (e: unknown) => {
      assert.ok(e instanceof TimeoutError, String(e));
      assert.match(
        e.message,
        /after 300 ms \(last error: metadata for topic "t": UNKNOWN_TOPIC_OR_PARTITION\)$/,
      );
      assert.ok(e.cause instanceof KafkaError && e.cause.code === 3, `cause: ${e.cause}`);
      return true;
    });
    assert.ok(r.requests() >= 2, `asked ${r.requests()} time(s) while waiting`);
  }
  using r = rig({ maxBlockMs: 5000 }, { topicErrorCode: () => 17 });
  const started = Date.now();
  await assert.rejects(r.metadata.waitForTopic("t", started + 5000), (e: unknown) => {
    assert.ok(e instanceof InvalidRecordError, String(e));
    assert.match(e.message, /^invalid topic "t": .*INVALID_TOPIC_EXCEPTION/);
    return true;
  });
  assert.ok(Date.now() - started < 2000, "not at the deadline");
});

Deno.test("metadata: KIP-951 updateLeader moves a leader only to a known broker at a newer epoch, and a refresh at an older epoch keeps it", async () => {
  using r = rig();
  const t = await r.metadata.waitForTopic("t", Date.now() + 2000);
  const { metadata } = r;
  assert.equal(metadata.updateLeader("t", 0, 2, 5), false, "node 2 is not known");
  assert.equal(metadata.leaderFor("t", 0), 1);

  metadata.addBrokers([{ nodeId: 2, host: "broker-2", port: 9094 }]);
  assert.equal(metadata.address(2), "broker-2:9094");
  assert.equal(metadata.updateLeader("t", 0, 2, 0), false, "epoch 0 is not newer than 0");
  assert.equal(metadata.leaderFor("t", 0), 1);
  assert.equal(metadata.updateLeader("t", 0, 2, 5), true, "a newer epoch moves the leader");
  assert.deepEqual(t.partitions[0], { leader: 2, leaderEpoch: 5 });
  assert.equal(metadata.updateLeader("t", 0, 2, 6), false, "same leader: not a move");
  assert.deepEqual(t.partitions[0], { leader: 2, leaderEpoch: 6 }, "but the epoch is taken");
  assert.equal(metadata.updateLeader("t", 0, 1, 6), false, "epoch 6 again: ignored");
  assert.equal(metadata.updateLeader("t", 9, 2, 9), false, "no partition 9");
  assert.equal(metadata.updateLeader("u", 0, 2, 9), false, "unknown topic");
  assert.equal(metadata.leaderFor("t", 0), 2);

  metadata.requestUpdate();
  const refreshed = r.nextUpdate();
  assert.equal(metadata.maybeRefresh(Date.now() + 1000), REFRESHING);
  await refreshed;
  assert.equal(r.requests(), 2);
  assert.deepEqual(metadata.topic("t")?.partitions, [
    { leader: 2, leaderEpoch: 6 },
    { leader: 1, leaderEpoch: 0 },
    { leader: 1, leaderEpoch: 0 },
  ], "the hint at epoch 6 outlives an answer at epoch 0");
});
