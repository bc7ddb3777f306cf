/**
 * The security end-to-end run under Bun, through Bun's own TLS sockets,
 * against the broker `scripts/kafka.sh up --secure` started:
 *
 * 1. every SASL mechanism over SASL_SSL and SASL_PLAINTEXT, and mutual TLS
 *    on the SSL listener, each producing to one shared topic;
 * 2. the refusals (bad credentials, untrusted or misnamed certificates, the
 *    wrong listener, refused or failing tokens): the right error class and a
 *    message naming the cause, fast, for one send and for 20 at once;
 * 3. KIP-368 re-authentication while producing steadily, on one connection;
 * 4. no password, token or key in any error, nor in the producer's
 *    inspection or metrics;
 *
 * and at the end one read-back by Kafka's Java consumer (over PLAINTEXT)
 * checking every record of every case arrived exactly once, where it was
 * acknowledged, and nothing of the refused producers did.
 *
 * Run: `bun tests/bun/security.ts` (skips when no secure broker runs,
 * unless CI=true).
 */
import assert from "node:assert/strict";
import {
  AuthenticationError,
  Producer,
  type ProducerOptions,
  ProtocolError,
  type RecordMetadata,
  type SaslAuthenticationError,
  type SaslOptions,
} from "../../mod.ts";
import { bunTransport } from "../../lib/net/bun.ts";
import { createTopic, readBack, uniqueTopic } from "../support/cluster.ts";
import { type SecureBroker, secureBroker, unsignedJwt } from "../support/secure_broker.ts";
import { check, finish } from "../support/checks.ts";
import { RequestSpy } from "../support/request_spy.ts";
import { ApiKey } from "../../lib/protocol/api.ts";
import { type Refusal, refusals, REFUSED_TOKEN, WRONG_PASSWORDS } from "../security/cases.ts";

assert.ok("Bun" in globalThis, "run this file with bun");
const bun = (globalThis as unknown as {
  Bun: { inspect(value: unknown, options?: { depth?: number }): string };
}).Bun;

const found = secureBroker();
if (found === null) {
  console.log("skipped: no secure broker runs (start one with scripts/kafka.sh up --secure)");
  process.exit(0);
}
const broker: SecureBroker = found;

const PARTITIONS = 3;
const RECORDS_PER_CASE = 200;
/** How fast a refusal must come (maxBlockMs is far longer, so a timeout shows). */
const REFUSAL_MS = 3000;
const MAX_BLOCK_MS = 20000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Every JWT a provider handed out, for the secrets check. */
const jwts: string[] = [];

/** An OAUTHBEARER provider of fresh unsigned JWTs, counting its calls. */
function jwtProvider(): { calls: number; token: () => Promise<string> } {
  const provider = {
    calls: 0,
    token: () => {
      provider.calls++;
      const jwt = unsignedJwt();
      jwts.push(jwt);
      return Promise.resolve(jwt);
    },
  };
  return provider;
}

const topic = uniqueTopic("bun-security");

/** What each case had acknowledged: value → where. The read-back checks these. */
const acked = new Map<string, Map<string, RecordMetadata>>();
/** Cases whose per-partition order the read-back checks (values carry a sequence number). */
const ordered = new Set<string>();
/** Refused cases: nothing of theirs may arrive. */
const refusedCases = new Set<string>();

function record(caseName: string, i: number) {
  return { topic, value: `${caseName}/${i}`, headers: { case: caseName } };
}

async function sendRecords(caseName: string, options: ProducerOptions, n: number) {
  const producer = new Producer(options);
  try {
    const mds = await Promise.all(
      Array.from({ length: n }, (_, i) => producer.send(record(caseName, i))),
    );
    const where = acked.get(caseName) ?? new Map<string, RecordMetadata>();
    mds.forEach((md, i) => where.set(`${caseName}/${i}`, md));
    acked.set(caseName, where);
  } finally {
    await producer.close();
  }
}

await check(
  `bun security: topic ${topic} (${PARTITIONS} partitions) created`,
  () => createTopic(topic, PARTITIONS, { bootstrap: broker.plaintext }),
);

// 1. Every mechanism on both SASL listeners, and mutual TLS.

const MECHANISMS = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"] as const;
const LISTENERS = [
  { name: "SASL_SSL", address: broker.saslSsl, tls: { ca: broker.ca } },
  { name: "SASL_PLAINTEXT", address: broker.saslPlaintext, tls: undefined },
] as const;

