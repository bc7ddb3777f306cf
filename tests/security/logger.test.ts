/**
 * No secret in what the producer logs or publishes: every way in to the
 * secure broker (each SASL mechanism over SASL_SSL and SASL_PLAINTEXT,
 * mutual TLS), every refusal, and a SCRAM-SHA-512 session that outlives
 * the broker's 4 s session lifetime and re-authenticates, all with a
 * logger that keeps every line at every level and a subscriber on every
 * diagnostics channel: no message or field holds a password, a token, the
 * client key, or any SASL bytes.
 */
import assert from "node:assert/strict";
import { channels, type Logger, Producer, type ProducerOptions, subscribe } from "../../mod.ts";
import { createTopic, uniqueTopic } from "../support/cluster.ts";
import { secureBroker, unsignedJwt } from "../support/secure_broker.ts";
import { accesses, refusals, REFUSED_TOKEN, WRONG_PASSWORDS } from "./cases.ts";

const broker = secureBroker();

/** Every way a logged line or an event could be shown. */
function renderings(value: unknown): string[] {
  return [
    JSON.stringify(value, (_key, v) => typeof v === "bigint" ? String(v) : v),
    Deno.inspect(value, { depth: 10, strAbbreviateSize: Infinity }),
  ];
}

Deno.test({
  name: "no password, token or key in any log line or event, SASL and TLS, re-authentication",
  ignore: broker === null,
  async fn() {
    const topic = uniqueTopic("security-logger");
    await createTopic(topic, 1, { bootstrap: broker!.plaintext });
    const lines: unknown[] = [];
    const logger: Logger = (level, message, fields) => lines.push({ level, message, fields });
    const events: unknown[] = [];
    const stops = Object.values(channels).map((name) =>
      subscribe(name, (message) => events.push({ name, message }))
    );
    const tokens: string[] = [];
    const token = () => {
      const jwt = unsignedJwt();
      tokens.push(jwt.split(".")[1]); // the claims: what makes a token a token
      return Promise.resolve({ value: jwt });
    };
    try {
      // Every refusal, at once: each logs its failure (and publishes it).
      await Promise.all(
        refusals(broker!).map(async (refusal) => {
          const producer = new Producer({ ...refusal.options, logger, maxBlockMs: 5000 });
          await assert.rejects(producer.send({ topic, value: "x" }), refusal.error);
          await producer.close({ timeoutMs: 2000 });
        }),
      );
      // Every way in, at once.
      await Promise.all(
        accesses(broker!).map(async (access) => {
          const options: ProducerOptions = access.options.sasl?.mechanism === "OAUTHBEARER"
            ? { ...access.options, sasl: { mechanism: "OAUTHBEARER", token } }
            : access.options;
          await using producer = new Producer({ ...options, logger });
          await producer.send({ topic, value: access.name });
        }),
      );
      // One session past the broker's lifetime: re-authenticates (KIP-368) while sending.
      {
        await using producer = new Producer({
          bootstrapServers: broker!.saslSsl,
          tls: { ca: broker!.ca },
          sasl: {
            mechanism: "SCRAM-SHA-512",
            username: broker!.username,
            password: broker!.password,
          },
          logger,
        });
        const until = Date.now() + broker!.reauthMs + 500;
        while (Date.now() < until) {
          await producer.send({ topic, value: "during re-authentication" });
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }
    } finally {
      for (const stop of stops) stop();
    }

    const keyBody = broker!.clientKey.split("\n").filter((l) => !l.startsWith("-----")).join("");
    const secrets = [
      broker!.password,
      ...WRONG_PASSWORDS,
      REFUSED_TOKEN,
      ...tokens,
      keyBody.slice(100, 140),
      keyBody.slice(-60, -20),
    ];
    assert.ok(tokens.length >= 2, "the OAUTHBEARER provider ran");
    const texts = [...lines, ...events].flatMap(renderings);
    for (const text of texts) {
      for (const secret of secrets) {
        assert.ok(
          !text.includes(secret),
          `a secret (${secret.slice(0, 4)}…) in ${text.slice(0, 300)}`,
        );
      }
    }
    // What was said is there: the refusals, and the re-authentication.
    const messages = lines.map((l) => (l as { level: string; message: string }));
    assert.ok(
      messages.some((l) => l.level === "error" && /SASL_AUTHENTICATION_FAILED/.test(l.message)),
      "a refused password is logged, as an error",
    );
    assert.ok(
      messages.some((l) => l.level === "info" && /^re-authenticated with broker/.test(l.message)),
      "the re-authentication is logged",
    );
    assert.ok(
      events.some((e) =>
        (e as { name: string; message: { reauthentication?: boolean } }).name ===
          channels.authentication &&
        (e as { message: { reauthentication?: boolean } }).message.reauthentication === true
      ),
      "and published",
    );
  },
});
