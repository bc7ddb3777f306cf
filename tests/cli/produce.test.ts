/**
 * `kafkats produce` against the real broker, as a child process under Deno
 * (and once under Bun), read back with Kafka's Java consumer: lines (`\r\n`,
 * empty lines, a last line without a newline), `--key-separator`, `--format
 * raw`, every codec, `--format json` with keys, headers (both forms),
 * partitions and timestamps; a bad JSON line and a line without its key
 * separator (exit 3, the line named, the lines before it sent and nothing
 * after); an unreachable broker (exit 1 within maxBlockMs, with the CLI's
 * 10 s default too); usage and config errors (exit 2, nothing sent).
 */
import assert from "node:assert/strict";
import { createTopic, readBack, uniqueTopic } from "../support/cluster.ts";
import { BOOTSTRAP } from "../support/cluster.ts";
import { type CliResult, fromBase64, runCli } from "../support/cli.ts";

/** Asserts a run succeeded with `n` records and printed nothing but the summary. */
function succeeded(run: CliResult, n: number): void {
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout, "");
  assert.match(
    run.stderr,
    new RegExp(
      `^kafkats: ${n} records? acknowledged \\([\\d.]+ MiB\\) in [\\d.]+ s: [\\d,]+ records/s, [\\d.]+ MiB/s\\n$`,
    ),
  );
}

Deno.test({
  name: "produce: lines, key separator, raw, every codec, bad lines (Deno, Bun); read back by Java",
  sanitizeResources: false,
  async fn(t) {
    const topic = uniqueTopic("cli-lines");
    await createTopic(topic, 1);
    const base = ["produce", "--bootstrap-server", BOOTSTRAP, "--topic", topic];
    /** What the topic must hold, in order: [key, value]. */
    const expected: [string | null, string][] = [];

    await t.step("lines: \\r\\n, an empty line, a last line without newline", async () => {
      succeeded(await runCli(base, { stdin: "one\r\ntwo\n\nfour" }), 4);
      expected.push([null, "one"], [null, "two"], [null, ""], [null, "four"]);
    });
    await t.step("--key-separator splits at the first one", async () => {
      succeeded(await runCli([...base, "--key-separator", ":"], { stdin: "k1:v1\nk2:v:2\n" }), 2);
      expected.push(["k1", "v1"], ["k2", "v:2"]);
    });
    await t.step(
      "a line without the separator: exit 3, named; the line before it sent",
      async () => {
        const run = await runCli([...base, "--key-separator=::"], {
          stdin: "a::1\nno separator\nb::2\n",
        });
        assert.equal(run.code, 3, run.stderr);
        const [error, summary, rest] = run.stderr.split("\n");
        assert.equal(
          error,
          'kafkats: error: InputError: line 2 has no key separator "::" (every line must be KEY::VALUE)',
        );
        assert.match(summary, /^kafkats: 1 record acknowledged /);
        assert.equal(rest, "");
        expected.push(["a", "1"]);
      },
    );
    await t.step("--format raw: all of stdin, one record", async () => {
      succeeded(await runCli([...base, "--format", "raw"], { stdin: "raw 1\r\nraw 2\n\n" }), 1);
      expected.push([null, "raw 1\r\nraw 2\n\n"]);
    });
    await t.step(
      "a bad JSON line: exit 3 naming line 3; lines 1-2 sent, line 4 not read",
      async () => {
        const run = await runCli([...base, "--format", "json"], {
          stdin:
            '{"value":"ok-1"}\n{"key":"k","value":"ok-2"}\n{"value": nope}\n{"value":"after"}\n',
        });
        assert.equal(run.code, 3, run.stderr);
        const [error, summary, rest] = run.stderr.split("\n");
        assert.match(
          error,
          /^kafkats: error: InputError: line 3: not valid JSON( \(at character \d+\))?$/,
        );
        assert.match(summary, /^kafkats: 2 records acknowledged /);
        assert.equal(rest, "");
        expected.push([null, "ok-1"], ["k", "ok-2"]);
      },
    );
    for (const codec of ["gzip", "snappy", "lz4", "zstd"]) {
      await t.step(`--compression ${codec}`, async () => {
        const lines = [0, 1, 2].map((i) => `${codec} record ${i} ${"x".repeat(200)}`);
        succeeded(
          await runCli([...base, "--compression", codec, "--linger-ms", "50"], {
            stdin: lines.join("\n") + "\n",
          }),
          3,
        );
        for (const line of lines) expected.push([null, line]);
      });
    }
    await t.step("under Bun: lines with a key separator, lz4", async () => {
      const run = await runCli([...base, "--key-separator", "\t", "--compression", "lz4"], {
        runtime: "bun",
        stdin: "bun-k1\tbun-v1\nbun-k2\tbun-v2\n",
      });
      succeeded(run, 2);
      expected.push(["bun-k1", "bun-v1"], ["bun-k2", "bun-v2"]);
    });

    await t.step(
      "Kafka's Java consumer reads back every record, in order, and nothing else",
      async () => {
        const consumed = await readBack(topic, expected.length);
        assert.deepEqual(
          consumed.map((r) => [fromBase64(r.k), fromBase64(r.v)]),
          expected,
        );
        assert.deepEqual(consumed.map((r) => r.o), expected.map((_, i) => i));
      },
    );
  },
});

