/**
 * A description of the machine and tool versions for the report's header.
 *
 * @module
 */

async function firstLine(cmd: string, args: string[]): Promise<string> {
  try {
    const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    return text.split("\n").find((l) => l.trim() !== "")?.trim() ?? "?";
  } catch {
    return "not installed";
  }
}

function readOr(path: string, fallback: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch {
    return fallback;
  }
}

/** Lines: date, CPU, cores, memory, OS, runtime and Kafka versions. */
export async function describeMachine(
  bunPath: string,
  kafkaVersion: string,
  node24Path?: string,
): Promise<string[]> {
  const cpu = /model name\s*:\s*(.*)/.exec(readOr("/proc/cpuinfo", ""))?.[1] ?? "?";
  const memKb = Number(/MemTotal:\s*(\d+)/.exec(readOr("/proc/meminfo", ""))?.[1] ?? NaN);
  const os = /PRETTY_NAME="?([^"\n]*)/.exec(readOr("/etc/os-release", ""))?.[1] ?? Deno.build.os;
  return [
    `date: ${new Date().toISOString()}`,
    `CPU: ${cpu}, ${navigator.hardwareConcurrency} cores`,
    `memory: ${(memKb / 1048576).toFixed(1)} GiB`,
    `load average at start (1/5/15 min): ${
      readOr("/proc/loadavg", "?").split(" ").slice(0, 3).join(" ")
    } — other work on the machine skews every number`,
    `OS: ${os}, kernel ${Deno.osRelease()}`,
    `Deno ${Deno.version.deno}; Bun ${await firstLine(bunPath, [
      "--version",
    ])}; Node ${await firstLine(
      "node",
      ["--version"],
    )}${node24Path ? `; pinned Node ${await firstLine(node24Path, ["--version"])}` : ""}`,
    `Java: ${await firstLine("java", ["-version"])}; Python: ${await firstLine("python3", [
      "--version",
    ])}; Go: ${await firstLine("go", ["version"])}`,
    `Kafka ${kafkaVersion}, one KRaft broker (scripts/kafka.sh up), topics with 6 partitions, RF 1`,
  ];
}
