/**
 * KIP-368 re-authentication against the secure broker, whose sessions last
 * `connections.max.reauth.ms` (4 s in tests): producing steadily for more
 * than three session lifetimes, every record is acknowledged and read back
 * once and in order, on the one connection opened at the start (the broker
 * closes a connection whose session ended, so a second connect would mean
 * the re-authentication came too late), with a new SaslHandshake on it
 * each lifetime. And a re-authentication that fails (the token provider
 * starts failing) fails later sends at once with its error.
 */
import assert from "node:assert/strict";
import { Producer, type ProducerOptions, SaslAuthenticationError } from "../../mod.ts";
import { defaultTransport } from "../../lib/net/runtime.ts";
import { ApiKey } from "../../lib/protocol/api.ts";
import { createTopic, readBack, uniqueTopic } from "../support/cluster.ts";
import { RequestSpy } from "../support/request_spy.ts";
import { secureBroker, unsignedJwt } from "../support/secure_broker.ts";

const broker = secureBroker();
const PARTITIONS = 3;

/**
 * Sends a record every ~2 ms for `durationMs`, without waiting for their
 * acknowledgements (so requests queue while a re-authentication runs);
 * returns how many.
 */
async function produceSteadily(producer: Producer, topic: string, durationMs: number) {
  const end = Date.now() + durationMs;
  const sends: Promise<unknown>[] = [];
  while (Date.now() < end) {
    const i = sends.length;
    sends.push(producer.send({ topic, key: `k${i % 7}`, value: String(i) }));
    await new Promise((r) => setTimeout(r, 2));
  }
  await Promise.all(sends);
  return sends.length;
}

async function steadyAcrossSessions(
  sasl: ProducerOptions["sasl"],
  bootstrap: string,
  tls?: ProducerOptions["tls"],
) {
  const topic = uniqueTopic("security-reauth");
  await createTopic(topic, PARTITIONS, { bootstrap: broker!.plaintext });
  const spy = new RequestSpy(defaultTransport());
  const producer = new Producer({ bootstrapServers: bootstrap, tls, sasl, transport: spy });
  const n = await produceSteadily(producer, topic, broker!.reauthMs * 3.5);
  await producer.close();
  assert.equal(producer.metrics().recordErrors, 0);
  assert.deepEqual(spy.connections.map((c) => c.address), [bootstrap], "one connection, kept");
  assert.ok(
    spy.count(ApiKey.SaslHandshake) >= 4,
    `SaslHandshakes: ${spy.count(ApiKey.SaslHandshake)} (1 + a re-authentication per lifetime)`,
  );
  const consumed = await readBack(topic, n, broker!.plaintext);
  assert.equal(consumed.length, n);
  const values = consumed.map((c) => Number(atob(c.v!)));
  assert.equal(new Set(values).size, n, "each record once");
  for (let p = 0; p < PARTITIONS; p++) {
    const inPartition = consumed.filter((c) => c.p === p).map((c) => Number(atob(c.v!)));
    assert.deepEqual(
      inPartition,
      [...inPartition].sort((a, b) => a - b),
      `partition ${p} in order`,
    );
  }
  return spy.count(ApiKey.SaslHandshake);
}

Deno.test({
  name:
    "re-authentication (SCRAM-SHA-512, SASL_SSL) over 3.5 session lifetimes: one connection, nothing lost",
  ignore: broker === null,
  async fn() {
    const { username, password, ca } = broker!;
    await steadyAcrossSessions(
      { mechanism: "SCRAM-SHA-512", username, password },
      broker!.saslSsl,
      { ca },
    );
  },
});

Deno.test({
  name:
    "re-authentication (OAUTHBEARER, SASL_PLAINTEXT) asks the provider for a fresh token each time",
  ignore: broker === null,
  async fn() {
    let tokens = 0;
    const handshakes = await steadyAcrossSessions({
      mechanism: "OAUTHBEARER",
      token: () => (tokens++, Promise.resolve(unsignedJwt())),
    }, broker!.saslPlaintext);
    assert.equal(tokens, handshakes, "one token per authentication");
  },
});

Deno.test({
  name: "a failed re-authentication fails later sends at once with its SaslAuthenticationError",
  ignore: broker === null,
  async fn() {
    const topic = uniqueTopic("security-reauth-fail");
    await createTopic(topic, 1, { bootstrap: broker!.plaintext });
    let tokens = 0;
    const producer = new Producer({
      bootstrapServers: broker!.saslPlaintext,
      maxBlockMs: 30000,
      sasl: {
        mechanism: "OAUTHBEARER",
        token: () =>
          tokens++ === 0
            ? Promise.resolve(unsignedJwt())
            : Promise.reject(new Error("token endpoint down")),
      },
    });
    try {
      await producer.send({ topic, value: "first" });
      // Past the re-authentication (at 85-95% of the session), which fails.
      await new Promise((r) => setTimeout(r, broker!.reauthMs + 500));
      const started = performance.now();
      const outcomes = await Promise.allSettled(
        Array.from({ length: 10 }, (_, i) => producer.send({ topic, value: `later ${i}` })),
      );
      const elapsed = performance.now() - started;
      for (const o of outcomes) {
        assert.equal(o.status, "rejected");
        const error = (o as PromiseRejectedResult).reason;
        assert.ok(error instanceof SaslAuthenticationError, String(error));
        assert.match(error.message, /token provider failed: token endpoint down/);
      }
      assert.ok(elapsed < 3000, `took ${elapsed.toFixed(0)} ms`);
    } finally {
      await producer.close({ timeoutMs: 2000 });
    }
  },
});