Deno.test({
  name:
    "produce --format json: keys, tombstones, headers (object and pairs), partitions, timestamps",
  sanitizeResources: false,
  async fn() {
    const topic = uniqueTopic("cli-json");
    await createTopic(topic, 3);
    const lines = [
      { value: "plain" },
      { key: "k-1", value: "to partition 2", partition: 2, timestamp: 1700000000123 },
      { key: "k-2", value: null, partition: 1 },
      { value: "headers object", headers: { source: "cli", "content-type": "text/plain" } },
      { value: "headers pairs", headers: [["h", "1"], ["h", null], ["h", "3"]], partition: 0 },
      { key: null, value: "old", timestamp: 1000 },
    ];
    const before = Date.now();
    const run = await runCli(
      ["produce", "-b", BOOTSTRAP, "-t", topic, "--format", "json"],
      { stdin: lines.map((l) => JSON.stringify(l)).join("\n") + "\n\n" },
    );
    succeeded(run, lines.length);
    const consumed = await readBack(topic, lines.length);
    assert.equal(consumed.length, lines.length);
    const byValue = new Map(consumed.map((r) => [fromBase64(r.v) ?? `null:${fromBase64(r.k)}`, r]));
    const plain = byValue.get("plain")!;
    assert.equal(plain.k, null);
    assert.ok(plain.t >= before - 1000 && plain.t <= Date.now(), "timestamp: the send time");
    const p2 = byValue.get("to partition 2")!;
    assert.deepEqual([fromBase64(p2.k), p2.p, p2.t], ["k-1", 2, 1700000000123]);
    const tombstone = byValue.get("null:k-2")!;
    assert.deepEqual([tombstone.v, tombstone.p], [null, 1]);
    assert.deepEqual(
      byValue.get("headers object")!.h.map(([k, v]) => [k, fromBase64(v)]),
      [["source", "cli"], ["content-type", "text/plain"]],
    );
    const pairs = byValue.get("headers pairs")!;
    assert.equal(pairs.p, 0);
    assert.deepEqual(pairs.h.map(([k, v]) => [k, fromBase64(v)]), [["h", "1"], ["h", null], [
      "h",
      "3",
    ]]);
    assert.equal(byValue.get("old")!.t, 1000);
  },
});

Deno.test({
  name:
    "produce to an unreachable broker: exit 1 within maxBlockMs (2 s set, and the CLI's 10 s default)",
  sanitizeResources: false,
  async fn() {
    const args = ["produce", "-b", "127.0.0.1:1", "-t", "unreachable"];
    const [set, fallback] = await Promise.all([
      runCli([...args, "--property", "max.block.ms=2000"], { stdin: "a\nb\n" }),
      runCli(args, { stdin: "c\n" }),
    ]);
    for (const [run, maxBlockMs, records] of [[set, 2000, 2], [fallback, 10000, 1]] as const) {
      assert.equal(run.code, 1, run.stderr);
      assert.equal(run.stdout, "");
      const [error, summary] = run.stderr.split("\n");
      assert.match(
        error,
        new RegExp(
          `^kafkats: error: TimeoutError: topic "unreachable" not present in metadata after ${maxBlockMs} ms \\(last error: cannot connect to 127\\.0\\.0\\.1:1: .+\\)$`,
        ),
      );
      assert.match(
        summary,
        new RegExp(
          `^kafkats: 0 of ${records} records acknowledged .*; ${records} not acknowledged$`,
        ),
      );
      // maxBlockMs, plus the runtime's start (slow on a busy machine).
      assert.ok(run.ms >= maxBlockMs, `${run.ms} ms`);
      assert.ok(run.ms <= maxBlockMs + 4000, `${run.ms} ms for maxBlockMs ${maxBlockMs}`);
    }
  },
});

Deno.test({
  name: "usage and config errors: exit 2 and one clear line, nothing sent; --help prints the usage",
  sanitizeResources: false,
  async fn() {
    const base = ["produce", "-b", BOOTSTRAP, "-t", uniqueTopic("cli-usage")];
    const cases: [string[], string][] = [
      [
        [...base, "--lingerms", "5"],
        "kafkats: unknown option --lingerms; did you mean --linger-ms?",
      ],
      [
        [...base, "--property", "linger.msec=5"],
        'kafkats: --property: unknown producer option "linger.msec"; did you mean "linger.ms"?',
      ],
      [
        [...base, "--property", "batch.size=99999999999"],
        "kafkats: ConfigError: batchSize must be an integer in 0..2147483647, got 99999999999",
      ],
      [
        [...base, "--property", "buffer.memory=1000", "--batch-size", "2000"],
        "kafkats: ConfigError: batchSize (2000) must not exceed bufferMemory (1000): no batch would fit in the buffer",
      ],
      [
        ["produce", "-t", "x"],
        "kafkats: --bootstrap-server is required (host:port[,host:port…]; or bootstrap.servers in --producer.config)",
      ],
    ];
    for (const [args, message] of cases) {
      const run = await runCli(args, { stdin: "never sent\n" });
      assert.equal(run.code, 2, run.stderr);
      assert.equal(run.stdout, "");
      const lines = run.stderr.split("\n");
      assert.equal(lines[0], message);
    }
    const help = await runCli(["--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: kafkats produce --bootstrap-server HOST:PORT/);
    assert.match(help.stdout, /maxBlockMs defaults to 10000 here/);
    assert.equal(help.stderr, "");
  },
});
