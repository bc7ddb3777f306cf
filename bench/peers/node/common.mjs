// Shared by the Node drivers (kafkajs.mjs, platformatic.mjs): command line, the chunked send
// loop, latency statistics and the one-line JSON result. Neither client has an accumulator with
// linger.ms, so the loop does the batching: each send() call carries `perBatch` records for each
// partition (perBatch = how many records fit in batch.size), spread over the partitions
// round-robin with an explicit partition, and at most `concurrency` calls are in flight.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

/** Bound on one send() call and on metadata lookups (Java's delivery.timeout.ms is 120 s). */
export const SEND_TIMEOUT_MS = 130_000;

/** Bytes a keyless record adds to its value inside a RecordBatch v2 (varints and attributes). */
const RECORD_OVERHEAD = 8;

/** Parses the run.sh contract (--name value pairs) into a plain object with typed fields. */
export function parseArgs(argv) {
  const raw = new Map();
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith("--") || i + 1 >= argv.length) {
      throw new Error(`bad argument ${argv[i]}`);
    }
    raw.set(argv[i].slice(2), argv[i + 1]);
  }
  const get = (k) => {
    if (!raw.has(k)) throw new Error(`missing --${k}`);
    return raw.get(k);
  };
  return {
    bootstrap: get("bootstrap"),
    topic: get("topic"),
    numRecords: Number(get("num-records")),
    recordSize: Number(get("record-size")),
    acks: get("acks") === "all" ? -1 : Number(get("acks")),
    acksName: get("acks"),
    idempotence: get("idempotence") === "true",
    lingerMs: Number(get("linger-ms")),
    batchSize: Number(get("batch-size")),
    mode: get("mode"),
  };
}

/** Imports a package installed in .cache/peers/node (PEERS_NODE_DIR), which is not next to us. */
export function importPeer(name) {
  const dir = process.env.PEERS_NODE_DIR;
  if (!dir) throw new Error("PEERS_NODE_DIR is not set (run through bench/peers/run.sh)");
  const require = createRequire(`${dir}/package.json`);
  return import(pathToFileURL(require.resolve(name)).href);
}

/** The installed version of a package in .cache/peers/node. */
export function peerVersion(name) {
  const file = `${process.env.PEERS_NODE_DIR}/node_modules/${name}/package.json`;
  return JSON.parse(readFileSync(file, "utf8")).version;
}

/** The payload every record carries: recordSize bytes, the same for all (like ProducerPerformance). */
export function payload(recordSize) {
  const b = Buffer.alloc(recordSize);
  for (let i = 0; i < recordSize; i++) b[i] = 65 + (i % 26);
  return b;
}

/**
 * Records per partition per send() call: as many as fit in batch.size, kept under the broker's
 * default message.max.bytes (1 MiB + 12) so a 1 MiB batch.size is not MESSAGE_TOO_LARGE.
 */
export function recordsPerBatch(o) {
  const bytes = Math.min(o.batchSize, 1_000_000);
  return Math.max(1, Math.floor(bytes / (o.recordSize + RECORD_OVERHEAD)));
}

/** Rejects with a clear error if `promise` has not settled after `ms`. */
export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Runs the benchmark. `send(messages)` is the client's send for an array of messages made by
 * `makeMessage(partition)` and resolves on acknowledgement. After the first failed send() no more
 * records are sent (the rest count as failed), so a missing topic or a dead broker ends the run
 * instead of timing out record by record. Returns the result object.
 */
export async function runBench(o, { partitions, concurrency, send, makeMessage }) {
  const latencies = new Float64Array(o.numRecords);
  let acked = 0, failed = 0, firstError = null, next = 0;
  const start = performance.now();
  const progress = setInterval(() => {
    const s = (performance.now() - start) / 1000;
    console.error(`${acked} records acked, ${(acked / s).toFixed(0)} records/sec`);
  }, 5000);

  const chunkSize = o.mode === "sync" ? 1 : recordsPerBatch(o) * partitions;
  let rr = 0;
  async function worker() {
    while (next < o.numRecords && firstError === null) {
      const from = next, n = Math.min(chunkSize, o.numRecords - from);
      next += n;
      const messages = new Array(n);
      for (let i = 0; i < n; i++) messages[i] = makeMessage(rr++ % partitions);
      const t = performance.now();
      try {
        await withTimeout(send(messages), SEND_TIMEOUT_MS, "send()");
        const ms = performance.now() - t;
        latencies.fill(ms, from, from + n);
        acked += n;
      } catch (e) {
        failed += n;
        firstError ??= e;
        latencies.fill(NaN, from, from + n);
      }
    }
  }
  await Promise.all(Array.from({ length: o.mode === "sync" ? 1 : concurrency }, worker));
  const elapsed = (performance.now() - start) / 1000;
  // After the first failure no further records are sent: they count as failed.
  failed += o.numRecords - next;
  latencies.fill(NaN, next);
  clearInterval(progress);
  if (firstError) console.error(`${failed} records failed; first error:`, firstError);
  return { ...summarize(latencies, acked), failed, elapsed, chunkSize };
}

/** avg/max/percentiles (ms) over the acknowledged records' latencies. */
export function summarize(latencies, acked) {
  const sorted = latencies.filter((x) => !Number.isNaN(x)).sort();
  const pct = (p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    acked,
    avgMs: sorted.length ? sum / sorted.length : 0,
    maxMs: sorted.length ? sorted[sorted.length - 1] : 0,
    p50: pct(0.5),
    p95: pct(0.95),
    p99: pct(0.99),
    p999: pct(0.999),
  };
}

/** Prints a one-line error on stderr and exits 1 (the client could not start the run). */
export function fatal(message) {
  console.error(`driver: ${message}`);
  process.exit(1);
}

/** Prints the contract's JSON line (last line of stdout). */
export function report(o, client, clientVersion, r, settings) {
  const round = (x) => Math.round(x * 1000) / 1000;
  console.log(JSON.stringify({
    client,
    clientVersion,
    runtime: `${
      typeof Bun !== "undefined" ? "Bun " + Bun.version : "Node " + process.versions.node
    }`,
    mode: o.mode,
    records: o.numRecords,
    recordSize: o.recordSize,
    acked: r.acked,
    failed: r.failed,
    recordsPerSec: round(r.acked / r.elapsed),
    mbPerSec: round(r.acked * o.recordSize / r.elapsed / 1048576),
    avgMs: round(r.avgMs),
    maxMs: round(r.maxMs),
    p50: round(r.p50),
    p95: round(r.p95),
    p99: round(r.p99),
    p999: round(r.p999),
    settings,
  }));
}