for (const listener of LISTENERS) {
  for (const mechanism of MECHANISMS) {
    const caseName = `${listener.name}/${mechanism}`;
    await check(
      `bun security: ${mechanism} over ${listener.name}: ${RECORDS_PER_CASE} records acknowledged`,
      async () => {
        const transport = new RequestSpy(bunTransport);
        const provider = jwtProvider();
        const sasl: SaslOptions = mechanism === "OAUTHBEARER"
          ? { mechanism, token: provider.token }
          : { mechanism, username: broker.username, password: broker.password };
        await sendRecords(caseName, {
          bootstrapServers: [listener.address],
          ...(listener.tls ? { tls: listener.tls } : {}),
          sasl,
          transport,
        }, RECORDS_PER_CASE);
        assert.ok(transport.connections.length >= 1, "connected");
        assert.ok(
          transport.count(ApiKey.SaslHandshake) >= transport.connections.length,
          "a SaslHandshake on every connection",
        );
        if (mechanism === "OAUTHBEARER") {
          assert.ok(
            provider.calls >= transport.connections.length,
            `token provider called ${provider.calls} times for ${transport.connections.length} connections`,
          );
        }
      },
    );
  }
}

await check(
  `bun security: mutual TLS on the SSL listener: ${RECORDS_PER_CASE} records acknowledged`,
  () =>
    sendRecords("SSL/mTLS", {
      bootstrapServers: [broker.ssl],
      tls: { ca: broker.ca, cert: broker.clientCert, key: broker.clientKey },
    }, RECORDS_PER_CASE),
);

// 2. Refusals.

/** Every error a refused send rejected with, for the secrets check. */
const refusalErrors: { caseName: string; error: unknown }[] = [];

const mtls = { ca: broker.ca, cert: broker.clientCert, key: broker.clientKey };
/** The refusals the Deno tests check too (tests/security/cases.ts), through Bun's sockets here. */
const REFUSALS: Refusal[] = refusals(broker);

/** Sends one record of `caseName` and returns how it was refused, and how fast. */
async function refusedSends(
  caseName: string,
  options: ProducerOptions,
  n: number,
): Promise<{ errors: unknown[]; ms: number }> {
  const producer = new Producer({ ...options, maxBlockMs: MAX_BLOCK_MS });
  const start = performance.now();
  try {
    const results = await Promise.allSettled(
      Array.from({ length: n }, (_, i) => producer.send(record(caseName, i))),
    );
    const ms = performance.now() - start;
    const resolved = results.filter((r) => r.status === "fulfilled").length;
    assert.equal(resolved, 0, `${resolved} of ${n} sends were acknowledged`);
    return { errors: results.map((r) => (r as PromiseRejectedResult).reason), ms };
  } finally {
    await producer.close({ timeoutMs: 1000 });
  }
}

function assertRefusal(refusal: Refusal, error: unknown) {
  if (!(error instanceof refusal.error)) {
    assert.fail(
      `expected a ${refusal.error.name}, got ${
        error instanceof Error ? error.stack : String(error)
      }`,
    );
  }
  assert.match(error.message, refusal.message);
  assert.equal(
    error instanceof AuthenticationError,
    refusal.error !== ProtocolError,
    "an AuthenticationError exactly when TLS or SASL refused",
  );
  assert.equal(error.retriable, false, "not retriable");
  if (refusal.code !== undefined) {
    assert.equal((error as SaslAuthenticationError).code, refusal.code, "Kafka error code");
  }
}

/** Each refusal's message and timings, printed again at the end. */
const evidence: string[] = [];

for (const refusal of REFUSALS) {
  const caseName = `refused/${refusal.name}`;
  refusedCases.add(caseName);
  await check(`bun security: refused: ${refusal.name} → ${refusal.error.name}`, async () => {
    const one = await refusedSends(caseName, refusal.options, 1);
    refusalErrors.push({ caseName, error: one.errors[0] });
    assertRefusal(refusal, one.errors[0]);
    const many = await refusedSends(caseName, refusal.options, 20);
    many.errors.forEach((error) => refusalErrors.push({ caseName, error }));
    for (const error of many.errors) assertRefusal(refusal, error);
    const message = (one.errors[0] as Error).message;
    const line = `${refusal.name}: ${one.ms.toFixed(0)} ms (20 at once: ${
      many.ms.toFixed(0)
    } ms): ${message}`;
    evidence.push(line);
    console.log(`     ${line}`);
    assert.ok(one.ms < REFUSAL_MS, `refused after ${one.ms.toFixed(0)} ms`);
    assert.ok(many.ms < REFUSAL_MS, `20 sends refused after ${many.ms.toFixed(0)} ms`);
  });
}

await check(
  "bun security: tls.serverName broker.kafkats.test (a name of the broker's certificate) connects",
  () =>
    sendRecords("SSL/serverName", {
      bootstrapServers: [broker.ssl],
      tls: { ...mtls, serverName: "broker.kafkats.test" },
      maxBlockMs: MAX_BLOCK_MS,
    }, RECORDS_PER_CASE),
);

// 3. Re-authentication while producing.

