/**
 * Ctrl-C: SIGINT sent to the CLI mid-stream, its stdin still open and
 * slow (a line every 20 ms), under Deno (Deno.addSignalListener) and Bun
 * (process.on), a second after `--progress` showed records acknowledged
 * (so the signal cannot come before the CLI listens for it). It stops reading, flushes what is in flight within its 5 s
 * bound, prints the interrupted summary and exits 130; every record it
 * counted as acknowledged is in the topic (one partition: the first N
 * lines, in order), as Kafka's Java consumer reads it.
 */
import assert from "node:assert/strict";
import { BOOTSTRAP, createTopic, readBack, uniqueTopic } from "../support/cluster.ts";
import { type CliRuntime, fromBase64, spawnCli } from "../support/cli.ts";

const encoder = new TextEncoder();

for (const runtime of ["deno", "bun"] as CliRuntime[]) {
  Deno.test({
    name:
      `${runtime}: SIGINT mid-stream stops reading, flushes, reports, exits 130; acknowledged records are in the topic`,
    sanitizeResources: false,
    async fn() {
      const topic = uniqueTopic(`cli-sigint-${runtime}`);
      await createTopic(topic, 1);
      // --progress: its first line shows that the CLI runs (and listens for SIGINT).
      const cli = spawnCli(["produce", "-b", BOOTSTRAP, "-t", topic, "--progress"], { runtime });
      const { child, result } = cli;
      const writer = child.stdin.getWriter();
      let written = 0;
      let stop = false;
      const feeding = (async () => {
        while (!stop) {
          await writer.write(encoder.encode(`int-${written}\n`));
          written++;
          await new Promise((r) => setTimeout(r, 20));
        }
      })().catch(() => {}); // the child stops reading; writes may then fail
      await cli.waitForStderr(/\rkafkats: [1-9][\d,]* acked/);
      await new Promise((r) => setTimeout(r, 1000));
      const signalled = performance.now();
      child.kill("SIGINT");
      // Keep stdin open and fed: the CLI must stop reading on its own.
      const run = await result;
      const afterSignal = performance.now() - signalled;
      stop = true;
      await feeding;
      writer.releaseLock();
      await child.stdin.close().catch(() => {});

      assert.equal(run.code, 130, run.stderr);
      assert.ok(afterSignal < 5000 + 3000, `exited ${afterSignal} ms after SIGINT`);
      const match = run.stderr.match(
        // deno-lint-ignore no-control-regex -- the progress line is cleared for the summary
        /\r\x1b\[Kkafkats: interrupted: (?:([\d,]+) of ([\d,]+) records|([\d,]+) records?) acknowledged \([\d.]+ MiB\) in [\d.]+ s: .*\n$/,
      );
      assert.ok(match, `no interrupted summary:\n${run.stderr}`);
      const acked = Number((match[1] ?? match[3]).replaceAll(",", ""));
      const read = match[2] === undefined ? acked : Number(match[2].replaceAll(",", ""));
      assert.ok(acked > 10, `only ${acked} acknowledged`);
      assert.ok(read <= written, `${read} read, ${written} written`);
      assert.ok(!run.stderr.includes("kafkats: error"), run.stderr);

      console.log(
        `  ${runtime}: exited ${
          afterSignal.toFixed(0)
        } ms after SIGINT; ${acked} of ${read} acknowledged`,
      );
      const consumed = await readBack(topic, acked);
      assert.ok(consumed.length >= acked);
      assert.deepEqual(
        consumed.slice(0, acked).map((r) => fromBase64(r.v)),
        Array.from({ length: acked }, (_, i) => `int-${i}`),
      );
    },
  });
}
