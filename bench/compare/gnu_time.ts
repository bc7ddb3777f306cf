/**
 * GNU time (`/usr/bin/time`, Debian package `time`) around each client of
 * the comparison: `/usr/bin/time -f compare-max-rss-kib=%M -o FILE CMD ARGS`
 * writes the maximum resident set size of CMD to FILE when CMD exits.
 *
 * What `%M` is: GNU time reads the rusage that `wait4` returns for its child
 * CMD, whose `ru_maxrss` is the largest peak RSS of a single process among
 * CMD itself and every descendant that was waited for (the kernel keeps the
 * maximum, not the sum; an `exec` keeps the process's earlier peak). For
 * `deno`, `bun`, `node` and the Go binary that is the client's process. For
 * `bash bench/peers/run.sh PEER` it is the largest process under the shell:
 * for java the JVM, as `scripts/kafka.sh java` `exec`s java in place of its
 * shell (but run.sh also starts a short TopicCommand JVM and `java -version`
 * before and after ProducerPerformance; the largest of the three counts:
 * measured here alone at 100,000 × 100 B, TopicCommand ~116 MiB, `java
 * -version` ~36 MiB, ProducerPerformance ~164 MiB, so TopicCommand is a
 * floor a tiny run can hit);
 * for librdkafka the Python process (librdkafka's threads are in it); for
 * kafkajs and platformatic the Node process. The orchestrator's /proc poll
 * (proc_tree.ts) sums the tree instead.
 *
 * @module
 */

/** The default path of GNU time on Debian. */
export const GNU_TIME = "/usr/bin/time";

/** The line GNU time writes last into its `-o` file. */
const MARKER = "compare-max-rss-kib";

/** GNU time to wrap clients in (`path`), or why there is none (`note`). */
export interface GnuTime {
  /** Path of a GNU time binary, when one is usable. */
  path?: string;
  /** Why not, or what was done to get it (e.g. installed with apt-get). */
  note?: string;
}

/** Whether `path` is GNU time (`--version` says so; BusyBox's has no `-o`). */
async function isGnuTime(path: string): Promise<boolean> {
  try {
    const out = await new Deno.Command(path, {
      args: ["--version"],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    return out.success && /GNU/.test(text);
  } catch {
    return false;
  }
}

/**
 * `apt-get update && apt-get install -y time`, as root or through
 * `sudo -n` (as scripts/test.sh installs kcat); resolves to why it failed,
 * or undefined on success.
 */
export async function aptInstallTime(): Promise<string | undefined> {
  let sudo = "";
  if (Deno.uid() !== 0) {
    const can = await new Deno.Command("sudo", {
      args: ["-n", "true"],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).output().then((o) => o.success, () => false);
    if (!can) return "not root and no passwordless sudo";
    sudo = "sudo -n ";
  }
  try {
    const out = await new Deno.Command("bash", {
      args: ["-c", `${sudo}apt-get update && ${sudo}apt-get install -y time`],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
      env: { DEBIAN_FRONTEND: "noninteractive" },
    }).output();
    if (out.success) return undefined;
    const err = new TextDecoder().decode(out.stderr).trim().split("\n").pop() ?? "";
    return `apt-get install -y time failed (${out.code}): ${err.slice(0, 200)}`;
  } catch (error) {
    return `apt-get install -y time: ${error}`;
  }
}

/**
 * GNU time at `path`; when it is missing, `install()` (default: apt-get) and
 * a second look. Never throws: without it the report's column is "—".
 */
export async function findGnuTime(
  path = GNU_TIME,
  install: () => Promise<string | undefined> = aptInstallTime,
): Promise<GnuTime> {
  if (await isGnuTime(path)) return { path };
  console.error(`compare: ${path} (GNU time) not found; installing the Debian package time`);
  const why = await install();
  if (await isGnuTime(path)) return { path, note: "installed with apt-get install -y time" };
  return {
    note: `${path} (GNU time) unavailable${
      why ? `: ${why}` : ""
    }; peak RSS (time) not measured, only the /proc tree RSS`,
  };
}

/** `cmd args` run under GNU time at `timePath`, its report going to `file`. */
export function wrapInTime(
  timePath: string,
  file: string,
  cmd: string,
  args: readonly string[],
): { cmd: string; args: string[] } {
  return { cmd: timePath, args: ["-f", `${MARKER}=%M`, "-o", file, cmd, ...args] };
}

/**
 * `%M` from a GNU time `-o` file, KiB; null when the file or the line is
 * missing (e.g. time itself was killed). Lines such as "Command exited with
 * non-zero status 3" before it are skipped.
 */
export function parseMaxRssKib(text: string): number | null {
  const m = new RegExp(`^${MARKER}=(\\d+)$`, "m").exec(text);
  return m ? Number(m[1]) : null;
}
