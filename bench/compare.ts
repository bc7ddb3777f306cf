/**
 * The one-command comparison: `deno task bench:compare [--quick]`.
 *
 * Starts a fresh single broker (`scripts/kafka.sh up`, on its own port base
 * and run dir), then for each scenario runs every client in interleaved
 * rounds (round 1: A B C …, round 2: A B C …), each run on a fresh topic of
 * 6 partitions, each with a timeout that kills the client's process tree.
 * Memory of every client is measured here, the same way for all, twice:
 * each client's command runs under GNU time, `/usr/bin/time -f
 * compare-max-rss-kib=%M -o .cache/compare-time-<port base>/<scenario>-<client>-r<round>.txt`,
 * whose `%M` is the headline "peak RSS MiB (time)" (`maxRssMb` in
 * results.jsonl): the peak RSS of the largest single process among the
 * command and the descendants it waited for, not a sum — ours, franz-go,
 * librdkafka (Python) and the Node peers are one process; for
 * `bash bench/peers/run.sh java` it is the JVM, as `scripts/kafka.sh java`
 * `exec`s it (the largest of run.sh's JVMs: TopicCommand's check,
 * ProducerPerformance, `java -version`); see bench/compare/gnu_time.ts.
 * Beside it, "tree RSS MiB (/proc)" (`treeRssMb`): the peak of the whole
 * process tree's summed RSS polled from /proc every ~50 ms (time itself not
 * counted). Without /usr/bin/time, the Debian package `time` is installed
 * (`apt-get install -y time`, through `sudo -n` when not root); if that fails
 * the time column is "—" with a note, and the run goes on. Writes every run
 * to `bench/results.jsonl` and the medians to `bench/RESULTS.md` (with a
 * "README table" section in the shape of README.md's Performance table:
 * T1 T2 T3 L1 S1 C0 against Java, and peak RSS for T1 and S1), then stops
 * the broker — also on an error or Ctrl-C.
 *
 * Clients: `java`, `librdkafka`, `franz-go`, `kafkajs`, `platformatic`
 * through `bash bench/peers/run.sh PEER …` (unavailable while that script is
 * missing), ours as `deno run -A bench/perf.ts` and `bun bench/perf.ts`
 * (`deno-pipe`/`bun-pipe`: `--mode pipe`; `-pipe100`: pipe mode with arrays
 * of 100 records; `deno-4m`/`bun-4m`: send mode with a 4 MiB bufferMemory),
 * ours on Node (`node`/`node-pipe`
 * on the pinned Node 24 of `scripts/tools.sh node24`, `node20`/`node20-pipe`
 * on the machine's `node`; perf.ts compiled by the npm package's compiler,
 * bench/support/node_build.ts, into `.cache/compare-perf-node-<port base>`),
 * and `ceiling` (bench/ceiling.ts). kafkajs and platformatic run on that same
 * Node 24 binary (`PEERS_NODE` for run.sh), so the three compare on one Node.
 *
 * Security scenarios (`T1-ssl`: mTLS on the SSL listener, `T1-sasl_ssl`:
 * SCRAM-SHA-512 on the SASL_SSL listener; java, deno, bun): when one is
 * chosen the broker is started with `kafka.sh up --secure` (listeners on the
 * port base + 10 and + 11, `<run dir>/secure/secure.json`). Ours get
 * perf.ts's `--security-protocol`, `--ca`, `--cert`/`--key` and `--sasl-*`
 * flags with the PEM files; Java's ProducerPerformance a properties file
 * (`--producer.config`) with the PKCS12 truststore of secure.json, for SSL a
 * PKCS12 keystore of the client certificate and key made here with
 * `openssl pkcs12 -export`, for SASL_SSL `sasl.mechanism` and a
 * ScramLoginModule `sasl.jaas.config`. Topics are created and deleted
 * through the plaintext listener. A security scenario runs interleaved with
 * its plaintext reference when that is chosen too (round 1: T1 T1-ssl
 * T1-sasl_ssl, round 2: …), and its table divides by it ("vs own T1").
 *
 * Transactional scenario (`X1`: java, deno, bun): `--transaction-size N`
 * for `bench/peers/run.sh java` (bench/peers/java/TxnPerf.java) and for
 * perf.ts; each run uses its own random transactional id.
 *
 * Options:
 *   --quick               ~2 minutes: 10× fewer records (L1 20×), 1 round
 *   --rounds N            rounds per scenario (default 3, quick 1)
 *   --scenarios T1,L1     only these (T1 T2 T3 L1 S1, T1-/T2-gzip|snappy|lz4|zstd, T1-ssl,
 *                         T1-sasl_ssl, X1, C0 C0-T2)
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
import { buildPerfForNode } from "./support/node_build.ts";
import { describeMachine } from "./compare/machine.ts";
import { findGnuTime, type GnuTime } from "./compare/gnu_time.ts";
import { type ClientResult, renderReport, type RunRecord } from "./compare/report.ts";
import { killCurrent, runChild } from "./compare/run_child.ts";
import {
  clientIds,
  PEERS,
  SASL_MECHANISM,
  type Scenario,
  SCENARIOS,
  SECURE_PORT_OFFSETS,
} from "./compare/scenarios.ts";

const repo = new URL("../", import.meta.url).pathname.replace(/\/$/, "");
const args = parseArgs(Deno.args);
const quick = args.has("quick");
const rounds = Number(args.get("rounds") ?? (quick ? 1 : 3));
const portBase = Number(args.get("port-base") ?? Deno.env.get("KAFKA_PORT_BASE") ?? 9092);
const timeoutMs = Number(args.get("timeout-s") ?? (quick ? 90 : 240)) * 1000;
const outDir = args.get("out-dir") ?? `${repo}/bench`;
const kafkaVersion = Deno.env.get("KAFKA_VERSION") ?? "4.4.0";
const onlyScenarios = args.get("scenarios")?.split(",");
const onlyClients = args.get("clients")?.split(",");
for (const c of onlyClients ?? []) {
  if (!clientIds().includes(c)) throw new Error(`unknown client ${c}; known: ${clientIds()}`);
}
for (const id of onlyScenarios ?? []) {
  if (!SCENARIOS.some((s) => s.id === id)) {
    throw new Error(`unknown scenario ${id}; known: ${SCENARIOS.map((s) => s.id)}`);
  }
}
const scenarios = SCENARIOS
  .filter((s) => onlyScenarios === undefined || onlyScenarios.includes(s.id))
  .map((s) => ({
    ...s,
    title: `${(quick ? s.quickRecords : s.records).toLocaleString("en-US")} × ${
      sizeText(s.recordSize)
    }, ${s.title}`,
    readmeLabel: s.readme === undefined
      ? undefined
      : `${s.id} ${countText(quick ? s.quickRecords : s.records)} × ${
        sizeText(s.recordSize)
      }, ${s.readme}`,
    clients: s.clients.filter((c) => onlyClients === undefined || onlyClients.includes(c)),
  }))
  .filter((s) => s.clients.length > 0);
if (scenarios.length === 0) throw new Error("no scenario left to run");
if (!(rounds >= 1)) throw new Error("--rounds must be at least 1");

function sizeText(bytes: number): string {
  return bytes >= 1000 ? `${bytes / 1000} KB` : `${bytes} B`;
}
/** 1,000,000 → 1M, 200,000 → 200k. */
function countText(n: number): string {
  return n >= 1e6 && n % 1e6 === 0
    ? `${n / 1e6}M`
    : n >= 1000 && n % 1000 === 0
    ? `${n / 1000}k`
    : n.toLocaleString("en-US");
}

