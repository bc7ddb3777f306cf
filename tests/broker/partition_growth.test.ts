/**
 * A record for an explicit partition the cached metadata doesn't know yet
 * (the topic just grew) waits for one refresh instead of failing at once.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { InvalidRecordError, Producer } from "../../mod.ts";
import { BOOTSTRAP, createTopic, uniqueTopic } from "../support/cluster.ts";

const run = promisify(execFile);

Deno.test("explicit partition of a topic that grew after metadata was cached", async () => {
  const topic = uniqueTopic("grow");
  await createTopic(topic, 2);
  await using producer = new Producer({ bootstrapServers: BOOTSTRAP, lingerMs: 0 });
  await producer.send({ topic, value: "warm", partition: 1 });

  await run("bash", [
    "scripts/kafka.sh",
    "java",
    "org.apache.kafka.tools.TopicCommand",
    "--bootstrap-server",
    BOOTSTRAP.split(",")[0],
    "--alter",
    "--topic",
    topic,
    "--partitions",
    "4",
  ], { cwd: new URL("../../", import.meta.url).pathname });

  const md = await producer.send({ topic, value: "new partition", partition: 3 });
  assert.equal(md.partition, 3);
  assert.equal(md.offset, 0n);

  const error = await producer.send({ topic, value: "v", partition: 4 }).catch((e) => e);
  assert.ok(error instanceof InvalidRecordError, String(error));
  assert.match(error.message, /partition 4 is out of range: topic ".*" has 4 partition/);
});
