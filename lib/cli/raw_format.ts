/**
 * `--format raw`: the whole of stdin as one record's value, byte for byte
 * (an empty stdin is one empty record). Input past `maxRequestSize` is an
 * {@link InputError} as soon as it is read, before it is held in full.
 *
 * @module
 */
import { InputError } from "./errors.ts";
import type { FormatOptions, RecordFormat, RecordHandler } from "./record_format.ts";

/**
 * All input into one record.
 *
 * @example
 * ```ts
 * import { RawFormat } from "@kafkats/producer/cli";
 * const format = new RawFormat(
 *   { format: "raw", topic: "files", keySeparator: null, maxRequestSize: 1048576 },
 *   (record, bytes) => console.log(bytes), // 9
 * );
 * format.push(new TextEncoder().encode("a\nb\r\nc\n\n"));
 * format.end();
 * ```
 */
export class RawFormat implements RecordFormat {
  readonly #topic: string;
  readonly #max: number;
  readonly #onRecord: RecordHandler;
  #pieces: Uint8Array[] = [];
  #length = 0;

  /** A format for `options`, handing the record to `onRecord`. */
  constructor(options: FormatOptions, onRecord: RecordHandler) {
    this.#topic = options.topic;
    this.#max = options.maxRequestSize;
    this.#onRecord = onRecord;
  }

  /** See {@link RecordFormat.push}. */
  push(chunk: Uint8Array): void {
    this.#length += chunk.length;
    if (this.#length > this.#max) {
      throw new InputError(
        `the input is longer than maxRequestSize (${this.#max} bytes): one record cannot hold it (--property max.request.size=N raises it, up to what the broker accepts)`,
        1,
      );
    }
    this.#pieces.push(chunk);
  }

  /** See {@link RecordFormat.end}. */
  end(): void {
    const value = new Uint8Array(this.#length);
    let at = 0;
    for (const piece of this.#pieces) {
      value.set(piece, at);
      at += piece.length;
    }
    this.#pieces = [];
    this.#onRecord({ topic: this.#topic, value }, value.length);
  }
}
