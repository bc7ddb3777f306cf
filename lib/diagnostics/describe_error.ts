/**
 * An error as events and log lines name it: its `name` and `message`.
 *
 * @module
 */

/** `error.name` (a class name, or Kafka's error name), or the type of a thrown non-error. */
export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}

/** `error.message`, or the thrown value as text. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
