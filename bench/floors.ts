/**
 * The two runtime costs that bound our producer below the network, measured
 * without it (README, Performance: "Two floors remain"):
 *
 * - **promise**: a `send()`-shaped promise per record (`new Promise`, the
 *   resolve function kept until completion, a metadata object with a BigInt
 *   offset) plus the caller's `.then()`, with a window of records waiting
 *   and completions per batch of 148, oldest first, as acknowledgements come.
 * - **stream**: `pipeTo` from a `ReadableStream` into a `WritableStream`
 *   whose sink does nothing but return a resolved promise, by how many
 *   chunks its queue holds (the high-water mark, 130 bytes a chunk).
 *
 * One measurement per process (a heap already grown by an earlier one
 * changes the next: the costs are mostly the GC's):
 *
 *   for n in 8000 32000 258000; do deno run bench/floors.ts --promise $n; done
 *   for n in 1 10 100 500 2000 8000; do bun bench/floors.ts --stream $n; done
 *
 * Prints one line; it reports and never fails on time.
 *
 * @module
 */

import { parseArgs } from "./support/args.ts";
const PER_BATCH = 148;
const RESOLVED: Promise<void> = Promise.resolve();

interface Metadata {
  topic: string;
  partition: number;
  offset: bigint;
  timestamp: number;
}
type Settler = (metadata: Metadata) => void;

/** Records through a promise each, `window` of them waiting; records/s. */
async function promiseFloor(records: number, window: number): Promise<number> {
  let acked = 0;
  const onAck = () => {
    acked++;
  };
  const batches: { settlers: Settler[]; timestamps: number[] }[] = [];
  let open = { settlers: [] as Settler[], timestamps: [] as number[] };
  batches.push(open);
  let waiting = 0;
  let offset = 0n;
  const complete = (batch: typeof open) => {
    const { settlers, timestamps } = batch;
    for (let i = 0; i < settlers.length; i++) {
      settlers[i]({
        topic: "t",
        partition: 0,
        offset: offset + BigInt(i),
        timestamp: timestamps[i],
      });
    }
    offset += BigInt(settlers.length);
    waiting -= settlers.length;
  };
  const ring: Promise<void>[] = new Array(window);
  const start = performance.now();
  for (let i = 0; i < records; i++) {
    if (open.settlers.length === PER_BATCH) batches.push(open = { settlers: [], timestamps: [] });
    let settle!: Settler;
    const promise = new Promise<Metadata>((resolve) => settle = resolve);
    open.settlers.push(settle);
    open.timestamps.push(Date.now());
    ring[i % window] = promise.then(onAck, onAck);
    if (++waiting >= window) {
      for (let k = 0; k < 20 && batches.length > 1; k++) complete(batches.shift()!);
      await RESOLVED;
    }
  }
  for (const batch of batches) complete(batch);
  await Promise.all(ring);
  if (acked !== records) throw new Error(`${acked} of ${records} settled`);
  return records / ((performance.now() - start) / 1000);
}

/** Chunks through `pipeTo` into a sink that does nothing, `queued` of them at most in its queue; chunks/s. */
async function streamFloor(chunks: number, queued: number): Promise<number> {
  const chunk = { topic: "t", value: new Uint8Array(100) };
  let sent = 0;
  const source = new ReadableStream({
    pull(controller) {
      for (let n = 0; n < 1024 && sent < chunks; n++, sent++) controller.enqueue(chunk);
      if (sent >= chunks) controller.close();
    },
  }, { highWaterMark: 0 });
  const sink = new WritableStream({ write: () => RESOLVED }, {
    highWaterMark: queued * 130,
    size: () => 130,
  });
  const start = performance.now();
  await source.pipeTo(sink);
  return chunks / ((performance.now() - start) / 1000);
}

const args = parseArgs(globalThis.process?.argv.slice(2) ?? []);
const kind = args.has("promise") ? "promise" : "stream";
const n = Number(args.get(kind));
if (args.size !== 1 || !Number.isInteger(n) || n < 1) {
  throw new Error("usage: floors.ts --promise WAITING | --stream QUEUED");
}
const runtime = "Bun" in globalThis ? "bun" : "Deno" in globalThis ? "deno" : "node";
const rate = kind === "promise"
  ? await promiseFloor(2_000_000, n)
  : await streamFloor(2_000_000, n);
console.log(
  `${runtime} ${kind}, ${n} ${kind === "promise" ? "waiting" : "queued"}: ${
    (rate / 1e6).toFixed(2)
  }M/s, ${(1e6 / rate).toFixed(2)} µs each`,
);
