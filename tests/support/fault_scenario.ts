/**
 * The shared harness of the broker-fault scenarios: a fresh 6-partition
 * topic (RF 3, min ISR 2) on the 3-node cluster of `scripts/kafka.sh up
 * --brokers 3`, a producer sending id-tagged records concurrently (paced so
 * the run spans the faults) through a {@link ProduceValidator}, a fault
 * routine running beside it, then a read-back with Kafka's Java consumer and
 * the validator's report.
 *
 * Environment: `KAFKA_BOOTSTRAP` (the 3 nodes, e.g.
 * `127.0.0.1:19092,127.0.0.1:19094,127.0.0.1:19096`), `FAULT_RECORDS`
 * (records per scenario, default 50,000), and whatever `scripts/kafka.sh`
 * reads (`KAFKA_PORT_BASE`, `KAFKA_RUN_DIR`) to find the nodes it controls.
 *
 * @module
 */
import { Producer, type ProducerOptions } from "../../mod.ts";
import { Connection } from "../../lib/net/connection.ts";
import { defaultTransport } from "../../lib/net/runtime.ts";
import { Metadata } from "../../lib/protocol/messages/metadata.ts";
import { CoordinatorType, FindCoordinator } from "../../lib/protocol/messages/find_coordinator.ts";
import { BOOTSTRAP, createTopic, readBack, uniqueTopic } from "./cluster.ts";
import { ProduceValidator, summary, type ValidationReport } from "./validator.ts";
import { setTransactionVersion, transactionVersion } from "./features.ts";

/** Partitions of every scenario's topic. */
export const PARTITIONS = 6;
/** Records per scenario: `FAULT_RECORDS`, default 50,000. */
export const RECORDS: number = Number(Deno.env.get("FAULT_RECORDS") ?? 50_000);
/** Node addresses, node N at index N − 1. */
export const NODES: readonly string[] = BOOTSTRAP.split(",");

