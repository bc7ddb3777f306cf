import assert from "node:assert/strict";
import { SaslAuthenticationError } from "../../../lib/errors.ts";
import { plainMechanism } from "../../../lib/net/sasl/plain.ts";

Deno.test("PLAIN sends \\0username\\0password in UTF-8 and ends on the broker's answer", async () => {
  const mechanism = plainMechanism("alice", "pässwörd");
  assert.equal(mechanism.name, "PLAIN");
  const exchange = mechanism.exchange();
  const first = await exchange.first();
  assert.deepEqual(
    first,
    new Uint8Array([
      0,
      ...new TextEncoder().encode("alice"),
      0,
      0x70,
      0xc3,
      0xa4,
      0x73,
      0x73,
      0x77,
      0xc3,
      0xb6,
      0x72,
      0x64,
    ]),
  );
  assert.equal(await exchange.next(new Uint8Array(0)), null);
});

Deno.test("PLAIN exchanges are independent", async () => {
  const mechanism = plainMechanism("u", "p");
  const a = mechanism.exchange();
  const b = mechanism.exchange();
  assert.deepEqual(await a.first(), await b.first());
  assert.equal(await a.next(new Uint8Array(0)), null);
  assert.equal(await b.next(new Uint8Array(0)), null);
});

Deno.test("PLAIN refuses calls out of order", async () => {
  const early = plainMechanism("u", "secret").exchange();
  await refused(early.next(new Uint8Array(0)), /^PLAIN: next\(\) called before first\(\)$/);

  const twice = plainMechanism("u", "secret").exchange();
  await twice.first();
  await refused(twice.first(), /^PLAIN: first\(\) called twice$/);

  const after = plainMechanism("u", "secret").exchange();
  await after.first();
  await after.next(new Uint8Array(0));
  await refused(after.next(new Uint8Array(0)), /^PLAIN: next\(\) called after the exchange ended$/);
});

Deno.test("PLAIN refuses a NUL inside the username or password without showing them", async () => {
  await refused(
    plainMechanism("ad\0min", "secret").exchange().first(),
    /^PLAIN: the username contains a NUL character$/,
  );
  await refused(
    plainMechanism("admin", "sec\0ret").exchange().first(),
    /^PLAIN: the password contains a NUL character$/,
  );
});

async function refused(promise: Promise<unknown>, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof SaslAuthenticationError);
    assert.equal(error.code, -1);
    assert.match(error.message, message);
    assert.ok(!error.message.includes("secret") && !error.message.includes("sec\0ret"));
    return true;
  });
}
