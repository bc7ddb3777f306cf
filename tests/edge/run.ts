/**
 * `deno task test:edge`: the producer inside workerd (Cloudflare's Workers
 * runtime, from the npm registry) against the real broker.
 *
 * Installs the pinned workerd into `.cache/edge/workerd` if needed, bundles
 * tests/edge/worker.ts with our sources (`deno bundle`; `cloudflare:*` and
 * `node:*` left to workerd) into a temporary folder beside a copy of
 * tests/edge/config.capnp, starts workerd on a free port, and asks the Worker,
 * one request each, to produce into one topic with idempotence on:
 * EDGE_RECORDS (1000) plaintext records, 200 through an explicit
 * `cloudflareSocketsTransport`, 200 with each codec the Worker reports
 * working, and, when the secure broker runs, 200 each over SASL_PLAINTEXT
 * (SCRAM-SHA-512, PLAIN, OAUTHBEARER), SASL_SSL (TLS via `secureTransport`,
 * then with `tls.serverName` through `startTls`) and SSL with a client
 * certificate (the config network's keypair); all that on compatibility date
 * 2024-09-23 with nodejs_compat, and zstd and SASL_SSL again on the binary's
 * own date (tests/edge/config.capnp). Then Kafka's Java consumer
 * reads the topic back: every record exactly once, at the partition and
 * offset the Worker was acknowledged. Last, the TLS options workerd cannot
 * honour must fail with a ConfigError, and failed connections with the
 * errors the other transports give. workerd is stopped at the end, also
 * on failure or Ctrl-C.
 *
 * Last line: `edge: N records acknowledged and read back (T s)`.
 *
 *     deno run -A tests/edge/run.ts        (a broker on $KAFKA_BOOTSTRAP, default 127.0.0.1:9092)
 *
 * `EDGE_DEBUG=1` also prints the refusals in full and workerd's log (where
 * workerd says why a TLS handshake failed: the Worker only sees "internal
 * error").
 *
 * @module
 */
import { BOOTSTRAP, createTopic, readBack, uniqueTopic } from "../support/cluster.ts";
import {
  type Expected,
  expectRun,
  type ScenarioResult,
  specRecord,
  verifyReadBack,
} from "../support/conformance.ts";
import { type SecureBroker, secureBroker } from "../support/secure_broker.ts";

/** The pinned workerd (npm `workerd`; its binary is in `@cloudflare/workerd-<platform>`). */
const WORKERD_VERSION = "1.20261117.1";
const RECORDS = Number(Deno.env.get("EDGE_RECORDS") ?? "1000");
const SMALL = 200;
/** What each of the Worker's refusals must fail with (see worker.ts). */
const REFUSALS: Record<string, RegExp> = {
  "tls.ca": /^ConfigError: tls\.ca cannot be honoured on workerd/,
  "tls.cert+key": /^ConfigError: tls\.cert and tls\.key cannot be honoured on workerd/,
  "tls on a plaintext port": /^TlsAuthenticationError: TLS handshake with 127\.0\.0\.1:\d+ failed/,
  "refused port": /^TimeoutError: .*cannot connect to 127\.0\.0\.1:1/,
  "tls: true, the CA not trusted":
    /^TlsAuthenticationError: TLS handshake with 127\.0\.0\.1:\d+ failed/,
  "wrong tls.serverName": /^TlsAuthenticationError: TLS handshake with 127\.0\.0\.1:\d+ failed/,
};
/** The Worker's `security` values against the secure listeners (see worker.ts). */
const SECURE_SCENARIOS = [
  "sasl",
  "sasl-plain",
  "sasl-oauthbearer",
  "sasl-ssl",
  "sasl-ssl-servername",
  "ssl",
];
const PARTITIONS = 3;

const repo = new URL("../../", import.meta.url).pathname;
const prefix = `${repo}.cache/edge/workerd`;
const workerdBin = `${prefix}/node_modules/.bin/workerd`;

async function output(cmd: string, args: string[], options: Deno.CommandOptions = {}) {
  const result = await new Deno.Command(cmd, { args, stdin: "null", ...options }).output();
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: result.code, stdout: text(result.stdout), stderr: text(result.stderr) };
}