const repo = new URL("../../", import.meta.url).pathname;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs `scripts/kafka.sh ARGS…` (stop/kill/start/status); throws if it fails. */
export async function kafkaSh(...args: string[]): Promise<string> {
  const out = await new Deno.Command("bash", {
    args: ["scripts/kafka.sh", ...args],
    cwd: repo,
    // Restarting nodes (after SIGKILL, on a busy machine) can take minutes.
    env: { KAFKA_START_TIMEOUT: Deno.env.get("KAFKA_START_TIMEOUT") ?? "240" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Error(`kafka.sh ${args.join(" ")} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return text;
}

/** Starts every node that is not running (each start waits until the node is ready). */
export async function ensureAllUp(): Promise<void> {
  await kafkaSh("start", ...NODES.map((_, i) => String(i + 1)));
}

/**
 * Asks each node in turn, on a connection of its own (closed after), until
 * `ask` returns something other than undefined; a node that fails to answer
 * is skipped. Undefined if no node gave an answer.
 */
async function askEachNode<T>(
  ask: (connection: Connection) => Promise<T | undefined>,
): Promise<T | undefined> {
  for (const address of NODES) {
    const [host, port] = address.split(":");
    let connection: Connection | null = null;
    try {
      connection = await Connection.open(defaultTransport(), host, Number(port), {
        clientId: "kafkats-faults",
        connectTimeoutMs: 3000,
        maxFrameSize: 16 * 1024 * 1024,
      });
      const answer = await ask(connection);
      if (answer !== undefined) return answer;
    } catch {
      // try the next node
    } finally {
      connection?.close();
    }
  }
  return undefined;
}

/**
 * The node id leading `topic`-`partition`, asked of the first node that
 * answers a Metadata request; -1 if none knows.
 */
export async function leaderOf(topic: string, partition: number): Promise<number> {
  const leader = await askEachNode(async (connection) => {
    const md = await connection.request(Metadata, connection.versionFor(Metadata), {
      topics: [{ name: topic, topicId: null }],
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: false,
    }, 5000);
    return md.topics[0]?.partitions.find((x) => x.partitionIndex === partition)?.leaderId;
  });
  return leader ?? -1;
}

/**
 * The node id of the coordinator of `key`: a transactional id's (key type 1,
 * the default) or a consumer group's (0), asked with FindCoordinator of each
 * node in turn until one answers without error (a coordinator still loading
 * answers COORDINATOR_NOT_AVAILABLE), for at most `timeoutMs`; -1 if none did.
 */
export async function coordinatorOf(
  key: string,
  keyType: typeof CoordinatorType.Transaction | typeof CoordinatorType.Group =
    CoordinatorType.Transaction,
  timeoutMs = 30_000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const node = await askEachNode(async (connection) => {
      const version = connection.versionFor(FindCoordinator);
      const response = await connection.request(
        FindCoordinator,
        version,
        version >= 4 ? { keyType, coordinatorKeys: [key] } : { key, keyType },
        5000,
      );
      const found = version >= 4 ? response.coordinators[0] : response;
      return found !== undefined && found.errorCode === 0 && found.nodeId >= 0
        ? found.nodeId
        : undefined;
    });
    if (node !== undefined) return node;
    if (Date.now() >= deadline) return -1;
    await sleep(200);
  }
}

/** The pid of node `node` (from `scripts/kafka.sh status`); throws unless it is running. */
export async function nodePid(node: number): Promise<number> {
  const status = await kafkaSh("status");
  const m = status.match(new RegExp(`^node ${node}: running \\(pid (\\d+)\\)`, "m"));
  if (m === null) throw new Error(`node ${node} is not running:\n${status}`);
  return Number(m[1]);
}

/**
 * Runs `body` with the cluster's `transaction.version` at `FAULT_TXN_VERSION`
 * when that is set (1: Transactions V1, 2: V2; set with Kafka's feature
 * tool, restored after); unset, at whatever level the cluster has. `body`
 * gets the level in force (as node 1's ApiVersions answer says when unset).
 */
export async function withTransactionVersion<T>(body: (level: number) => Promise<T>): Promise<T> {
  await ensureAllUp();
  const bootstrap = NODES.join(",");
  const wanted = Deno.env.get("FAULT_TXN_VERSION");
  if (wanted === undefined || wanted === "") {
    const [host, port] = NODES[0].split(":");
    const connection = await Connection.open(defaultTransport(), host, Number(port), {
      clientId: "kafkats-faults",
      connectTimeoutMs: 10_000,
      maxFrameSize: 16 * 1024 * 1024,
    });
    const level = connection.finalizedFeature("transaction.version") ?? 0;
    connection.close();
    return await body(level);
  }
  const original = await transactionVersion(bootstrap);
  await setTransactionVersion(bootstrap, Number(wanted));
  try {
    return await body(Number(wanted));
  } finally {
    await ensureAllUp();
    await setTransactionVersion(bootstrap, original);
  }
}

/** What a fault routine gets. */
export interface FaultContext {
  /** The scenario's topic. */
  readonly topic: string;
  /** Records sent so far. */
  sent(): number;
  /** Resolves once `count` records have been sent (or sending ended). */
  sentAtLeast(count: number): Promise<void>;
  /** Prints a timestamped line about the fault. */
  log(message: string): void;
}

/** One scenario. */
export interface Scenario {
  /** Short name for the report line. */
  readonly name: string;
  /** Producer options on top of the bootstrap list. */
  readonly producer?: Omit<ProducerOptions, "bootstrapServers">;
  /** Records to send (default {@link RECORDS}). */
  readonly records?: number;
  /** Pace sending so it takes about this long (the last 2% wait for the fault routine). */
  readonly sendForMs: number;
  /** The faults, run beside the sending. */
  readonly fault: (ctx: FaultContext) => Promise<void>;
  /** Longest wait for every record to settle after sending (default: deliveryTimeoutMs + 30 s). */
  readonly settleTimeoutMs?: number;
}

/** The outcome of a scenario: the report and the producer kept for further checks. */
export interface ScenarioResult {
  /** The validator's report. */
  readonly report: ValidationReport;
  /** The report line (already printed). */
  readonly line: string;
}

/**
 * Runs a scenario: creates the topic, sends while the fault routine runs,
 * waits (bounded) for every outcome, closes the producer, restores every
 * node, reads back and validates. `afterSettle` runs with the producer still
 * open (e.g. to check that new sends succeed).
 */
export async function runScenario(
  scenario: Scenario,
  afterSettle?: (producer: Producer, validator: ProduceValidator) => Promise<void>,
): Promise<ScenarioResult> {
  await ensureAllUp();
  const topic = uniqueTopic(`fault-${scenario.name}`);
  await createTopic(topic, PARTITIONS, {
    replicationFactor: 3,
    configs: { "min.insync.replicas": "2" },
  });
  const records = scenario.records ?? RECORDS;
  const producer = new Producer({ bootstrapServers: NODES.join(","), ...scenario.producer });
  const validator = new ProduceValidator(topic, PARTITIONS);
  const t0 = Date.now();
  const log = (m: string) =>
    console.log(`  [${scenario.name} +${((Date.now() - t0) / 1000).toFixed(1)}s] ${m}`);
  const waiters: { count: number; resolve: () => void }[] = [];
  let sendingDone = false;
  const notify = () => {
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (sendingDone || validator.sent >= waiters[i].count) waiters.splice(i, 1)[0].resolve();
    }
  };
  let faultDone = false;
  const faultRun = scenario.fault({
    topic,
    sent: () => validator.sent,
    sentAtLeast: (count) =>
      sendingDone || validator.sent >= count
        ? Promise.resolve()
        : new Promise((resolve) => waiters.push({ count, resolve })),
    log,
  }).finally(() => faultDone = true);
  faultRun.catch(() => {});

  let closed = false;
  try {
    // Paced concurrent sends; the tail waits until the faults are over, so
    // the producer is seen to recover.
    const tail = Math.max(Math.floor(records * 0.02), 1);
    const rate = records / scenario.sendForMs;
    for (let i = 0; i < records; i++) {
      if (i === records - tail) {
        notify();
        while (!faultDone) await sleep(50);
      } else if (i % 50 === 0 && i < records - tail) {
        const due = t0 + i / rate - Date.now();
        if (due > 0) await sleep(due);
        notify();
      }
      validator.send(producer);
    }
    sendingDone = true;
    notify();
    await faultRun;
    log(`all ${records} sent; waiting for outcomes`);
    const deliveryTimeoutMs = scenario.producer?.deliveryTimeoutMs ?? 120_000;
    const pending = await validator.settle(scenario.settleTimeoutMs ?? deliveryTimeoutMs + 30_000);
    if (pending > 0) log(`${pending} record(s) still pending`);
    if (afterSettle) await afterSettle(producer, validator);
    const metrics = producer.metrics();
    await producer.close({ timeoutMs: 10_000 });
    closed = true;
    await ensureAllUp();
    const consumed = await readBack(topic, validator.sent);
    const report = validator.validate(consumed, metrics);
    const line = summary(scenario.name, report);
    console.log(line);
    return { report, line };
  } finally {
    sendingDone = true;
    notify();
    if (!closed) await producer.close({ timeoutMs: 1_000 }).catch(() => {});
    await faultRun.catch(() => {});
    await ensureAllUp();
  }
}

/** SIGKILLs the leader of `partition` of the scenario's topic, waits 3 s, and starts it again. */
export async function bounceLeader(ctx: FaultContext, partition: number): Promise<void> {
  const leader = await leaderOf(ctx.topic, partition);
  if (leader < 0) throw new Error(`partition ${partition} has no leader`);
  ctx.log(`kill -9 node ${leader} (leader of partition ${partition})`);
  await kafkaSh("kill", String(leader));
  await pause(3_000);
  await kafkaSh("start", String(leader));
  ctx.log(`node ${leader} back`);
}

/** Sleeps `ms`. */
export function pause(ms: number): Promise<void> {
  return sleep(ms);
}
