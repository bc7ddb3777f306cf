/**
 * Test support for talking to the real broker(s) started by
 * `scripts/kafka.sh`: where they are, creating topics, and reading topics
 * back with Kafka's own Java consumer. Uses `node:` modules so the same file
 * serves the Deno tests and the Bun end-to-end run.
 *
 * @module
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Connection } from "../../lib/net/connection.ts";
import { defaultTransport } from "../../lib/net/runtime.ts";
import { CreateTopics } from "./create_topics.ts";
import { Metadata } from "../../lib/protocol/messages/metadata.ts";
import {
  resolveSasl,
  resolveTls,
  type SaslOptions,
  type TlsOptions,
} from "../../lib/producer/security.ts";

/** Bootstrap address of the test broker(s). */
export const BOOTSTRAP: string = globalThis.process?.env?.KAFKA_BOOTSTRAP ?? "127.0.0.1:9092";

const repo = fileURLToPath(new URL("../../", import.meta.url));

/** The producer's `tls` and `sasl` options, for an admin connection to a secure listener. */
export interface AdminSecurity {
  /** As the producer's `tls`. */
  tls?: TlsOptions;
  /** As the producer's `sasl`. */
  sasl?: SaslOptions;
}

/** Opens an admin connection to the first bootstrap broker (plaintext unless `security` says). */
export async function adminConnection(
  bootstrap = BOOTSTRAP,
  security: AdminSecurity = {},
): Promise<Connection> {
  const [host, port] = bootstrap.split(",")[0].split(":");
  const tls = resolveTls(security.tls);
  const sasl = resolveSasl(security.sasl);
  return await Connection.open(defaultTransport(), host, Number(port), {
    clientId: "kafkats-tests",
    connectTimeoutMs: 10000,
    maxFrameSize: 64 * 1024 * 1024,
    ...(tls ? { tls } : {}),
    ...(sasl ? { sasl } : {}),
  });
}

