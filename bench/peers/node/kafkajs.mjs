// KafkaJS driver for bench/peers/run.sh (see common.mjs for the send loop and README.md for settings).
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
const { Kafka, logLevel } = (await importPeer("kafkajs")).default;
const version = peerVersion("kafkajs");

// KafkaJS requires maxInFlightRequests 1 for an idempotent producer; otherwise 5, like Java
// (KafkaJS's own default is no limit).
// The driver keeps as many send() calls outstanding as the client may have requests in flight:
// more calls would only queue inside the client.
const maxInFlight = o.idempotence ? 1 : 5;
const kafka = new Kafka({
  clientId: "bench-kafkajs",
  brokers: o.bootstrap.split(","),
  logLevel: logLevel.ERROR,
});
const admin = kafka.admin();
const [meta] = await withTimeout(
  admin.connect().then(() => admin.fetchTopicMetadata({ topics: [o.topic] })),
  SEND_TIMEOUT_MS,
  `metadata of topic ${o.topic}`,
).then((m) => m.topics, (e) => fatal(`cannot read metadata of topic ${o.topic}: ${e.message}`));
await admin.disconnect();
const partitions = meta.partitions.length;

const producer = kafka.producer({
  idempotent: o.idempotence,
  maxInFlightRequests: maxInFlight,
  allowAutoTopicCreation: false,
});
await producer.connect();
const value = payload(o.recordSize);
const r = await runBench(o, {
  partitions,
  concurrency: maxInFlight,
  makeMessage: (partition) => ({ partition, value }),
  send: (messages) => producer.send({ topic: o.topic, acks: o.acks, messages }),
});
await withTimeout(producer.disconnect(), 30_000, "disconnect()").catch((e) =>
  console.error(e.message)
);

report(
  o,
  "kafkajs",
  version,
  r,
  [
    `acks=${o.acksName} idempotent=${o.idempotence} maxInFlightRequests=${maxInFlight}`,
    `linger.ms=n/a (no accumulator; requested ${o.lingerMs})`,
    o.mode === "sync"
      ? "one record per awaited send()"
      : `send() calls of ${r.chunkSize} records (${
        recordsPerBatch(o)
      }/partition ~ batch.size=${o.batchSize} B` +
        ` over ${partitions} partitions, explicit round-robin partition), ${maxInFlight} call(s) at a time`,
    "compression=none retries=5 requestTimeout=30000",
  ].join(" "),
);
process.exit(r.failed > 0 ? 1 : 0);
