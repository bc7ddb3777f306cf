// @platformatic/kafka driver for bench/peers/run.sh (see common.mjs for the send loop and
// README.md for settings). The package needs Node >= 22: run.sh starts it with the Node 22
// binary installed from the npm package node-linux-* (or under Bun with PLATFORMATIC_RUNTIME=bun).
import {
  fatal,
  importPeer,
  parseArgs,
  payload,
  peerVersion,
  recordsPerBatch,
  report,
  runBench,
  SEND_TIMEOUT_MS,
  withTimeout,
} from "./common.mjs";

const o = parseArgs(process.argv.slice(2));
const { Producer } = await importPeer("@platformatic/kafka");

// The client forces maxInflights 1 when idempotent (5 otherwise, like Java). The driver keeps
// as many send() calls outstanding as the client may have requests in flight.
const maxInFlight = o.idempotence ? 1 : 5;
const producer = new Producer({
  clientId: "bench-platformatic",
  bootstrapBrokers: o.bootstrap.split(","),
  idempotent: o.idempotence,
  acks: o.acks,
  maxInflights: maxInFlight,
  timeout: 30000,
  autocreateTopics: false,
});
const meta = await withTimeout(
  producer.metadata({ topics: [o.topic] }),
  SEND_TIMEOUT_MS,
  `metadata of topic ${o.topic}`,
).catch((e) => fatal(`cannot read metadata of topic ${o.topic}: ${e.message}`));
const partitions = meta.topics.get(o.topic).partitionsCount;

const value = payload(o.recordSize);
const topic = o.topic;
const r = await runBench(o, {
  partitions,
  concurrency: maxInFlight,
  // The default partitioner puts every keyless record on partition 0: spread them explicitly.
  makeMessage: (partition) => ({ topic, partition, value }),
  send: (messages) => producer.send({ messages }),
});
await withTimeout(producer.close(), 30_000, "close()").catch((e) => console.error(e.message));

report(
  o,
  "platformatic",
  peerVersion("@platformatic/kafka"),
  r,
  [
    `acks=${o.acksName} idempotent=${o.idempotence} maxInflights=${maxInFlight}`,
    `linger.ms=n/a (no accumulator in send(); requested ${o.lingerMs})`,
    o.mode === "sync"
      ? "one record per awaited send()"
      : `send() calls of ${r.chunkSize} records (${
        recordsPerBatch(o)
      }/partition ~ batch.size=${o.batchSize} B` +
        ` over ${partitions} partitions, explicit round-robin partition), ${maxInFlight} call(s) at a time`,
    "compression=none retries=3 timeout=30000",
  ].join(" "),
);
process.exit(r.failed > 0 ? 1 : 0);