const bootstrap = `127.0.0.1:${portBase}`;
const runDir = `${repo}/.cache/run-compare-${portBase}`;
const brokerEnv = {
  KAFKA_PORT_BASE: String(portBase),
  KAFKA_RUN_DIR: runDir,
  // Kafka's default (no KIP-368 re-authentication), not kafka.sh's 4 s test setting.
  KAFKA_REAUTH_MS: Deno.env.get("KAFKA_REAUTH_MS") ?? "0",
};
const secureBroker = scenarios.some((s) => s.security !== undefined);
// Scenarios that run round by round together: a security scenario joins its
// plaintext reference when that runs too, so the "vs own T1" ratio compares
// runs of the same moments of a noisy machine.
const groups: (typeof scenarios)[] = [];
for (const s of scenarios) {
  const ref = s.plaintextRef === undefined
    ? undefined
    : groups.find((g) => g.some((o) => o.id === s.plaintextRef));
  if (ref) ref.push(s);
  else groups.push([s]);
}
const logDir = `${repo}/.cache/compare-logs`;
/** GNU time's `-o` files, one per run; per port base (`kafka.sh up` empties runDir, so not in it). */
const timeDir = `${repo}/.cache/compare-time-${portBase}`;
const bun = findBun();
const peerDriver = `${repo}/bench/peers/run.sh`;
const command = `deno task bench:compare ${Deno.args.join(" ")}`.trim();
/**
 * perf.ts flags of our clients' variants: `-pipe100` writes arrays of 100
 * records, `-4m` gives the producer a 4 MiB `bufferMemory` (Java's default is
 * 32 MiB).
 */
