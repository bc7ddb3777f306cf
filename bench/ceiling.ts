/**
 * The broker ceiling (scenario C0): how fast the broker acknowledges Produce
 * requests shaped like the ones our producer sends, with no producer in the
 * way. Every request body is encoded before the clock starts — batches of
 * `batch.size` filled with N records of the given size, one batch per
 * partition the broker leads per request, up to `max.request.size`, as the
 * sender drains; with idempotence the producer id comes from InitProducerId
 * and every batch carries its partition's next sequence number. Then the
 * requests are replayed over `lib/net/connection.ts` with at most 5 in flight
 * per broker connection (`max.in.flight.requests.per.connection`), as fast
 * as the broker answers. Sending adds only the request header and one copy
 * of the pre-encoded body per request. Before the clock starts, one record
 * without a producer id goes to every partition until its leader accepts it
 * (a fresh topic's leaders may refuse for a moment; the replay never retries).
 *
 *   deno run -A bench/ceiling.ts --num-records 1000000 --record-size 100 --json
 *
 * Options (as perf.ts where they apply): --bootstrap (127.0.0.1:9092),
 * --topic (ceiling-<random>, created), --num-records (1000000),
 * --record-size (100), --partitions (6, for a created topic), --acks (all),
 * --idempotence (true; only with acks=all), --batch-size (16384),
 * --max-request-size (1048576), --max-in-flight (5), --linger-ms (accepted
 * and ignored: batches are full by construction), --json. Latency is per
 * request (send → response).
 *
 * @module
 */
import { Connection } from "../lib/net/connection.ts";
import { defaultTransport } from "../lib/net/runtime.ts";
import type { ApiCodec } from "../lib/protocol/api.ts";
import { errorCodeInfo } from "../lib/protocol/error_codes.ts";
import { InitProducerId } from "../lib/protocol/messages/init_producer_id.ts";
import { Metadata, type MetadataTopic } from "../lib/protocol/messages/metadata.ts";
import {
  Produce,
  type ProduceRequest,
  type ProduceResponse,
} from "../lib/protocol/messages/produce.ts";
import { RecordBatchBuilder } from "../lib/protocol/record_batch.ts";
import { Writer } from "../lib/protocol/writer.ts";
import { createTopic } from "../tests/support/cluster.ts";
import { parseArgs, randomTopic, summarize } from "./support/args.ts";

const args = parseArgs(globalThis.process?.argv.slice(2) ?? Deno.args);
const bootstrap = args.get("bootstrap") ?? "127.0.0.1:9092";
const numRecords = Number(args.get("num-records") ?? 1_000_000);
const recordSize = Number(args.get("record-size") ?? 100);
const partitionCount = Number(args.get("partitions") ?? 6);
const acksArg = args.get("acks") ?? "all";
const acks = acksArg === "all" || acksArg === "-1" ? -1 : Number(acksArg);
const idempotence = (args.get("idempotence") ?? "true") === "true" && acks === -1;
const batchSize = Number(args.get("batch-size") ?? 16384);
const maxRequestSize = Number(args.get("max-request-size") ?? 1048576);
const maxInFlight = Number(args.get("max-in-flight") ?? 5);
const requestTimeoutMs = 30000;
const topic = args.get("topic") ?? randomTopic("ceiling");
if (![-1, 0, 1].includes(acks)) throw new Error(`--acks must be all, -1, 0 or 1`);
if (!(numRecords > 0 && recordSize >= 0 && batchSize > 61)) {
  throw new Error("--num-records, --record-size and --batch-size must be positive");
}

/** Produce with a body encoded ahead of time: sending writes the header and copies the body. */
const PreEncodedProduce: ApiCodec<Uint8Array, ProduceResponse> = {
  apiKey: Produce.apiKey,
  name: "Produce",
  minVersion: Produce.minVersion,
  maxVersion: Produce.maxVersion,
  flexibleFrom: Produce.flexibleFrom,
  encodeRequest: (w, body) => void w.raw(body),
  decodeResponse: (r, version) => Produce.decodeResponse(r, version),
  sizeHint: (body) => body.length,
};

