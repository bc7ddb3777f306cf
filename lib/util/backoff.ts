/**
 * Exponential backoff with jitter, as the Java client's `ExponentialBackoff`
 * (multiplier 2, jitter 0.2) computes it for retries, reconnects and
 * metadata refreshes.
 *
 * @module
 */

/**
 * How long to wait after the `failures`-th failure in a row: `initialMs` ×
 * 2^(failures−1), capped at `maxMs`, times a random factor in [0.8, 1.2),
 * rounded to whole milliseconds. `failures` below 1 counts as 1.
 */
export function backoffMs(failures: number, initialMs: number, maxMs: number): number {
  const base = Math.min(initialMs * 2 ** Math.max(failures - 1, 0), maxMs);
  return Math.round(base * (0.8 + Math.random() * 0.4));
}
