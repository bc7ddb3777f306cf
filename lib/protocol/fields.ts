/**
 * Small helpers the message codecs share: the flexible/non-flexible choice
 * of string, bytes and array encodings, and non-null reads that reject a
 * null where the schema does not allow one (as Kafka's generated code does).
 *
 * @module
 */

import { ProtocolError } from "../errors.ts";
import type { Reader } from "./reader.ts";
import type { Writer } from "./writer.ts";

/** Reads a nullable string: compact when `flexible`. */
export function readNullableString(
  r: Reader,
  flexible: boolean,
): string | null {
  return flexible ? r.compactString() : r.string();
}

/** Reads a non-nullable string: compact when `flexible`; null → {@link ProtocolError}. */
export function readString(
  r: Reader,
  flexible: boolean,
  field: string,
): string {
  const s = flexible ? r.compactString() : r.string();
  if (s === null) throw nullField(field);
  return s;
}

/** Writes a (nullable) string: compact when `flexible`. */
export function writeString(
  w: Writer,
  flexible: boolean,
  v: string | null,
): void {
  if (flexible) w.compactString(v);
  else w.string(v);
}

/** Writes (nullable) bytes: compact when `flexible`. */
export function writeBytes(
  w: Writer,
  flexible: boolean,
  v: Uint8Array | null,
): void {
  if (flexible) w.compactBytes(v);
  else w.bytes(v);
}

/** Reads a non-nullable array: compact when `flexible`; null → {@link ProtocolError}. */
export function readArray<T>(
  r: Reader,
  flexible: boolean,
  field: string,
  each: (r: Reader) => T,
): T[] {
  const a = r.array(flexible, each);
  if (a === null) throw nullField(field);
  return a;
}

/** Reads a non-nullable int32 array: compact when `flexible`. */
export function readInt32Array(
  r: Reader,
  flexible: boolean,
  field: string,
): number[] {
  return readArray(r, flexible, field, readInt32);
}

/** Reads the tagged fields ending a struct when `flexible`, ignoring them all. */
export function skipTaggedFields(r: Reader, flexible: boolean): void {
  if (flexible) r.taggedFields();
}

/** Writes an empty tagged-field section when `flexible`. */
export function writeNoTaggedFields(w: Writer, flexible: boolean): void {
  if (flexible) w.taggedFields();
}

function readInt32(r: Reader): number {
  return r.int32();
}

function nullField(field: string): ProtocolError {
  return new ProtocolError(`non-nullable field ${field} was null`);
}
