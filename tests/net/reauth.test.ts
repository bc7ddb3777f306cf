/**
 * SASL on a Connection over the in-memory fake broker (tests/support/
 * fake_broker/, with `sasl`): authentication when it opens, and KIP-368
 * re-authentication before each session ends while requests keep flowing —
 * with a 200 ms session, so many happen in a second. The fake enforces what
 * a Kafka broker does: no request other than ApiVersions before the
 * connection authenticated, and none between a re-authentication's
 * SaslHandshake and its end (it hangs up otherwise); its frame log gives the
 * order in which it received requests and sent answers.
 */
import assert from "node:assert/strict";
import { NetworkError, ProtocolError, SaslAuthenticationError } from "../../mod.ts";
import { Connection } from "../../lib/net/connection.ts";
import { plainMechanism } from "../../lib/net/sasl/plain.ts";
import type { Socket, Transport } from "../../lib/net/transport.ts";
import { ApiKey } from "../../lib/protocol/api.ts";
import { Metadata } from "../../lib/protocol/messages/metadata.ts";
import {
  fakeBroker,
  type FakeBrokerOptions,
  type FakeSasl,
  type FrameLogEntry,
} from "../support/fake_broker/mod.ts";

const LIFETIME_MS = 200;
const SASL_KEYS = new Set<number>([ApiKey.SaslHandshake, ApiKey.SaslAuthenticate]);

function saslBroker(options: Omit<FakeBrokerOptions, "sasl"> = {}, sasl: Partial<FakeSasl> = {}) {
  const frameLog: FrameLogEntry[] = [];
  const credentials: FakeSasl = {
    username: "alice",
    password: "alice-secret",
    sessionLifetimeMs: LIFETIME_MS,
    ...sasl,
  };
  const broker = fakeBroker({ partitions: 1, ...options, sasl: credentials, frameLog });
  return { broker, frameLog, credentials };
}

function open(transport: Transport, password = "alice-secret"): Promise<Connection> {
  return Connection.open(transport, "fake", 9092, {
    clientId: "reauth-test",
    connectTimeoutMs: 5000,
    maxFrameSize: 1 << 20,
    sasl: plainMechanism("alice", password),
  });
}

