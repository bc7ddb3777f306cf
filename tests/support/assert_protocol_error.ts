/**
 * The assertion of the decoder tests: a call throws a {@link ProtocolError}.
 *
 * @module
 */
import assert from "node:assert/strict";
import { ProtocolError } from "../../lib/errors.ts";

/** Asserts `fn` throws a ProtocolError whose message matches `pattern` (if given). */
export function assertProtocolError(fn: () => unknown, pattern?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ProtocolError, `expected ProtocolError, got ${err}`);
    if (pattern) assert.match(err.message, pattern);
    return true;
  });
}
