import assert from "node:assert/strict";
import { SaslAuthenticationError } from "../../../lib/errors.ts";
import { oauthBearerMechanism, type OAuthBearerToken } from "../../../lib/net/sasl/oauthbearer.ts";

const TOKEN = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9.";
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const bytes = (s: string) => new TextEncoder().encode(s);

Deno.test("OAUTHBEARER initial response without extensions", async () => {
  const mechanism = oauthBearerMechanism(() => Promise.resolve(TOKEN));
  assert.equal(mechanism.name, "OAUTHBEARER");
  const exchange = mechanism.exchange();
  assert.equal(text(await exchange.first()), `n,,\x01auth=Bearer ${TOKEN}\x01\x01`);
  assert.equal(await exchange.next(new Uint8Array(0)), null);
});

Deno.test("OAUTHBEARER initial response with extensions, in the object's key order", async () => {
  const exchange = oauthBearerMechanism(() =>
    Promise.resolve({ value: "T", extensions: { logicalCluster: "lkc-1", pool: "v 2\t~" } })
  ).exchange();
  assert.equal(
    text(await exchange.first()),
    "n,,\x01auth=Bearer T\x01logicalCluster=lkc-1\x01pool=v 2\t~\x01\x01",
  );
  const empty = oauthBearerMechanism(() => Promise.resolve({ value: "T", extensions: {} }))
    .exchange();
  assert.equal(text(await empty.first()), "n,,\x01auth=Bearer T\x01\x01");
  const none = oauthBearerMechanism(() => Promise.resolve({ value: "abc+/==" })).exchange();
  assert.equal(text(await none.first()), "n,,\x01auth=Bearer abc+/==\x01\x01");
});

Deno.test("OAUTHBEARER calls the provider once per exchange, in first()", async () => {
  let calls = 0;
  const mechanism = oauthBearerMechanism(() => Promise.resolve(`token${++calls}`));
  const a = mechanism.exchange();
  const b = mechanism.exchange();
  assert.equal(calls, 0);
  assert.equal(text(await a.first()), "n,,\x01auth=Bearer token1\x01\x01");
  assert.equal(await a.next(new Uint8Array(0)), null);
  assert.equal(calls, 1);
  assert.equal(text(await b.first()), "n,,\x01auth=Bearer token2\x01\x01");
  assert.equal(calls, 2);
});

Deno.test("OAUTHBEARER refuses a bad token without showing it", async () => {
  for (const secret of ["", "sec ret", "sec,ret", "secret=x", "sécret", "sec\x01ret"]) {
    await refused({ value: secret }, /^OAUTHBEARER: the token (is empty|has characters outside)/, [
      secret,
    ]);
    await refused(secret, /^OAUTHBEARER: the token/, [secret]);
  }
  await refused(
    { value: 7 } as unknown as OAuthBearerToken,
    /^OAUTHBEARER: the token provider returned neither a string nor \{ value: string \}$/,
  );
  await refused(null as unknown as OAuthBearerToken, /returned neither/);
});

Deno.test("OAUTHBEARER refuses bad extensions, naming the key but not the value or token", async () => {
  const token = "secretToken";
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ "k-1": "v" }, /^OAUTHBEARER: the extension key "k-1" is not letters only$/],
    // Kafka's broker allows letters only (OAuthBearerClientInitialResponse's KEY).
    [{ k1: "v" }, /^OAUTHBEARER: the extension key "k1" is not letters only$/],
    [{ "": "v" }, /^OAUTHBEARER: the extension key "" is not letters only$/],
    [{ auth: "v" }, /^OAUTHBEARER: the extension key "auth" is reserved for the token$/],
    [{ k: "" }, /^OAUTHBEARER: the value of extension "k" is empty or has invalid characters$/],
    [{ k: "secretValue\x01" }, /^OAUTHBEARER: the value of extension "k" is empty/],
    [{ k: "secretValué" }, /^OAUTHBEARER: the value of extension "k" is empty/],
    [{ k: 5 }, /^OAUTHBEARER: the value of extension "k" is empty/],
  ];
  for (const [extensions, message] of cases) {
    await refused({ value: token, extensions } as OAuthBearerToken, message, [
      token,
      "secretValue",
    ]);
  }
  await refused(
    { value: token, extensions: "k=v" } as unknown as OAuthBearerToken,
    /^OAUTHBEARER: the token's extensions are not an object$/,
    [token],
  );
});

