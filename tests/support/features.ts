/**
 * The broker's `transaction.version` feature (KIP-890: 2 is the "transactions
 * V2" protocol, epoch bumped at every transaction end and partitions added
 * implicitly by Produce; 0/1 the classic one), read and set with Kafka's own
 * `kafka-features` tool (`org.apache.kafka.tools.FeatureCommand`).
 *
 * On Kafka 4.1.1 (one KRaft node, metadata.version 4.1-IV1), measured here:
 * 2 → 1 → 2 (and 0) work with plain `downgrade` / `upgrade`, no `--unsafe`;
 * see {@link setTransactionVersion}.
 *
 * @module
 */
import { runJava } from "./java.ts";

/** One feature as `FeatureCommand describe` prints it. */
export interface FeatureLevel {
  /** Feature name, e.g. `transaction.version`. */
  name: string;
  /** The finalized level (what the cluster uses), as printed (e.g. `2`, `4.1-IV1`). */
  finalized: string;
  /** The broker's supported range, as printed. */
  supportedMin: string;
  /** See {@link FeatureLevel.supportedMin}. */
  supportedMax: string;
}

async function featureCommand(
  bootstrap: string,
  args: string[],
  timeoutMs: number,
): Promise<string> {
  const r = await runJava(
    ["org.apache.kafka.tools.FeatureCommand", "--bootstrap-server", bootstrap, ...args],
    { timeoutMs },
  );
  if (r.code !== 0) {
    throw new Error(
      `FeatureCommand ${args.join(" ")}: exit ${r.code}\n${(r.stdout + r.stderr).slice(-4000)}`,
    );
  }
  return r.stdout;
}

/** Every feature of `FeatureCommand describe`. */
export async function describeFeatures(
  bootstrap: string,
  timeoutMs = 60_000,
): Promise<FeatureLevel[]> {
  const out = await featureCommand(bootstrap, ["describe"], timeoutMs);
  return parseFeatures(out);
}

/**
 * Parses `describe` lines such as
 * `Feature: transaction.version\tSupportedMinVersion: 0\tSupportedMaxVersion: 2\tFinalizedVersionLevel: 2\tEpoch: 5`
 * (exported for tests).
 */
export function parseFeatures(out: string): FeatureLevel[] {
  const features: FeatureLevel[] = [];
  for (const line of out.split("\n")) {
    const name = line.match(/^Feature: (\S+)/)?.[1];
    if (name === undefined) continue;
    const field = (f: string) => line.match(new RegExp(`${f}: (\\S+)`))?.[1] ?? "";
    features.push({
      name,
      finalized: field("FinalizedVersionLevel"),
      supportedMin: field("SupportedMinVersion"),
      supportedMax: field("SupportedMaxVersion"),
    });
  }
  return features;
}

/** The finalized `transaction.version` (0 when `describe` does not list it: never finalized). */
export async function transactionVersion(bootstrap: string, timeoutMs = 60_000): Promise<number> {
  const tv = (await describeFeatures(bootstrap, timeoutMs))
    .find((f) => f.name === "transaction.version");
  if (tv === undefined || tv.finalized === "") return 0;
  const level = Number(tv.finalized);
  if (!Number.isInteger(level)) throw new Error(`transaction.version: level '${tv.finalized}'`);
  return level;
}

/**
 * Sets `transaction.version` to `level` (`upgrade` or `downgrade --feature
 * transaction.version=N`, as the current level says; nothing when it is
 * there already), then waits until `describe` reports it. Rejects when the
 * tool refuses (its message in the error) or after `timeoutMs` (default
 * 60000) in all. `unsafe` adds `--unsafe` to a downgrade (not needed on
 * 4.1.1 for this feature). Note: the level is cluster-wide; a producer
 * learns it from ApiVersions when it connects (and from the broker's
 * finalized-features epoch later).
 */
export async function setTransactionVersion(
  bootstrap: string,
  level: number,
  options: { timeoutMs?: number; unsafe?: boolean } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const left = () => Math.max(1000, deadline - Date.now());
  const current = await transactionVersion(bootstrap, left());
  if (current === level) return;
  const verb = level > current ? "upgrade" : "downgrade";
  await featureCommand(bootstrap, [
    verb,
    "--feature",
    `transaction.version=${level}`,
    ...(verb === "downgrade" && options.unsafe ? ["--unsafe"] : []),
  ], left());
  for (;;) {
    const now = await transactionVersion(bootstrap, left());
    if (now === level) return;
    if (Date.now() >= deadline) {
      throw new Error(`transaction.version is ${now}, not ${level}, after the ${verb}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}
