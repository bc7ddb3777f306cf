/**
 * Version ranges as Kafka's message schemas write them (`"versions"`,
 * `"nullableVersions"`, `"flexibleVersions"`, `"taggedVersions"`): `"3+"`,
 * `"8-10"`, `"5"` or `"none"`.
 *
 * @module
 */

/** A version range in the schemas' notation: `"3+"`, `"8-10"`, `"5"` or `"none"`. */
export type VersionRange = `${number}+` | `${number}-${number}` | `${number}` | "none";

/** A parsed range: `lo` to `hi` inclusive (`hi` may be `Infinity`; empty when `lo > hi`). */
export interface Versions {
  /** Lowest version in the range. */
  readonly lo: number;
  /** Highest version in the range. */
  readonly hi: number;
}

/** Parses `range`; throws `RangeError` on text that is not one. */
export function parseVersions(range: VersionRange): Versions {
  if (range === "none") return { lo: 0, hi: -1 };
  const m = /^(\d+)(\+|-(\d+))?$/.exec(range);
  if (m === null) throw new RangeError(`not a version range: ${JSON.stringify(range)}`);
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : m[2] === "+" ? Infinity : Number(m[3]);
  return { lo, hi };
}

/** Whether `version` is in `range`. */
export function inVersions(range: VersionRange, version: number): boolean {
  const { lo, hi } = parseVersions(range);
  return version >= lo && version <= hi;
}
