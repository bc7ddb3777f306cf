/**
 * Runs one benchmark client as a child process, under GNU time when given
 * one (its `%M`, see gnu_time.ts): polls its process tree's RSS every ~50 ms
 * (keeping the peak of the sum), kills the tree when it overruns its
 * timeout, and returns its exit code, last stdout line and stderr tail.
 *
 * @module
 */
import { parseMaxRssKib, wrapInTime } from "./gnu_time.ts";
import { killPids, treePids, treeRss } from "./proc_tree.ts";

/** What one child run produced. */
export interface ChildResult {
  /** Exit code (null when killed for the timeout). */
  code: number | null;
  /** Whether the timeout killed it. */
  timedOut: boolean;
  /** Last non-empty stdout line. */
  lastLine: string;
  /** Last ~2 KB of stderr. */
  stderrTail: string;
  /**
   * GNU time's `%M` of the command, MiB: the largest peak RSS of one process
   * among it and its waited-for descendants; null without GNU time or when
   * it wrote none (killed for the timeout).
   */
  maxRssMb: number | null;
  /** Peak of the summed RSS of the whole process tree (/proc every ~50 ms, time itself not counted), MiB. */
  treeRssMb: number;
  /** Wall time, ms. */
  wallMs: number;
}

/** The child running now, so a signal handler can kill its tree. */
let current: Deno.ChildProcess | null = null;

/** Kills the tree of the child running now, if any. */
export function killCurrent(): void {
  if (current !== null) killPids(treePids(current.pid));
}

/**
 * Runs `cmd args` in `cwd` with `env` added, for at most `timeoutMs`; full
 * stderr goes to `logFile`.
 */
export async function runChild(
  cmd: string,
  args: string[],
  options: {
    cwd: string;
    env?: Record<string, string>;
    timeoutMs: number;
    logFile: string;
    /** GNU time to wrap the command in, and the file it writes `%M` to (overwritten). */
    time?: { path: string; file: string };
  },
): Promise<ChildResult> {
  const time = options.time;
  if (time) await Deno.remove(time.file).catch(() => {});
  const run = time ? wrapInTime(time.path, time.file, cmd, args) : { cmd, args };
  const started = performance.now();
  const child = new Deno.Command(run.cmd, {
    args: run.args,
    cwd: options.cwd,
    env: options.env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  current = child;
  let peak = 0;
  let pids: number[] = [child.pid];
  const poll = setInterval(() => {
    // Under time, the tree's root is time itself (~2 MiB): not the client's.
    const t = treeRss(child.pid, time !== undefined);
    if (t.pids.length > 0) pids = t.pids;
    peak = Math.max(peak, t.bytes);
  }, 50);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    killPids(treePids(child.pid).concat(pids));
  }, options.timeoutMs);
  const log = await Deno.open(options.logFile, { create: true, write: true, truncate: true });
  let tail = "";
  const stderrDone = child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({
      async write(text) {
        tail = (tail + text).slice(-2048);
        await log.write(new TextEncoder().encode(text));
      },
    }),
  );
  const stdoutText = new Response(child.stdout).text();
  const status = await child.status;
  clearInterval(poll);
  clearTimeout(timer);
  // Grandchildren that outlived the child (e.g. a JVM after its shell was killed).
  if (timedOut) killPids(pids);
  // A descendant that keeps the pipes open must not hang the compare.
  let grace: ReturnType<typeof setTimeout> | undefined;
  const graceOver = new Promise<null>((r) => grace = setTimeout(() => r(null), 5000));
  const stdout = (await Promise.race([stdoutText, graceOver])) ?? "";
  await Promise.race([stderrDone.catch(() => {}), graceOver]);
  clearTimeout(grace);
  log.close();
  current = null;
  const maxRssKib = time
    ? parseMaxRssKib(await Deno.readTextFile(time.file).catch(() => ""))
    : null;
  const lines = stdout.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  return {
    code: timedOut ? null : status.code,
    timedOut,
    lastLine: lines[lines.length - 1] ?? "",
    stderrTail: tail,
    maxRssMb: maxRssKib === null ? null : maxRssKib / 1024,
    treeRssMb: peak / 1048576,
    wallMs: performance.now() - started,
  };
}
