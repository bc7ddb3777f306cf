/**
 * The npm package as a user gets it: `deno task build:npm`'s output packed by
 * `npm pack`, installed from the tarball by `npm install` into an empty
 * folder, and plain ESM scripts there (tests/node/app/, importing
 * `@kafkats/producer` by name) producing with it under Node 24 (from
 * `scripts/tools.sh node24`), the machine's Node (20), Bun and Deno: concurrent
 * `send()` of keyed and unkeyed records with headers, then
 * `pipeTo(producer.writable)`, acks=all and idempotent, each producer closed
 * by `await using` (Node 24, Bun) or try/finally with
 * `producer[Symbol.asyncDispose]()` (Node 20, which cannot parse
 * `await using`). Node 24 compresses with zstd, Node 20 with gzip (and its
 * zstd producer must fail with the documented ConfigError), Bun with lz4,
 * Deno (resolving the package from node_modules) with snappy.
 * One more Node 24 run goes over SASL_SSL with SCRAM-SHA-512 (node:tls and
 * WebCrypto's PBKDF2/HMAC), when the secure broker runs. Kafka's Java
 * consumer then reads the topic back: every record exactly once, with its
 * key, value and headers, where `send()` said. Last, the package's
 * `kafkats` bin (`node_modules/.bin/kafkats`, its shebang finding Node 24
 * first on PATH): `--help`, stdin lines with a key separator, and SIGINT
 * mid-stream (exit 130, every record it counted as acknowledged in the
 * topic).
 *
 * Needs npm and the machine's `node` on PATH (`NODE20` overrides), and the
 * broker on $KAFKA_BOOTSTRAP.
 */
import assert from "node:assert/strict";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { buildNpm } from "../../scripts/build_npm.ts";
import { BOOTSTRAP, createTopic, readBack, uniqueTopic } from "../support/cluster.ts";
import {
  type Expected,
  expectRun,
  type ScenarioResult,
  specRecord,
  verifyReadBack,
} from "../support/conformance.ts";
import { secureBroker } from "../support/secure_broker.ts";

const root = fileURLToPath(new URL("../../", import.meta.url));
const PARTITIONS = 3;
const PER_RUN = 200;
/** Node 24 pipes more: many batches in flight through node:net's back-pressure. */
const NODE24_PIPED = 10_000;
const RUN_TIMEOUT_MS = 90_000;
const decoder = new TextDecoder();

/** One run of a script under one runtime. */
interface Run {
  name: string;
  command: string;
  /** Arguments before the script's (Deno's `run -A`). */
  args?: string[];
  script: "using.mjs" | "plain.mjs";
  bootstrap: string;
  producer: Record<string, unknown>;
  expectNoZstd: boolean;
  /** How many records go through pipeTo (default PER_RUN). */
  piped?: number;
}

const timings: [string, number][] = [];

async function timed<T>(label: string, body: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await body();
  } finally {
    timings.push([label, (performance.now() - start) / 1000]);
  }
}

