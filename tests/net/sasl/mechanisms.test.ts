import assert from "node:assert/strict";
import { saslMechanism } from "../../../lib/net/sasl/mechanisms.ts";

Deno.test("saslMechanism picks the mechanism the options name", async () => {
  for (const mechanism of ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] as const) {
    assert.equal(saslMechanism({ mechanism, username: "u", password: "p" }).name, mechanism);
  }
  const plain = saslMechanism({ mechanism: "PLAIN", username: "u", password: "p" }).exchange();
  assert.deepEqual(await plain.first(), new Uint8Array([0, 0x75, 0, 0x70]));
  const scram = saslMechanism({ mechanism: "SCRAM-SHA-512", username: "u", password: "p" })
    .exchange();
  assert.match(new TextDecoder().decode(await scram.first()), /^n,,n=u,r=[A-Za-z0-9+/]{32}$/);
  const oauth = saslMechanism({ mechanism: "OAUTHBEARER", token: () => Promise.resolve("t") });
  assert.equal(oauth.name, "OAUTHBEARER");
  assert.equal(
    new TextDecoder().decode(await oauth.exchange().first()),
    "n,,\x01auth=Bearer t\x01\x01",
  );
});
