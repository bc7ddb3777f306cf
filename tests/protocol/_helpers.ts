/**
 * Shared helpers of the protocol tests.
 *
 * @module
 */

import assert from "node:assert/strict";
import { ProtocolError } from "../../lib/errors.ts";
import vectors from "./fixtures/java_vectors.json" with { type: "json" };

/** Known-answer bytes made by Kafka 4.1's Java client (see fixtures/GenVectors.java). */
export const JAVA: Readonly<Record<string, string>> = vectors;

/** Hex string → bytes. */
export function unhex(s: string): Uint8Array {
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Bytes → lowercase hex string. */
export function hex(b: Uint8Array): string {
  let s = "";
  for (const x of b) s += x.toString(16).padStart(2, "0");
  return s;
}

/** A Java known-answer vector as bytes. */
export function java(name: string): Uint8Array {
  const v = JAVA[name];
  if (v === undefined) throw new Error(`no Java vector ${name}`);
  return unhex(v);
}

/** UTF-8 bytes of `s`. */
export function utf8(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

/** Asserts `fn` throws a ProtocolError whose message matches `pattern` (if given). */
export function assertProtocolError(fn: () => unknown, pattern?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ProtocolError, `expected ProtocolError, got ${err}`);
    if (pattern) assert.match(err.message, pattern);
    return true;
  });
}

/** Concatenates byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
