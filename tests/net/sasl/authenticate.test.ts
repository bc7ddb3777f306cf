/**
 * `authenticate()` — SaslHandshake v1, then SaslAuthenticate until the
 * mechanism is done — over a fake SaslChannel that answers from a script:
 * what it sends, what it returns, and each way it fails. The channel encodes
 * each request and decodes each scripted response with the real codecs at
 * the version asked, so a version the codec cannot speak fails too.
 */
import assert from "node:assert/strict";
import { NetworkError, SaslAuthenticationError, TimeoutError } from "../../../lib/errors.ts";
import { authenticate, type SaslChannel } from "../../../lib/net/sasl/authenticate.ts";
import type { SaslMechanism } from "../../../lib/net/sasl/mechanism.ts";
import { plainMechanism } from "../../../lib/net/sasl/plain.ts";
import { scramMechanism } from "../../../lib/net/sasl/scram.ts";
import type { ApiCodec } from "../../../lib/protocol/api.ts";
import type { MessageCodec } from "../../../lib/protocol/codec.ts";
import { ErrorCode, kafkaError } from "../../../lib/protocol/error_codes.ts";
import type { SaslAuthenticateResponse } from "../../../lib/protocol/messages/sasl_authenticate.ts";
import type { SaslHandshakeResponse } from "../../../lib/protocol/messages/sasl_handshake.ts";
import { Reader } from "../../../lib/protocol/reader.ts";
import { Writer } from "../../../lib/protocol/writer.ts";
import { utf8 } from "../../support/bytes.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** One scripted answer: a response, or an error the request rejects with. */
type Step =
  | { api: "SaslHandshake"; response: SaslHandshakeResponse }
  | { api: "SaslAuthenticate"; response: SaslAuthenticateResponse }
  | { api: string; error: Error };

/** What the fake channel was asked. */
interface Sent {
  api: string;
  version: number;
  timeoutMs: number;
  req: Record<string, unknown>;
}

/** A channel answering from `script`, with the versions `versions` for each API. */
function scriptedChannel(
  script: Step[],
  versions: Record<string, number | Error> = { SaslHandshake: 1, SaslAuthenticate: 2 },
): SaslChannel & { sent: Sent[]; left(): number } {
  const sent: Sent[] = [];
  return {
    address: "broker-1:9093",
    sent,
    left: () => script.length,
    versionFor(api: ApiCodec<unknown, unknown>): number {
      const v = versions[api.name];
      if (v === undefined) throw new Error(`test: versionFor(${api.name}) not scripted`);
      if (v instanceof Error) throw v;
      return v;
    },
    request<Req, Res>(
      api: ApiCodec<Req, Res>,
      version: number,
      req: Req,
      timeoutMs: number,
    ): Promise<Res> {
      const codec = api as unknown as MessageCodec<Req, Res>;
      // Through the codec's bytes, as a connection would send it.
      const w = new Writer();
      codec.encodeRequest(w, req, version);
      const decoded = codec.request.decode(new Reader(w.finish()), version);
      sent.push({ api: api.name, version, timeoutMs, req: decoded as Record<string, unknown> });
      const step = script.shift();
      if (step === undefined) return Promise.reject(new Error(`test: unscripted ${api.name}`));
      if (step.api !== api.name) {
        return Promise.reject(new Error(`test: got ${api.name}, scripted ${step.api}`));
      }
      if ("error" in step) return Promise.reject(step.error);
      const out = new Writer();
      codec.response.encode(out, step.response as unknown as Res, version);
      return Promise.resolve(codec.decodeResponse(new Reader(out.finish()), version));
    },
  };
}

const handshakeOk = (mechanisms = ["PLAIN", "SCRAM-SHA-256"]): Step => ({
  api: "SaslHandshake",
  response: { errorCode: 0, mechanisms },
});

function authenticated(
  authBytes: Uint8Array = new Uint8Array(0),
  sessionLifetimeMs = 0n,
  errorCode = 0,
  errorMessage: string | null = null,
): Step {
  return {
    api: "SaslAuthenticate",
    response: { errorCode, errorMessage, authBytes, sessionLifetimeMs },
  };
}

