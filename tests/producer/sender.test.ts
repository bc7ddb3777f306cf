/**
 * The sender against the in-memory fake broker (`tests/support/fake_broker/`):
 * how Produce answers are matched to the batches they are for.
 */
import assert from "node:assert/strict";
import { fakeBroker } from "../support/fake_broker/mod.ts";
import { uuidToString } from "../../lib/protocol/uuid.ts";
import { Producer } from "../../mod.ts";

const PRODUCE = 0;
const METADATA = 3;

Deno.test("topic ids: Produce v13 answers are matched by the topic id the request was sent with", async () => {
  const before = new Uint8Array(16).fill(1);
  const after = new Uint8Array(16).fill(2);
  const ids = new Map([["a", before]]);
  // Once armed, the next (periodic) Metadata answer (topic "a" re-created: a new id) is
  // held until a Produce request arrives behind it on the same connection:
  // the producer reads the new id before the Produce answer, which names the
  // id the request was sent with.
  let armed = false;
  const metadataArrived = Promise.withResolvers<number>();
  const produceArrived = Promise.withResolvers<number>();
  const producedIds: string[] = [];
  const fake = fakeBroker({
    partitions: 1,
    produceVersions: [13, 13],
    topicId: (topic) => ids.get(topic)!,
    onProduce: (b) => {
      if (b.topic === "a") producedIds.push(uuidToString(b.topicId!));
      return undefined;
    },
    onRequest: (apiKey, connection) => {
      if (!armed) return undefined;
      if (apiKey === METADATA) {
        metadataArrived.resolve(connection);
        return produceArrived.promise.then(() => {});
      }
      if (apiKey === PRODUCE) produceArrived.resolve(connection);
      return undefined;
    },
  });
  await using producer = new Producer({
    bootstrapServers: "fake:9092",
    transport: fake.transport,
    lingerMs: 0,
    metadataMaxAgeMs: 100,
  });
  assert.equal((await producer.send({ topic: "a", value: "1" })).offset, 0n);

  ids.set("a", after);
  armed = true;
  const metadataConnection = await metadataArrived.promise;
  const second = producer.send({ topic: "a", value: "2" });
  assert.equal(await produceArrived.promise, metadataConnection, "both on one connection");
  assert.equal((await second).offset, 1n, "the first answer completed the batch");

  assert.deepEqual(producedIds, [uuidToString(before), uuidToString(before)]);
  assert.equal(producer.metrics().retries, 0, "not resent for want of a matching answer");
});
