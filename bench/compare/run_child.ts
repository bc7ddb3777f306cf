/**
 * Runs one benchmark client as a child process: polls its process tree's
 * RSS every ~50 ms (keeping the peak), kills the tree when it overruns its
 * timeout, and returns its exit code, last stdout line and stderr tail.
 *
 * @module
 */
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
  /** Peak RSS of the whole process tree, MiB. */
  peakRssMb: number;
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
  options: { cwd: string; env?: Record<string, string>; timeoutMs: number; logFile: string },
): Promise<ChildResult> {
  const started = performance.now();
  const child = new Deno.Command(cmd, {
    args,
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
    const t = treeRss(child.pid);
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
  const lines = stdout.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  return {
    code: timedOut ? null : status.code,
    timedOut,
    lastLine: lines[lines.length - 1] ?? "",
    stderrTail: tail,
    peakRssMb: peak / 1048576,
    wallMs: performance.now() - started,
  };
}
