/**
 * The CLI against the library: N lines of S bytes through `kafkats produce`
 * (stdin from a file, as a user runs it) beside `bench/perf.ts --mode pipe`
 * (the same number and size of records through `pipeTo(producer.writable)`
 * in-process), each on a fresh topic, T1's settings (acks=all, idempotent,
 * linger 5 ms, batch 16 KiB, no compression). Prints both rates and their
 * ratio (target: the CLI within 10% of pipeTo).
 *
 * The CLI's rate is its own summary's (from the producer's creation to its
 * close, as perf.ts times itself); its wall time, runtime start included,
 * is shown beside it.
 *
 *   deno run -A bench/cli.ts [--num-records 1000000] [--record-size 100]
 *     [--partitions 6] [--rounds 1] [--runtime deno|bun] [--bootstrap H:P] [--json]
 *
 * @module
 */
import { createTopic } from "../tests/support/cluster.ts";
import { parseArgs, randomTopic } from "./support/args.ts";

const args = parseArgs(Deno.args);
const bootstrap = args.get("bootstrap") ?? "127.0.0.1:9092";
const numRecords = Number(args.get("num-records") ?? 1_000_000);
const recordSize = Number(args.get("record-size") ?? 100);
const partitions = Number(args.get("partitions") ?? 6);
const rounds = Number(args.get("rounds") ?? 1);
const runtime = args.get("runtime") ?? "deno";
if (runtime !== "deno" && runtime !== "bun") throw new Error("--runtime must be deno or bun");
const root = new URL("../", import.meta.url).pathname;
const bun = `${root}.tools/node_modules/.bin/bun`;
const decoder = new TextDecoder();

/** Writes N lines of `recordSize` bytes (a counter, then letters) to a temporary file. */
async function inputFile(): Promise<string> {
  const path = await Deno.makeTempFile({ prefix: "kafkats-cli-bench-", suffix: ".txt" });
  const file = await Deno.open(path, { write: true });
  const line = new Uint8Array(recordSize + 1);
  for (let i = 0; i < recordSize; i++) line[i] = 65 + (i % 26);
  line[recordSize] = 10;
  const chunk = new Uint8Array(line.length * 10_000);
  for (let written = 0; written < numRecords;) {
    const n = Math.min(10_000, numRecords - written);
    for (let j = 0; j < n; j++) {
      const digits = String(written + j).padStart(Math.min(recordSize, 8), "0");
      line.set(new TextEncoder().encode(digits.slice(-recordSize)), 0);
      chunk.set(line, j * line.length);
    }
    let view = chunk.subarray(0, n * line.length);
    while (view.length > 0) view = view.subarray(await file.write(view));
    written += n;
  }
  file.close();
  return path;
}

/** One run of `kafkats produce` with stdin from `input`: its own rate, and its wall time. */
async function cliRun(input: string): Promise<{ recordsPerSec: number; wallS: number }> {
  const topic = randomTopic("cli-bench");
  await createTopic(topic, partitions, { bootstrap });
  const cli = runtime === "deno"
    ? [Deno.execPath(), "run", "-A", `${root}lib/cli/mod.ts`]
    : [bun, `${root}lib/cli/mod.ts`];
  const quoted = [...cli, "produce", "-b", bootstrap, "-t", topic].map((a) => `'${a}'`).join(" ");
  const start = performance.now();
  const out = await new Deno.Command("sh", {
    args: ["-c", `exec ${quoted} < '${input}'`],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const wallS = (performance.now() - start) / 1000;
  const stderr = decoder.decode(out.stderr);
  const rate = /acknowledged \([\d.]+ MiB\) in [\d.]+ s: ([\d,]+) records\/s/.exec(stderr);
  if (!out.success || rate === null) throw new Error(`kafkats failed (${out.code}):\n${stderr}`);
  if (!new RegExp(`^kafkats: ${numRecords.toLocaleString("en-US")} records`).test(stderr)) {
    throw new Error(`kafkats did not acknowledge every record:\n${stderr}`);
  }
  return { recordsPerSec: Number(rate[1].replaceAll(",", "")), wallS };
}

/** One run of perf.ts --mode pipe: records/s. */
async function pipeRun(): Promise<number> {
  const command = runtime === "deno" ? Deno.execPath() : bun;
  const perf = runtime === "deno"
    ? ["run", "-A", `${root}bench/perf.ts`]
    : [`${root}bench/perf.ts`];
  const out = await new Deno.Command(command, {
    args: [
      ...perf,
      "--mode",
      "pipe",
      "--num-records",
      String(numRecords),
      "--record-size",
      String(recordSize),
      "--partitions",
      String(partitions),
      "--bootstrap",
      bootstrap,
      "--json",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(`perf.ts failed:\n${decoder.decode(out.stderr)}`);
  return JSON.parse(decoder.decode(out.stdout).trim().split("\n").at(-1)!).recordsPerSec;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const input = await inputFile();
try {
  const cli: number[] = [];
  const walls: number[] = [];
  const pipe: number[] = [];
  for (let round = 0; round < rounds; round++) {
    pipe.push(await pipeRun());
    const run = await cliRun(input);
    cli.push(run.recordsPerSec);
    walls.push(run.wallS);
  }
  const result = {
    runtime,
    records: numRecords,
    recordSize,
    rounds,
    pipeRecordsPerSec: median(pipe),
    cliRecordsPerSec: median(cli),
    cliWallS: median(walls),
    ratio: median(cli) / median(pipe),
  };
  if (args.has("json")) {
    console.log(JSON.stringify(result));
  } else {
    console.log(
      `${runtime}, ${numRecords} × ${recordSize} B, ${rounds} round(s): pipeTo ${
        result.pipeRecordsPerSec.toFixed(0)
      } records/s, CLI ${result.cliRecordsPerSec.toFixed(0)} records/s (wall ${
        result.cliWallS.toFixed(2)
      } s with the runtime's start): CLI/pipeTo ${result.ratio.toFixed(2)}`,
    );
  }
} finally {
  await Deno.remove(input);
}