/** Produces for 3.5 sessions on one connection; resolves with the SaslHandshakes written. */
async function produceSteadily(caseName: string, options: ProducerOptions): Promise<number> {
  const durationMs = 3.5 * broker.reauthMs;
  const transport = new RequestSpy(bunTransport);
  const producer = new Producer({ ...options, transport });
  const where = new Map<string, RecordMetadata>();
  const failures: unknown[] = [];
  let i = 0;
  try {
    const end = performance.now() + durationMs;
    while (performance.now() < end) {
      const window: Promise<void>[] = [];
      const windowEnd = Math.min(end, performance.now() + 250);
      while (performance.now() < windowEnd) {
        const value = `${caseName}/${i}`;
        window.push(
          producer.send(record(caseName, i)).then(
            (md) => void where.set(value, md),
            (error) => void failures.push(error),
          ),
        );
        i++;
        await sleep(2);
      }
      await Promise.all(window);
    }
  } finally {
    await producer.close();
  }
  acked.set(caseName, where);
  ordered.add(caseName);
  const handshakes = transport.count(ApiKey.SaslHandshake);
  console.log(
    `     ${i} records in ${(durationMs / 1000).toFixed(1)} s; connects ${
      JSON.stringify(Object.fromEntries(transport.connectsByAddress()))
    }; SaslHandshake ${handshakes}, SaslAuthenticate ${transport.count(ApiKey.SaslAuthenticate)}`,
  );
  assert.equal(failures.length, 0, `${failures.length} sends failed, first: ${failures[0]}`);
  assert.equal(where.size, i);
  for (const [address, n] of transport.connectsByAddress()) {
    assert.equal(n, 1, `${n} connects to ${address}: a session ended and forced a reconnect`);
  }
  assert.ok(handshakes >= 4, `${handshakes} SaslHandshakes in ${durationMs} ms`);
  assert.ok(
    transport.count(ApiKey.SaslAuthenticate) >= handshakes,
    "every SaslHandshake followed by SaslAuthenticate",
  );
  return handshakes;
}

await check(
  `bun security: SCRAM-SHA-512 over SASL_SSL re-authenticates while producing (3.5 × ${broker.reauthMs} ms)`,
  async () => {
    await produceSteadily("reauth/SASL_SSL/SCRAM-SHA-512", {
      bootstrapServers: [broker.saslSsl],
      tls: { ca: broker.ca },
      sasl: { mechanism: "SCRAM-SHA-512", username: broker.username, password: broker.password },
    });
  },
);

await check(
  `bun security: OAUTHBEARER over SASL_PLAINTEXT re-authenticates while producing (3.5 × ${broker.reauthMs} ms)`,
  async () => {
    const provider = jwtProvider();
    const handshakes = await produceSteadily("reauth/SASL_PLAINTEXT/OAUTHBEARER", {
      bootstrapServers: [broker.saslPlaintext],
      sasl: { mechanism: "OAUTHBEARER", token: provider.token },
    });
    assert.ok(
      provider.calls >= handshakes,
      `token provider called ${provider.calls} times for ${handshakes} authentications`,
    );
  },
);

// 4. Secrets.

/** The client key's base64 body: a slice inside one line, and one of the lines joined. */
function keySlices(pem: string): string[] {
  const lines = pem.split(/\r?\n/).filter((line) => line !== "" && !line.startsWith("-----"));
  const middle = lines[Math.floor(lines.length / 2)];
  const body = lines.join("");
  const at = Math.floor(body.length / 2) - 20;
  return [middle.slice(12, 52), body.slice(at, at + 40)];
}

/** Every text an error shows of itself: message, stack, JSON, inspection, down its causes. */
function shownTexts(value: unknown, seen = new Set<unknown>()): string[] {
  if (value === null || value === undefined || seen.has(value)) return [];
  seen.add(value);
  const texts = [String(value), JSON.stringify(value) ?? "", bun.inspect(value)];
  texts.push(bun.inspect(value, { depth: 20 }));
  if (value instanceof Error) {
    texts.push(value.message, value.stack ?? "");
    texts.push(...shownTexts(value.cause, seen));
    if (value instanceof AggregateError) {
      for (const inner of value.errors) texts.push(...shownTexts(inner, seen));
    }
  }
  return texts;
}

function leaks(texts: string[], secrets: string[]): string[] {
  return secrets.filter((secret) => texts.some((text) => text.includes(secret)));
}

const secrets = [
  broker.password,
  ...WRONG_PASSWORDS,
  REFUSED_TOKEN,
  ...keySlices(broker.clientKey),
];