/** The rejection of `promise`, asserted to be a SaslAuthenticationError. */
async function saslError(promise: Promise<unknown>): Promise<SaslAuthenticationError> {
  const error = await promise.then(
    () => assert.fail("authentication succeeded"),
    (e: unknown) => e,
  );
  assert.ok(error instanceof SaslAuthenticationError, `got ${error}`);
  assert.equal(error.retriable, false);
  return error;
}

Deno.test("authenticate: PLAIN is one handshake and one SaslAuthenticate; resolves with the session lifetime", async () => {
  const channel = scriptedChannel([handshakeOk(), authenticated(new Uint8Array(0), 3_600_000n)]);
  const lifetime = await authenticate(channel, plainMechanism("alice", "s3cret"), 4321);
  assert.equal(lifetime, 3_600_000);
  assert.deepEqual(channel.sent, [
    { api: "SaslHandshake", version: 1, timeoutMs: 4321, req: { mechanism: "PLAIN" } },
    {
      api: "SaslAuthenticate",
      version: 2,
      timeoutMs: 4321,
      req: { authBytes: utf8("\0alice\0s3cret") },
    },
  ]);
  assert.equal(channel.left(), 0);
});

Deno.test("authenticate: a session without lifetime, and SaslAuthenticate v0 (no lifetime field), resolve 0", async () => {
  let channel = scriptedChannel([handshakeOk(), authenticated()]);
  assert.equal(await authenticate(channel, plainMechanism("u", "p"), 1000), 0);
  channel = scriptedChannel([handshakeOk(), authenticated(new Uint8Array(0), 99_000n)], {
    SaslHandshake: 1,
    SaslAuthenticate: 0,
  });
  assert.equal(await authenticate(channel, plainMechanism("u", "p"), 1000), 0, "v0 has none");
  assert.equal(channel.sent[1].version, 0);
  channel = scriptedChannel([handshakeOk(), authenticated(new Uint8Array(0), 99_000n)], {
    SaslHandshake: 1,
    SaslAuthenticate: 1,
  });
  assert.equal(await authenticate(channel, plainMechanism("u", "p"), 1000), 99_000);
});

// RFC 7677 §3's example exchange.
const RFC_NONCE = "rOprNGfwEbeRWgbNEkqO";
const RFC_SERVER_NONCE = `${RFC_NONCE}%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0`;
const RFC_SERVER_FIRST = `r=${RFC_SERVER_NONCE},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096`;
const RFC_CLIENT_FINAL =
  `c=biws,r=${RFC_SERVER_NONCE},p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=`;
const RFC_SERVER_FINAL = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=";

Deno.test("authenticate: SCRAM loops over two SaslAuthenticate round trips; the last one's lifetime counts", async () => {
  const channel = scriptedChannel([
    handshakeOk(["SCRAM-SHA-256"]),
    authenticated(utf8(RFC_SERVER_FIRST), 0n),
    authenticated(utf8(RFC_SERVER_FINAL), 600_000n),
  ]);
  const mechanism = scramMechanism("SHA-256", "user", "pencil", () => RFC_NONCE);
  assert.equal(await authenticate(channel, mechanism, 5000), 600_000);
  assert.deepEqual(channel.sent.map((s) => s.api), [
    "SaslHandshake",
    "SaslAuthenticate",
    "SaslAuthenticate",
  ]);
  assert.deepEqual(channel.sent[0].req, { mechanism: "SCRAM-SHA-256" });
  assert.equal(text(channel.sent[1].req.authBytes as Uint8Array), `n,,n=user,r=${RFC_NONCE}`);
  assert.equal(text(channel.sent[2].req.authBytes as Uint8Array), RFC_CLIENT_FINAL);
});

Deno.test("authenticate: a mechanism's own steps go on until it returns null", async () => {
  // Three client messages, each answered; done on the third answer.
  const seen: string[] = [];
  const mechanism: SaslMechanism = {
    name: "PLAIN",
    exchange: () => {
      let n = 0;
      return {
        first: () => Promise.resolve(utf8("m0")),
        next: (challenge) => {
          seen.push(text(challenge));
          return Promise.resolve(++n < 3 ? utf8(`m${n}`) : null);
        },
      };
    },
  };
  const channel = scriptedChannel([
    handshakeOk(),
    authenticated(utf8("c0"), 1n),
    authenticated(utf8("c1"), 2n),
    authenticated(utf8("c2"), 3n),
  ]);
  assert.equal(await authenticate(channel, mechanism, 1000), 3);
  assert.deepEqual(seen, ["c0", "c1", "c2"]);
  assert.deepEqual(
    channel.sent.slice(1).map((s) => text(s.req.authBytes as Uint8Array)),
    ["m0", "m1", "m2"],
  );
});

