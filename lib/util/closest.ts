/**
 * The known name nearest to a misspelt one, for error messages that say
 * "did you mean …?". Imports nothing.
 *
 * @module
 */

/**
 * The name of `known` nearest to `name` by edit distance (case-insensitive),
 * or null when none is near enough: within a third of `name`'s length, and
 * at least 2 edits.
 *
 * @example
 * ```ts
 * import { closestName } from "./closest.ts";
 * closestName("lingerMS", ["lingerMs", "batchSize"]); // "lingerMs"
 * closestName("zzz", ["lingerMs"]); // null
 * ```
 */
export function closestName(name: string, known: Iterable<string>): string | null {
  let best: string | null = null;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  const lower = name.toLowerCase();
  for (const candidate of known) {
    const d = editDistance(lower, candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * Levenshtein distance: insertions, deletions and substitutions that turn
 * `a` into `b`.
 *
 * @example
 * ```ts
 * import { editDistance } from "./closest.ts";
 * editDistance("acks", "ack"); // 1
 * ```
 */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        previous[j] + 1,
        current[j - 1] + 1,
        previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length];
}
