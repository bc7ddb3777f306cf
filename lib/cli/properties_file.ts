/**
 * Java `.properties` text, as `--producer.config FILE` gives it: `key=value`,
 * `key: value` or `key value` per line; `#` and `!` comments; a line ending
 * in a backslash continues on the next; `\t`, `\n`, `\\`, `\uXXXX` and the
 * like are unescaped. Enough for the files Kafka's tools take.
 *
 * @module
 */

/** One `key=value` of a properties file. */
export interface PropertyEntry {
  /** The key, unescaped. */
  readonly key: string;
  /** The value, unescaped. */
  readonly value: string;
  /** The 1-based line the entry starts on. */
  readonly line: number;
}

/**
 * The entries of a properties file, in order (a later one with the same key
 * overrides an earlier one when applied).
 *
 * @example
 * ```ts
 * import { parsePropertiesFile } from "@kafkats/producer/cli";
 * parsePropertiesFile("# producer\nlinger.ms = 20\nacks: all\n");
 * // [{ key: "linger.ms", value: "20", line: 2 }, { key: "acks", value: "all", line: 3 }]
 * ```
 */
export function parsePropertiesFile(text: string): PropertyEntry[] {
  const lines = text.split(/\r\n|\r|\n/);
  const entries: PropertyEntry[] = [];
  for (let i = 0; i < lines.length; i++) {
    const start = i + 1;
    let logical = lines[i].replace(/^[ \t\f]+/, "");
    if (logical === "" || logical[0] === "#" || logical[0] === "!") continue;
    while (endsInContinuation(logical) && i + 1 < lines.length) {
      logical = logical.slice(0, -1) + lines[++i].replace(/^[ \t\f]+/, "");
    }
    if (endsInContinuation(logical)) logical = logical.slice(0, -1);
    const [key, value] = split(logical);
    entries.push({ key: unescape(key), value: unescape(value), line: start });
  }
  return entries;
}

/** An odd number of trailing backslashes. */
function endsInContinuation(line: string): boolean {
  let n = 0;
  for (let i = line.length - 1; i >= 0 && line[i] === "\\"; i--) n++;
  return n % 2 === 1;
}

/** Splits at the first unescaped `=`, `:` or whitespace (whitespace around it is dropped). */
function split(line: string): [string, string] {
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === "\\") {
      i += 2;
      continue;
    }
    if (c === "=" || c === ":" || c === " " || c === "\t" || c === "\f") break;
    i++;
  }
  const key = line.slice(0, i);
  let j = i;
  while (j < line.length && /[ \t\f]/.test(line[j])) j++;
  if (j < line.length && (line[j] === "=" || line[j] === ":")) j++;
  while (j < line.length && /[ \t\f]/.test(line[j])) j++;
  return [key, line.slice(j)];
}

const ESCAPES: Readonly<Record<string, string>> = { t: "\t", n: "\n", r: "\r", f: "\f" };

function unescape(text: string): string {
  if (!text.includes("\\")) return text;
  return text.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, e: string) => {
    if (e.length === 5) return String.fromCharCode(parseInt(e.slice(1), 16));
    return ESCAPES[e] ?? e;
  });
}