Deno.test("authenticate: UNSUPPORTED_SASL_MECHANISM (33) names the mechanisms the broker enables", async () => {
  const channel = scriptedChannel([{
    api: "SaslHandshake",
    response: {
      errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM,
      mechanisms: ["SCRAM-SHA-512", "GSSAPI"],
    },
  }]);
  const error = await saslError(authenticate(channel, plainMechanism("u", "pw-123"), 1000));
  assert.equal(error.code, 33);
  assert.equal(
    error.message,
    "SASL PLAIN authentication with broker-1:9093 failed: UNSUPPORTED_SASL_MECHANISM: " +
      "the listener does not enable it (it enables: SCRAM-SHA-512, GSSAPI)",
  );
  assert.equal(channel.sent.length, 1, "no SaslAuthenticate after a refused handshake");

  const none = scriptedChannel([{
    api: "SaslHandshake",
    response: { errorCode: 33, mechanisms: [] },
  }]);
  const nothing = await saslError(authenticate(none, plainMechanism("u", "p"), 1000));
  assert.match(nothing.message, /\(it enables: none\)$/);
});

Deno.test("authenticate: ILLEGAL_SASL_STATE (34) on the handshake says the listener may not take SASL", async () => {
  const channel = scriptedChannel([{
    api: "SaslHandshake",
    response: { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] },
  }]);
  const error = await saslError(authenticate(channel, plainMechanism("u", "p"), 1000));
  assert.equal(error.code, 34);
  assert.match(
    error.message,
    /^SASL PLAIN authentication with broker-1:9093 failed: ILLEGAL_SASL_STATE: the listener does not take SASL/,
  );
  // On SaslAuthenticate it carries the broker's message instead.
  const late = scriptedChannel([
    handshakeOk(),
    authenticated(new Uint8Array(0), 0n, 34, "Unexpected Kafka request of type METADATA"),
  ]);
  const lateError = await saslError(authenticate(late, plainMechanism("u", "p"), 1000));
  assert.equal(lateError.code, 34);
  assert.match(lateError.message, /ILLEGAL_SASL_STATE: Unexpected Kafka request of type METADATA$/);
});

Deno.test("authenticate: SASL_AUTHENTICATION_FAILED (58) carries the broker's message, not the password", async () => {
  const brokerMessage = "Authentication failed: Invalid username or password";
  const channel = scriptedChannel([
    handshakeOk(),
    authenticated(new Uint8Array(0), 0n, ErrorCode.SASL_AUTHENTICATION_FAILED, brokerMessage),
  ]);
  const error = await saslError(authenticate(channel, plainMechanism("alice", "pw-123"), 1000));
  assert.equal(error.code, 58);
  assert.equal(
    error.message,
    `SASL PLAIN authentication with broker-1:9093 failed: SASL_AUTHENTICATION_FAILED: ${brokerMessage}`,
  );
  assert.ok(!error.message.includes("pw-123"));
  // Without a message from the broker: the code's name alone.
  const bare = scriptedChannel([handshakeOk(), authenticated(new Uint8Array(0), 0n, 58, null)]);
  const bareError = await saslError(authenticate(bare, plainMechanism("u", "p"), 1000));
  assert.match(bareError.message, /failed: SASL_AUTHENTICATION_FAILED$/);
  // SCRAM refused on its second round trip: no further request.
  const scram = scriptedChannel([
    handshakeOk(),
    authenticated(utf8(RFC_SERVER_FIRST)),
    authenticated(new Uint8Array(0), 0n, 58, "Authentication failed during authentication"),
  ]);
  const mechanism = scramMechanism("SHA-256", "user", "pencil", () => RFC_NONCE);
  assert.equal((await saslError(authenticate(scram, mechanism, 1000))).code, 58);
  assert.equal(scram.sent.length, 3);
});

