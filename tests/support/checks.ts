/**
 * A tiny runner for the scripts that run outside `deno test` (the Bun
 * end-to-end runs): each check runs in turn, prints `ok`/`FAIL` with its
 * time, and {@link finish} prints the tally and sets the exit code.
 *
 * @module
 */

let passed = 0;
let failed = 0;

/** Runs `body` as the check `name`; a throw fails it (the stack is printed) without stopping the run. */
export async function check(name: string, body: () => Promise<void>): Promise<void> {
  const start = performance.now();
  try {
    await body();
    passed++;
    console.log(`ok   ${name} (${((performance.now() - start) / 1000).toFixed(1)} s)`);
  } catch (error) {
    failed++;
    console.log(`FAIL ${name}\n${error instanceof Error ? error.stack : error}`);
  }
}

/** Prints the tally and exits: 0 when every check passed, else 1. */
export function finish(): never {
  console.log(`\n${passed} passed, ${failed} failed`);
  return globalThis.process.exit(failed === 0 ? 0 : 1);
}
