import assert from "node:assert/strict";
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto";
import { SaslAuthenticationError } from "../../../lib/errors.ts";
import type { SaslExchange } from "../../../lib/net/sasl/mechanism.ts";
import { scramMechanism } from "../../../lib/net/sasl/scram.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const bytes = (s: string) => new TextEncoder().encode(s);

// RFC 7677 §3.
const RFC_NONCE = "rOprNGfwEbeRWgbNEkqO";
const RFC_SERVER_NONCE = `${RFC_NONCE}%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0`;
const RFC_SALT = "W22ZaJ0SNY7soEsUEjb6gQ==";
const RFC_SERVER_FIRST = `r=${RFC_SERVER_NONCE},s=${RFC_SALT},i=4096`;

Deno.test("SCRAM-SHA-256 follows RFC 7677's example", async () => {
  const mechanism = scramMechanism("SHA-256", "user", "pencil", () => RFC_NONCE);
  assert.equal(mechanism.name, "SCRAM-SHA-256");
  const exchange = mechanism.exchange();
  assert.equal(text(await exchange.first()), `n,,n=user,r=${RFC_NONCE}`);
  const final = await exchange.next(bytes(RFC_SERVER_FIRST));
  assert.equal(
    text(final!),
    `c=biws,r=${RFC_SERVER_NONCE},p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=`,
  );
  assert.equal(
    await exchange.next(bytes("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")),
    null,
  );
});

/**
 * The server's side of SCRAM on node:crypto, for the tests only: a second
 * implementation to check ours against. `secrets` collects every value derived
 * from the password, in base64 and hex, to look for in error messages.
 */
class TestServer {
  readonly secrets: string[];
  readonly #algorithm: "sha256" | "sha512";
  readonly #salt = randomBytes(16);
  readonly #iterations: number;
  readonly #storedKey: Buffer;
  readonly #serverKey: Buffer;
  #authMessage = "";
  #nonce = "";