/** A Metadata request for one topic: the answer names it, so each answer shows whose it is. */
function metadata(connection: Connection, topic: string) {
  return connection.request(
    Metadata,
    connection.versionFor(Metadata),
    { topics: [{ name: topic }], allowAutoTopicCreation: false },
    5000,
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Each (re-)authentication in `log`: the index of its SaslHandshake request
 * and of the answer to its last SaslAuthenticate.
 */
function authentications(log: readonly FrameLogEntry[]): { handshake: number; end: number }[] {
  const found: { handshake: number; end: number }[] = [];
  for (let i = 0; i < log.length; i++) {
    const e = log[i];
    if (e.direction !== "request" || e.apiKey !== ApiKey.SaslHandshake) continue;
    let end = -1;
    for (let j = i + 1; j < log.length; j++) {
      if (log[j].direction === "response" && log[j].apiKey === ApiKey.SaslAuthenticate) {
        end = j;
        break;
      }
    }
    found.push({ handshake: i, end });
  }
  return found;
}

Deno.test("reauth: requests pipelined across several session lifetimes all succeed, in order, around each re-authentication", async () => {
  // Metadata answers lag 1 ms, so requests are written while earlier ones wait.
  const { broker, frameLog } = saslBroker({
    onRequest: (apiKey) => apiKey === ApiKey.Metadata ? sleep(1).then(() => {}) : undefined,
  });
  const connection = await open(broker.transport);
  const issuedAt: number[] = [];
  const answered: number[] = [];
  const failures: unknown[] = [];
  let next = 0;
  const until = performance.now() + 5 * LIFETIME_MS + 100;
  const worker = async () => {
    while (performance.now() < until && failures.length === 0) {
      const i = next++;
      issuedAt[i] = performance.now();
      await metadata(connection, `t-${i}`).then(
        (response) => {
          assert.equal(response.topics.length, 1);
          assert.equal(response.topics[0].name, `t-${i}`, "each request got its own answer");
          answered.push(i);
        },
        (error) => void failures.push(error),
      );
    }
  };
  try {
    await Promise.all(Array.from({ length: 5 }, worker));
  } finally {
    connection.close();
    await sleep(10); // the fake's delayed answers
  }
  assert.deepEqual(failures, [], "no request failed");
  assert.equal(answered.length, next);
  assert.deepEqual(answered, [...answered].sort((a, b) => a - b), "answers came in request order");

  const auths = authentications(frameLog);
  assert.ok(auths.length >= 5, `${auths.length - 1} re-authentications in ${5 * LIFETIME_MS} ms`);
  let overlapped = 0;
  for (const [n, { handshake, end }] of auths.entries()) {
    // The last one may be cut short by close().
    if (end === -1 && n === auths.length - 1 && n > 0) continue;
    assert.ok(end > handshake, `authentication ${n} ended`);
    const between = frameLog.slice(handshake, end + 1).filter((e) => e.direction === "request");
    assert.deepEqual(
      between.filter((e) => !SASL_KEYS.has(e.apiKey)),
      [],
      `no ordinary request reached the broker during authentication ${n}`,
    );
    if (n === 0) continue;
    // Re-authenticated at 85–95% of the lifetime, counted from the last one's end.
    const gap = frameLog[handshake].atMs - frameLog[auths[n - 1].end].atMs;
    assert.ok(gap >= 0.85 * LIFETIME_MS - 5, `re-authentication ${n} after ${gap.toFixed(1)} ms`);
    // Requests the client issued meanwhile waited, and went out after it.
    const from = frameLog[handshake].atMs;
    const to = frameLog[end].atMs;
    if (issuedAt.some((t) => t > from && t < to)) overlapped++;
  }
  assert.ok(overlapped > 0, "some requests were issued during a re-authentication");
  // Each request was received exactly once, answered once.
  const ordinary = frameLog.filter((e) =>
    !SASL_KEYS.has(e.apiKey) && e.apiKey !== ApiKey.ApiVersions
  );
  assert.equal(ordinary.filter((e) => e.direction === "request").length, next);
  assert.equal(ordinary.filter((e) => e.direction === "response").length, next);
});

Deno.test("reauth: a re-authentication the broker refuses closes the connection with SaslAuthenticationError; pending requests reject with it", async () => {
  let handshakes = 0;
  let handshakeArrived!: () => void;
  const arrived = new Promise<void>((resolve) => handshakeArrived = resolve);
  let answerHandshake!: () => void;
  const held = new Promise<void>((resolve) => answerHandshake = resolve);
  const { broker, frameLog, credentials } = saslBroker({
    onRequest: (apiKey) => {
      if (apiKey !== ApiKey.SaslHandshake || ++handshakes < 2) return undefined;
      handshakeArrived();
      return held; // the re-authentication's handshake waits for the test
    },
  });
  const connection = await open(broker.transport);
  assert.equal((await metadata(connection, "before")).topics[0].name, "before");
  credentials.password = "rotated"; // the broker's side changed
  await arrived;
  // Requests issued during the re-authentication wait behind it.
  const pending = ["a", "b", "c"].map((t) => metadata(connection, t).catch((e: unknown) => e));
  answerHandshake();
  const reason = await connection.closed;
  assert.ok(reason instanceof SaslAuthenticationError, String(reason));
  assert.equal(reason.code, 58);
  assert.match(
    reason.message,
    /^SASL PLAIN authentication with fake:9092 failed: SASL_AUTHENTICATION_FAILED: Authentication failed: Invalid username or password$/,
  );
  assert.ok(!reason.message.includes("alice-secret"));
  for (const p of pending) assert.equal(await p, reason);
  await assert.rejects(metadata(connection, "after"), SaslAuthenticationError);
  const sent = frameLog.filter((e) => e.direction === "request" && e.apiKey === ApiKey.Metadata);
  assert.equal(sent.length, 1, "the held requests never reached the broker");
});

Deno.test("reauth: the first authentication refused makes open() reject; nothing else is sent", async () => {
  const { broker, frameLog } = saslBroker();
  const error = await open(broker.transport, "wrong").then(
    () => assert.fail("opened"),
    (e: unknown) => e,
  );
  assert.ok(error instanceof SaslAuthenticationError, String(error));
  assert.equal(error.code, 58);
  assert.ok(!error.message.includes("wrong"), error.message);
  assert.deepEqual(
    frameLog.filter((e) => e.direction === "request").map((e) => e.apiKey),
    [ApiKey.ApiVersions, ApiKey.SaslHandshake, ApiKey.SaslAuthenticate],
  );

  const scramOnly = saslBroker({}, { mechanisms: ["SCRAM-SHA-512"] });
  const refused = await open(scramOnly.broker.transport).catch((e: unknown) => e);
  assert.ok(refused instanceof SaslAuthenticationError, String(refused));
  assert.equal(refused.code, 33);
  assert.match(refused.message, /\(it enables: SCRAM-SHA-512\)$/);
});

Deno.test("reauth: a broker that sets no session lifetime is not re-authenticated", async () => {
  const { broker, frameLog } = saslBroker({}, { sessionLifetimeMs: 0 });
  const connection = await open(broker.transport);
  try {
    await sleep(300);
    assert.equal((await metadata(connection, "t")).topics[0].name, "t");
    assert.equal(authentications(frameLog).length, 1);
  } finally {
    connection.close();
  }
});

/**
 * The fake broker's socket with writes the test can hold: while held, the
 * socket is "busy", so frames wait in the connection's outbound queue.
 */
function heldWrites(transport: Transport) {
  let waiting: (() => void)[] = [];
  const control = {
    hold: false,
    release() {
      for (const go of waiting.splice(0)) go();
    },
    transport: {
      async connect(host: string, port: number): Promise<Socket> {
        const inner = await transport.connect(host, port);
        const writer = inner.writable.getWriter();
        return {
          readable: inner.readable,
          writable: new WritableStream<Uint8Array>({
            async write(chunk) {
              if (control.hold) await new Promise<void>((go) => waiting.push(go));
              await writer.write(chunk);
            },
          }),
          close() {
            waiting.forEach((go) => go());
            waiting = [];
            inner.close();
          },
        };
      },
    } satisfies Transport,
  };
  return control;
}

Deno.test("reauth: requests queued for a busy socket when re-authentication starts are answered after it, each with its own response", async () => {
  const { broker, frameLog } = saslBroker();
  const socket = heldWrites(broker.transport);
  const connection = await open(socket.transport);
  try {
    // The socket is busy writing "a"; "b" and "c" wait in the outbound queue
    // when the re-authentication's SaslHandshake arrives and goes first.
    socket.hold = true;
    const requests = ["a", "b", "c"].map((t) => metadata(connection, t));
    await sleep(LIFETIME_MS); // past 95% of the session: the re-authentication is queued
    socket.hold = false;
    socket.release();
    const names = await Promise.all(
      requests.map((p) => p.then((r) => r.topics[0].name, (e: Error) => e)),
    );
    for (const name of names) {
      assert.ok(!(name instanceof ProtocolError || name instanceof NetworkError), String(name));
    }
    assert.deepEqual(names, ["a", "b", "c"]);
    assert.equal((await metadata(connection, "d")).topics[0].name, "d");
    const received = frameLog.filter((e) => e.direction === "request").map((e) => e.apiKey);
    assert.deepEqual(received.slice(3), [
      ApiKey.Metadata, // "a", written before the re-authentication began
      ApiKey.SaslHandshake,
      ApiKey.SaslAuthenticate,
      ApiKey.Metadata, // "b"
      ApiKey.Metadata, // "c"
      ApiKey.Metadata, // "d"
    ]);
  } finally {
    connection.close();
  }
});