/** Installs the pinned workerd unless it is there already. */
async function ensureWorkerd(): Promise<void> {
  const installed = await Deno.readTextFile(`${prefix}/node_modules/workerd/package.json`)
    .then((text) => JSON.parse(text).version as string, () => null);
  if (installed === WORKERD_VERSION) return;
  console.log(`edge: installing workerd@${WORKERD_VERSION} into .cache/edge/workerd`);
  await Deno.mkdir(prefix, { recursive: true });
  await Deno.writeTextFile(`${prefix}/package.json`, '{\n  "private": true\n}\n');
  const npm = await output("npm", [
    "install",
    "--prefix",
    prefix,
    "--no-fund",
    "--no-audit",
    "--no-save",
    "--loglevel=error",
    `workerd@${WORKERD_VERSION}`,
  ]);
  if (npm.code !== 0) throw new Error(`npm install workerd failed:\n${npm.stderr}`);
}

/** Bundles the Worker and writes the config beside it; returns the folder. */
async function build(secure: SecureBroker | null): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "kafkats-edge-" });
  const bundle = await output(Deno.execPath(), [
    "bundle",
    "--quiet",
    "--platform",
    "browser",
    "--format",
    "esm",
    "--external",
    "cloudflare:*",
    "--external",
    "node:*",
    "-o",
    `${dir}/worker.js`,
    `${repo}tests/edge/worker.ts`,
  ], { cwd: repo });
  if (bundle.code !== 0) {
    await Deno.remove(dir, { recursive: true });
    throw new Error(`deno bundle failed:\n${bundle.stderr}`);
  }
  let config = await Deno.readTextFile(`${repo}tests/edge/config.capnp`);
  if (secure === null) {
    config = config.split("\n").filter((l) => !l.endsWith("# edge:ca")).join("\n");
  } else {
    await Deno.writeTextFile(`${dir}/ca.pem`, secure.ca);
    await Deno.writeTextFile(`${dir}/client.pem`, secure.clientCert);
    await Deno.writeTextFile(`${dir}/client.key`, secure.clientKey);
  }
  await Deno.writeTextFile(`${dir}/config.capnp`, config);
  return dir;
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** workerd, serving the Worker, and how to stop it. */
interface Server {
  /** The Worker on compatibility date 2024-09-23 with nodejs_compat. */
  readonly url: string;
  /** The same Worker on the binary's own compatibility date. */
  readonly latestUrl: string;
  readonly log: () => Promise<string>;
  stop(): Promise<void>;
}

