/**
 * Turns `deno bench --json` output into throughput: every micro benchmark
 * name ends with `[n=COUNT UNIT, …]` (the work of one iteration), and this
 * prints COUNT ÷ time per iteration as records/s, MB/s or GB/s, from the
 * mean and from the fastest iteration (the machine is shared: the mean is
 * noisy).
 *
 *   deno run -A bench/micro_report.ts              runs `deno bench -A --json bench/`
 *   deno run -A bench/micro_report.ts out.json     reads saved `deno bench --json` output
 *
 * @module
 */

/** One benchmark's result as `deno bench --json` reports it (times in ns). */
interface BenchJson {
  group: string | null;
  name: string;
  results: { ok?: { avg: number; min: number; n: number } }[];
}

/** Parses `[n=148 records, 16361 B]` at the end of a bench name. */
export function parseWork(name: string): { count: number; unit: string }[] {
  const m = /\[n=([^\]]+)\]\s*$/.exec(name);
  if (m === null) return [];
  return m[1].split(",").map((part) => {
    const [count, ...unit] = part.trim().split(/\s+/);
    return { count: Number(count), unit: unit.join(" ") };
  }).filter((w) => Number.isFinite(w.count));
}

/** Formats `count` units per `ns` nanoseconds as a rate with a sensible unit. */
export function rate(count: number, unit: string, ns: number): string {
  const perSec = count / (ns / 1e9);
  if (unit === "B") {
    return perSec >= 1e9
      ? `${(perSec / 1e9).toFixed(2)} GB/s`
      : `${(perSec / 1e6).toFixed(1)} MB/s`;
  }
  const value = perSec >= 1e6
    ? `${(perSec / 1e6).toFixed(2)} M`
    : perSec >= 1e3
    ? `${(perSec / 1e3).toFixed(1)} k`
    : perSec.toFixed(0) + " ";
  return `${value}${unit}/s`;
}

async function main(): Promise<void> {
  const file = Deno.args[0];
  let text: string;
  if (file !== undefined) {
    text = await Deno.readTextFile(file);
  } else {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["bench", "-A", "--json", new URL(".", import.meta.url).pathname],
      stdout: "piped",
      stderr: "inherit",
    }).output();
    if (!out.success) throw new Error(`deno bench failed with exit code ${out.code}`);
    text = new TextDecoder().decode(out.stdout);
  }
  const report = JSON.parse(text) as { runtime: string; cpu: string; benches: BenchJson[] };
  console.log(`${report.runtime}, ${report.cpu}\n`);
  console.log("| group | benchmark | mean/iter | throughput (mean) | throughput (best) |");
  console.log("| --- | --- | ---: | ---: | ---: |");
  for (const b of report.benches) {
    const ok = b.results[0]?.ok;
    if (ok === undefined) continue;
    const work = parseWork(b.name);
    const name = b.name.replace(/\s*\[n=[^\]]+\]\s*$/, "");
    const mean = work.map((w) => rate(w.count, w.unit, ok.avg)).join(", ");
    const best = work.map((w) => rate(w.count, w.unit, ok.min)).join(", ");
    const iter = ok.avg >= 1e6
      ? `${(ok.avg / 1e6).toFixed(2)} ms`
      : `${(ok.avg / 1e3).toFixed(1)} µs`;
    console.log(`| ${b.group ?? ""} | ${name} | ${iter} | ${mean} | ${best} |`);
  }
}

if (import.meta.main) await main();
