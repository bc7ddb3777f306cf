/**
 * The one-command comparison: `deno task bench:compare [--quick]`.
 *
 * Starts a fresh single broker (`scripts/kafka.sh up`, on its own port base
 * and run dir), then for each scenario runs every client in interleaved
 * rounds (round 1: A B C …, round 2: A B C …), each run on a fresh topic of
 * 6 partitions, each with a timeout that kills the client's process tree.
 * Peak RSS of every client is measured here, the same way for all (the
 * process tree's RSS from /proc every ~50 ms). Writes every run to
 * `bench/results.jsonl` and the medians to `bench/RESULTS.md`, then stops the
 * broker — also on an error or Ctrl-C.
 *
 * Clients: `java`, `librdkafka`, `franz-go`, `kafkajs`, `platformatic`
 * through `bash bench/peers/run.sh PEER …` (unavailable while that script is
 * missing), ours as `deno run -A bench/perf.ts` and `bun bench/perf.ts`
 * (`deno-pipe`/`bun-pipe`: `--mode pipe`), and `ceiling` (bench/ceiling.ts).
 *
 * Options:
 *   --quick               ~2 minutes: 10× fewer records (L1 20×), 1 round
 *   --rounds N            rounds per scenario (default 3, quick 1)
 *   --scenarios T1,L1     only these (T1 T2 T3 L1 S1, T1-/T2-gzip|snappy|lz4|zstd, C0 C0-T2)
 *   --clients java,deno   only these clients
 *   --port-base P         broker port (default $KAFKA_PORT_BASE or 9092; the controller takes P+1)
 *   --timeout-s S         per-run timeout (default 240, quick 90)
 *   --out-dir DIR         where RESULTS.md and results.jsonl go (default bench/)
 *
 * @module
 */
import { createTopic } from "../tests/support/cluster.ts";
import { parseArgs, randomTopic } from "./support/args.ts";
import { deleteTopic } from "./compare/delete_topics.ts";
import { describeMachine } from "./compare/machine.ts";
import { type ClientResult, renderReport, type RunRecord } from "./compare/report.ts";
import { killCurrent, runChild } from "./compare/run_child.ts";
import { clientIds, PEERS, type Scenario, SCENARIOS } from "./compare/scenarios.ts";

const repo = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
const args = parseArgs(Deno.args);
const quick = args.has("quick");
const rounds = Number(args.get("rounds") ?? (quick ? 1 : 3));
const portBase = Number(args.get("port-base") ?? Deno.env.get("KAFKA_PORT_BASE") ?? 9092);
const timeoutMs = Number(args.get("timeout-s") ?? (quick ? 90 : 240)) * 1000;
const outDir = args.get("out-dir") ?? `${repo}/bench`;
const kafkaVersion = Deno.env.get("KAFKA_VERSION") ?? "4.1.1";
const onlyScenarios = args.get("scenarios")?.split(",");
const onlyClients = args.get("clients")?.split(",");
for (const c of onlyClients ?? []) {
  if (!clientIds().includes(c)) throw new Error(`unknown client ${c}; known: ${clientIds()}`);
}
const scenarios = SCENARIOS
  .filter((s) => onlyScenarios === undefined || onlyScenarios.includes(s.id))
  .map((s) => ({
    ...s,
    title: `${(quick ? s.quickRecords : s.records).toLocaleString("en-US")} × ${
      s.recordSize >= 1000 ? `${s.recordSize / 1000} KB` : `${s.recordSize} B`
    }, ${s.title}`,
    clients: s.clients.filter((c) => onlyClients === undefined || onlyClients.includes(c)),
  }))
  .filter((s) => s.clients.length > 0);
if (scenarios.length === 0) throw new Error("no scenario left to run");
if (!(rounds >= 1)) throw new Error("--rounds must be at least 1");

const bootstrap = `127.0.0.1:${portBase}`;
const brokerEnv = {
  KAFKA_PORT_BASE: String(portBase),
  KAFKA_RUN_DIR: `${repo}/.cache/run-compare-${portBase}`,
};
const logDir = `${repo}/.cache/compare-logs`;
const bun = findBun();
const peerDriver = `${repo}/bench/peers/run.sh`;
const command = `deno task bench:compare ${Deno.args.join(" ")}`.trim();

