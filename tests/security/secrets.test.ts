/**
 * No secret leaks into what the producer says: every refusal's error (its
 * message, stack, `cause` chain, JSON and `Deno.inspect`), the config
 * errors of bad security options, the producer as inspected, and its
 * metrics contain no password, token or private key text.
 */
import assert from "node:assert/strict";
import { Producer, type ProducerOptions } from "../../mod.ts";
import { createTopic, uniqueTopic } from "../support/cluster.ts";
import { secureBroker, unsignedJwt } from "../support/secure_broker.ts";
import { accesses, refusals, REFUSED_TOKEN, WRONG_PASSWORDS } from "./cases.ts";

const broker = secureBroker();

/** `JSON.stringify` that survives cycles (Node's TLS errors carry the peer's certificate chain). */
function json(value: unknown): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(value, (_key, v) => {
    if (typeof v !== "object" || v === null) return v;
    if (seen.has(v)) return "[cycle]";
    seen.add(v);
    return v;
  });
}

/** Every string a leak could show up in, for `error` and its causes. */
function renderings(error: unknown, depth = 0): string[] {
  if (!(error instanceof Error) || depth > 5) return [String(error)];
  return [
    error.message,
    error.stack ?? "",
    json(error),
    Deno.inspect(error, { depth: 10 }),
    ...renderings(error.cause, depth + 1),
  ];
}

/** The secrets of the test setup: passwords, tokens, and a slice of the client key's body. */
function secrets(): string[] {
  const keyBody = broker!.clientKey.split("\n").filter((l) => !l.startsWith("-----")).join("");
  return [
    broker!.password,
    ...WRONG_PASSWORDS,
    REFUSED_TOKEN,
    keyBody.slice(100, 140),
    keyBody.slice(-60, -20),
  ];
}

function assertNoSecret(where: string, texts: string[], extra: string[] = []): void {
  for (const text of texts) {
    for (const secret of [...secrets(), ...extra]) {
      assert.ok(!text.includes(secret), `${where} shows a secret (${secret.slice(0, 4)}…)`);
    }
  }
}

Deno.test({
  name: "no password, token or key in any refusal's error, the producer or its metrics",
  ignore: broker === null,
  async fn() {
    const topic = uniqueTopic("security-secrets");
    await createTopic(topic, 1, { bootstrap: broker!.plaintext });
    const tokens: string[] = [];
    for (const refusal of refusals(broker!)) {
      const producer = new Producer({ ...refusal.options, maxBlockMs: 10000 });
      const error = await producer.send({ topic, value: "x" }).then(() => null, (e) => e);
      assert.ok(error instanceof refusal.error, refusal.name);
      assertNoSecret(refusal.name, [
        ...renderings(error),
        Deno.inspect(producer, { depth: 10 }),
        JSON.stringify(producer.metrics()),
      ]);
      await producer.close({ timeoutMs: 2000 });
    }
    // Working connections too: nothing of the credentials in the producer or its metrics.
    for (const access of accesses(broker!)) {
      const sasl = access.options.sasl;
      const options: ProducerOptions = sasl?.mechanism === "OAUTHBEARER"
        ? {
          ...access.options,
          sasl: { mechanism: "OAUTHBEARER", token: () => Promise.resolve(record(unsignedJwt())) },
        }
        : access.options;
      await using producer = new Producer(options);
      await producer.send({ topic, value: access.name });
      assertNoSecret(access.name, [
        Deno.inspect(producer, { depth: 10 }),
        JSON.stringify(producer.metrics()),
      ], tokens);
    }

    function record(token: string): string {
      tokens.push(token.split(".")[1]); // the claims part is what makes a token a token
      return token;
    }
  },
});

Deno.test("bad security options name the field, never its value", () => {
  const password = "s3cr3t-P@ssw0rd-value";
  const key = broker?.clientKey ??
    "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n";
  const bad: unknown[] = [
    { sasl: { mechanism: "PLAIN", username: "u", password: 42 } },
    { sasl: { mechanism: "GSSAPI", username: "u", password } },
    { sasl: { mechanism: "SCRAM-SHA-256", username: "u", password, extra: password } },
    { sasl: { mechanism: "OAUTHBEARER", token: password } },
    { tls: { key, cert: "/etc/client.pem" } },
    { tls: { key } },
    { tls: { ca: key } },
    { tls: { cert: key, key } },
  ];
  for (const options of bad) {
    const error = (() => {
      try {
        new Producer({ bootstrapServers: "127.0.0.1:9092", ...(options as object) });
      } catch (e) {
        return e;
      }
    })();
    assert.ok(error instanceof Error, JSON.stringify(Object.keys(options as object)));
    assert.equal(error.name, "ConfigError");
    const body = key.split("\n")[1];
    assertNoSecret("ConfigError", renderings(error), [password, body]);
  }
});