/** A topic name unique to this run. */
export function uniqueTopic(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * Creates a topic and waits until every partition has a leader.
 * Throws if the broker refuses (other than "already exists").
 */
export async function createTopic(
  name: string,
  partitions: number,
  options: {
    replicationFactor?: number;
    configs?: Record<string, string>;
    bootstrap?: string;
    security?: AdminSecurity;
  } = {},
): Promise<void> {
  const connection = await adminConnection(options.bootstrap, options.security);
  try {
    const response = await connection.request(CreateTopics, connection.versionFor(CreateTopics), {
      topics: [{
        name,
        numPartitions: partitions,
        replicationFactor: options.replicationFactor ?? 1,
        configs: Object.entries(options.configs ?? {}).map(([n, value]) => ({ name: n, value })),
      }],
      timeoutMs: 30000,
      validateOnly: false,
    }, 35000);
    const result = response.topics[0];
    if (result.errorCode !== 0 && result.errorCode !== 36) {
      throw new Error(
        `CreateTopics ${name}: error ${result.errorCode} ${result.errorMessage ?? ""}`,
      );
    }
    const deadline = Date.now() + 30000;
    for (;;) {
      const md = await connection.request(Metadata, connection.versionFor(Metadata), {
        topics: [{ name, topicId: null }],
        allowAutoTopicCreation: false,
        includeTopicAuthorizedOperations: false,
      }, 10000);
      const topic = md.topics.find((t) => t.name === name);
      if (
        topic && topic.errorCode === 0 && topic.partitions.length === partitions &&
        topic.partitions.every((p) => p.leaderId >= 0)
      ) return;
      if (Date.now() > deadline) throw new Error(`topic ${name} has no leaders after 30 s`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    connection.close();
  }
}

/**
 * Deletes a topic with Kafka's own TopicCommand, then waits (up to 30 s)
 * until the broker answers UNKNOWN_TOPIC_OR_PARTITION for it.
 */
export async function deleteTopic(name: string, bootstrap = BOOTSTRAP): Promise<void> {
  await run("bash", [
    "scripts/kafka.sh",
    "java",
    "org.apache.kafka.tools.TopicCommand",
    "--bootstrap-server",
    bootstrap.split(",")[0],
    "--delete",
    "--topic",
    name,
  ]);
  const deadline = Date.now() + 30000;
  while (await topicErrorCode(name, bootstrap) !== 3) {
    if (Date.now() > deadline) {
      throw new Error(`topic ${name} still listed 30 s after its deletion`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The broker's error code for `name` in a Metadata request that may not
 * create it (0: the topic exists; 3: UNKNOWN_TOPIC_OR_PARTITION).
 */
export async function topicErrorCode(name: string, bootstrap = BOOTSTRAP): Promise<number> {
  const connection = await adminConnection(bootstrap);
  try {
    const md = await connection.request(Metadata, connection.versionFor(Metadata), {
      topics: [{ name, topicId: null }],
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: false,
    }, 10000);
    const topic = md.topics.find((t) => t.name === name);
    if (topic === undefined) throw new Error(`Metadata for ${name} did not list it`);
    return topic.errorCode;
  } finally {
    connection.close();
  }
}

/** One record as Kafka's Java consumer read it. */
export interface ConsumedRecord {
  /** Partition. */
  p: number;
  /** Offset. */
  o: number;
  /** Timestamp (ms). */
  t: number;
  /** Timestamp type. */
  tt: string;
  /** Key, base64, or null. */
  k: string | null;
  /** Value, base64, or null. */
  v: string | null;
  /** Headers: [key, base64 value or null]. */
  h: [string, string | null][];
}

let classpath: Promise<string> | null = null;

function run(cmd: string, args: string[], maxBuffer = 1 << 30): Promise<string> {
  return runBoth(cmd, args, maxBuffer).then((r) => r.stdout);
}

function runBoth(
  cmd: string,
  args: string[],
  maxBuffer = 1 << 30,
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { cwd: repo, maxBuffer }, (error, stdout, stderr) => {
      if (error) {
        reject(
          new Error(`${cmd} ${args.slice(0, 3).join(" ")} failed: ${error.message}\n${stderr}`),
        );
      } else resolve({ stdout, stderr });
    });
  });
}

/** Options of {@link readBack} and {@link readBackReport}. */
export interface ReadBackOptions {
  /** Bootstrap servers (default {@link BOOTSTRAP}). */
  bootstrap?: string;
  /**
   * The consumer's `isolation.level` (default `read_uncommitted`). Under
   * `read_committed` the read ends at the last stable offset: an open
   * transaction ends it there ("complete" with enough records, else "end"
   * after ReadBack's 3 s quiet period), never at the hard timeout.
   */
  isolation?: "read_committed" | "read_uncommitted";
  /** ReadBack's hard cap, ms (default 120000). */
  timeoutMs?: number;
}

/** What {@link readBackReport} returns: the records and ReadBack's summary line. */
export interface ReadBackReport {
  /** The records, as {@link readBack} returns them. */
  records: ConsumedRecord[];
  /**
   * Why it stopped: `complete` (>= expected records, at the end offsets),
   * `end` (at the end offsets with fewer, after the quiet period) or `timeout`.
   */
  reason: "complete" | "end" | "timeout";
  /** ReadBack's own time from start to stop (after JVM start-up), ms. */
  elapsedMs: number;
  /** The isolation level it read with. */
  isolation: "read_committed" | "read_uncommitted";
}

/**
 * Reads `expected` records of `topic` from the beginning with Kafka's own
 * `KafkaConsumer` (tests/support/ReadBack.java) and returns them with why
 * the read stopped.
 */
export async function readBackReport(
  topic: string,
  expected: number,
  options: ReadBackOptions = {},
): Promise<ReadBackReport> {
  classpath ??= run("bash", ["scripts/kafka.sh", "classpath"]).then((s) => s.trim());
  const isolation = options.isolation ?? "read_uncommitted";
  const out = await runBoth("java", [
    "-Xmx512m",
    "-cp",
    await classpath,
    "tests/support/ReadBack.java",
    "--isolation",
    isolation,
    options.bootstrap ?? BOOTSTRAP,
    topic,
    String(expected),
    String(options.timeoutMs ?? 120000),
  ]);
  const summary = out.stderr.match(/^readback: .*reason=(\w+) elapsedMs=(\d+)/m);
  if (summary === null) throw new Error(`ReadBack printed no summary line:\n${out.stderr}`);
  return {
    records: out.stdout.split("\n").filter((line) => line !== "").map((line) => JSON.parse(line)),
    reason: summary[1] as ReadBackReport["reason"],
    elapsedMs: Number(summary[2]),
    isolation,
  };
}

/**
 * Reads `expected` records of `topic` from the beginning with Kafka's own
 * `KafkaConsumer` (tests/support/ReadBack.java): offsets ascend within a partition,
 * partitions interleaved. The third argument is the bootstrap (as before) or
 * {@link ReadBackOptions}, e.g. `{ isolation: "read_committed" }`.
 */
export async function readBack(
  topic: string,
  expected: number,
  bootstrapOrOptions: string | ReadBackOptions = BOOTSTRAP,
): Promise<ConsumedRecord[]> {
  const options = typeof bootstrapOrOptions === "string"
    ? { bootstrap: bootstrapOrOptions }
    : bootstrapOrOptions;
  return (await readBackReport(topic, expected, options)).records;
}

/** Base64 of bytes (or null), as ReadBack prints them. */
export function b64(bytes: Uint8Array | null): string | null {
  if (bytes === null) return null;
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}