function variantFlags(client: string): string[] {
  if (client.endsWith("-pipe100")) return ["--pipe-chunk", "100"];
  if (client.endsWith("-4m")) return ["--buffer-memory", String(4 * 1048576)];
  return [];
}

/** Clients that run on the pinned Node 24: ours (`node`, `node-pipe`) and the Node peers. */
const NODE24_CLIENTS = ["node", "node-pipe", "kafkajs", "platformatic"];
const chosen = new Set(scenarios.flatMap((s) => s.clients));
/** The pinned Node 24, or why not; resolved (installed if needed) when a Node 24 client runs. */
const node24 = NODE24_CLIENTS.some((c) => chosen.has(c)) ? await findNode24() : null;
/** GNU time to wrap every client in, or why not (resolved, installed if need be, before the runs). */
let gnuTime: GnuTime = {};
/** perf.ts compiled for Node (`path`), or why it could not be (`error`). */
const perfForNode: { path?: string; error?: string } = {};

async function kafka(...cmd: string[]): Promise<void> {
  const out = await new Deno.Command("bash", {
    args: [`${repo}/scripts/kafka.sh`, ...cmd],
    env: brokerEnv,
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`scripts/kafka.sh ${cmd.join(" ")} failed (${out.code})`);
}

/** How every client connects to one secure listener. */
interface SecureClientConfig {
  /** The listener, `127.0.0.1:PORT`. */
  bootstrap: string;
  /** perf.ts flags. */
  perfFlags: string[];
  /** Properties file for Java's ProducerPerformance (`--producer.config`). */
  javaConfig: string;
}
let secure: Record<"SSL" | "SASL_SSL", SecureClientConfig> | null = null;

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
  await Deno.mkdir(outDir, { recursive: true });
  await Deno.writeTextFile(`${outDir}/results.jsonl`, "");
  const machine = await describeMachine(bun, kafkaVersion, node24?.path);
  gnuTime = await findGnuTime();
  if (gnuTime.note) console.error(`compare: ${gnuTime.note}`);
  await Deno.mkdir(timeDir, { recursive: true });
  await preparePerfForNode();
  console.error(`compare: starting a broker at ${bootstrap}`);
  brokerUp = true;
  await kafka("up", ...(secureBroker ? ["--secure"] : []));
  if (secureBroker) secure = await secureClientConfigs();
  for (const group of groups) {
    for (let round = 1; round <= rounds; round++) {
      for (const scenario of group) {
        const records = quick ? scenario.quickRecords : scenario.records;
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
            }${run.reason ? ` (${run.reason})` : ""}, peak RSS ${
              run.maxRssMb === null ? "—" : run.maxRssMb.toFixed(0)
            } MiB (time), tree ${run.treeRssMb.toFixed(0)} MiB (/proc)`,
          );
        }
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
    } (--quick: T1/T3/S1/X1/C0 100,000, T2/C0-T2 20,000, L1 1,000)`,
    "each run writes to its own fresh topic (6 partitions, RF 1) so no run reads or extends another's log",
    "ours: deno/bun/node = bench/perf.ts concurrent send() (blocks like Java when buffer.memory is full); " +
    "-pipe = pipeTo(producer.writable); ceiling = bench/ceiling.ts (latency per request)",
    ...(scenarios.some((s) => s.transactionSize !== undefined)
      ? [
        "transactions (X1): java = bench/peers/java/TxnPerf.java (KafkaProducer: initTransactions, then begin, N send(), commitTransaction); " +
        "ours = perf.ts --transaction-size (the same calls); the clock starts after initTransactions; a record's latency is send → its Produce acknowledgement",
      ]
      : []),
    ...([...chosen].some((c) => c.startsWith("node") || c === "kafkajs" || c === "platformatic")
      ? [
        `ours on Node: bench/perf.ts compiled with the npm package's tsc and options (bench/support/node_build.ts; lib/ as in the npm package); node = ${
          node24?.path
            ? `the pinned Node 24 (${node24.path.slice(repo.length + 1)})`
            : "Node 24 unavailable"
        }, node20 = the machine's \`node\`; kafkajs and platformatic run on ${
          node24?.path ? "that same Node 24 binary (run.sh's PEERS_NODE)" : "run.sh's default Node"
        }`,
      ]
      : []),
    "raw runs: bench/results.jsonl; client logs: .cache/compare-logs/",
    gnuTime.path
      ? `peak RSS (time): every client's command under \`${gnuTime.path} -f compare-max-rss-kib=%M -o FILE\` (GNU time${
        gnuTime.note ? `, ${gnuTime.note}` : ""
      }); results.jsonl: maxRssMb (time), treeRssMb (/proc)`
      : `peak RSS (time): — (${
        gnuTime.note ?? "GNU time unavailable"
      }); results.jsonl: maxRssMb null, treeRssMb (/proc)`,
    ...(secureBroker
      ? [
        `security scenarios: broker started with \`kafka.sh up --secure\` (connections.max.reauth.ms=${brokerEnv.KAFKA_REAUTH_MS}); T1-ssl on SSL (port base + ${SECURE_PORT_OFFSETS.SSL}, client certificate required), T1-sasl_ssl on SASL_SSL (+ ${SECURE_PORT_OFFSETS.SASL_SSL}, ${SASL_MECHANISM}, server-verified TLS); the same RSA-2048 test CA and certificates for every client; ` +
        "ours: perf.ts --security-protocol with PEM files; Java: ProducerPerformance --producer.config with PKCS12 trust/key stores; " +
        "each runs interleaved with T1 (round by round) when T1 is chosen",
      ]
      : []),
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
  const base = {
    scenario: scenario.id,
    client,
    round,
    topic,
    maxRssMb: null,
    treeRssMb: 0,
    wallMs: 0,
  };
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
  const listener = scenario.security === undefined ? null : secure?.[scenario.security];
  if (listener === undefined) throw new Error(`no secure broker for ${scenario.id}`);
  const flags = [
    "--bootstrap",
    listener?.bootstrap ?? bootstrap,
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
    ...(scenario.transactionSize ? ["--transaction-size", String(scenario.transactionSize)] : []),
  ];
  const mode = client.includes("-pipe") ? "pipe" : scenario.mode;
  let cmd: string;
  let cmdArgs: string[];
  const perfFlags = [...(listener?.perfFlags ?? []), ...variantFlags(client)];
  const env: Record<string, string> = {};
  if (PEERS.includes(client)) {
    if ((client === "kafkajs" || client === "platformatic") && node24?.path) {
      env.PEERS_NODE = node24.path;
    }
    cmd = "bash";
    cmdArgs = [
      peerDriver,
      client,
      ...flags,
      "--mode",
      mode,
      ...(listener ? ["--producer-config", listener.javaConfig] : []),
    ];
  } else if (client === "ceiling") {
    if (listener) throw new Error(`ceiling.ts has no security flags (${scenario.id})`);
    cmd = Deno.execPath();
    cmdArgs = ["run", "-A", "bench/ceiling.ts", ...flags, "--json"];
  } else if (client.startsWith("node")) {
    const why = client.startsWith("node20")
      ? perfForNode.error
      : node24?.error ?? perfForNode.error;
    if (why !== undefined || perfForNode.path === undefined) {
      unavailable.set(client, why ?? "perf.ts not compiled for Node");
      await deleteTopic(topic, bootstrap).catch((e) => console.error(`compare: ${e}`));
      return { ...base, status: "unavailable", reason: unavailable.get(client) };
    }
    cmd = client.startsWith("node20") ? "node" : node24!.path!;
    cmdArgs = [perfForNode.path, ...flags, ...perfFlags, "--mode", mode, "--json"];
  } else if (client.startsWith("bun")) {
    cmd = bun;
    cmdArgs = ["bench/perf.ts", ...flags, ...perfFlags, "--mode", mode, "--json"];
  } else {
    cmd = Deno.execPath();
    cmdArgs = ["run", "-A", "bench/perf.ts", ...flags, ...perfFlags, "--mode", mode, "--json"];
  }
  const child = await runChild(cmd, cmdArgs, {
    cwd: repo,
    env,
    timeoutMs,
    logFile: `${logDir}/${scenario.id}-${client}-r${round}.log`,
    time: gnuTime.path === undefined
      ? undefined
      : { path: gnuTime.path, file: `${timeDir}/${scenario.id}-${client}-r${round}.txt` },
  });
  // Free the disk (a full compare writes several GB); a failure here only costs space.
  await deleteTopic(topic, bootstrap).catch((e) => console.error(`compare: ${e}`));
  const measured = {
    ...base,
    maxRssMb: child.maxRssMb,
    treeRssMb: child.treeRssMb,
    wallMs: child.wallMs,
  };
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

/**
 * Reads the secure broker's `secure.json`, checks its listeners are on this
 * port base, and writes what Java needs into the run dir: a PKCS12 keystore
 * of the client certificate and key (`openssl pkcs12 -export`, the store
 * password of secure.json) and one properties file per protocol.
 */
async function secureClientConfigs(): Promise<Record<"SSL" | "SASL_SSL", SecureClientConfig>> {
  const info = JSON.parse(await Deno.readTextFile(`${runDir}/secure/secure.json`)) as Record<
    string,
    string
  >;
  const ssl = `127.0.0.1:${portBase + SECURE_PORT_OFFSETS.SSL}`;
  const saslSsl = `127.0.0.1:${portBase + SECURE_PORT_OFFSETS.SASL_SSL}`;
  if (info.ssl !== ssl || info.saslSsl !== saslSsl) {
    throw new Error(
      `${runDir}/secure/secure.json lists SSL ${info.ssl}, SASL_SSL ${info.saslSsl}; expected ${ssl}, ${saslSsl}`,
    );
  }
  const dir = `${runDir}/compare-clients`;
  await Deno.mkdir(dir, { recursive: true });
  const keystore = `${dir}/client.p12`;
  const pkcs12 = await new Deno.Command("openssl", {
    args: [
      "pkcs12",
      "-export",
      "-in",
      info.clientCert,
      "-inkey",
      info.clientKey,
      "-certfile",
      info.ca,
      "-name",
      "client",
      "-out",
      keystore,
      "-passout",
      "env:COMPARE_KEYSTORE_PASSWORD",
    ],
    env: { COMPARE_KEYSTORE_PASSWORD: info.storePassword },
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!pkcs12.success) {
    throw new Error(
      `openssl pkcs12 -export failed: ${new TextDecoder().decode(pkcs12.stderr).trim()}`,
    );
  }
  const trust = [
    "ssl.truststore.type=PKCS12",
    `ssl.truststore.location=${info.truststore}`,
    `ssl.truststore.password=${info.storePassword}`,
  ];
  const javaSsl = `${dir}/java-ssl.properties`;
  await Deno.writeTextFile(
    javaSsl,
    [
      "security.protocol=SSL",
      ...trust,
      "ssl.keystore.type=PKCS12",
      `ssl.keystore.location=${keystore}`,
      `ssl.keystore.password=${info.storePassword}`,
      `ssl.key.password=${info.storePassword}`,
      "",
    ].join("\n"),
  );
  const javaSaslSsl = `${dir}/java-sasl_ssl.properties`;
  const jaasValue = (v: string) => {
    // Quoting for JAAS inside a properties file (two escaping layers): not needed for the test user.
    if (/["\\\n]/.test(v)) throw new Error("a SASL credential with a quote or backslash");
    return `"${v}"`;
  };
  await Deno.writeTextFile(
    javaSaslSsl,
    [
      "security.protocol=SASL_SSL",
      ...trust,
      `sasl.mechanism=${SASL_MECHANISM}`,
      `sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=${
        jaasValue(info.username)
      } password=${jaasValue(info.password)};`,
      "",
    ].join("\n"),
  );
  return {
    SSL: {
      bootstrap: ssl,
      perfFlags: [
        "--security-protocol",
        "SSL",
        "--ca",
        info.ca,
        "--cert",
        info.clientCert,
        "--key",
        info.clientKey,
      ],
      javaConfig: javaSsl,
    },
    SASL_SSL: {
      bootstrap: saslSsl,
      perfFlags: [
        "--security-protocol",
        "SASL_SSL",
        "--ca",
        info.ca,
        "--sasl-mechanism",
        SASL_MECHANISM,
        "--sasl-username",
        info.username,
        "--sasl-password",
        info.password,
      ],
      javaConfig: javaSaslSsl,
    },
  };
}

function lastLine(text: string): string {
  const lines = text.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  return (lines[lines.length - 1] ?? "").slice(0, 200);
}

/** Compiles perf.ts for Node when a Node client is chosen (once, before the first run). */
async function preparePerfForNode(): Promise<void> {
  if (![...chosen].some((c) => c.startsWith("node"))) return;
  try {
    // Not in runDir: `kafka.sh up` empties that.
    perfForNode.path = await buildPerfForNode(`${repo}/.cache/compare-perf-node-${portBase}`);
  } catch (error) {
    perfForNode.error = `compiling perf.ts for Node: ${String(error).slice(0, 300)}`;
    console.error(`compare: ${perfForNode.error}`);
  }
}

/** `scripts/tools.sh node24`: the pinned Node 24's path (installed if needed), or why not. */
async function findNode24(): Promise<{ path?: string; error?: string }> {
  const out = await new Deno.Command("bash", {
    args: [`${repo}/scripts/tools.sh`, "node24"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b).trim();
  if (!out.success) {
    const error = `Node 24 unavailable (scripts/tools.sh node24): ${lastLine(text(out.stderr))}`;
    console.error(`compare: ${error}`);
    return { error };
  }
  return { path: lastLine(text(out.stdout)) };
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
