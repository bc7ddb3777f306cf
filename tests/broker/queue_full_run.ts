/**
 * Child process of the maxBlockedBytes test (run with --expose-gc): 400,000
 * un-awaited 1 KiB sends into a 16 MiB bufferMemory while the broker never
 * answers Produce. Prints one JSON line: what waits, how many sends were
 * refused at once, and the live heap (after a full GC) before and after.
 *
 * Usage: deno run -A --v8-flags=--expose-gc queue_full_run.ts BROKER_ADDRESS
 */
import { Producer, QueueFullError } from "../../mod.ts";

const gc = (globalThis as unknown as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("run with --v8-flags=--expose-gc");
/** Live heap and external (array buffer) bytes after full collections. */
const live = async () => {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 20)); // array buffers are swept off the main thread
  }
  const usage = Deno.memoryUsage();
  return usage.heapUsed + usage.external;
};

const bufferMemory = 16 * 1024 * 1024;
const producer = new Producer({
  bootstrapServers: Deno.args[0],
  acks: 1,
  bufferMemory,
  maxBlockMs: 60_000,
});
const value = new Uint8Array(1024);
// Metadata first, so the sends below fill the buffer before they queue.
const first = producer.send({ topic: "t", value });
first.catch(() => {});
for (const until = Date.now() + 30_000; producer.metrics().incompleteBatches === 0;) {
  if (Date.now() > until) throw new Error("no metadata from the fake broker within 30 s");
  await new Promise((r) => setTimeout(r, 5));
}
const liveBefore = await live();
let firstRefusal: string | null = null;
let late = 0;
let refusedAtOnce = 0;
const waiting: Promise<unknown>[] = [first];
for (let i = 0; i < 400_000; i++) {
  const send = producer.send({ topic: "t", value: value.slice() });
  if (firstRefusal !== null) {
    late++;
    send.catch((e) => {
      if (e instanceof QueueFullError) refusedAtOnce++;
    });
    continue;
  }
  send.catch((e) => {
    if (e instanceof QueueFullError) firstRefusal ??= e.message;
  });
  waiting.push(send);
  if (i % 1000 === 999) await new Promise((r) => setTimeout(r, 0));
}
await new Promise((r) => setTimeout(r, 50));
const metrics = producer.metrics();
const liveLoaded = await live();
await producer.close({ timeoutMs: 0 });
await Promise.allSettled(waiting);
console.log(JSON.stringify({
  bufferMemory,
  waitingSends: metrics.waitingSends,
  waitingSendBytes: metrics.waitingSendBytes,
  bufferAvailableBytes: metrics.bufferAvailableBytes,
  late,
  refusedAtOnce,
  firstRefusal,
  liveBefore,
  liveLoaded,
}));
