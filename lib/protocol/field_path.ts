/**
 * Names the field an error came from: as a decode or encode unwinds out of
 * nested structs and arrays, each level prefixes its part of the path, so
 * a message reads `topics[3].partitions: count 2147483647 exceeds the 12
 * bytes left`. Only {@link ProtocolError} (bad input) and `RangeError` (a
 * value that cannot be encoded) are annotated; anything else is a bug and
 * passes through untouched.
 *
 * @module
 */

import { ProtocolError } from "../errors.ts";

const PATH = Symbol("field path");
const DETAIL = Symbol("message without the path");

/** An error carrying the path built so far and its message without it. */
type Annotated = Error & { [PATH]?: string; [DETAIL]?: string };

/** Prefixes field `name` to the path of `error`; returns `error`, to rethrow. */
export function atField(error: unknown, name: string): unknown {
  return annotate(error, name);
}

/** Prefixes element `index` to the path of `error`; returns `error`, to rethrow. */
export function atIndex(error: unknown, index: number): unknown {
  return annotate(error, `[${index}]`);
}

function annotate(error: unknown, segment: string): unknown {
  if (!(error instanceof ProtocolError || error instanceof RangeError)) return error;
  const e = error as Annotated;
  const inner = e[PATH];
  const path = inner === undefined
    ? segment
    : inner.startsWith("[")
    ? segment + inner
    : `${segment}.${inner}`;
  e[DETAIL] ??= e.message;
  e[PATH] = path;
  e.message = `${path}: ${e[DETAIL]}`;
  return e;
}
