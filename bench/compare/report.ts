/**
 * The comparison's records and its report: medians per (scenario, client)
 * over the rounds, rendered as `bench/RESULTS.md`. Pure functions — the
 * smoke test renders canned runs.
 *
 * @module
 */

/** The JSON line every client prints last (perf.ts, ceiling.ts, bench/peers drivers). */
export interface ClientResult {
  /** Client name, e.g. `"java"`, `"kafkats"`. */
  client: string;
  /** Client version. */
  clientVersion?: string;
  /** Runtime and version, e.g. `"deno 2.9.6"`, `"jvm 17"`. */
  runtime?: string;
  /** `send`, `sync`, `pipe` or `ceiling`. */
  mode?: string;
  /** Records asked for. */
  records: number;
  /** Bytes per record value. */
  recordSize: number;
  /** Records acknowledged. */
  acked: number;
  /** Records failed. */
  failed: number;
  /** Acknowledged records per second. */
  recordsPerSec: number;
  /** Acknowledged MiB per second. */
  mbPerSec: number;
  /** Latency percentiles, ms (null or absent when not measured). */
  p50?: number | null;
  /** See {@link ClientResult.p50}. */
  p99?: number | null;
  /** Present (with exit code 3) when the client cannot run here. */
  unavailable?: string;
  /** perf.ts: the security protocol it connected with, e.g. `"SASL_SSL SCRAM-SHA-512"`. */
  securityProtocol?: string;
}

/** One run of one client in one round of one scenario, as written to results.jsonl. */
export interface RunRecord {
  /** Scenario id, e.g. `"T1"`. */
  scenario: string;
  /** Client id in the compare, e.g. `"java"`, `"deno"`, `"bun-pipe"`. */
  client: string;
  /** 1-based round. */
  round: number;
  /** Topic written to. */
  topic: string;
  /** How it ended. */
  status: "ok" | "failed" | "timeout" | "unavailable";
  /** Why, for anything but `ok`. */
  reason?: string;
  /** The client's JSON line, when it printed one. */
  result?: ClientResult;
  /** Peak RSS of the client's process tree, MiB, measured by the orchestrator. */
  peakRssMb: number;
  /** Wall time of the run including start-up, ms. */
  wallMs: number;
}

/** A scenario as the report needs it. */
export interface ScenarioInfo {
  /** Id, e.g. `"T1"`. */
  id: string;
  /** One-line description. */
  title: string;
  /** Scenario whose Java median is the ratio's denominator (itself by default). */
  javaRef?: string;
  /** Client ids in table order. */
  clients: readonly string[];
  /** Scenario whose `ceiling` median gives a "vs ceiling" column, if any. */
  ceilingRef?: string;
  /**
   * Plaintext scenario whose median of the same client gives a "vs own
   * plaintext" column (the security scenarios: what TLS/SASL costs each client).
   */
  plaintextRef?: string;
}

/** Everything above the tables. */
export interface ReportMeta {
  /** Lines describing machine and versions. */
  machine: readonly string[];
  /** The exact command. */
  command: string;
  /** Free text: budget, record counts, notes. */
  notes: readonly string[];
}

