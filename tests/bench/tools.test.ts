/**
 * Smoke tests so the bench tools don't rot: perf.ts (each mode, and over
 * SSL and SASL_SSL when the test broker has its secure listeners; compiled
 * for Node and run on Node 24 and Node 20), ceiling.ts and the Java peer's transactional driver
 * (run.sh java --transaction-size) run as subprocesses against the test broker with tiny counts
 * and must print well-formed JSON with every record acknowledged; perf.ts's
 * security flags are checked; the comparison's report renders from canned
 * runs. No timing assertions.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { BOOTSTRAP, createTopic, readBack, uniqueTopic } from "../support/cluster.ts";
import { securityFromArgs } from "../../bench/support/security.ts";
import { Producer } from "../../mod.ts";
import { parseArgs } from "../../bench/support/args.ts";
import { buildPerfForNode } from "../../bench/support/node_build.ts";
import {
  type ClientResult,
  median,
  renderReadmeTables,
  renderReport,
  type RunRecord,
} from "../../bench/compare/report.ts";
import { findGnuTime, parseMaxRssKib, wrapInTime } from "../../bench/compare/gnu_time.ts";

const repo = new URL("../../", import.meta.url).pathname;
const RECORDS = 2000;

/**
 * Runs a bench tool with `--json` (timeout 120 s) and returns its last stdout
 * line parsed; on Deno, or with `runtime` (a Node binary) a compiled script.
 */
