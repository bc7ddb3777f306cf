/**
 * The CLI's own errors and its exit statuses. Errors from the producer
 * (`ConfigError`, `TimeoutError`, `KafkaError` …) keep their classes; these
 * two are for what only the command line can get wrong.
 *
 * @module
 */
import { KafkaClientError } from "../errors.ts";

/**
 * The command line is wrong: an unknown option (the message names the
 * closest known one), a missing or malformed value, a file that cannot be
 * read, a property with no equivalent. Nothing was sent. Messages never
 * show a password, token or key.
 *
 * @example
 * ```ts
 * import { parseArgs, UsageError } from "@kafkats/producer/cli";
 * try {
 *   parseArgs(["produce", "--topik", "orders"]);
 * } catch (error) {
 *   if (error instanceof UsageError) console.error(error.message); // … did you mean --topic?
 * }
 * ```
 */
export class UsageError extends KafkaClientError {}

/**
 * A line of input cannot become a record: not JSON, a field of the wrong
 * type, no key separator, longer than `maxRequestSize`. `line` is its
 * 1-based number, `field` the JSON field at fault (if one is). The records
 * before it are still sent; nothing after it is read.
 *
 * @example
 * ```ts
 * import { InputError } from "@kafkats/producer/cli";
 * const error = new InputError("line 3: field \"partition\" must be an integer", 3, "partition");
 * console.log(error.line, error.field); // 3 "partition"
 * ```
 */
export class InputError extends KafkaClientError {
  /** The 1-based line number of the bad input (1 for `--format raw`). */
  readonly line: number;
  /** The JSON field at fault, or null. */
  readonly field: string | null;

  /** Creates the error; the message should name `line` (and `field`). */
  constructor(message: string, line: number, field: string | null = null) {
    super(message);
    this.line = line;
    this.field = field;
  }
}

/**
 * Exit statuses of `kafkats produce`.
 *
 * @example
 * ```ts
 * import { EXIT } from "@kafkats/producer/cli";
 * console.log(EXIT.INTERRUPTED); // 130
 * ```
 */
export const EXIT = {
  /** Every record read was acknowledged (or `--help`). */
  OK: 0,
  /** A record failed, or the broker could not be reached within `maxBlockMs`. */
  FAILED: 1,
  /** Bad command line or producer options; nothing was sent. */
  USAGE: 2,
  /** A line of input could not become a record; the records before it were sent. */
  INPUT: 3,
  /** SIGINT (Ctrl-C): reading stopped, in-flight records flushed (bounded), then this. */
  INTERRUPTED: 130,
} as const;

/** One of {@link EXIT}'s values. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
