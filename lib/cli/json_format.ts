/**
 * `--format json`: one JSON object per line,
 * `{"key": …, "value": …, "headers": …, "partition": …, "timestamp": …}`.
 * `value` is required (a string, or null for a tombstone); `key` a string
 * or null; `headers` an object of strings or an array of `[key, value]`
 * pairs (values strings or null; keys may repeat); `partition` a
 * non-negative integer; `timestamp` epoch milliseconds. Lines of only
 * whitespace are skipped. A bad line is an {@link InputError} naming the
 * line and the field (never echoing the line: it is data).
 *
 * @module
 */
import type { ProducerRecord, RecordHeaders } from "../producer/record.ts";
import { closestName } from "../util/closest.ts";
import { InputError } from "./errors.ts";
import { LineSplitter } from "./line_splitter.ts";
import type { FormatOptions, RecordFormat, RecordHandler } from "./record_format.ts";

const FIELDS = ["key", "value", "headers", "partition", "timestamp"];
/** Bytes of JSON text one byte of a string may take (`\u0000`). */
const ESCAPE_GROWTH = 6;

/**
 * JSON lines into records.
 *
 * @example
 * ```ts
 * import { JsonFormat } from "@kafkats/producer/cli";
 * const format = new JsonFormat(
 *   { format: "json", topic: "orders", keySeparator: null, maxRequestSize: 1048576 },
 *   (record) => console.log(record.key, record.value, record.headers, record.partition),
 * );
 * format.push(new TextEncoder().encode('{"key":"o-1","value":"paid","headers":{"source":"web"},"partition":2}\n'));
 * format.end();
 * ```
 */
export class JsonFormat implements RecordFormat {
  readonly #splitter: LineSplitter;
  readonly #onLine: (line: Uint8Array, lineNumber: number) => void;

  /** A format for `options`, handing records to `onRecord`. */
  constructor(options: FormatOptions, onRecord: RecordHandler) {
    this.#splitter = new LineSplitter(
      options.maxRequestSize * ESCAPE_GROWTH + 1024,
      `${ESCAPE_GROWTH} × maxRequestSize`,
    );
    const decoder = new TextDecoder("utf-8", { fatal: true });
    this.#onLine = (line, n) => {
      let text: string;
      try {
        text = decoder.decode(line);
      } catch {
        throw new InputError(`line ${n}: not valid UTF-8`, n);
      }
      if (text.trim() === "") return;
      const [record, bytes] = parseRecord(text, n, options.topic);
      onRecord(record, bytes);
    };
  }

  /** See {@link RecordFormat.push}. */
  push(chunk: Uint8Array): void {
    this.#splitter.push(chunk, this.#onLine);
  }

  /** See {@link RecordFormat.end}. */
  end(): void {
    this.#splitter.end(this.#onLine);
  }
}

/**
 * One JSON line as a record for `topic`, and its key + value length in
 * UTF-16 units (close enough for the MB figures).
 *
 * @example
 * ```ts
 * import { parseRecord } from "@kafkats/producer/cli";
 * const [record] = parseRecord('{"value":"v","headers":[["h","1"],["h",null]]}', 1, "t");
 * console.log(record); // { topic: "t", value: "v", headers: [["h", "1"], ["h", null]] }
 * ```
 * @throws {InputError} naming line `n` and the field at fault.
 */
export function parseRecord(text: string, n: number, topic: string): [ProducerRecord, number] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    // V8's message quotes the text; keep only where it went wrong.
    const position = /position (\d+)/.exec(String((error as Error).message))?.[1];
    throw new InputError(
      `line ${n}: not valid JSON${position === undefined ? "" : ` (at character ${position})`}`,
      n,
    );
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new InputError(`line ${n}: must be a JSON object, got ${describe(parsed)}`, n);
  }
  const o = parsed as Record<string, unknown>;
  for (const name of Object.keys(o)) {
    if (!FIELDS.includes(name)) {
      const closest = closestName(name, FIELDS);
      throw new InputError(
        `line ${n}: unknown field "${name.slice(0, 40)}"${
          closest === null ? "" : `; did you mean "${closest}"?`
        } (fields: ${FIELDS.join(", ")})`,
        n,
        name,
      );
    }
  }
  if (!("value" in o)) {
    throw new InputError(
      `line ${n}: field "value" is missing (use "value": null for a tombstone)`,
      n,
      "value",
    );
  }
  const value = nullableString(o.value, n, "value");
  const record: ProducerRecord = { topic, value };
  let bytes = value === null ? 0 : value.length;
  if (o.key !== undefined) {
    const key = nullableString(o.key, n, "key");
    record.key = key;
    bytes += key === null ? 0 : key.length;
  }
  if (o.headers !== undefined) record.headers = headers(o.headers, n);
  if (o.partition !== undefined) {
    const p = o.partition;
    if (typeof p !== "number" || !Number.isInteger(p) || p < 0 || p > 2147483647) {
      throw new InputError(
        `line ${n}: field "partition" must be a non-negative integer, got ${describe(p)}`,
        n,
        "partition",
      );
    }
    record.partition = p;
  }
  if (o.timestamp !== undefined) {
    const t = o.timestamp;
    if (typeof t !== "number" || !Number.isInteger(t) || t < 0 || t > 8.64e15) {
      throw new InputError(
        `line ${n}: field "timestamp" must be epoch milliseconds (a non-negative integer), got ${
          describe(t)
        }`,
        n,
        "timestamp",
      );
    }
    record.timestamp = t;
  }
  return [record, bytes];
}

function nullableString(v: unknown, n: number, field: string): string | null {
  if (v === null || typeof v === "string") return v;
  throw new InputError(
    `line ${n}: field "${field}" must be a string or null, got ${describe(v)}`,
    n,
    field,
  );
}

function headers(v: unknown, n: number): RecordHeaders {
  if (Array.isArray(v)) {
    v.forEach((pair, i) => {
      if (!Array.isArray(pair) || pair.length !== 2) {
        throw new InputError(
          `line ${n}: field "headers[${i}]" must be a [key, value] pair, got ${describe(pair)}`,
          n,
          `headers[${i}]`,
        );
      }
      if (typeof pair[0] !== "string") {
        throw new InputError(
          `line ${n}: field "headers[${i}][0]" (a header key) must be a string, got ${
            describe(pair[0])
          }`,
          n,
          `headers[${i}][0]`,
        );
      }
      if (pair[1] !== null && typeof pair[1] !== "string") {
        throw new InputError(
          `line ${n}: field "headers[${i}][1]" must be a string or null, got ${describe(pair[1])}`,
          n,
          `headers[${i}][1]`,
        );
      }
    });
    return v as [string, string | null][];
  }
  if (v === null || typeof v !== "object") {
    throw new InputError(
      `line ${n}: field "headers" must be an object or an array of [key, value] pairs, got ${
        describe(v)
      }`,
      n,
      "headers",
    );
  }
  for (const [key, value] of Object.entries(v)) {
    if (typeof value !== "string") {
      const field = `headers.${key.slice(0, 40)}`;
      throw new InputError(
        `line ${n}: field "${field}" must be a string, got ${describe(value)}${
          value === null ? " (null values need the array form [[key, null]])" : ""
        }`,
        n,
        field,
      );
    }
  }
  return v as Record<string, string>;
}

/** A value's JSON type (and a number itself), never a string's content. */
function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return "an object";
  if (typeof v === "number") return `the number ${v}`;
  return typeof v === "string" ? "a string" : typeof v;
}
