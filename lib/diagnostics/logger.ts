/**
 * The producer's `logger` option: what it is called with, and the one way
 * the library calls it ({@link log}), so a logger that throws never breaks
 * the producer.
 *
 * @module
 */

/** How much a log line matters, as the Java client's log levels. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/**
 * Receives the producer's log lines: a level, a message (a sentence naming
 * brokers, topics and causes), and structured fields (`broker`, `topic`,
 * `partition`, `errorName`, …; plain strings, numbers and booleans). Never a
 * password, token, key or SASL bytes.
 *
 * @example Forward to the console, warnings and errors only
 * ```ts
 * import { type Logger, Producer } from "@kafkats/producer";
 *
 * const logger: Logger = (level, message, fields) => {
 *   if (level === "warn" || level === "error") console[level](`kafkats: ${message}`, fields);
 * };
 * const producer = new Producer({ bootstrapServers: "127.0.0.1:9092", logger });
 * await producer.close();
 * ```
 */
export type Logger = (level: LogLevel, message: string, fields: Record<string, unknown>) => void;

/**
 * Calls `logger` (when there is one); an exception it throws is swallowed.
 * Callers check `logger !== null` first when the fields cost something to build.
 */
export function log(
  logger: Logger | null,
  level: LogLevel,
  message: string,
  fields: Record<string, unknown>,
): void {
  if (logger === null) return;
  try {
    logger(level, message, fields);
  } catch {
    // a logger's failure must not become the producer's
  }
}