async function startWorkerd(dir: string, env: Record<string, string>): Promise<Server> {
  const port = freePort();
  const latestPort = freePort();
  const logFile = `${dir}/workerd.log`;
  const log = await Deno.open(logFile, { write: true, create: true, truncate: true });
  const child = new Deno.Command(workerdBin, {
    args: [
      "serve",
      "--verbose",
      `${dir}/config.capnp`,
      "--socket-addr",
      `http=127.0.0.1:${port}`,
      "--socket-addr",
      `http-latest=127.0.0.1:${latestPort}`,
    ],
    cwd: dir,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = log.writable.getWriter();
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) await writer.write(chunk);
  };
  const drained = Promise.all([drain(child.stdout), drain(child.stderr)])
    .finally(() => writer.close().catch(() => {}));
  let exited = false;
  const status = child.status.then((s) => {
    exited = true;
    return s;
  });
  const server: Server = {
    url: `http://127.0.0.1:${port}`,
    latestUrl: `http://127.0.0.1:${latestPort}`,
    log: () => Deno.readTextFile(logFile).catch(() => ""),
    async stop() {
      if (!exited) {
        try {
          child.kill("SIGTERM");
        } catch {
          // exited meanwhile
        }
        const timer = setTimeout(() => {
          try {
            child.kill("SIGKILL");
          } catch {
            // exited meanwhile
          }
        }, 5000);
        await status;
        clearTimeout(timer);
      }
      await drained;
    },
  };
  // Ready once it accepts connections on the port.
  const deadline = Date.now() + 30000;
  for (;;) {
    if (exited) {
      await drained;
      throw new Error(`workerd exited (${(await status).code}):\n${await server.log()}`);
    }
    try {
      (await Deno.connect({ hostname: "127.0.0.1", port })).close();
      return server;
    } catch {
      if (Date.now() > deadline) {
        await server.stop();
        throw new Error(`workerd did not listen on ${port} within 30 s:\n${await server.log()}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

async function ask(server: Server, path: string, latest = false): Promise<unknown> {
  const response = await fetch(`${latest ? server.latestUrl : server.url}${path}`);
  const text = await response.text();
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${text}`);
  return JSON.parse(text);
}

/** One request to the Worker: `n` records with values `<name>-<i>`, and their acknowledgements. */
interface Scenario {
  readonly name: string;
  readonly n: number;
  readonly acks: [number, number][];
}

/** Asks the Worker to produce `n` records into `topic` (values `<name>-<i>`). */
async function produce(
  server: Server,
  topic: string,
  name: string,
  n: number,
  query: Record<string, string> = {},
  latest = false,
): Promise<Scenario> {
  const start = performance.now();
  const search = new URLSearchParams({ topic, n: String(n), prefix: name, ...query });
  const { acks } = await ask(server, `/produce?${search}`, latest) as { acks: [number, number][] };
  if (acks.length !== n) throw new Error(`${name}: ${acks.length} acknowledgements for ${n}`);
  console.log(
    `ok   ${name}: ${n} records acknowledged in ${
      ((performance.now() - start) / 1000).toFixed(2)
    } s`,
  );
  return { name, n, acks };
}

/**
 * Reads `topic` back with Kafka's Java consumer: every record of every
 * scenario exactly once, at the partition and offset acknowledged for it,
 * with its key, and nothing else.
 */
async function verify(topic: string, scenarios: readonly Scenario[]): Promise<number> {
  const start = performance.now();
  const byName = new Map(scenarios.map((s) => [s.name, s]));
  const total = scenarios.reduce((sum, s) => sum + s.n, 0);
  const consumed = await readBack(topic, total);
  const seen = new Set<string>();
  for (const record of consumed) {
    const value = record.v === null ? "(null)" : atob(record.v);
    const match = /^(.+)-(\d+)$/.exec(value);
    const scenario = match ? byName.get(match[1]) : undefined;
    const i = Number(match?.[2]);
    if (scenario === undefined || i >= scenario.n) throw new Error(`unexpected record ${value}`);
    if (seen.has(value)) throw new Error(`${value} read twice (a duplicate)`);
    seen.add(value);
    const [partition, offset] = scenario.acks[i];
    if (record.p !== partition || record.o !== offset) {
      throw new Error(
        `${value} acknowledged at ${partition}/${offset}, read at ${record.p}/${record.o}`,
      );
    }
    if (record.k === null || atob(record.k) !== `k-${i % 7}`) {
      throw new Error(`${value} has key ${record.k === null ? null : atob(record.k)}`);
    }
  }
  if (seen.size !== total) throw new Error(`read back ${seen.size} of ${total} records`);
  console.log(
    `ok   ${total} records read back by Kafka's consumer, each once, where acknowledged (${
      ((performance.now() - start) / 1000).toFixed(1)
    } s)`,
  );
  return total;
}

/**
 * The runtime-conformance scenario (tests/support/conformance.ts, the one
 * Node, Bun and Deno run from the npm package) inside the Worker, on a topic
 * of its own: its records read back and checked the same way. Returns how
 * many.
 */
async function conformance(server: Server): Promise<number> {
  const start = performance.now();
  const topic = uniqueTopic("edge-conformance");
  await createTopic(topic, PARTITIONS);
  const send = Array.from({ length: SMALL }, (_, i) => specRecord(topic, "workerd", "send", i));
  const pipe = Array.from({ length: SMALL }, (_, i) => specRecord(topic, "workerd", "pipe", i));
  const response = await fetch(`${server.url}/scenario`, {
    method: "POST",
    body: JSON.stringify({
      bootstrap: BOOTSTRAP.split(",")[0],
      producer: { compressionType: "zstd" },
      send,
      pipe,
      expectNoZstd: false,
    }),
  });
  const result = await response.json() as ScenarioResult & { error?: string };
  if (!response.ok) throw new Error(`the conformance scenario failed: ${result.error}`);
  if (result.runtime !== "workerd") throw new Error(`ran on ${result.runtime}, not workerd`);
  const expected: Expected = new Map();
  expectRun(expected, "workerd", send, pipe, result, PARTITIONS);
  verifyReadBack(await readBack(topic, expected.size), expected);
  console.log(
    `ok   the conformance scenario (send and pipeTo, keyed, unkeyed, binary, tombstones, headers, zstd): ${expected.size} records read back as sent (${
      ((performance.now() - start) / 1000).toFixed(1)
    } s)`,
  );
  return expected.size;
}

async function main(): Promise<void> {
  const started = performance.now();
  await ensureWorkerd();
  const secure = secureBroker();
  const dir = await build(secure);
  try {
    await run(started, secure, dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function run(started: number, secure: SecureBroker | null, dir: string): Promise<void> {
  const startedMs = () => performance.now() - started;
  const server = await startWorkerd(dir, {
    KAFKA_BOOTSTRAP: BOOTSTRAP.split(",")[0],
    KAFKA_SASL_PLAINTEXT: secure?.saslPlaintext ?? "",
    KAFKA_SASL_SSL: secure?.saslSsl ?? "",
    KAFKA_SSL: secure?.ssl ?? "",
    KAFKA_SASL_USERNAME: secure?.username ?? "",
    KAFKA_SASL_PASSWORD: secure?.password ?? "",
  });
  const stopOnSignal = () => {
    server.stop().finally(() => Deno.exit(130));
  };
  Deno.addSignalListener("SIGINT", stopOnSignal);
  Deno.addSignalListener("SIGTERM", stopOnSignal);
  let total = 0;
  try {
    console.log(
      `edge: workerd ${WORKERD_VERSION} on ${server.url} (installed, built and started in ${
        (startedMs() / 1000).toFixed(1)
      } s)`,
    );
    const topic = uniqueTopic("edge");
    await createTopic(topic, PARTITIONS, { configs: { "compression.type": "producer" } });
    const scenarios: Scenario[] = [];
    scenarios.push(await produce(server, topic, "plaintext", RECORDS));
    scenarios.push(
      await produce(server, topic, "explicit-transport", SMALL, { transport: "explicit" }),
    );

    const codecs = await ask(server, "/codecs") as Record<string, string>;
    for (const [codec, result] of Object.entries(codecs)) {
      if (result === "ok") {
        scenarios.push(await produce(server, topic, codec, SMALL, { compression: codec }));
      } else console.log(`--   ${codec}: not available in workerd (${result})`);
    }

    if (secure === null) {
      console.log("--   SASL and TLS skipped: no secure broker (kafka.sh up --secure)");
    } else {
      for (const security of SECURE_SCENARIOS) {
        scenarios.push(await produce(server, topic, security, SMALL, { security }));
      }
    }
    // The same Worker on the binary's compatibility date (nodejs_compat by default).
    scenarios.push(
      await produce(server, topic, "latest-date-zstd", SMALL, { compression: "zstd" }, true),
    );
    if (secure !== null) {
      scenarios.push(
        await produce(server, topic, "latest-date-sasl-ssl", SMALL, { security: "sasl-ssl" }, true),
      );
    }
    total = await verify(topic, scenarios);
    total += await conformance(server);

    const refusals = await ask(server, "/refusals") as Record<string, string>;
    if (Deno.env.get("EDGE_DEBUG")) console.log(refusals);
    for (const [name, error] of Object.entries(refusals)) {
      const expected = REFUSALS[name];
      if (expected === undefined || !expected.test(error)) {
        throw new Error(`${name}: expected ${expected}, got ${error}`);
      }
      console.log(`ok   ${name}: ${error.length > 110 ? `${error.slice(0, 110)}…` : error}`);
    }
  } catch (error) {
    console.log(`workerd log:\n${await server.log()}`);
    throw error;
  } finally {
    if (Deno.env.get("EDGE_DEBUG")) console.log(`workerd log:\n${await server.log()}`);
    Deno.removeSignalListener("SIGINT", stopOnSignal);
    Deno.removeSignalListener("SIGTERM", stopOnSignal);
    await server.stop();
  }
  console.log(
    `edge: ${total} records acknowledged and read back (${
      ((performance.now() - started) / 1000).toFixed(1)
    } s)`,
  );
}

await main();
