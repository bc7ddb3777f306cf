/**
 * The text of the progress line (redrawn while producing to a terminal)
 * and of the summary line (printed once at the end). Pure formatting; the
 * numbers come from `producer.metrics()` and the CLI's own counters, and
 * progress_display.ts draws them.
 *
 * @module
 */

/** What the progress line shows at one moment. */
export interface ProgressSample {
  /** Records written into the producer so far. */
  readonly read: number;
  /** Records acknowledged (`metrics().recordsSent`). */
  readonly acked: number;
  /** Key + value bytes of the acknowledged records (estimated while some are in flight). */
  readonly ackedBytes: number;
  /** Records that failed for good (`metrics().recordErrors`). */
  readonly errors: number;
  /** Records acknowledged per second, lately. */
  readonly recordsPerSec: number;
  /** Bytes acknowledged per second, lately. */
  readonly bytesPerSec: number;
  /** Bytes of `bufferMemory` in use. */
  readonly bufferUsed: number;
  /** `bufferMemory`. */
  readonly bufferMemory: number;
}

/** How a run ended, for the summary line. */
export interface RunSummary {
  /** Records written into the producer. */
  readonly read: number;
  /** Records acknowledged. */
  readonly acked: number;
  /** Key + value bytes of the acknowledged records. */
  readonly ackedBytes: number;
  /** Wall time from start to the end of the close, ms. */
  readonly elapsedMs: number;
  /** Stopped by SIGINT. */
  readonly interrupted: boolean;
}

const MIB = 1048576;

/**
 * The progress line, e.g.
 * `kafkats: 412,345 acked (39.3 MiB), 98,211 records/s, 9.4 MiB/s, 4,096 in flight, buffer 2.1/32.0 MiB, 0 errors`.
 * "in flight" is records written but neither acknowledged nor failed.
 *
 * @example
 * ```ts
 * import { formatProgress } from "@kafkats/producer/cli";
 * console.log(formatProgress({
 *   read: 1500, acked: 1000, ackedBytes: 100_000, errors: 0, recordsPerSec: 1000,
 *   bytesPerSec: 100_000, bufferUsed: 65536, bufferMemory: 33554432,
 * }));
 * ```
 */
export function formatProgress(s: ProgressSample): string {
  const inFlight = Math.max(0, s.read - s.acked - s.errors);
  return `kafkats: ${count(s.acked)} acked (${mib(s.ackedBytes)} MiB), ${
    count(Math.round(s.recordsPerSec))
  } records/s, ${mib(s.bytesPerSec)} MiB/s, ${count(inFlight)} in flight, buffer ${
    mib(s.bufferUsed)
  }/${mib(s.bufferMemory)} MiB, ${count(s.errors)} error${s.errors === 1 ? "" : "s"}`;
}

/**
 * The summary line, e.g.
 * `kafkats: 1,000,000 records acknowledged (95.4 MiB) in 3.2 s: 311,526 records/s, 29.7 MiB/s`,
 * or `kafkats: 12 of 15 records acknowledged … ; 3 not acknowledged` (with
 * `interrupted: ` after the name for SIGINT).
 *
 * @example
 * ```ts
 * import { formatSummary } from "@kafkats/producer/cli";
 * console.log(formatSummary({ read: 15, acked: 12, ackedBytes: 1200, elapsedMs: 10400, interrupted: false }));
 * // kafkats: 12 of 15 records acknowledged (0.0 MiB) in 10.4 s: 1 records/s, 0.0 MiB/s; 3 not acknowledged
 * ```
 */
export function formatSummary(s: RunSummary): string {
  const seconds = s.elapsedMs / 1000;
  const perSec = seconds > 0 ? s.acked / seconds : 0;
  const bytesPerSec = seconds > 0 ? s.ackedBytes / seconds : 0;
  const all = s.acked === s.read;
  const what = all
    ? `${count(s.acked)} record${s.acked === 1 ? "" : "s"}`
    : `${count(s.acked)} of ${count(s.read)} records`;
  return `kafkats: ${s.interrupted ? "interrupted: " : ""}${what} acknowledged (${
    mib(s.ackedBytes)
  } MiB) in ${seconds.toFixed(seconds < 10 ? 2 : 1)} s: ${count(Math.round(perSec))} records/s, ${
    mib(bytesPerSec)
  } MiB/s${all ? "" : `; ${count(s.read - s.acked)} not acknowledged`}`;
}

/** An integer with thousands separators: 1,234,567. */
export function count(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

function mib(bytes: number): string {
  return (bytes / MIB).toFixed(1);
}
