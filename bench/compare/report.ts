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
  /**
   * Peak RSS, MiB, from GNU time around the client's command (`%M`: the
   * largest single process among the command and its waited-for
   * descendants; see bench/compare/gnu_time.ts); null when not measured (no
   * GNU time, or the run was killed).
   */
  maxRssMb: number | null;
  /** Peak of the summed RSS of the client's whole process tree, MiB, polled from /proc every ~50 ms. */
  treeRssMb: number;
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
  /**
   * Row label in the README table (e.g. `T1 1M × 100 B, acks=all, idempotent`);
   * scenarios without one are not in it.
   */
  readmeLabel?: string;
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
  /** Median peak RSS (GNU time %M), MiB. */
  maxRssMb: number;
  /** Median peak tree RSS (/proc), MiB. */
  treeRssMb: number;
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
    maxRssMb: median(ok.map((r) => r.maxRssMb)),
    treeRssMb: median(ok.map((r) => r.treeRssMb)),
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
    `| client | runtime | records/s (median) | MB/s | p50 / p99 ms | peak RSS MiB (time) | tree RSS MiB (/proc) | vs Java |${
      withPlaintext ? ` vs own ${plaintextRef} (plaintext) |` : ""
    }${withCeiling ? " vs ceiling |" : ""} runs ok/total | notes |`,
    `| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |${withPlaintext ? " ---: |" : ""}${
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
      fmt(r.maxRssMb),
      fmt(r.treeRssMb),
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

/** README table columns: a heading and the client id its cells come from. */
const README_COLUMNS: readonly { heading: string; client: string }[] = [
  { heading: "Java", client: "java" },
  { heading: "ours, Deno", client: "deno" },
  { heading: "ours, Bun", client: "bun" },
  { heading: "librdkafka¹", client: "librdkafka" },
  { heading: "franz-go", client: "franz-go" },
  { heading: "KafkaJS", client: "kafkajs" },
  { heading: "@platformatic/kafka", client: "platformatic" },
];

/**
 * The client whose runs fill a README column in a scenario: S1's Deno and
 * Bun columns are their `-pipe` runs, C0's Deno column the ceiling (it runs
 * on Deno); undefined when the scenario has no such client.
 */
function readmeClient(scenario: ScenarioInfo, client: string): string | undefined {
  const id = scenario.id === "S1" && (client === "deno" || client === "bun")
    ? `${client}-pipe`
    : scenario.id === "C0" && client === "deno"
    ? "ceiling"
    : client;
  return scenario.clients.includes(id) ? id : undefined;
}

function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ];
}

/**
 * The "README table" section: records/s and the ratio to Java's median
 * (L1: p50/p99 ms and the ratio; S1: the `pipeTo` runs against Java's T1;
 * C0: the ceiling) per scenario with a `readmeLabel`, in the shape of
 * README.md's Performance table; then peak RSS (GNU time) for T1 and S1
 * (send / pipe and pipe ÷ send for Deno and Bun). Empty when no scenario has
 * a label. A blank cell: the client is not in that scenario (or not chosen);
 * "—": it ran without an ok run.
 */
export function renderReadmeTables(
  runs: readonly RunRecord[],
  scenarios: readonly ScenarioInfo[],
): string {
  const order = ["T1", "T2", "T3", "L1", "S1", "C0"];
  const rowsOf = order.map((id) => scenarios.find((s) => s.id === id && s.readmeLabel))
    .filter((s): s is ScenarioInfo => s !== undefined);
  if (rowsOf.length === 0) return "";
  const ratio = (n: number, d: number) =>
    Number.isFinite(n) && Number.isFinite(d) ? ` ${(n / d).toFixed(2)}×` : "";
  const throughput = rowsOf.map((s) => {
    const java = summarize(runs, s.javaRef ?? s.id, "java").recordsPerSec;
    const cells = README_COLUMNS.map(({ client }) => {
      const id = readmeClient(s, client);
      if (id === undefined) return "";
      const r = summarize(runs, s.id, id);
      if (r.ok === 0) return "—";
      const own = id === "java" && (s.javaRef ?? s.id) === s.id;
      if (s.id === "L1") {
        const latency = `${fmt(r.p50, 1)}/${fmt(r.p99, 1)}`;
        const x = own ? "" : ratio(r.recordsPerSec, java);
        return x === "" ? latency : `${latency},${x}`;
      }
      return `${fmt(r.recordsPerSec)}${own ? "" : ratio(r.recordsPerSec, java)}`;
    });
    return [s.readmeLabel!, ...cells];
  });
  const out = [
    "## README table",
    "",
    "From this run, in the shape of README.md's Performance table: records/s and the ratio to Java's",
    "median (L1: p50/p99 ms, then the records/s ratio; S1: ours through `pipeTo`, against Java's T1;",
    "C0: the broker ceiling, bench/ceiling.ts on Deno).",
    "",
    ...markdownTable(["scenario", ...README_COLUMNS.map((c) => c.heading)], throughput),
    "",
    "¹ through the `confluent-kafka` Python package.",
  ];
  const t1 = scenarios.find((s) => s.id === "T1");
  const s1 = scenarios.find((s) => s.id === "S1");
  if (t1 === undefined && s1 === undefined) return out.join("\n");
  const rss = (scenario: string, client: string) => {
    const r = summarize(runs, scenario, client);
    return r.ok === 0 ? "—" : fmt(r.maxRssMb);
  };
  const rssRows: string[][] = [];
  if (t1) {
    rssRows.push([
      t1.readmeLabel ?? "T1",
      ...README_COLUMNS.map(({ client }) => t1.clients.includes(client) ? rss("T1", client) : ""),
    ]);
  }
  if (s1) {
    rssRows.push([
      "S1 send / pipeTo (pipe ÷ send)",
      ...README_COLUMNS.map(({ client }) => {
        if (!s1.clients.includes(client) || !s1.clients.includes(`${client}-pipe`)) return "";
        const send = summarize(runs, "S1", client).maxRssMb;
        const pipe = summarize(runs, "S1", `${client}-pipe`).maxRssMb;
        return `${rss("S1", client)} / ${rss("S1", `${client}-pipe`)}${
          ratio(pipe, send).replace(/^ (.*)$/, " ($1)")
        }`;
      }),
    ]);
  }
  out.push(
    "",
    "Peak RSS MiB (GNU time `%M`, the largest single process; see above), medians of the ok runs:",
    "",
    ...markdownTable(["peak RSS MiB", ...README_COLUMNS.map((c) => c.heading)], rssRows),
  );
  return out.join("\n");
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
    "acknowledged every record. One broker on the same machine: a shared, noisy 2-core box, so read",
    "ratios, not absolutes.",
    "",
    "Two memory columns. **peak RSS MiB (time)**: GNU time's `%M` around the client's command",
    "(`/usr/bin/time -f … -o FILE CMD`), the peak resident set of the largest single process among",
    "the command and the descendants it waited for — for ours, Node peers, franz-go and librdkafka",
    "(Python) the client's own process; for `bash bench/peers/run.sh java` the JVM (kafka.sh `exec`s",
    "java; the largest of run.sh's JVMs: a short TopicCommand, ProducerPerformance, `java -version`).",
    "**tree RSS MiB (/proc)**: the peak of the summed RSS of the whole process tree (shells, `tee`,",
    "the JVM …), polled every ~50 ms by the orchestrator; it can miss a short peak between polls.",
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
  const readme = renderReadmeTables(runs, scenarios);
  if (readme !== "") out.push(readme, "");
  if (unavailable.size > 0) {
    out.push("## Unavailable clients", "");
    for (const [client, reason] of unavailable) out.push(`- ${client}: ${reason}`);
    out.push("");
  }
  return out.join("\n");
}
