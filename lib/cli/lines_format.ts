/**
 * `--format lines` (the default): one record per line, its value the line
 * without the newline (`\n` or `\r\n`); an empty line is an empty value, a
 * last line without a newline is a record too. With `--key-separator S`
 * each line is split at the first S into key and value; a line without S
 * is an {@link InputError} naming it (as Java's console producer with
 * `parse.key=true`). Values are the bytes as read: no UTF-8 decoding.
 *
 * @module
 */
import type { ProducerRecord } from "../producer/record.ts";
import { InputError } from "./errors.ts";
import { LineSplitter } from "./line_splitter.ts";
import type { FormatOptions, RecordFormat, RecordHandler } from "./record_format.ts";

/**
 * Lines into records.
 *
 * @example
 * ```ts
 * import { LinesFormat } from "@kafkats/producer/cli";
 * const format = new LinesFormat(
 *   { format: "lines", topic: "logs", keySeparator: null, maxRequestSize: 1048576 },
 *   (record, bytes) => console.log(record.value, bytes),
 * );
 * format.push(new TextEncoder().encode("first\nsecond\n"));
 * format.end();
 * ```
 */
export class LinesFormat implements RecordFormat {
  readonly #splitter: LineSplitter;
  readonly #onLine: (line: Uint8Array, lineNumber: number) => void;

  /** A format for `options`, handing records to `onRecord`. */
  constructor(options: FormatOptions, onRecord: RecordHandler) {
    this.#splitter = new LineSplitter(options.maxRequestSize, "maxRequestSize");
    const topic = options.topic;
    const separator = options.keySeparator === null
      ? null
      : new TextEncoder().encode(options.keySeparator);
    if (separator === null) {
      this.#onLine = (line) => {
        const record: ProducerRecord = { topic, value: line };
        onRecord(record, line.length);
      };
    } else {
      const shown = JSON.stringify(options.keySeparator);
      this.#onLine = (line, lineNumber) => {
        const at = indexOf(line, separator);
        if (at < 0) {
          throw new InputError(
            `line ${lineNumber} has no key separator ${shown} (every line must be KEY${options.keySeparator}VALUE)`,
            lineNumber,
          );
        }
        const record: ProducerRecord = {
          topic,
          key: line.subarray(0, at),
          value: line.subarray(at + separator.length),
        };
        onRecord(record, line.length - separator.length);
      };
    }
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

/** The first index of `needle` in `haystack`, or -1. */
export function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  if (needle.length === 1) return haystack.indexOf(needle[0]);
  const first = needle[0];
  const last = haystack.length - needle.length;
  for (let i = haystack.indexOf(first); i >= 0 && i <= last; i = haystack.indexOf(first, i + 1)) {
    let j = 1;
    while (j < needle.length && haystack[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}