  constructor(
    hash: "SHA-256" | "SHA-512",
    password: string,
    iterations = 4096,
  ) {
    this.#algorithm = hash === "SHA-256" ? "sha256" : "sha512";
    this.#iterations = iterations;
    const length = hash === "SHA-256" ? 32 : 64;
    const salted = pbkdf2Sync(password, this.#salt, iterations, length, this.#algorithm);
    const clientKey = createHmac(this.#algorithm, salted).update("Client Key").digest();
    this.#storedKey = createHash(this.#algorithm).update(clientKey).digest();
    this.#serverKey = createHmac(this.#algorithm, salted).update("Server Key").digest();
    this.secrets = [password];
    for (const secret of [salted, clientKey, this.#storedKey, this.#serverKey]) {
      this.secrets.push(secret.toString("base64"), secret.toString("hex"));
    }
  }

  /** server-first for this client-first. */
  first(clientFirst: string): string {
    const match = /^n,,(n=[^,]*,r=([^,]+))$/.exec(clientFirst);
    assert.ok(match, clientFirst);
    this.#nonce = match[2] + randomBytes(18).toString("base64");
    const serverFirst = `r=${this.#nonce},s=${this.#salt.toString("base64")},i=${this.#iterations}`;
    this.#authMessage = `${match[1]},${serverFirst}`;
    return serverFirst;
  }

  /** Checks client-final's proof; the server-final, `v=…` (or `e=invalid-proof`). */
  final(clientFinal: string): { verified: boolean; serverFinal: string } {
    const match = /^(c=biws,r=([^,]+)),p=([A-Za-z0-9+/=]+)$/.exec(clientFinal);
    assert.ok(match, clientFinal);
    assert.equal(match[2], this.#nonce);
    const authMessage = `${this.#authMessage},${match[1]}`;
    const proof = Buffer.from(match[3], "base64");
    const signature = createHmac(this.#algorithm, this.#storedKey).update(authMessage).digest();
    const clientKey = Buffer.from(proof.map((byte, i) => byte ^ signature[i]));
    const verified = timingSafeEqual(
      createHash(this.#algorithm).update(clientKey).digest(),
      this.#storedKey,
    );
    const serverSignature = createHmac(this.#algorithm, this.#serverKey).update(authMessage)
      .digest();
    this.secrets.push(proof.toString("base64"), proof.toString("hex"));
    this.secrets.push(serverSignature.toString("base64"), serverSignature.toString("hex"));
    return {
      verified,
      serverFinal: verified ? `v=${serverSignature.toString("base64")}` : "e=invalid-proof",
    };
  }
}

/** Runs `exchange` to client-final against `server`; client-final's text and the check. */
async function toClientFinal(exchange: SaslExchange, server: TestServer) {
  const serverFirst = server.first(text(await exchange.first()));
  const clientFinal = text((await exchange.next(bytes(serverFirst)))!);
  return server.final(clientFinal);
}

Deno.test("SCRAM-SHA-512 round trip against node:crypto's server side", async () => {
  for (const password of ["pencil", "pässwörd ✓", ""]) {
    const server = new TestServer("SHA-512", password);
    const mechanism = scramMechanism("SHA-512", "alice", password);
    assert.equal(mechanism.name, "SCRAM-SHA-512");
    const exchange = mechanism.exchange();
    const { verified, serverFinal } = await toClientFinal(exchange, server);
    assert.ok(verified, `the proof for ${JSON.stringify(password)} verifies`);
    assert.equal(await exchange.next(bytes(serverFinal)), null);
  }
});

Deno.test("SCRAM-SHA-256 round trip at Kafka's maximum of 16384 iterations", async () => {
  const server = new TestServer("SHA-256", "pencil", 16384);
  const exchange = scramMechanism("SHA-256", "alice", "pencil").exchange();
  const { verified, serverFinal } = await toClientFinal(exchange, server);
  assert.ok(verified);
  assert.equal(await exchange.next(bytes(serverFinal)), null);
});

Deno.test("SCRAM refuses a server signature that does not verify", async () => {
  // The broker knows another password: our proof fails there, its signature here.
  const server = new TestServer("SHA-512", "another password");
  const exchange = scramMechanism("SHA-512", "alice", "pencil").exchange();
  const serverFirst = server.first(text(await exchange.first()));
  const clientFinal = text((await exchange.next(bytes(serverFirst)))!);
  const { verified } = server.final(clientFinal);
  assert.ok(!verified);
  const impostor = new TestServer("SHA-512", "pencil");
  const secrets = [...server.secrets, ...impostor.secrets, "pencil"];
  const wrong = `v=${createHash("sha512").update("not it").digest("base64")}`;
  await refused(
    exchange.next(bytes(wrong)),
    "SCRAM-SHA-512: the broker's SCRAM signature did not verify: it does not know this user's " +
      "password (or is not the broker)",
    secrets,
  );
  await refused(exchange.next(bytes(wrong)), /after the exchange ended/, secrets);

  // A signature of the right length with one bit flipped, and one too short.
  for (const flip of [true, false]) {
    const server = new TestServer("SHA-256", "pencil");
    const exchange = scramMechanism("SHA-256", "alice", "pencil").exchange();
    const { serverFinal } = await toClientFinal(exchange, server);
    const signature = Buffer.from(serverFinal.slice(2), "base64");
    const bad = flip ? signature.map((b, i) => i === 5 ? b ^ 1 : b) : signature.subarray(0, 31);
    await refused(
      exchange.next(bytes(`v=${Buffer.from(bad).toString("base64")}`)),
      /^SCRAM-SHA-256: the broker's SCRAM signature did not verify/,
      server.secrets,
    );
  }
});

Deno.test("SCRAM accepts extensions after server-first's and server-final's attributes", async () => {
  const exchange = scramMechanism("SHA-256", "user", "pencil", () => RFC_NONCE).exchange();
  await exchange.first();
  const final = text((await exchange.next(bytes(`${RFC_SERVER_FIRST},x=ignored,tokenauth=1`)))!);
  assert.match(final, /^c=biws,r=[^,]+,p=/);
  // The extension is part of AuthMessage, so the signature differs from RFC 7677's:
  // what matters here is that it parses.
  await refused(
    exchange.next(bytes("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=,y=1")),
    /did not verify/,
    ["pencil"],
  );
});

Deno.test("SCRAM refuses a malformed or hostile server-first", async () => {
  const cases: [string, RegExp][] = [
    [`r=xyz${RFC_NONCE}abc,s=${RFC_SALT},i=4096`, /nonce does not extend the client's nonce/],
    [`r=${RFC_NONCE},s=${RFC_SALT},i=4096`, /nonce does not extend the client's nonce/],
    [`r=${RFC_NONCE.slice(0, 10)},s=${RFC_SALT},i=4096`, /nonce does not extend/],
    [`r=${RFC_NONCE}é,s=${RFC_SALT},i=4096`, /nonce is not printable ASCII/],
    [
      `r=${RFC_SERVER_NONCE},s=${RFC_SALT},i=1000`,
      /asks for 1000 iterations, fewer than the minimum 4096$/,
    ],
    [`r=${RFC_SERVER_NONCE},s=${RFC_SALT},i=4095`, /asks for 4095 iterations, fewer/],
    [
      `r=${RFC_SERVER_NONCE},s=${RFC_SALT},i=100000`,
      /asks for 100000 iterations, more than Kafka's maximum 16384$/,
    ],
    [`r=${RFC_SERVER_NONCE},s=${RFC_SALT},i=16385`, /asks for 16385 iterations, more/],
    [`r=${RFC_SERVER_NONCE},s=${RFC_SALT},i=${"9".repeat(400)}`, /asks for 999999999999… iter/],
    [`r=${RFC_SERVER_NONCE},s=${RFC_SALT},i=4096.5`, /iteration count is not an integer/],
    [`r=${RFC_SERVER_NONCE},s=${RFC_SALT},i=-4096`, /iteration count is not an integer/],
    [`r=${RFC_SERVER_NONCE},s=${RFC_SALT},i=`, /iteration count is not an integer/],
    [`r=${RFC_SERVER_NONCE},s=${RFC_SALT},i= 4096`, /iteration count is not an integer/],
    [`r=${RFC_SERVER_NONCE},s=W22ZaJ0SNY7soEsUEjb6gQ,i=4096`, /salt is not base64/],
    [`r=${RFC_SERVER_NONCE},s=W22ZaJ0S!Y7soEsUEjb6gQ==,i=4096`, /salt is not base64/],
    [`r=${RFC_SERVER_NONCE},s=W22Z aJ0SNY7soEsUEjb6gQ==,i=4096`, /salt is not base64/],
    [`r=${RFC_SERVER_NONCE},s=,i=4096`, /salt is not base64/],
    [`r=${RFC_SERVER_NONCE},i=4096`, /server-first message lacks the salt \(s=\) as attribute 2/],
    [`r=${RFC_SERVER_NONCE},s=${RFC_SALT}`, /lacks the iteration count \(i=\) as attribute 3/],
    [`s=${RFC_SALT},i=4096`, /lacks the nonce \(r=\) as attribute 1/],
    [`s=${RFC_SALT},r=${RFC_SERVER_NONCE},i=4096`, /lacks the nonce \(r=\) as attribute 1/],
    ["", /lacks the nonce \(r=\)/],
    [`r=${RFC_SERVER_NONCE},s=${RFC_SALT},i=4096,`, /malformed attribute after the known ones/],
    [`r=${RFC_SERVER_NONCE},s=${RFC_SALT},i=4096,x1=1`, /malformed attribute/],
    [`r=${RFC_SERVER_NONCE},s=${RFC_SALT},i=4096,=1`, /malformed attribute/],
    [`m=must,r=${RFC_SERVER_NONCE},s=${RFC_SALT},i=4096`, /mandatory extension \(m=\)/],
    ["e=unknown-user", /^SCRAM-SHA-256: the broker refused the authentication: unknown-user$/],
  ];
  for (const [serverFirst, message] of cases) {
    const exchange = scramMechanism("SHA-256", "user", "pencil", () => RFC_NONCE).exchange();
    await exchange.first();
    await refused(exchange.next(bytes(serverFirst)), message, ["pencil"]);
    // The failed exchange is over.
    await refused(exchange.next(bytes(RFC_SERVER_FIRST)), /after the exchange ended/, ["pencil"]);
  }
  const exchange = scramMechanism("SHA-256", "user", "pencil", () => RFC_NONCE).exchange();
  await exchange.first();
  await refused(
    exchange.next(new Uint8Array([0x72, 0x3d, 0xff])),
    /^SCRAM-SHA-256: the server-first message is not UTF-8$/,
    ["pencil"],
  );
});

Deno.test("SCRAM refuses a malformed or failing server-final", async () => {
  const cases: [string, RegExp][] = [
    ["e=invalid-proof", /^SCRAM-SHA-512: the broker refused the authentication: invalid-proof$/],
    ["e=other-error,x=1", /refused the authentication: other-error$/],
    ["e=", /refused the authentication: \(a malformed error value\)$/],
    ["e=bad=value", /refused the authentication: \(a malformed error value\)$/],
    ["", /server-final message lacks the verifier \(v=\) as attribute 1/],
    ["x=1", /lacks the verifier \(v=\)/],
    ["v=!!!!", /server-final verifier is not base64/],
    ["v=abc", /server-final verifier is not base64/],
    ["v=abcd,1", /malformed attribute/],
  ];
  for (const [serverFinal, message] of cases) {
    const server = new TestServer("SHA-512", "pencil");
    const exchange = scramMechanism("SHA-512", "alice", "pencil").exchange();
    const { verified } = await toClientFinal(exchange, server);
    assert.ok(verified);
    await refused(exchange.next(bytes(serverFinal)), message, server.secrets);
  }
});

Deno.test("SCRAM refuses calls out of order", async () => {
  const mechanism = scramMechanism("SHA-256", "user", "pencil", () => RFC_NONCE);
  await refused(
    mechanism.exchange().next(bytes(RFC_SERVER_FIRST)),
    /^SCRAM-SHA-256: next\(\) called before first\(\)$/,
  );
  const twice = mechanism.exchange();
  await twice.first();
  await refused(twice.first(), /^SCRAM-SHA-256: first\(\) called twice$/);
  await twice.next(bytes(RFC_SERVER_FIRST));
  await refused(twice.first(), /first\(\) called twice/);

  const done = mechanism.exchange();
  await done.first();
  await done.next(bytes(RFC_SERVER_FIRST));
  assert.equal(await done.next(bytes("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")), null);
  await refused(
    done.next(bytes("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")),
    /^SCRAM-SHA-256: next\(\) called after the exchange ended$/,
  );

  // Two answers at once: the second is refused, the first goes on.
  const racing = mechanism.exchange();
  await racing.first();
  const one = racing.next(bytes(RFC_SERVER_FIRST));
  await refused(
    racing.next(bytes(RFC_SERVER_FIRST)),
    /^SCRAM-SHA-256: next\(\) called before the previous next\(\) settled$/,
  );
  assert.match(text((await one)!), /^c=biws,/);
  assert.equal(await racing.next(bytes("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")), null);
});

Deno.test("SCRAM escapes = and , in the username", async () => {
  const exchange = scramMechanism("SHA-256", "a=b,c", "pencil", () => "nonce").exchange();
  assert.equal(text(await exchange.first()), "n,,n=a=3Db=2Cc,r=nonce");
  const equals = scramMechanism("SHA-256", "=2C", "pencil", () => "nonce").exchange();
  assert.equal(text(await equals.first()), "n,,n==3D2C,r=nonce");
  const server = new TestServer("SHA-512", "pencil");
  const roundTrip = scramMechanism("SHA-512", "a=b,c", "pencil").exchange();
  const { verified, serverFinal } = await toClientFinal(roundTrip, server);
  assert.ok(verified);
  assert.equal(await roundTrip.next(bytes(serverFinal)), null);
});

Deno.test("SCRAM exchanges are independent, each with a fresh random nonce", async () => {
  const mechanism = scramMechanism("SHA-512", "alice", "pencil");
  const nonces = new Set<string>();
  for (let i = 0; i < 20; i++) {
    const match = /^n,,n=alice,r=([A-Za-z0-9+/]{32})$/.exec(
      text(await mechanism.exchange().first()),
    );
    assert.ok(match);
    nonces.add(match[1]);
  }
  assert.equal(nonces.size, 20);
  // An exchange that failed does not affect the next one.
  const failed = mechanism.exchange();
  await failed.first();
  await assert.rejects(failed.next(bytes("e=x")));
  const server = new TestServer("SHA-512", "pencil");
  const exchange = mechanism.exchange();
  const { verified, serverFinal } = await toClientFinal(exchange, server);
  assert.ok(verified);
  assert.equal(await exchange.next(bytes(serverFinal)), null);
});

Deno.test("SCRAM refuses a client nonce that is not printable without ','", async () => {
  for (const nonce of ["", "a,b", "a b", "é"]) {
    await refused(
      scramMechanism("SHA-256", "u", "pencil", () => nonce).exchange().first(),
      /^SCRAM-SHA-256: the client nonce is not printable ASCII without ','$/,
    );
  }
});

async function refused(
  promise: Promise<unknown>,
  message: RegExp | string,
  secrets: string[] = ["pencil"],
): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof SaslAuthenticationError, String(error));
    assert.equal(error.code, -1);
    if (typeof message === "string") assert.equal(error.message, message);
    else assert.match(error.message, message);
    assert.match(error.message, /^SCRAM-SHA-(256|512): /);
    for (const secret of secrets.filter((s) => s.length >= 4)) {
      assert.ok(!error.message.includes(secret), `${error.message} shows a secret`);
    }
    return true;
  });
}
