/**
 * The command-line parsing the bench tools share: `--name value`,
 * `--name=value`, or a bare `--flag` (= `"true"`).
 *
 * @module
 */

/**
 * Parses `argv` into a map of option names (without `--`) to values.
 * @throws {Error} for an argument that is not an option.
 */
export function parseArgs(argv: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith("--")) throw new Error(`unexpected argument ${a}`);
    const eq = a.indexOf("=");
    if (eq > 0) out.set(a.slice(2, eq), a.slice(eq + 1));
    else if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) out.set(a.slice(2), argv[++i]);
    else out.set(a.slice(2), "true");
  }
  return out;
}

/** A topic name unique to this run, `PREFIX-<time>-<random>`. */
export function randomTopic(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
}

/** Percentiles of latencies in ms (NaN-free), as perf.ts and ceiling.ts report them. */
export interface LatencySummary {
  /** Mean. */
  avgMs: number;
  /** Largest. */
  maxMs: number;
  /** Median. */
  p50: number;
  /** 95th percentile. */
  p95: number;
  /** 99th percentile. */
  p99: number;
  /** 99.9th percentile. */
  p999: number;
}

/** Mean, max and percentiles of `latencies` (ms); all NaN when empty. */
export function summarize(latencies: Float64Array): LatencySummary {
  const sorted = latencies.slice().sort();
  const n = sorted.length;
  const pct = (p: number) => n === 0 ? NaN : sorted[Math.min(n - 1, Math.floor(n * p))];
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i];
  return {
    avgMs: n === 0 ? NaN : sum / n,
    maxMs: n === 0 ? NaN : sorted[n - 1],
    p50: pct(0.5),
    p95: pct(0.95),
    p99: pct(0.99),
    p999: pct(0.999),
  };
}
