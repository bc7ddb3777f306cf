/**
 * The invariants the fault scenarios assert on a {@link ValidationReport}.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { ValidationReport } from "./validator.ts";

/** Invariants shared by every setting: outcomes settle, errors are typed, the log holds only ours. */
export function assertSettledAndTyped(r: ValidationReport): void {
  assert.equal(r.pending, 0, "records still pending");
  assert.equal(r.untypedRejections, 0, "rejections with an untyped error");
  assert.equal(r.unexpected, 0, "records read back that were never sent");
}

/** acks=all: nothing acknowledged is lost, no two records acknowledged at one offset. */
export function assertDurable(r: ValidationReport): void {
  assert.equal(r.lost, 0, "acknowledged records lost");
  assert.equal(r.offsetCollisions, 0, "two records acknowledged at one offset");
}

/** Idempotent, acks=all, faults within the delivery timeout: exactly once, in order, every record. */
export function assertIdempotentClean(r: ValidationReport, allAcked = true): void {
  assertSettledAndTyped(r);
  assertDurable(r);
  assert.equal(r.duplicated, 0, "duplicated records");
  assert.equal(r.reordered, 0, "reordered records");
  assert.equal(r.offsetMismatches, 0, "acknowledged offset differs from the read-back offset");
  if (allAcked) assert.equal(r.acknowledged, r.records, "records not acknowledged");
}
