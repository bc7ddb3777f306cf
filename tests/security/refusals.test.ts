/**
 * Each way the secure broker (or we) can refuse a connection gives its
 * typed, non-retriable error to every waiting send at once — in well under
 * a second or two, not after `maxBlockMs` — with a message that names the
 * cause: wrong password, unknown user, refused or failing token, SASL on a
 * listener without it, untrusted CA, wrong hostname, missing or untrusted
 * client certificate, plaintext on a TLS port and TLS on a plaintext port.
 */
import assert from "node:assert/strict";
import {
  AuthenticationError,
  Producer,
  ProtocolError,
  type SaslAuthenticationError,
  TimeoutError,
} from "../../mod.ts";
import { createTopic, uniqueTopic } from "../support/cluster.ts";
import { secureBroker } from "../support/secure_broker.ts";
import { refusals } from "./cases.ts";

const broker = secureBroker();
const SENDS = 20;
const MAX_BLOCK_MS = 20000;
/** Far below maxBlockMs; the broker itself waits 100 ms before refusing SASL. */
const FAST_MS = 3000;

const topic = uniqueTopic("security-refusals");
let created = false;

for (const refusal of broker === null ? [] : refusals(broker)) {
  Deno.test({
    name: `refused: ${refusal.name} → ${refusal.error.name}, at once`,
    async fn() {
      if (!created) {
        await createTopic(topic, 1, { bootstrap: broker!.plaintext });
        created = true;
      }
      const producer = new Producer({ ...refusal.options, maxBlockMs: MAX_BLOCK_MS });
      const started = performance.now();
      const outcomes = await Promise.allSettled(
        Array.from({ length: SENDS }, (_, i) => producer.send({ topic, value: `v${i}` })),
      );
      const elapsed = performance.now() - started;
      await producer.close({ timeoutMs: 2000 });
      const errors = outcomes.map((o) => {
        assert.equal(o.status, "rejected", `${refusal.name}: a send succeeded`);
        return (o as PromiseRejectedResult).reason as Error;
      });
      for (const error of errors) {
        assert.ok(
          error instanceof refusal.error,
          `${refusal.name}: ${error.name}: ${error.message}`,
        );
        assert.match(error.message, refusal.message);
        if (error instanceof AuthenticationError || error instanceof ProtocolError) {
          assert.equal(error.retriable, false);
        }
        if (refusal.code !== undefined) {
          assert.equal((error as SaslAuthenticationError).code, refusal.code);
        }
      }
      assert.ok(elapsed < FAST_MS, `${refusal.name}: took ${elapsed.toFixed(0)} ms`);
      console.log(`  ${elapsed.toFixed(0)} ms: ${errors[0].message}`);
    },
  });
}

Deno.test({
  name: "a client without sasl on a SASL listener times out naming the likely cause",
  ignore: broker === null,
  async fn() {
    const producer = new Producer({ bootstrapServers: broker!.saslPlaintext, maxBlockMs: 2000 });
    try {
      const error = await producer.send({ topic, value: "x" }).then(() => null, (e) => e);
      // The broker just closes the connection, as it does when shutting down: not fatal.
      assert.ok(error instanceof TimeoutError, String(error));
      assert.match(
        error.message,
        /a SASL_PLAINTEXT or SASL_SSL listener does that to a client without the sasl option/,
      );
    } finally {
      await producer.close({ timeoutMs: 2000 });
    }
  },
});