/** One pre-encoded request and what it carries per partition. */
interface PlannedRequest {
  body: Uint8Array;
  /** Records per partition index. */
  records: Map<number, number>;
  total: number;
}

const connect = (host: string, port: number) =>
  Connection.open(defaultTransport(), host, port, {
    clientId: "kafkats-ceiling",
    connectTimeoutMs: 10000,
    maxFrameSize: 64 * 1024 * 1024,
  });

if (!args.has("topic")) await createTopic(topic, partitionCount, { bootstrap });

// ---------------------------------------------------------------- metadata and producer id

const [bootHost, bootPort] = bootstrap.split(",")[0].split(":");
const admin = await connect(bootHost, Number(bootPort));
const { brokers, topicMd } = await leaders(admin);
const leaderOf = new Map<number, number>();
for (const p of topicMd.partitions) leaderOf.set(p.partitionIndex, p.leaderId);
const partitions = [...leaderOf.keys()].sort((a, b) => a - b);

const connections = new Map<number, Connection>();
for (const node of new Set(leaderOf.values())) {
  const address = brokers.get(node)!;
  connections.set(node, await connect(address.host, address.port));
}

let producerId = -1n;
let producerEpoch = -1;
if (idempotence) {
  // A fresh broker may answer a retriable error (e.g. COORDINATOR_LOAD_IN_PROGRESS) at first.
  const deadline = Date.now() + 30000;
  for (;;) {
    const res = await admin.request(InitProducerId, admin.versionFor(InitProducerId), {
      transactionalId: null,
      transactionTimeoutMs: 2147483647,
      producerId: -1n,
      producerEpoch: -1,
    }, requestTimeoutMs);
    if (res.errorCode === 0) {
      producerId = res.producerId;
      producerEpoch = res.producerEpoch;
      break;
    }
    const info = errorCodeInfo(res.errorCode);
    if (!info.retriable || Date.now() > deadline) {
      throw new Error(`InitProducerId failed: ${info.name}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
admin.close();

// ---------------------------------------------------------------- warm-up

// A fresh topic's leaders may answer NOT_LEADER_OR_FOLLOWER for a moment after
// metadata names them. The replay does not retry (a retried idempotent batch
// would reorder the ones behind it), so first write one record without a
// producer id to every partition until each leader accepts it (≤ 30 s).
{
  const deadline = Date.now() + 30000;
  let pending = [...partitions];
  while (pending.length > 0) {
    const failedNow: number[] = [];
    await Promise.all(pending.map(async (p) => {
      const connection = connections.get(leaderOf.get(p)!)!;
      let version = connection.versionFor(Produce);
      if (version >= 13 && topicMd.topicId === null) version = 12;
      const b = new RecordBatchBuilder(new Uint8Array(256));
      b.tryAppend(Date.now(), null, new Uint8Array(1), []);
      const res = await connection.request(Produce, version, {
        transactionalId: null,
        acks: -1,
        timeoutMs: requestTimeoutMs,
        topics: [{
          name: topic,
          topicId: topicMd.topicId,
          partitions: [{ index: p, records: b.build(-1n, -1, -1) }],
        }],
      }, requestTimeoutMs);
      const code = res.topics[0]?.partitions[0]?.errorCode ?? -1;
      if (code !== 0) {
        if (!errorCodeInfo(code).retriable || Date.now() > deadline) {
          throw new Error(`warm-up write to ${topic}-${p} failed: error ${code}`);
        }
        failedNow.push(p);
      }
    }));
    pending = failedNow;
    if (pending.length > 0) await new Promise((r) => setTimeout(r, 100));
  }
}

// ---------------------------------------------------------------- pre-encoding

const buildStart = performance.now();
const payload = new Uint8Array(recordSize);
for (let i = 0; i < recordSize; i++) payload[i] = 65 + (i % 26);
const scratch = new RecordBatchBuilder(new Uint8Array(batchSize));
const perBatch = (() => {
  let n = 0;
  while (scratch.tryAppend(Date.now(), null, payload, []) >= 0) n++;
  if (n === 0) throw new Error(`a ${recordSize}-byte record does not fit in --batch-size`);
  return n;
})();

// Batches of `perBatch` records go to the partitions in turn (the sticky
// partitioner's long-run effect); the last one is partial.
const batchesPerPartition = new Map<number, number[]>(partitions.map((p) => [p, []]));
for (let left = numRecords, i = 0; left > 0; i++) {
  const n = Math.min(perBatch, left);
  batchesPerPartition.get(partitions[i % partitions.length])!.push(n);
  left -= n;
}
const nextSequence = new Map<number, number>(partitions.map((p) => [p, 0]));

/** Encodes the next batch of `partition` (n records) with its sequence number. */
function encodeBatch(partition: number, n: number): Uint8Array {
  const b = new RecordBatchBuilder(new Uint8Array(batchSize));
  const ts = Date.now();
  for (let i = 0; i < n; i++) b.tryAppend(ts, null, payload, []);
  const seq = nextSequence.get(partition)!;
  nextSequence.set(partition, idempotence ? (seq + n) % 2147483648 : seq);
  return b.build(producerId, producerEpoch, idempotence ? seq : -1);
}

const plans = new Map<number, { version: number; requests: PlannedRequest[] }>();
for (const [node, connection] of connections) {
  let version = connection.versionFor(Produce);
  if (version >= 13 && topicMd.topicId === null) version = 12;
  const led = partitions.filter((p) => leaderOf.get(p) === node);
  const cursor = new Map<number, number>(led.map((p) => [p, 0]));
  const requests: PlannedRequest[] = [];
  let start = 0;
  for (;;) {
    const parts: { index: number; records: Uint8Array }[] = [];
    const records = new Map<number, number>();
    let size = 0;
    let total = 0;
    for (let k = 0; k < led.length; k++) {
      const p = led[(start + k) % led.length];
      const list = batchesPerPartition.get(p)!;
      const at = cursor.get(p)!;
      if (at >= list.length) continue;
      const batch = encodeBatch(p, list[at]);
      if (parts.length > 0 && size + batch.length > maxRequestSize) {
        nextSequence.set(p, nextSequence.get(p)! - (idempotence ? list[at] : 0));
        break;
      }
      cursor.set(p, at + 1);
      parts.push({ index: p, records: batch });
      records.set(p, list[at]);
      size += batch.length;
      total += list[at];
    }
    if (parts.length === 0) break;
    start = (start + parts.length) % led.length;
    const req: ProduceRequest = {
      transactionalId: null,
      acks,
      timeoutMs: requestTimeoutMs,
      topics: [{ name: topic, topicId: topicMd.topicId, partitions: parts }],
    };
    const w = new Writer(size + 256);
    Produce.encodeRequest(w, req, version);
    requests.push({ body: w.finish(), records, total });
  }
  plans.set(node, { version, requests });
}
const buildMs = performance.now() - buildStart;
const requestCount = [...plans.values()].reduce((n, p) => n + p.requests.length, 0);

// ---------------------------------------------------------------- replay

const latencies = new Float64Array(requestCount);
let latencyCount = 0;
let acked = 0;
let failed = 0;
let firstError: string | null = null;
let peakRss = 0;
const rss = () => globalThis.process?.memoryUsage?.().rss ?? 0;
peakRss = rss();
const start = performance.now();
const progress = setInterval(() => {
  peakRss = Math.max(peakRss, rss());
  const s = (performance.now() - start) / 1000;
  console.error(`${acked} records acked, ${(acked / s).toFixed(0)} records/sec`);
}, 2000);

/** Sends one broker's requests in order, at most `maxInFlight` unanswered. */
async function replay(connection: Connection, version: number, requests: PlannedRequest[]) {
  const inFlight: Promise<void>[] = [];
  for (const planned of requests) {
    if (inFlight.length >= maxInFlight) await inFlight.shift();
    const sentAt = performance.now();
    if (acks === 0) {
      inFlight.push(
        connection.send(PreEncodedProduce, version, planned.body, requestTimeoutMs).then(() => {
          latencies[latencyCount++] = performance.now() - sentAt;
          acked += planned.total;
        }, (error) => onFailure(planned.total, String(error))),
      );
      continue;
    }
    inFlight.push(
      connection.request(PreEncodedProduce, version, planned.body, requestTimeoutMs).then(
        (response) => {
          latencies[latencyCount++] = performance.now() - sentAt;
          for (const t of response.topics) {
            for (const p of t.partitions) {
              const n = planned.records.get(p.index) ?? 0;
              if (p.errorCode === 0) acked += n;
              else {onFailure(
                  n,
                  `partition ${p.index}: error ${p.errorCode} ${p.errorMessage ?? ""}`,
                );}
            }
          }
        },
        (error) => onFailure(planned.total, String(error)),
      ),
    );
  }
  await Promise.all(inFlight);
}

function onFailure(records: number, reason: string) {
  failed += records;
  firstError ??= reason;
}

await Promise.all(
  [...plans].map(([node, plan]) => replay(connections.get(node)!, plan.version, plan.requests)),
);
const elapsed = (performance.now() - start) / 1000;
clearInterval(progress);
peakRss = Math.max(peakRss, rss());
for (const c of connections.values()) c.close();

const result = {
  client: "ceiling",
  clientVersion: "0.1.0",
  runtime: `deno ${Deno.version.deno}`,
  mode: "ceiling",
  records: numRecords,
  recordSize,
  acked,
  failed,
  recordsPerSec: acked / elapsed,
  mbPerSec: acked * recordSize / elapsed / 1048576,
  ...summarize(latencies.subarray(0, latencyCount)),
  latencyPer: "request",
  peakRssMb: peakRss / 1048576,
  requests: requestCount,
  recordsPerRequest: numRecords / requestCount,
  recordsPerBatch: perBatch,
  buildMs,
  settings: {
    acks: acksArg,
    enableIdempotence: idempotence,
    batchSize,
    maxRequestSize,
    maxInFlight,
  },
};
if (args.has("json")) {
  console.log(JSON.stringify(result));
} else {
  console.log(
    `${acked} records acked, ${result.recordsPerSec.toFixed(1)} records/sec (${
      result.mbPerSec.toFixed(2)
    } MB/sec), ${requestCount} requests of ~${result.recordsPerRequest.toFixed(0)} records, ${
      result.avgMs.toFixed(2)
    } ms avg / ${result.p99.toFixed(1)} ms p99 per request; ` +
      `pre-encoding took ${buildMs.toFixed(0)} ms, peak RSS ${result.peakRssMb.toFixed(0)} MiB`,
  );
}
if (failed > 0) {
  console.error(`${failed} records failed; first error: ${firstError}`);
  Deno.exit(1);
}

/** Brokers and the topic's partition leaders, waiting (≤ 30 s) until every partition has one. */
async function leaders(connection: Connection): Promise<{
  brokers: Map<number, { host: string; port: number }>;
  topicMd: MetadataTopic;
}> {
  const deadline = Date.now() + 30000;
  for (;;) {
    const md = await connection.request(Metadata, connection.versionFor(Metadata), {
      topics: [{ name: topic, topicId: null }],
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: false,
    }, requestTimeoutMs);
    const t = md.topics.find((x) => x.name === topic);
    if (
      t && t.errorCode === 0 && t.partitions.length > 0 &&
      t.partitions.every((p) => p.leaderId >= 0)
    ) {
      return { brokers: new Map(md.brokers.map((b) => [b.nodeId, b])), topicMd: t };
    }
    if (Date.now() > deadline) {
      throw new Error(`topic ${topic} has no leader for every partition after 30 s`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