async function kafka(...cmd: string[]): Promise<void> {
  const out = await new Deno.Command("bash", {
    args: [`${repo}/scripts/kafka.sh`, ...cmd],
    env: brokerEnv,
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`scripts/kafka.sh ${cmd.join(" ")} failed (${out.code})`);
}

let brokerUp = false;
async function stopBroker(): Promise<void> {
  if (!brokerUp) return;
  brokerUp = false;
  await kafka("down").catch((e) => console.error(`stopping the broker: ${e}`));
}

let interrupted = false;
const onSignal = async () => {
  interrupted = true;
  console.error("compare: interrupted; stopping the client and the broker");
  killCurrent();
  await stopBroker();
  Deno.exit(130);
};
Deno.addSignalListener("SIGINT", onSignal);
Deno.addSignalListener("SIGTERM", onSignal);

const runs: RunRecord[] = [];
const unavailable = new Map<string, string>();
const startedAt = Date.now();
try {
  await Deno.mkdir(logDir, { recursive: true });
  await Deno.writeTextFile(`${outDir}/results.jsonl`, "");
  const machine = await describeMachine(bun, kafkaVersion);
  console.error(`compare: starting a broker at ${bootstrap}`);
  brokerUp = true;
  await kafka("up");
  for (const scenario of scenarios) {
    const records = quick ? scenario.quickRecords : scenario.records;
    for (let round = 1; round <= rounds; round++) {
      for (const client of scenario.clients) {
        if (interrupted) break;
        const run = await runOne(scenario, client, round, records);
        runs.push(run);
        await Deno.writeTextFile(`${outDir}/results.jsonl`, JSON.stringify(run) + "\n", {
          append: true,
        });
        const r = run.result;
        console.error(
          `compare: ${scenario.id} round ${round} ${client}: ${run.status}${
            run.status === "ok" && r ? ` ${Math.round(r.recordsPerSec)} records/s` : ""
          }${run.reason ? ` (${run.reason})` : ""}, peak RSS ${run.peakRssMb.toFixed(0)} MiB`,
        );
      }
    }
    await writeReport(machine);
  }
  console.error(
    `compare: done in ${((Date.now() - startedAt) / 1000).toFixed(0)} s; see ${outDir}/RESULTS.md`,
  );
} finally {
  await stopBroker();
  Deno.removeSignalListener("SIGINT", onSignal);
  Deno.removeSignalListener("SIGTERM", onSignal);
}

async function writeReport(machine: string[]): Promise<void> {
  const notes = [
    `${
      quick ? "quick" : "full"
    } run: ${rounds} round(s) per scenario, interleaved; per-run timeout ${
      timeoutMs / 1000
    } s; total ${((Date.now() - startedAt) / 1000).toFixed(0)} s so far`,
    `records per scenario: ${
      scenarios.map((s) =>
        `${s.id} ${(quick ? s.quickRecords : s.records).toLocaleString("en-US")}`
      )
        .join(", ")
    } (--quick: T1/T3/S1/C0 100,000, T2/C0-T2 20,000, L1 1,000)`,
    "each run writes to its own fresh topic (6 partitions, RF 1) so no run reads or extends another's log",
    "ours: deno/bun = bench/perf.ts concurrent send() (blocks like Java when buffer.memory is full); " +
    "-pipe = pipeTo(producer.writable); ceiling = bench/ceiling.ts (latency per request)",
    "raw runs: bench/results.jsonl; client logs: .cache/compare-logs/",
  ];
  const file = `${outDir}/RESULTS.md`;
  await Deno.writeTextFile(file, renderReport({ machine, command, notes }, scenarios, runs));
  // Aligned tables, and `deno fmt --check` (CI) stays clean.
  await new Deno.Command(Deno.execPath(), { args: ["fmt", "-q", file], stderr: "null" }).output()
    .catch(() => {});
}

async function runOne(
  scenario: Scenario,
  client: string,
  round: number,
  records: number,
): Promise<RunRecord> {
  const topic = randomTopic(`cmp-${scenario.id}-${client}-r${round}`).toLowerCase();
  const base = { scenario: scenario.id, client, round, topic, peakRssMb: 0, wallMs: 0 };
  const known = unavailable.get(client);
  if (known !== undefined) return { ...base, status: "unavailable", reason: known };
  if (PEERS.includes(client)) {
    try {
      await Deno.stat(peerDriver);
    } catch {
      unavailable.set(client, "driver not installed (bench/peers/run.sh missing)");
      return { ...base, status: "unavailable", reason: unavailable.get(client) };
    }
  }
  try {
    await createTopic(topic, 6, { bootstrap });
  } catch (error) {
    return { ...base, status: "failed", reason: `creating the topic: ${error}` };
  }
  const flags = [
    "--bootstrap",
    bootstrap,
    "--topic",
    topic,
    "--num-records",
    String(records),
    "--record-size",
    String(scenario.recordSize),
    "--acks",
    scenario.acks,
    "--idempotence",
    String(scenario.idempotence),
    "--linger-ms",
    String(scenario.lingerMs),
    "--batch-size",
    String(scenario.batchSize),
    ...(scenario.compression ? ["--compression-type", scenario.compression] : []),
  ];
  const mode = client.endsWith("-pipe") ? "pipe" : scenario.mode;
  let cmd: string;
  let cmdArgs: string[];
  if (PEERS.includes(client)) {
    cmd = "bash";
    cmdArgs = [peerDriver, client, ...flags, "--mode", mode];
  } else if (client === "ceiling") {
    cmd = Deno.execPath();
    cmdArgs = ["run", "-A", "bench/ceiling.ts", ...flags, "--json"];
  } else if (client.startsWith("bun")) {
    cmd = bun;
    cmdArgs = ["bench/perf.ts", ...flags, "--mode", mode, "--json"];
  } else {
    cmd = Deno.execPath();
    cmdArgs = ["run", "-A", "bench/perf.ts", ...flags, "--mode", mode, "--json"];
  }
  const child = await runChild(cmd, cmdArgs, {
    cwd: repo,
    timeoutMs,
    logFile: `${logDir}/${scenario.id}-${client}-r${round}.log`,
  });
  // Free the disk (a full compare writes several GB); a failure here only costs space.
  await deleteTopic(topic, bootstrap).catch((e) => console.error(`compare: ${e}`));
  const measured = { ...base, peakRssMb: child.peakRssMb, wallMs: child.wallMs };
  if (child.timedOut) {
    return { ...measured, status: "timeout", reason: `killed after ${timeoutMs / 1000} s` };
  }
  let result: ClientResult | undefined;
  try {
    result = JSON.parse(child.lastLine) as ClientResult;
  } catch {
    result = undefined;
  }
  if (child.code === 3 || result?.unavailable !== undefined) {
    const reason = result?.unavailable ?? "exit code 3";
    unavailable.set(client, reason);
    return { ...measured, status: "unavailable", reason, result };
  }
  if (result === undefined || typeof result.recordsPerSec !== "number") {
    return {
      ...measured,
      status: "failed",
      reason: `exit code ${child.code}, no JSON result: ${lastLine(child.stderrTail)}`,
    };
  }
  if (child.code !== 0 || result.acked !== records || result.failed > 0) {
    return {
      ...measured,
      status: "failed",
      reason: `exit code ${child.code}, ${result.acked}/${records} acked, ${result.failed} failed`,
      result,
    };
  }
  return { ...measured, status: "ok", result };
}

function lastLine(text: string): string {
  const lines = text.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  return (lines[lines.length - 1] ?? "").slice(0, 200);
}

/** The pinned Bun from `.tools/` if installed, else `bun` on PATH. */
function findBun(): string {
  const pinned = `${repo}/.tools/node_modules/.bin/bun`;
  try {
    Deno.statSync(pinned);
    return pinned;
  } catch {
    return "bun";
  }
}