/** Median of the finite numbers given; NaN when there are none. */
export function median(values: readonly (number | null | undefined)[]): number {
  const v = values.filter((x): x is number => typeof x === "number" && Number.isFinite(x))
    .sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = v.length >> 1;
  return v.length % 2 === 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/** Medians of one client in one scenario. */
export interface ClientSummary {
  /** Client id. */
  client: string;
  /** Runtime reported by the client. */
  runtime: string;
  /** Median records/s of ok runs. */
  recordsPerSec: number;
  /** Median MB/s of ok runs. */
  mbPerSec: number;
  /** Median p50, ms. */
  p50: number;
  /** Median p99, ms. */
  p99: number;
  /** Median peak RSS, MiB. */
  peakRssMb: number;
  /** Ok runs. */
  ok: number;
  /** All runs. */
  total: number;
  /** Why runs were not ok (deduplicated). */
  notes: string[];
}

/** Medians of `client`'s ok runs in `scenario`. */
export function summarize(
  runs: readonly RunRecord[],
  scenario: string,
  client: string,
): ClientSummary {
  const mine = runs.filter((r) => r.scenario === scenario && r.client === client);
  const ok = mine.filter((r) => r.status === "ok");
  const notes = [
    ...new Set(
      mine.filter((r) => r.status !== "ok").map((r) =>
        r.status === "unavailable"
          ? `unavailable: ${r.reason ?? "?"}`
          : `${r.status}${r.reason ? `: ${r.reason}` : ""}`
      ),
    ),
  ];
  return {
    client,
    runtime: ok.find((r) => r.result?.runtime)?.result?.runtime ??
      mine.find((r) => r.result?.runtime)?.result?.runtime ?? "",
    recordsPerSec: median(ok.map((r) => r.result?.recordsPerSec)),
    mbPerSec: median(ok.map((r) => r.result?.mbPerSec)),
    p50: median(ok.map((r) => r.result?.p50)),
    p99: median(ok.map((r) => r.result?.p99)),
    peakRssMb: median(ok.map((r) => r.peakRssMb)),
    ok: ok.length,
    total: mine.length,
    notes,
  };
}

function fmt(n: number, digits = 0): string {
  if (!Number.isFinite(n)) return "—";
  return n.toLocaleString("en-US", {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}

/** The markdown table of one scenario. */
export function renderScenario(runs: readonly RunRecord[], scenario: ScenarioInfo): string {
  const rows = scenario.clients.map((c) => summarize(runs, scenario.id, c));
  const java = summarize(runs, scenario.javaRef ?? scenario.id, "java").recordsPerSec;
  const ceiling = scenario.ceilingRef === undefined
    ? NaN
    : summarize(runs, scenario.ceilingRef, "ceiling").recordsPerSec;
  const withCeiling = Number.isFinite(ceiling);
  const plaintextRef = scenario.plaintextRef;
  const withPlaintext = plaintextRef !== undefined;
  const ratio = (n: number, d: number) =>
    Number.isFinite(n) && Number.isFinite(d) ? `${(n / d).toFixed(2)}×` : "—";
  const lines = [
    `### ${scenario.id} — ${scenario.title}`,
    "",
    `| client | runtime | records/s (median) | MB/s | p50 / p99 ms | peak RSS MiB | vs Java |${
      withPlaintext ? ` vs own ${plaintextRef} (plaintext) |` : ""
    }${withCeiling ? " vs ceiling |" : ""} runs ok/total | notes |`,
    `| --- | --- | ---: | ---: | ---: | ---: | ---: |${withPlaintext ? " ---: |" : ""}${
      withCeiling ? " ---: |" : ""
    } ---: | --- |`,
  ];
  for (const r of rows) {
    const latency = Number.isFinite(r.p50) || Number.isFinite(r.p99)
      ? `${fmt(r.p50, 1)} / ${fmt(r.p99, 1)}`
      : "—";
    const cells = [
      r.client,
      r.runtime || "—",
      fmt(r.recordsPerSec),
      fmt(r.mbPerSec, 2),
      latency,
      fmt(r.peakRssMb),
      ratio(r.recordsPerSec, java),
      ...(withPlaintext
        ? [ratio(r.recordsPerSec, summarize(runs, plaintextRef, r.client).recordsPerSec)]
        : []),
      ...(withCeiling ? [ratio(r.recordsPerSec, ceiling)] : []),
      `${r.ok}/${r.total}`,
      r.notes.join("; ").replaceAll("|", "/"),
    ];
    lines.push(`| ${cells.join(" | ")} |`);
  }
  if (scenario.javaRef && scenario.javaRef !== scenario.id) {
    lines.push("", `Ratio against Java's median in ${scenario.javaRef}.`);
  }
  if (withPlaintext) {
    lines.push(
      "",
      `"vs own ${plaintextRef} (plaintext)": records/s ÷ the same client's median in ${plaintextRef} (same settings, plaintext listener, same broker and run; 0.83× = 17% slower secured).`,
    );
  }
  if (withCeiling) {
    lines.push(
      "",
      `"vs ceiling": records/s ÷ the broker ceiling's median in ${scenario.ceilingRef} (bench/ceiling.ts).`,
    );
  }
  return lines.join("\n");
}

/** The whole RESULTS.md. */
export function renderReport(
  meta: ReportMeta,
  scenarios: readonly ScenarioInfo[],
  runs: readonly RunRecord[],
): string {
  const unavailable = new Map<string, string>();
  for (const r of runs) {
    if (r.status === "unavailable") unavailable.set(r.client, r.reason ?? "?");
  }
  const out = [
    "# Producer comparison",
    "",
    "Generated by `bench/compare.ts`; every number is the median over the rounds of the runs that",
    "acknowledged every record. Peak RSS is the client's whole process tree, polled from /proc",
    "every ~50 ms by the orchestrator. One broker on the same machine: a shared, noisy 2-core box,",
    "so read ratios, not absolutes.",
    "",
    "## Machine",
    "",
    ...meta.machine.map((l) => `- ${l}`),
    "",
    "## Command",
    "",
    "```sh",
    meta.command,
    "```",
    "",
    ...meta.notes.map((l) => `- ${l}`),
    "",
    "## Results",
    "",
  ];
  for (const s of scenarios) out.push(renderScenario(runs, s), "");
  if (unavailable.size > 0) {
    out.push("## Unavailable clients", "");
    for (const [client, reason] of unavailable) out.push(`- ${client}: ${reason}`);
    out.push("");
  }
  return out.join("\n");
}
