/**
 * The README's first command ends here: a few keyed records sent with
 * `await producer.send()`, then a small stream through `producer.writable`,
 * printing where each landed.
 *
 *   deno run -A scripts/demo.ts TOPIC [BOOTSTRAP]
 *
 * @module
 */
import { Producer } from "../mod.ts";

const [topic, bootstrap = "127.0.0.1:9092"] = Deno.args;
await using producer = new Producer({ bootstrapServers: bootstrap, clientId: "kafkats-demo" });

for (const user of ["alice", "bob", "carol"]) {
  const md = await producer.send({
    topic,
    key: user,
    value: JSON.stringify({ user, action: "signed-up" }),
    headers: [["source", "demo"], ["source", "readme"]],
  });
  console.log(`send: key=${user} → partition ${md.partition}, offset ${md.offset}`);
}

const events = ReadableStream.from(
  Array.from({ length: 10_000 }, (_, i) => ({ topic, key: `user-${i % 10}`, value: `click ${i}` })),
);
const start = performance.now();
await events.pipeTo(producer.writable, { preventClose: true });
const m = producer.metrics();
console.log(
  `pipeTo: 10000 records acknowledged in ${(performance.now() - start).toFixed(0)} ms, ` +
    `${m.recordsPerBatch.toFixed(0)} records per batch, ${
      m.recordsPerRequest.toFixed(0)
    } per request`,
);