Deno.test("OAUTHBEARER wraps a provider's failure, with the error as cause", async () => {
  const cause = new Error("the identity provider is down");
  for (
    const provider of [
      () => Promise.reject(cause),
      () => {
        throw cause;
      },
    ]
  ) {
    await assert.rejects(oauthBearerMechanism(provider).exchange().first(), (error: unknown) => {
      assert.ok(error instanceof SaslAuthenticationError);
      assert.equal(error.code, -1);
      assert.equal(
        error.message,
        "the OAUTHBEARER token provider failed: the identity provider is down",
      );
      assert.equal(error.cause, cause);
      return true;
    });
  }
  await assert.rejects(
    oauthBearerMechanism(() => Promise.reject("nope")).exchange().first(),
    { name: "SaslAuthenticationError", message: "the OAUTHBEARER token provider failed: nope" },
  );
});

Deno.test("OAUTHBEARER answers an error challenge with 0x01, then fails with its status", async () => {
  const exchange = oauthBearerMechanism(() => Promise.resolve(TOKEN)).exchange();
  await exchange.first();
  const challenge = bytes('{"status":"invalid_token","scope":"kafka"}');
  assert.deepEqual(await exchange.next(challenge), new Uint8Array([1]));
  await assert.rejects(exchange.next(challenge), (error: unknown) => {
    assert.ok(error instanceof SaslAuthenticationError);
    assert.equal(
      error.message,
      'OAUTHBEARER: the broker refused the token (status "invalid_token")',
    );
    return true;
  });
  await assert.rejects(exchange.next(new Uint8Array(0)), /after the exchange ended/);

  for (
    const [body, reason] of [
      ["not json", "its error challenge was not JSON"],
      ['{"scope":"x"}', "its error challenge had no status"],
      ["\xff", "its error challenge was not JSON"],
    ]
  ) {
    const other = oauthBearerMechanism(() => Promise.resolve(TOKEN)).exchange();
    await other.first();
    assert.deepEqual(
      await other.next(body === "\xff" ? new Uint8Array([0xff]) : bytes(body)),
      new Uint8Array([1]),
    );
    await assert.rejects(other.next(bytes(body)), {
      message: `OAUTHBEARER: the broker refused the token (${reason})`,
    });
  }
});

Deno.test("OAUTHBEARER refuses calls out of order", async () => {
  const mechanism = oauthBearerMechanism(() => Promise.resolve(TOKEN));
  await assert.rejects(mechanism.exchange().next(new Uint8Array(0)), {
    name: "SaslAuthenticationError",
    message: "OAUTHBEARER: next() called before first()",
  });
  const twice = mechanism.exchange();
  await twice.first();
  await assert.rejects(twice.first(), {
    name: "SaslAuthenticationError",
    message: "OAUTHBEARER: first() called twice",
  });
  const done = mechanism.exchange();
  await done.first();
  assert.equal(await done.next(new Uint8Array(0)), null);
  await assert.rejects(done.next(new Uint8Array(0)), {
    name: "SaslAuthenticationError",
    message: "OAUTHBEARER: next() called after the exchange ended",
  });
  const failed = oauthBearerMechanism(() => Promise.resolve("bad token")).exchange();
  await assert.rejects(failed.first(), /b64token/);
  await assert.rejects(failed.next(new Uint8Array(0)), /after the exchange ended/);
});

async function refused(result: OAuthBearerToken, message: RegExp, secrets: string[] = []) {
  const exchange = oauthBearerMechanism(() => Promise.resolve(result)).exchange();
  await assert.rejects(exchange.first(), (error: unknown) => {
    assert.ok(error instanceof SaslAuthenticationError);
    assert.equal(error.code, -1);
    assert.match(error.message, message);
    for (const secret of secrets.filter((s) => s !== "")) {
      assert.ok(!error.message.includes(secret), `${error.message} shows ${secret}`);
    }
    return true;
  });
}