async function runTool(
  script: string,
  extra: string[],
  bootstrap = BOOTSTRAP,
  runtime?: string,
): Promise<ClientResult> {
  const child = new Deno.Command(runtime ?? Deno.execPath(), {
    args: [
      ...(runtime === undefined ? ["run", "-A"] : []),
      script,
      "--bootstrap",
      bootstrap,
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

Deno.test({
  name: "perf.ts --transaction-size commits every record in transactions of N",
  // Until the producer has Java's transaction API, there is nothing to run.
  ignore: !("initTransactions" in Producer.prototype),
  fn: async () => {
    const topic = uniqueTopic("txn-perf-ours");
    await createTopic(topic, 6);
    const r = await runTool("bench/perf.ts", ["--topic", topic, "--transaction-size", "500"]) as
      & ClientResult
      & { transactionSize: number; transactions: number };
    assertWellFormed(r, "send");
    assert.equal(r.transactionSize, 500);
    assert.equal(r.transactions, RECORDS / 500);
    assert.equal((await readBack(topic, RECORDS, { isolation: "read_committed" })).length, RECORDS);
  },
});

Deno.test("perf.ts compiled for Node runs on Node 24 and Node 20 (send and pipe)", async () => {
  const out = await Deno.makeTempDir({ prefix: "perf-node-" });
  try {
    const perf = await buildPerfForNode(out);
    const node24 = await new Deno.Command("bash", {
      args: [`${repo}/scripts/tools.sh`, "node24"],
      stdout: "piped",
    }).output();
    assert.ok(node24.success, "scripts/tools.sh node24 failed");
    const runtimes = [new TextDecoder().decode(node24.stdout).trim().split("\n").pop()!, "node"];
    for (const node of runtimes) {
      for (const mode of ["send", "pipe"]) {
        const r = await runTool(perf, ["--mode", mode], BOOTSTRAP, node);
        assertWellFormed(r, mode);
        assert.match(r.runtime ?? "", /^node \d+\./);
      }
    }
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

// The secure listeners of `kafka.sh up --secure`, as file paths (perf.ts reads the files).
const secureInfo = Deno.env.get("KAFKA_SECURE_INFO") ?? `${repo}.cache/run/secure/secure.json`;
const secure = existsSync(secureInfo) ? JSON.parse(readFileSync(secureInfo, "utf8")) : null;
for (
  const [protocol, flags] of [
    ["SSL", ["--cert", secure?.clientCert, "--key", secure?.clientKey]],
    [
      "SASL_SSL",
      [
        "--sasl-mechanism",
        "SCRAM-SHA-512",
        "--sasl-username",
        secure?.username,
        "--sasl-password",
        secure?.password,
      ],
    ],
  ] as const
) {
  Deno.test({
    name: `perf.ts --security-protocol ${protocol} connects securely and acknowledges every record`,
    ignore: secure === null,
    fn: async () => {
      const bootstrap = protocol === "SSL" ? secure.ssl : secure.saslSsl;
      // No --topic: perf.ts creates it through the same secure listener.
      const r = await runTool(
        "bench/perf.ts",
        ["--security-protocol", protocol, "--ca", secure.ca, ...flags],
        bootstrap,
      );
      assertWellFormed(r, "send");
      assert.match(r.securityProtocol ?? "", new RegExp(`^${protocol}`));
    },
  });
}

Deno.test("perf.ts's security flags: protocols, files, and what goes together", () => {
  const files: Record<string, string> = { "ca.pem": "CA", "c.pem": "CERT", "c.key": "KEY" };
  const read = (path: string) => {
    if (!(path in files)) throw new Error("ENOENT");
    return files[path];
  };
  const parse = (argv: string[]) => securityFromArgs(parseArgs(argv), read);
  assert.deepEqual(parse([]), { protocol: "PLAINTEXT", description: "PLAINTEXT" });
  assert.equal(parse(["--security-protocol", "ssl"]).tls, true);
  assert.deepEqual(
    parse(["--security-protocol", "SSL", "--ca", "ca.pem", "--cert", "c.pem", "--key", "c.key"]),
    {
      protocol: "SSL",
      tls: { ca: "CA", cert: "CERT", key: "KEY" },
      description: "SSL (client certificate)",
    },
  );
  const scram = parse([
    "--security-protocol",
    "SASL_SSL",
    "--ca",
    "ca.pem",
    "--sasl-mechanism",
    "SCRAM-SHA-512",
    "--sasl-username",
    "u",
    "--sasl-password",
    "p",
  ]);
  assert.deepEqual(scram.sasl, { mechanism: "SCRAM-SHA-512", username: "u", password: "p" });
  assert.equal(scram.description, "SASL_SSL SCRAM-SHA-512");
  const oauth = parse([
    "--security-protocol=SASL_PLAINTEXT",
    "--sasl-mechanism=OAUTHBEARER",
    "--sasl-token=t",
  ]);
  assert.equal(oauth.tls, undefined);
  assert.equal(oauth.sasl?.mechanism, "OAUTHBEARER");
  assert.throws(() => parse(["--security-protocol", "TLS"]), /must be one of/);
  assert.throws(() => parse(["--ca", "ca.pem"]), /--ca needs --security-protocol SSL/);
  assert.throws(
    () => parse(["--security-protocol", "SSL", "--sasl-mechanism", "PLAIN"]),
    /--sasl-mechanism needs --security-protocol SASL_/,
  );
  assert.throws(() => parse(["--security-protocol", "SSL", "--cert", "c.pem"]), /go together/);
  assert.throws(() => parse(["--security-protocol", "SSL", "--ca", "nope.pem"]), /--ca nope\.pem/);
  assert.throws(() => parse(["--security-protocol", "SASL_SSL"]), /needs --sasl-mechanism/);
  assert.throws(
    () => parse(["--security-protocol", "SASL_SSL", "--sasl-mechanism", "PLAIN"]),
    /needs --sasl-username and --sasl-password/,
  );
});

/** `bash bench/peers/run.sh ARGS…` (timeout 120 s): exit code, last stdout line, stderr. */
async function runPeer(args: string[]): Promise<{ code: number; last: string; stderr: string }> {
  const child = new Deno.Command("bash", {
    args: ["bench/peers/run.sh", ...args],
    cwd: repo,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
  const out = await child.output();
  clearTimeout(timer);
  const lines = new TextDecoder().decode(out.stdout).trim().split("\n");
  return {
    code: out.code,
    last: lines[lines.length - 1],
    stderr: new TextDecoder().decode(out.stderr),
  };
}

Deno.test("run.sh java --transaction-size (TxnPerf.java) commits every record in transactions of N", async () => {
  const topic = uniqueTopic("txn-perf-java");
  await createTopic(topic, 6);
  const common = [
    "--bootstrap",
    BOOTSTRAP,
    "--topic",
    topic,
    "--num-records",
    String(RECORDS),
    "--record-size",
    "100",
    "--acks",
    "all",
    "--idempotence",
    "true",
    "--linger-ms",
    "5",
    "--batch-size",
    "16384",
    "--mode",
    "send",
  ];
  const run = await runPeer(["java", ...common, "--transaction-size", "500"]);
  assert.equal(run.code, 0, run.stderr);
  const r = JSON.parse(run.last) as ClientResult & {
    transactionSize: number;
    transactions: number;
  };
  assertWellFormed(r, "send");
  assert.equal(r.client, "java");
  assert.equal(r.transactionSize, 500);
  assert.equal(r.transactions, RECORDS / 500);
  assert.equal((await readBack(topic, RECORDS, { isolation: "read_committed" })).length, RECORDS);
  // Java only, and only where every client takes transactions.
  const kafkajs = await runPeer(["kafkajs", ...common, "--transaction-size", "500"]);
  assert.equal(kafkajs.code, 3);
  assert.match(JSON.parse(kafkajs.last).unavailable, /transaction-size/);
  const idempotence = common.map((a, i) => common[i - 1] === "--idempotence" ? "false" : a);
  assert.equal((await runPeer(["java", ...idempotence, "--transaction-size", "500"])).code, 2);
});

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
    maxRssMb: 100 + round,
    treeRssMb: 110 + round,
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
  assert.match(rows[0], /\| peak RSS MiB \(time\) \| tree RSS MiB \(\/proc\) \| vs Java \|/);
  assert.match(rows[1], /^\| java \| jvm 17 \| 200,000 \|.*\| 102 \| 112 \| 1\.00× \| 3\/3 \|/);
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

  // A security scenario divides by the same client's plaintext median too.
  const secured = [
    { ...run("java", 1, "ok", 150_000), scenario: "T1-ssl" },
    { ...run("deno", 1, "ok", 80_000), scenario: "T1-ssl" },
  ];
  const withPlaintext = renderReport(
    { machine: [], command: "x", notes: [] },
    [{ id: "T1-ssl", title: "canned", clients: ["java", "deno"], plaintextRef: "T1" }],
    [...runs, ...secured],
  );
  assert.match(withPlaintext, /\| vs Java \| vs own T1 \(plaintext\) \| runs ok\/total \|/);
  const sslRows = withPlaintext.split("\n").filter((l) => /^\| (java|deno) /.test(l));
  assert.match(sslRows[0], /\| 150,000 \|.*\| 1\.00× \| 0\.75× \| 1\/1 \|/); // 150k / 200k
  assert.match(sslRows[1], /\| 80,000 \|.*\| 0\.53× \| 0\.80× \| 1\/1 \|/); // 80k / 100k
  assert.match(withPlaintext, /the same client's median in T1/);
});

Deno.test("compare's README table: ratios to Java, L1 latency, S1 pipe, peak RSS for T1 and S1", () => {
  const run = (
    scenario: string,
    client: string,
    recordsPerSec: number,
    maxRssMb: number | null,
    p50 = 800,
  ): RunRecord => ({
    scenario,
    client,
    round: 1,
    topic: "t",
    status: "ok",
    result: {
      client,
      records: 100,
      recordSize: 100,
      acked: 100,
      failed: 0,
      recordsPerSec,
      mbPerSec: 1,
      p50,
      p99: 2 * p50,
    },
    maxRssMb,
    treeRssMb: (maxRssMb ?? 0) + 10,
    wallMs: 1000,
  });
  const runs = [
    run("T1", "java", 200_000, 320),
    run("T1", "deno", 210_000, 780),
    run("T1", "bun", 300_000, 400),
    run("L1", "java", 3_000, 300, 0.3),
    run("L1", "deno", 4_500, 100, 0.25),
    run("S1", "deno", 250_000, 700),
    run("S1", "deno-pipe", 150_000, 350),
    run("S1", "bun", 300_000, null),
    run("S1", "bun-pipe", 280_000, 500),
  ];
  const md = renderReadmeTables(runs, [
    { id: "T1", title: "t", readmeLabel: "T1 1M × 100 B, x", clients: ["java", "deno", "bun"] },
    { id: "L1", title: "l", readmeLabel: "L1 1k × 100 B, y", clients: ["java", "deno"] },
    {
      id: "S1",
      title: "s",
      readmeLabel: "S1 z",
      clients: ["deno", "deno-pipe", "bun", "bun-pipe"],
      javaRef: "T1",
    },
  ]);
  const rows = md.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| ---"));
  assert.match(rows[0], /^\| scenario \| Java \| ours, Deno \| ours, Bun \| librdkafka¹ \|/);
  assert.equal(
    rows[1],
    "| T1 1M × 100 B, x | 200,000 | 210,000 1.05× | 300,000 1.50× |  |  |  |  |",
  );
  assert.equal(rows[2], "| L1 1k × 100 B, y | 0.3/0.6 | 0.3/0.5, 1.50× |  |  |  |  |  |");
  assert.equal(rows[3], "| S1 z |  | 150,000 0.75× | 280,000 1.40× |  |  |  |  |");
  assert.equal(rows[5], "| T1 1M × 100 B, x | 320 | 780 | 400 |  |  |  |  |");
  // Bun's send run has no time figure: its cell says so, and no ratio.
  assert.equal(
    rows[6],
    "| S1 send / pipeTo (pipe ÷ send) |  | 700 / 350 (0.50×) | — / 500 |  |  |  |  |",
  );
  assert.equal(renderReadmeTables(runs, [{ id: "T2-gzip", title: "x", clients: ["java"] }]), "");
});

Deno.test("compare's GNU time: %M parsed from its -o file, a missing time noted, not fatal", async () => {
  assert.equal(
    parseMaxRssKib("Command exited with non-zero status 3\ncompare-max-rss-kib=3180\n"),
    3180,
  );
  assert.equal(parseMaxRssKib(""), null);
  assert.deepEqual(wrapInTime("/usr/bin/time", "/tmp/f", "bash", ["run.sh", "java"]), {
    cmd: "/usr/bin/time",
    args: ["-f", "compare-max-rss-kib=%M", "-o", "/tmp/f", "bash", "run.sh", "java"],
  });
  let installs = 0;
  const missing = await findGnuTime("/nonexistent/time", () => {
    installs++;
    return Promise.resolve("no apt here");
  });
  assert.equal(installs, 1);
  assert.equal(missing.path, undefined);
  assert.match(missing.note ?? "", /unavailable: no apt here/);
});
