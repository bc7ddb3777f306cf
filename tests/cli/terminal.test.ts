/**
 * The progress line through a real pseudo-terminal: the CLI runs under
 * util-linux `script -qfec CMD /dev/null` (on Debian in bsdutils: `apt-get
 * install -y bsdutils`; `python3`'s pty module when `script` is missing),
 * fed a slow stdin, and its terminal output shows the line redrawn with
 * `\r` … clear-to-end-of-line several times, with every field, then cleared
 * for the summary. Off a terminal (stderr a pipe) there is no redraw, just
 * the summary; `--quiet` prints nothing on success, on a terminal or not;
 * `--progress` draws the line off a terminal too.
 */
import assert from "node:assert/strict";
import { BOOTSTRAP, createTopic, uniqueTopic } from "../support/cluster.ts";
import { CLI, spawnCli } from "../support/cli.ts";

const decoder = new TextDecoder();

/** `s` quoted for sh. */
const sh = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/** Whether `command` is on PATH. */
async function has(command: string): Promise<boolean> {
  const out = await new Deno.Command("sh", { args: ["-c", `command -v ${command}`] }).output();
  return out.success;
}

/** Runs the shell command `cmd` with a pseudo-terminal as its stdin, stdout and stderr; what it wrote there. */
async function underPty(cmd: string): Promise<{ code: number; output: string }> {
  let command: string;
  let args: string[];
  if (await has("script")) {
    [command, args] = ["script", ["-qfec", cmd, "/dev/null"]];
  } else if (await has("python3")) {
    [command, args] = ["python3", [
      "-c",
      "import pty, sys; sys.exit(pty.spawn(sys.argv[1:]) >> 8)",
      "sh",
      "-c",
      cmd,
    ]];
  } else {
    throw new Error(
      "neither util-linux `script` nor python3: install one (Debian/Ubuntu: apt-get install -y bsdutils)",
    );
  }
  const out = await new Deno.Command(command, {
    args,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(60_000),
  }).output();
  return { code: out.code, output: decoder.decode(out.stdout) + decoder.decode(out.stderr) };
}

/** A shell pipeline: `n` lines, one every `ms` ms, into the CLI with `flags`. */
function slowPipeline(topic: string, n: number, ms: number, flags: string[] = []): string {
  const cli = [Deno.execPath(), "run", "-A", CLI, "produce", "-b", BOOTSTRAP, "-t", topic, ...flags]
    .map(sh).join(" ");
  return `i=0; while [ $i -lt ${n} ]; do echo tty-$i; i=$((i+1)); sleep ${
    ms / 1000
  }; done | ${cli}`;
}

/** The progress line as drawn: `\r`, the fields, clear to end of line. */
const PROGRESS =
  // deno-lint-ignore no-control-regex -- the terminal's escape codes are what is tested
  /\rkafkats: ([\d,]+) acked \([\d.]+ MiB\), [\d,]+ records\/s, [\d.]+ MiB\/s, ([\d,]+) in flight, buffer [\d.]+\/32\.0 MiB, (\d+) errors?\x1b\[K/g;

Deno.test({
  name: "on a terminal: the progress line is redrawn in place with every field, then the summary",
  sanitizeOps: false,
  async fn() {
    const topic = uniqueTopic("cli-tty");
    await createTopic(topic, 1);
    const { code, output } = await underPty(slowPipeline(topic, 15, 100));
    assert.equal(code, 0, output);
    const draws = [...output.matchAll(PROGRESS)];
    assert.ok(
      draws.length >= 3,
      `redrawn ${draws.length} times in ~1.5 s:\n${JSON.stringify(output)}`,
    );
    const acked = draws.map((m) => Number(m[1].replaceAll(",", "")));
    assert.deepEqual(acked, [...acked].sort((a, b) => a - b), "acknowledged records only grow");
    assert.ok(acked.at(-1)! > 0);
    assert.ok(draws.every((m) => m[3] === "0"), "no errors");
    // Nothing but redraws before the summary: no newline inside the progress output.
    const summaryAt = output.indexOf("\r\x1b[Kkafkats: 15 records acknowledged");
    assert.ok(summaryAt > 0, `the line is cleared for the summary:\n${JSON.stringify(output)}`);
    assert.ok(!output.slice(0, summaryAt).includes("\n"), "the progress line never scrolls");
    assert.match(
      output.slice(summaryAt),
      // deno-lint-ignore no-control-regex -- as above
      /^\r\x1b\[Kkafkats: 15 records acknowledged \([\d.]+ MiB\) in [\d.]+ s: [\d,]+ records\/s, [\d.]+ MiB\/s\r?\n$/,
    );
    console.log(`  captured: ${JSON.stringify(draws.at(-1)![0])}`);
    console.log(`  captured: ${JSON.stringify(output.slice(summaryAt))}`);

    const quiet = await underPty(slowPipeline(topic, 3, 50, ["--quiet"]));
    assert.equal(quiet.code, 0, quiet.output);
    assert.equal(quiet.output, "", "--quiet: nothing on success, even on a terminal");
  },
});

Deno.test({
  name:
    "not a terminal: no redraw, no escape codes, just the summary line; --quiet: nothing; --progress: drawn anyway",
  sanitizeResources: false,
  async fn() {
    const topic = uniqueTopic("cli-notty");
    await createTopic(topic, 1);
    for (const flag of [null, "--quiet", "--progress"]) {
      const { child, result } = spawnCli(
        ["produce", "-b", BOOTSTRAP, "-t", topic, ...(flag === null ? [] : [flag])],
      );
      const writer = child.stdin.getWriter();
      for (let i = 0; i < 12; i++) {
        await writer.write(new TextEncoder().encode(`notty-${i}\n`));
        await new Promise((r) => setTimeout(r, 100));
      }
      await writer.close();
      const run = await result;
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout, "");
      if (flag === "--quiet") {
        assert.equal(run.stderr, "");
      } else if (flag === "--progress") {
        // Forced: drawn as on a terminal, into the pipe.
        assert.ok([...run.stderr.matchAll(PROGRESS)].length >= 2, JSON.stringify(run.stderr));
        assert.ok(run.stderr.endsWith("\n"));
        assert.ok(
          run.stderr.includes("\r\x1b[Kkafkats: 12 records acknowledged "),
          JSON.stringify(run.stderr),
        );
      } else {
        assert.ok(
          !run.stderr.includes("\r") && !run.stderr.includes("\x1b"),
          JSON.stringify(run.stderr),
        );
        assert.match(
          run.stderr,
          /^kafkats: 12 records acknowledged \([\d.]+ MiB\) in [\d.]+ s: .*\n$/,
        );
      }
    }
  },
});