Deno.test("authenticate: a broker without SaslHandshake v1 (Kafka before 1.0), or without it at all", async () => {
  const old = scriptedChannel([], { SaslHandshake: 0, SaslAuthenticate: 0 });
  const error = await saslError(authenticate(old, plainMechanism("u", "p"), 1000));
  assert.equal(error.code, -1);
  assert.match(error.message, /broker-1:9093 failed: the broker speaks only SaslHandshake v0/);
  assert.equal(old.sent.length, 0, "nothing is sent");

  const unsupported = kafkaError(ErrorCode.UNSUPPORTED_VERSION, "no SaslHandshake");
  const none = scriptedChannel([], { SaslHandshake: unsupported });
  const noneError = await saslError(authenticate(none, plainMechanism("u", "p"), 1000));
  assert.match(noneError.message, /failed: the broker does not support SaslHandshake \(/);
  assert.equal(noneError.cause, unsupported);

  // SaslHandshake but no SaslAuthenticate: refused after the handshake.
  const half = scriptedChannel([handshakeOk()], {
    SaslHandshake: 1,
    SaslAuthenticate: unsupported,
  });
  const halfError = await saslError(authenticate(half, plainMechanism("u", "p"), 1000));
  assert.match(halfError.message, /does not support SaslAuthenticate/);
});

Deno.test("authenticate: a mechanism step throwing a non-Kafka error is wrapped, the cause kept", async () => {
  const boom = new TypeError("crypto.subtle is undefined");
  const failing = (where: "first" | "next"): SaslMechanism => ({
    name: "SCRAM-SHA-512",
    exchange: () => ({
      first: () => where === "first" ? Promise.reject(boom) : Promise.resolve(utf8("hi")),
      next: () => {
        throw boom; // synchronously, not even a rejected promise
      },
    }),
  });
  for (const where of ["first", "next"] as const) {
    const channel = scriptedChannel(
      where === "first" ? [handshakeOk()] : [handshakeOk(), authenticated(utf8("challenge"))],
    );
    const error = await saslError(authenticate(channel, failing(where), 1000));
    assert.equal(
      error.message,
      "SASL SCRAM-SHA-512 authentication with broker-1:9093 failed: crypto.subtle is undefined",
    );
    assert.equal(error.cause, boom);
    assert.equal(error.code, -1);
  }
  // A thrown non-Error value is described too.
  const odd: SaslMechanism = {
    name: "PLAIN",
    exchange: () => ({
      first: () => Promise.reject("no token"),
      next: () => Promise.resolve(null),
    }),
  };
  const oddError = await saslError(authenticate(scriptedChannel([handshakeOk()]), odd, 1000));
  assert.match(oddError.message, /failed: no token$/);
});

Deno.test("authenticate: the mechanism's own refusal gets the broker's address in front", async () => {
  const channel = scriptedChannel([
    handshakeOk(),
    authenticated(utf8(RFC_SERVER_FIRST)),
    authenticated(utf8("v=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")), // a wrong signature
  ]);
  const mechanism = scramMechanism("SHA-256", "user", "pencil", () => RFC_NONCE);
  const error = await saslError(authenticate(channel, mechanism, 1000));
  assert.match(error.message, /^SASL SCRAM-SHA-256 authentication with broker-1:9093 failed: /);
  assert.ok(error.cause instanceof SaslAuthenticationError);
  assert.ok(!error.message.includes("pencil"));
});

Deno.test("authenticate: network failures and timeouts pass through unchanged (they are retriable)", async () => {
  const lost = new NetworkError("broker broker-1:9093 closed the connection");
  let channel = scriptedChannel([{ api: "SaslHandshake", error: lost }]);
  assert.equal(await authenticate(channel, plainMechanism("u", "p"), 1000).catch((e) => e), lost);
  const slow = new TimeoutError("SaslAuthenticate request got no response within 1000 ms");
  channel = scriptedChannel([handshakeOk(), { api: "SaslAuthenticate", error: slow }]);
  assert.equal(await authenticate(channel, plainMechanism("u", "p"), 1000).catch((e) => e), slow);
  // A Kafka client error out of the mechanism (not an authentication one) too.
  const mechanism: SaslMechanism = {
    name: "OAUTHBEARER",
    exchange: () => ({ first: () => Promise.reject(lost), next: () => Promise.resolve(null) }),
  };
  channel = scriptedChannel([handshakeOk()]);
  assert.equal(await authenticate(channel, mechanism, 1000).catch((e) => e), lost);
});
