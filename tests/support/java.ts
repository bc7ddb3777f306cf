/**
 * Running Kafka's Java tools and our single-file Java programs
 * (tests/support/*.java) on the Kafka classpath, through
 * `scripts/kafka.sh java` (heap `KAFKA_TOOL_HEAP`, flags `KAFKA_TOOL_OPTS`),
 * with a timeout on every run. Uses `node:` modules so the Deno tests and
 * the Bun runs can share it.
 *
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The repository root (the Java programs' paths are relative to it). */
export const REPO: string = fileURLToPath(new URL("../../", import.meta.url));

/** How a Java run ended. */
export interface JavaResult {
  /** Exit code (null when killed by a signal). */
  code: number | null;
  /** Everything printed on stdout. */
  stdout: string;
  /** Everything printed on stderr. */
  stderr: string;
}

/**
 * Starts `scripts/kafka.sh java ARGS…` (a class name or a `.java` file, then
 * its arguments) in the repository root, stdin/stdout/stderr piped. The
 * script `exec`s java, so the child's pid is the JVM's.
 */
export function spawnJava(args: readonly string[]): ChildProcess {
  return spawn("bash", ["scripts/kafka.sh", "java", ...args], {
    cwd: REPO,
    stdio: ["pipe", "pipe", "pipe"],
  });
}

/**
 * Runs `scripts/kafka.sh java ARGS…` to its end and returns its exit code
 * and output; `input` is written to its stdin (then closed). Killed (and
 * rejected) after `timeoutMs` (default 60 s). A non-zero exit code is not an
 * error here: look at `code`.
 */
export function runJava(
  args: readonly string[],
  options: { timeoutMs?: number; input?: string } = {},
): Promise<JavaResult> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const child = spawnJava(args);
    let stdout = "";
    let stderr = "";
    child.stdout!.setEncoding("utf8").on("data", (s: string) => stdout += s);
    child.stderr!.setEncoding("utf8").on("data", (s: string) => stderr += s);
    child.stdin!.on("error", () => {}); // a tool that exits without reading its input
    child.stdin!.end(options.input ?? "");
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(
        new Error(
          `${args.slice(0, 2).join(" ")}: no exit after ${timeoutMs} ms (killed)\n${stderr}`,
        ),
      );
    }, timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