async function exec(
  command: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<string> {
  const child = await new Deno.Command(command, {
    args,
    cwd,
    env,
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(RUN_TIMEOUT_MS),
  }).output();
  const out = decoder.decode(child.stdout);
  if (!child.success) {
    throw new Error(
      `${command} ${args.join(" ")} failed (${child.code ?? child.signal}):\n${out}${
        decoder.decode(child.stderr)
      }`,
    );
  }
  return out;
}

function majorOf(version: string): [number, number] {
  const [major, minor] = version.replace(/^v/, "").split(".").map(Number);
  return [major, minor];
}

const secure = secureBroker();

/** The kafkats bin of the package installed in `app`, run by Node 24 (`node24`: its binary). */
async function cliBin(app: string, node24: string): Promise<void> {
  const bin = `${app}/node_modules/.bin/kafkats`;
  const env = { PATH: `${dirname(node24)}:${Deno.env.get("PATH") ?? ""}` };
  assert.match((await exec("node", ["--version"], app, env)).trim(), /^v24\./);
  assert.match(await exec(bin, ["--help"], app, env), /^Usage: kafkats produce /);

  const topic = uniqueTopic("npm-cli");
  await createTopic(topic, 1);
  const spawn = (...flags: string[]) =>
    new Deno.Command(bin, {
      args: [
        "produce",
        "-b",
        BOOTSTRAP,
        "-t",
        topic,
        "--key-separator",
        "=",
        "--compression",
        "zstd",
        ...flags,
      ],
      cwd: app,
      env,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(RUN_TIMEOUT_MS),
    }).spawn();
  const lines = spawn();
  const writer = lines.stdin.getWriter();
  await writer.write(new TextEncoder().encode("k1=v1\nk2=v2\r\nk3=v3"));
  await writer.close();
  const done = await lines.output();
  const stderr = decoder.decode(done.stderr);
  assert.equal(done.code, 0, stderr);
  assert.match(stderr, /^kafkats: 3 records acknowledged /);

  // --progress: its first line shows that the CLI runs (and listens for SIGINT).
  const interrupted = spawn("--progress");
  const feed = interrupted.stdin.getWriter();
  let written = 0;
  const feeding = (async () => {
    for (; written < 300; written++) {
      await feed.write(new TextEncoder().encode(`i${written}=int-${written}\n`));
      await new Promise((r) => setTimeout(r, 10));
    }
  })().catch(() => {});
  let stderrText = "";
  let running!: () => void;
  const runs = new Promise<void>((resolve) => running = resolve);
  const stderrDone = (async () => {
    for await (const chunk of interrupted.stderr) {
      stderrText += decoder.decode(chunk, { stream: true });
      if (/\rkafkats: [1-9][\d,]* acked/.test(stderrText)) running();
    }
  })();
  await Promise.race([runs, stderrDone]);
  await new Promise((r) => setTimeout(r, 1000));
  interrupted.kill("SIGINT");
  const out = { code: (await interrupted.status).code };
  await stderrDone;
  await feeding;
  await interrupted.stdout.cancel();
  const report = stderrText;
  assert.equal(out.code, 130, report);
  const acked = Number(
    /kafkats: interrupted: (?:([\d,]+) of [\d,]+ records|([\d,]+) records?) acknowledged/
      .exec(report)?.slice(1).find((n) => n !== undefined)?.replaceAll(",", ""),
  );
  assert.ok(acked > 0 && acked < 300, report);

  const consumed = await readBack(topic, 3 + acked);
  const text = (b64: string | null) => b64 === null ? null : atob(b64);
  assert.deepEqual(
    consumed.slice(0, 3 + acked).map((r) => [text(r.k), text(r.v)]),
    [
      ["k1", "v1"],
      ["k2", "v2"],
      ["k3", "v3"],
      ...Array.from({ length: acked }, (_, i) => [`i${i}`, `int-${i}`]),
    ],
  );
}

Deno.test({
  name:
    "npm package: packed, installed from its tarball, produces under Node 24, Node 20, Bun and Deno; Java reads every record back once",
  // Each child's AbortSignal.timeout timer outlives the child.
  sanitizeOps: false,
  async fn(t) {
    const tmp = await Deno.makeTempDir({ prefix: "kafkats-npm-" });
    try {
      const node24 = (await exec("bash", ["scripts/tools.sh", "node24"], root)).trim();
      const node20 = Deno.env.get("NODE20") ?? "node";
      const bun = `${root}.tools/node_modules/.bin/bun`;
      const node20Version = (await exec(node20, ["--version"], root)).trim();
      const [major, minor] = majorOf(node20Version);
      assert.ok(major >= 20, `the machine's node is ${node20Version}: the package needs >= 20`);
      // zstd is in node:zlib from 22.15; `await using` parses from 24.
      const noZstd = major < 22 || (major === 22 && minor < 15);

      const pkg = await timed("build", () => buildNpm(`${tmp}/package`));
      const packed = await timed(
        "pack",
        () => exec("npm", ["pack", "--pack-destination", tmp, "--loglevel=error"], pkg.dir),
      );
      const tarball = `${tmp}/${packed.trim().split("\n").at(-1)}`;
      assert.match(tarball, /kafkats-producer-\d+\.\d+\.\d+\.tgz$/);

      const app = `${tmp}/app`;
      await Deno.mkdir(app);
      await Deno.writeTextFile(
        `${app}/package.json`,
        JSON.stringify({ name: "app", private: true, type: "module" }),
      );
      await timed("install", () =>
        exec("npm", [
          "install",
          "--no-fund",
          "--no-audit",
          "--loglevel=error",
          tarball,
        ], app));
      const installed = JSON.parse(
        await Deno.readTextFile(`${app}/node_modules/@kafkats/producer/package.json`),
      );
      assert.equal(installed.name, "@kafkats/producer");
      assert.equal(installed.dependencies, undefined, "no runtime dependencies");
      for (
        const file of ["scenario.mjs", "common.mjs", "using.mjs", "plain.mjs", "types_check.ts"]
      ) {
        await Deno.copyFile(`${root}tests/node/app/${file}`, `${app}/${file}`);
      }

      await t.step(
        "its declarations type-check in a user's project (no skipLibCheck): Node's types without the DOM, the DOM without Node's types",
        () =>
          timed("tsc of a user's file", async () => {
            const tsc = (...args: string[]) =>
              exec("bash", [`${root}scripts/tools.sh`, "tsc", ...args], app);
            const user = ["--noEmit", "--strict", "--target", "es2022", "--module", "nodenext"];
            const typeRoots = `${root}.tools/build/node_modules/@types`;
            await tsc(
              ...user,
              "--lib",
              "esnext",
              "--types",
              "node",
              "--typeRoots",
              typeRoots,
              "types_check.ts",
            );
            await tsc(...user, "--lib", "esnext,dom", "--types", "", "types_check.ts");
          }),
      );

      const topic = uniqueTopic("npm-package");
      await createTopic(topic, PARTITIONS);
      const runs: Run[] = [
        {
          name: "node24",
          command: node24,
          script: "using.mjs",
          bootstrap: BOOTSTRAP,
          producer: { compressionType: "zstd" },
          expectNoZstd: false,
          piped: NODE24_PIPED,
        },
        {
          name: "node20",
          command: node20,
          script: major >= 24 ? "using.mjs" : "plain.mjs",
          bootstrap: BOOTSTRAP,
          producer: { compressionType: "gzip" },
          expectNoZstd: noZstd,
        },
        {
          name: "bun",
          command: bun,
          script: "using.mjs",
          bootstrap: BOOTSTRAP,
          producer: { compressionType: "lz4" },
          expectNoZstd: false,
        },
        {
          // Deno as a user of the npm package (node_modules resolution), not of the sources.
          name: "deno",
          command: Deno.execPath(),
          args: ["run", "-A"],
          script: "using.mjs",
          bootstrap: BOOTSTRAP,
          producer: { compressionType: "snappy" },
          expectNoZstd: false,
        },
      ];
      if (secure !== null) {
        runs.push({
          name: "node24-sasl-ssl",
          command: node24,
          script: "using.mjs",
          bootstrap: secure.saslSsl,
          producer: {
            tls: { ca: secure.ca },
            sasl: {
              mechanism: "SCRAM-SHA-512",
              username: secure.username,
              password: secure.password,
            },
          },
          expectNoZstd: false,
        });
      }

      const expected: Expected = new Map();
      for (const run of runs) {
        await t.step(
          `${run.name}: ${run.script} with ${
            JSON.stringify(run.producer.compressionType ?? "none")
          }${run.producer.sasl ? " over SASL_SSL (SCRAM-SHA-512)" : ""}`,
          async () => {
            const send = Array.from(
              { length: PER_RUN },
              (_, i) => specRecord(topic, run.name, "send", i),
            );
            const pipe = Array.from(
              { length: run.piped ?? PER_RUN },
              (_, i) => specRecord(topic, run.name, "pipe", i),
            );
            const specPath = `${tmp}/${run.name}.json`;
            await Deno.writeTextFile(
              specPath,
              JSON.stringify({
                bootstrap: run.bootstrap,
                producer: run.producer,
                send,
                pipe,
                expectNoZstd: run.expectNoZstd,
              }),
            );
            const out = await timed(
              `run ${run.name}`,
              () => exec(run.command, [...(run.args ?? []), run.script, specPath], app),
            );
            const result: ScenarioResult = JSON.parse(out.trim().split("\n").at(-1)!);
            console.log(`  ${run.name}: ${result.runtime}`);
            if (run.name === "bun") assert.match(result.runtime, /^Bun /);
            else if (run.name === "deno") assert.match(result.runtime, /^Deno /);
            else assert.match(result.runtime, /^Node /);
            if (run.command === node24) assert.match(result.runtime, /^Node 24\./);
            expectRun(expected, run.name, send, pipe, result, PARTITIONS);
            if (run.expectNoZstd) {
              const zstd = result.zstd;
              assert.ok(typeof zstd === "object", `zstd producer: ${JSON.stringify(zstd)}`);
              assert.ok(zstd.configError, `zstd: not a ConfigError: ${zstd.name}`);
              assert.equal(
                zstd.message,
                `compressionType "zstd" is not available on ${result.runtime}: its node:zlib has no zstd`,
              );
            }
          },
        );
      }

      await t.step("Kafka's Java consumer reads every record back exactly once", async () => {
        const consumed = await timed("read back", () => readBack(topic, expected.size));
        verifyReadBack(consumed, expected);
      });

      await t.step(
        "the kafkats bin under Node 24: --help, lines with a key separator, SIGINT mid-stream (130); read back",
        () => timed("kafkats bin", () => cliBin(app, node24)),
      );
    } finally {
      console.log(
        `  times: ${timings.map(([label, s]) => `${label} ${s.toFixed(1)} s`).join(", ")}`,
      );
      await Deno.remove(tmp, { recursive: true });
    }
  },
});
