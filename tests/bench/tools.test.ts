/**
 * Smoke tests so the bench tools don't rot: perf.ts (each mode) and
 * ceiling.ts run as subprocesses against the test broker with tiny counts
 * and must print well-formed JSON with every record acknowledged; the
 * comparison's report renders from canned runs. No timing assertions.
 */
import assert from "node:assert/strict";
import { BOOTSTRAP } from "../support/cluster.ts";
import {
  type ClientResult,
  median,
  renderReport,
  type RunRecord,
} from "../../bench/compare/report.ts";

const repo = new URL("../../", import.meta.url).pathname;
const RECORDS = 2000;

/** Runs a bench tool with `--json` (timeout 120 s) and returns its last stdout line parsed. */
async function runTool(script: string, extra: string[]): Promise<ClientResult> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      script,
      "--bootstrap",
      BOOTSTRAP,
      "--num-records",
      String(RECORDS),
      "--record-size",
      "100",
      ...extra,
      "--json",
    ],
    cwd: repo,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
  const out = await child.output();
  clearTimeout(timer);
  const stdout = new TextDecoder().decode(out.stdout);
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, `${script} ${extra.join(" ")} failed:\n${stderr}`);
  const lines = stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]);
}

function assertWellFormed(r: ClientResult, mode: string): void {
  assert.equal(r.mode, mode);
  assert.equal(r.records, RECORDS);
  assert.equal(r.recordSize, 100);
  assert.equal(r.acked, RECORDS);
  assert.equal(r.failed, 0);
  assert.ok(r.recordsPerSec > 0 && Number.isFinite(r.recordsPerSec));
  assert.ok(r.mbPerSec > 0 && Number.isFinite(r.mbPerSec));
  assert.equal(typeof r.client, "string");
  assert.equal(typeof r.runtime, "string");
}

for (const mode of ["send", "sync", "pipe"]) {
  Deno.test(`perf.ts --mode ${mode} acknowledges every record and prints its JSON`, async () => {
    // sync awaits each record: no linger, or every record would wait 5 ms.
    const linger = mode === "sync" ? ["--linger-ms", "0"] : [];
    const r = await runTool("bench/perf.ts", ["--mode", mode, ...linger]);
    assertWellFormed(r, mode);
    assert.equal(r.client, "kafkats");
    if (mode !== "pipe") assert.ok(Number.isFinite(r.p50) && Number.isFinite(r.p99));
  });
}

for (const acks of ["all", "1"]) {
  Deno.test(`ceiling.ts --acks ${acks} replays every record and prints its JSON`, async () => {
    const r = await runTool("bench/ceiling.ts", ["--acks", acks, "--batch-size", "4096"]);
    assertWellFormed(r, "ceiling");
    assert.equal(r.client, "ceiling");
  });
}

Deno.test("compare's report: medians, ratio vs Java, failures and unavailable clients", () => {
  const result = (client: string, recordsPerSec: number): ClientResult => ({
    client,
    runtime: client === "java" ? "jvm 17" : "deno 2.9.6",
    records: 100,
    recordSize: 100,
    acked: 100,
    failed: 0,
    recordsPerSec,
    mbPerSec: recordsPerSec * 100 / 1048576,
    p50: 2,
    p99: 9,
  });
  const run = (client: string, round: number, status: RunRecord["status"], rps = 0): RunRecord => ({
    scenario: "T1",
    client,
    round,
    topic: `t-${client}-${round}`,
    status,
    result: status === "ok" ? result(client, rps) : undefined,
    reason: status === "ok" ? undefined : status === "unavailable" ? "driver not installed" : "x",
    peakRssMb: 100 + round,
    wallMs: 1000,
  });
  const runs = [
    run("java", 1, "ok", 100_000),
    run("java", 2, "ok", 300_000),
    run("java", 3, "ok", 200_000),
    run("deno", 1, "ok", 50_000),
    run("deno", 2, "timeout"),
    run("deno", 3, "ok", 150_000),
    run("kafkajs", 1, "unavailable"),
  ];
  const md = renderReport(
    { machine: ["CPU: test"], command: "deno task bench:compare --quick", notes: ["canned"] },
    [{ id: "T1", title: "canned", clients: ["java", "deno", "kafkajs"] }],
    runs,
  );
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 2, 3]), 2.5);
  assert.ok(Number.isNaN(median([])));
  const rows = md.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| ---"));
  assert.equal(rows.length, 4, md); // header + 3 clients
  assert.match(rows[1], /^\| java \| jvm 17 \| 200,000 \|.*\| 1\.00× \| 3\/3 \|/);
  assert.match(
    rows[2],
    /^\| deno \| deno 2\.9\.6 \| 100,000 \|.*\| 0\.50× \| 2\/3 \| timeout: x \|/,
  );
  assert.match(
    rows[3],
    /^\| kafkajs \| — \| — \|.*\| 0\/1 \| unavailable: driver not installed \|/,
  );
  assert.match(md, /## Unavailable clients\n\n- kafkajs: driver not installed/);
  assert.match(md, /deno task bench:compare --quick/);

  // With a ceiling scenario to divide by, a "vs ceiling" column appears.
  const ceilingRun: RunRecord = {
    ...run("ceiling", 1, "ok", 400_000),
    scenario: "C0",
  };
  const withCeiling = renderReport(
    { machine: [], command: "x", notes: [] },
    [{ id: "T1", title: "canned", clients: ["java", "deno"], ceilingRef: "C0" }],
    [...runs, ceilingRun],
  );
  const javaRow = withCeiling.split("\n").find((l) => l.startsWith("| java "));
  assert.match(javaRow ?? "", /\| 1\.00× \| 0\.50× \| 3\/3 \|/);
});