await check("bun security: no error of a refusal shows a password, token or key", () => {
  assert.equal(refusalErrors.length, REFUSALS.length * 21, "every refusal's errors collected");
  assert.ok(jwts.length > 0, "JWTs handed out");
  // The search finds a secret deep in a cause chain (so finding none means something).
  const planted = new Error("outer", { cause: new Error("inner", { cause: broker.password }) });
  assert.deepEqual(leaks(shownTexts(planted), secrets), [broker.password], "the search works");
  const all = [...secrets, ...jwts, ...jwts.map((jwt) => jwt.split(".")[1])];
  for (const { caseName, error } of refusalErrors) {
    const found = leaks(shownTexts(error), all);
    assert.deepEqual(found.map((s) => `${s.slice(0, 6)}…`), [], `${caseName} shows a secret`);
  }
  return Promise.resolve();
});

await check(
  "bun security: Bun.inspect(producer) and its metrics show no password, token or key",
  async () => {
    const provider = jwtProvider();
    const configured = [
      new Producer({
        bootstrapServers: [broker.saslSsl],
        tls: mtls,
        sasl: { mechanism: "SCRAM-SHA-512", username: broker.username, password: broker.password },
      }),
      new Producer({
        bootstrapServers: [broker.saslPlaintext],
        sasl: { mechanism: "OAUTHBEARER", token: provider.token },
      }),
    ];
    try {
      for (const [n, producer] of configured.entries()) {
        // Connected, so its connections and their mechanisms exist too.
        const caseName = `inspect/${n}`;
        const md = await producer.send(record(caseName, 0));
        acked.set(caseName, new Map([[`${caseName}/0`, md]]));
        const texts = [
          bun.inspect(producer),
          bun.inspect(producer, { depth: 20 }),
          JSON.stringify(producer.metrics()),
          String(producer),
        ];
        const found = leaks(texts, [...secrets, ...jwts]);
        assert.deepEqual(found.map((s) => `${s.slice(0, 6)}…`), [], `producer ${n} shows a secret`);
      }
    } finally {
      await Promise.all(configured.map((p) => p.close()));
    }
  },
);

// The one read-back of everything.

await check(
  "bun security: Kafka's consumer reads every acknowledged record exactly once, where acknowledged, per-partition order kept, nothing refused",
  async () => {
    const expected = [...acked.values()].reduce((n, where) => n + where.size, 0);
    const consumed = await readBack(topic, expected, broker.plaintext);
    const byCase = new Map<string, { value: string; p: number; o: number }[]>();
    for (const c of consumed) {
      const header = c.h.find(([k]) => k === "case");
      assert.ok(header && header[1] !== null, `record ${c.p}/${c.o} has no case header`);
      const caseName = atob(header[1]!);
      const list = byCase.get(caseName) ?? [];
      list.push({ value: atob(c.v!), p: c.p, o: c.o });
      byCase.set(caseName, list);
    }
    const problems: string[] = [];
    for (const caseName of refusedCases) {
      const got = byCase.get(caseName)?.length ?? 0;
      if (got > 0) problems.push(`${caseName}: ${got} records arrived`);
    }
    for (const [caseName, where] of acked) {
      const got = byCase.get(caseName) ?? [];
      const seen = new Map<string, number>();
      for (const r of got) seen.set(r.value, (seen.get(r.value) ?? 0) + 1);
      const missing = [...where.keys()].filter((v) => !seen.has(v)).length;
      const duplicated = [...seen.values()].filter((n) => n > 1).length;
      const stray = [...seen.keys()].filter((v) => !where.has(v)).length;
      const moved = got.filter((r) => {
        const md = where.get(r.value);
        return md !== undefined && (md.partition !== r.p || md.offset !== BigInt(r.o));
      }).length;
      let disordered = 0;
      if (ordered.has(caseName)) {
        const last = new Map<number, number>();
        for (const r of got) { // offsets ascend within a partition in ReadBack's output
          const i = Number(r.value.slice(caseName.length + 1));
          if (i <= (last.get(r.p) ?? -1)) disordered++;
          last.set(r.p, i);
        }
      }
      if (missing + duplicated + stray + moved + disordered > 0) {
        problems.push(
          `${caseName}: ${where.size} acked, ${got.length} read: ${missing} missing, ${duplicated} duplicated, ${stray} never acked, ${moved} elsewhere than acked, ${disordered} out of order`,
        );
      }
    }
    const unknown = [...byCase.keys()].filter((c) => !acked.has(c) && !refusedCases.has(c));
    if (unknown.length > 0) problems.push(`records of unknown cases: ${unknown.join(", ")}`);
    console.log(
      `     ${consumed.length} records read back, ${acked.size} cases: ${
        [...acked].map(([c, w]) => `${c} ${w.size}`).join(", ")
      }`,
    );
    assert.deepEqual(problems, []);
    assert.equal(consumed.length, expected);
  },
);

console.log(`\nrefusals (the evidence):\n${evidence.map((line) => `  ${line}`).join("\n")}`);
finish();
