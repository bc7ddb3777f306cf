/**
 * Runs the CLI (lib/cli/mod.ts) as a child process — under Deno
 * (`deno run -A`) or Bun (`bun`, from `.tools/`) — feeding its stdin and
 * collecting its exit status, stdout, stderr and wall time. Every run is
 * bounded: past its timeout the child is killed and the run fails.
 *
 * @module
 */
import { fileURLToPath } from "node:url";

/** The repository's root, with a trailing slash. */
export const ROOT: string = fileURLToPath(new URL("../../", import.meta.url));
/** The CLI's entry point. */
export const CLI: string = `${ROOT}lib/cli/mod.ts`;
/** The pinned Bun. */
export const BUN: string = `${ROOT}.tools/node_modules/.bin/bun`;

/** The runtimes the CLI runs under here (Node runs it from the npm package: tests/node/). */
export type CliRuntime = "deno" | "bun";

/** What one run gave. */
export interface CliResult {
  /** Exit status (a signal counts as 128 + its number). */
  readonly code: number;
  /** stdout as text. */
  readonly stdout: string;
  /** stderr as text. */
  readonly stderr: string;
  /** Wall time of the child, ms. */
  readonly ms: number;
}

/** Options of {@link runCli} and {@link spawnCli}. */
export interface CliRunOptions {
  /** Deno (default) or Bun. */
  readonly runtime?: CliRuntime;
  /** stdin's bytes (then closed); nothing (an empty stdin) by default. */
  readonly stdin?: string | Uint8Array;
  /** Extra environment variables. */
  readonly env?: Record<string, string>;
  /** Kill the child after this long (default 60 s). */
  readonly timeoutMs?: number;
}

/** The command and arguments that run the CLI with `args` under `runtime`. */
export function cliCommand(runtime: CliRuntime, args: readonly string[]): [string, string[]] {
  return runtime === "deno"
    ? [Deno.execPath(), ["run", "-A", CLI, ...args]]
    : [BUN, [CLI, ...args]];
}

const decoder = new TextDecoder();

/** A running CLI: its process (stdin piped) and its result once it exits. */
export interface SpawnedCli {
  /** The child; write to `child.stdin`, signal it with `child.kill("SIGINT")`. */
  readonly child: Deno.ChildProcess;
  /** What it has written to stderr so far. */
  stderrSoFar(): string;
  /**
   * Resolves once stderr matches `pattern` (`--progress` draws a line once
   * the CLI runs); rejects after `timeoutMs` or if the CLI exits first.
   */
  waitForStderr(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Resolves when it exits (killed, and rejected, after the timeout). */
  readonly result: Promise<CliResult>;
}

/** Reads a stream to its end as text, calling `onText` with each piece. */
async function readAll(
  stream: ReadableStream<Uint8Array>,
  onText: (text: string) => void = () => {},
): Promise<string> {
  const text = new TextDecoder();
  let all = "";
  for await (const chunk of stream) {
    const piece = text.decode(chunk, { stream: true });
    all += piece;
    onText(piece);
  }
  return all + text.decode();
}

/** Starts the CLI with `args`, stdin piped and left open for the caller. */
export function spawnCli(args: readonly string[], options: CliRunOptions = {}): SpawnedCli {
  const [command, argv] = cliCommand(options.runtime ?? "deno", args);
  const start = performance.now();
  const child = new Deno.Command(command, {
    args: argv,
    cwd: ROOT,
    env: options.env ?? {},
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timeoutMs = options.timeoutMs ?? 60_000;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, timeoutMs);
  let stderr = "";
  const waiters = new Set<() => void>();
  const stdoutText = readAll(child.stdout);
  const stderrText = readAll(child.stderr, (piece) => {
    stderr += piece;
    for (const check of waiters) check();
  });
  const result = Promise.all([child.status, stdoutText, stderrText]).then(([status, out, err]) => {
    clearTimeout(timer);
    const run = { code: status.code, stdout: out, stderr: err, ms: performance.now() - start };
    if (timedOut) {
      throw new Error(
        `kafkats ${args.join(" ")} still ran after ${timeoutMs} ms:\n${run.stdout}${run.stderr}`,
      );
    }
    return run;
  });
  const waitForStderr = (pattern: RegExp, waitMs = 30_000) =>
    new Promise<void>((resolve, reject) => {
      const done = (error?: Error) => {
        waiters.delete(check);
        clearTimeout(giveUp);
        if (error === undefined) resolve();
        else reject(error);
      };
      const check = () => {
        if (pattern.test(stderr)) done();
      };
      const giveUp = setTimeout(
        () => done(new Error(`no ${pattern} on stderr after ${waitMs} ms:\n${stderr}`)),
        waitMs,
      );
      waiters.add(check);
      stderrText.then(() => done(new Error(`exited before ${pattern}:\n${stderr}`)));
      check();
    });
  return { child, stderrSoFar: () => stderr, waitForStderr, result };
}

/** Runs the CLI with `args`, `options.stdin` as its input, to its end. */
export async function runCli(
  args: readonly string[],
  options: CliRunOptions = {},
): Promise<CliResult> {
  const { child, result } = spawnCli(args, options);
  const writer = child.stdin.getWriter();
  const input = options.stdin ?? "";
  // The child may exit before reading all of it (a bad line): that is not an error here.
  await writer.write(typeof input === "string" ? new TextEncoder().encode(input) : input)
    .catch(() => {});
  await writer.close().catch(() => {});
  return await result;
}

/** Text of a base64 field as ReadBack prints it (null stays null). */
export function fromBase64(value: string | null): string | null {
  if (value === null) return null;
  return decoder.decode(Uint8Array.from(atob(value), (c) => c.charCodeAt(0)));
}
