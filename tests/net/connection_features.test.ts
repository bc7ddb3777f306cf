/**
 * What a Connection keeps of the broker's ApiVersions answer besides the
 * version ranges: the finalized features (KIP-584) and their epoch, e.g.
 * `transaction.version` for Transactions V2 (KIP-890). Over the in-memory
 * fake broker (tests/support/fake_broker/, with `finalizedFeatures`).
 */
import assert from "node:assert/strict";
import { Connection } from "../../lib/net/connection.ts";
import { fakeBroker, type FakeBrokerOptions } from "../support/fake_broker/mod.ts";

async function open(options: FakeBrokerOptions): Promise<Connection> {
  return await Connection.open(fakeBroker(options).transport, "fake", 9092, {
    clientId: "features-test",
    connectTimeoutMs: 5000,
    maxFrameSize: 1 << 20,
  });
}

Deno.test("connection: the finalized features and epoch of the ApiVersions answer", async () => {
  const connection = await open({
    finalizedFeatures: {
      epoch: 536n,
      levels: { "transaction.version": 2, "metadata.version": 27, "group.version": 0 },
    },
  });
  try {
    assert.equal(connection.finalizedFeature("transaction.version"), 2);
    assert.equal(connection.finalizedFeature("metadata.version"), 27);
    assert.equal(connection.finalizedFeature("group.version"), 0, "level 0 is listed, not absent");
    assert.equal(connection.finalizedFeature("share.version"), null, "not finalized");
    assert.equal(connection.finalizedFeaturesEpoch, 536n);
  } finally {
    connection.close();
  }
});

Deno.test("connection: no feature tags in the answer: nothing finalized, epoch -1n", async () => {
  const connection = await open({});
  try {
    assert.equal(connection.finalizedFeature("transaction.version"), null);
    assert.equal(connection.finalizedFeaturesEpoch, -1n);
  } finally {
    connection.close();
  }
});
