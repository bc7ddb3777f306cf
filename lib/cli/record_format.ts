/**
 * The interface of an input format: bytes in, records out. lines_format.ts,
 * json_format.ts and raw_format.ts implement it; {@link recordFormat} picks
 * one by name.
 *
 * @module
 */
import type { ProducerRecord } from "../producer/record.ts";
import type { InputFormat } from "./args.ts";
import { JsonFormat } from "./json_format.ts";
import { LinesFormat } from "./lines_format.ts";
import { RawFormat } from "./raw_format.ts";

/** Gets each record and its size in bytes (key + value, for the MB figures). */
export type RecordHandler = (record: ProducerRecord, bytes: number) => void;

/** Turns input bytes into records as they arrive. */
export interface RecordFormat {
  /**
   * Calls the handler for each record `chunk` completes.
   * @throws {InputError} for input that cannot become a record.
   */
  push(chunk: Uint8Array): void;
  /**
   * End of input: the handler gets what is left (a last line without a
   * newline; the raw record).
   * @throws {InputError} for input that cannot become a record.
   */
  end(): void;
}

/** What a format needs to know. */
export interface FormatOptions {
  /** `lines`, `json` or `raw`. */
  readonly format: InputFormat;
  /** The topic of every record. */
  readonly topic: string;
  /** `--key-separator` (lines only), or null. */
  readonly keySeparator: string | null;
  /** The producer's `maxRequestSize`: no record is larger, so no line (or raw input) may be. */
  readonly maxRequestSize: number;
}

/**
 * The format `options.format` names, handing its records to `onRecord`.
 *
 * @example
 * ```ts
 * import { recordFormat } from "@kafkats/producer/cli";
 * const format = recordFormat(
 *   { format: "lines", topic: "logs", keySeparator: ":", maxRequestSize: 1048576 },
 *   (record) => console.log(record.key, record.value),
 * );
 * format.push(new TextEncoder().encode("user-1:signed in\n"));
 * format.end();
 * ```
 */
export function recordFormat(options: FormatOptions, onRecord: RecordHandler): RecordFormat {
  switch (options.format) {
    case "lines":
      return new LinesFormat(options, onRecord);
    case "json":
      return new JsonFormat(options, onRecord);
    case "raw":
      return new RawFormat(options, onRecord);
  }
}
