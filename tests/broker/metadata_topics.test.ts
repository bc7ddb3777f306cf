/**
 * Which topics the producer's Metadata requests name, and whether they let
 * the broker create them: only a send waiting for a topic it doesn't know
 * yet asks with allowAutoTopicCreation, so a deleted topic is not
 * re-created by refreshes; a topic not sent to for metadataMaxIdleMs is no
 * longer asked for. Observed on the wire (tests/support/metadata_spy.ts).
 */
import assert from "node:assert/strict";
import { Producer } from "../../mod.ts";
import {
  BOOTSTRAP,
  createTopic,
  deleteTopic,
  topicErrorCode,
  uniqueTopic,
} from "../support/cluster.ts";
import { metadataSpy } from "../support/metadata_spy.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("a deleted topic is not re-created by refreshes: only the first ask, for a send, allows creation", async () => {
  const topic = uniqueTopic("deleted");
  await createTopic(topic, 1);
  const spy = metadataSpy();
  await using producer = new Producer({
    bootstrapServers: BOOTSTRAP,
    transport: spy.transport,
    metadataMaxAgeMs: 100,
    lingerMs: 0,
  });
  await producer.send({ topic, value: "before the deletion" });
  await deleteTopic(topic);
  const deletedAt = Date.now();
  await sleep(1500);

  const asks = spy.requests.filter((r) => r.topics?.includes(topic));
  assert.equal(asks[0].allowAutoTopicCreation, true, "the send's own ask may create the topic");
  const later = asks.slice(1).map((r) => r.allowAutoTopicCreation);
  assert.deepEqual(
    later,
    later.map(() => false),
    "refreshes of a known topic never allow creation",
  );
  const afterDeletion = asks.filter((r) => r.atMs > deletedAt).length;
  assert.ok(
    afterDeletion >= 5,
    `only ${afterDeletion} refreshes named the topic after its deletion`,
  );
  assert.equal(await topicErrorCode(topic), 3, "the topic stays deleted");
});

Deno.test("a topic not sent to for metadataMaxIdleMs leaves the refreshes; a later send fetches it again", async () => {
  const idle = uniqueTopic("idle");
  const busy = uniqueTopic("busy");
  await createTopic(idle, 1);
  await createTopic(busy, 1);
  const spy = metadataSpy();
  await using producer = new Producer({
    bootstrapServers: BOOTSTRAP,
    transport: spy.transport,
    metadataMaxIdleMs: 5000,
    metadataMaxAgeMs: 250,
    lingerMs: 0,
  });
  await producer.send({ topic: idle, value: "once" });
  const start = Date.now();
  while (Date.now() - start < 7000) {
    await producer.send({ topic: busy, value: "again and again" });
    await sleep(250);
  }
  const early = spy.requests.filter((r) => r.atMs > start && r.atMs < start + 4500);
  assert.ok(early.some((r) => r.topics?.includes(idle)), "asked for both while both were in use");
  const recent = spy.requests.filter((r) => r.atMs > start + 6000);
  assert.ok(recent.length >= 2, `only ${recent.length} refreshes in the last second`);
  for (const r of recent) {
    assert.ok(r.topics?.includes(busy), `a refresh left out the busy topic: ${r.topics}`);
    assert.ok(!r.topics?.includes(idle), `a refresh still asked for the idle topic: ${r.topics}`);
  }

  const before = spy.requests.length;
  const md = await producer.send({ topic: idle, value: "after the idle time" });
  assert.equal(md.offset, 1n);
  const refetched = spy.requests.slice(before).filter((r) => r.topics?.includes(idle));
  assert.ok(refetched.length >= 1, "the send fetched the dropped topic's metadata again");
  assert.equal(refetched[0].allowAutoTopicCreation, true, "asked for as a new topic");
});
