/**
 * The encoding half of the interpreter: runs a {@link StructPlan} compiled
 * for the version (see {@link "./plan.ts"}), calling the {@link Writer}
 * directly, and bounds the bytes it will write (to size a request's buffer
 * once).
 *
 * A value left `undefined` is written as the field's default; fields not in
 * the version are not written; a tagged field is written only when it holds
 * something other than null, an empty array or its default. A value the
 * version cannot carry (null in a non-nullable field) is a `RangeError`
 * naming the field.
 *
 * @module
 */

import { atField, atIndex } from "./field_path.ts";
import { Code, FIXED_SIZE, type Op, type StructPlan, type TaggedOp } from "./plan.ts";
import { ZERO_UUID } from "./uuid.ts";
import type { TaggedFieldWrite, Writer } from "./writer.ts";

/** Writes `value` as `op` says. */
export function write(op: Op, w: Writer, value: unknown): void {
  const v = value === undefined ? op.make() : value;
  if (v === null && !op.nullable) throw new RangeError("null in a non-nullable field");
  switch (op.code) {
    case Code.Int8:
      w.int8(v as number);
      break;
    case Code.Int16:
      w.int16(v as number);
      break;
    case Code.Int32:
      w.int32(v as number);
      break;
    case Code.Int64:
      w.int64(v as bigint);
      break;
    case Code.Uint16:
      w.uint16(v as number);
      break;
    case Code.Varint:
      w.varint(v as number);
      break;
    case Code.Float64:
      w.float64(v as number);
      break;
    case Code.Bool:
      w.bool(v as boolean);
      break;
    case Code.String:
      w.string(v as string | null);
      break;
    case Code.CompactString:
      w.compactString(v as string | null);
      break;
    case Code.Bytes:
      w.bytes(v as Uint8Array | null);
      break;
    case Code.CompactBytes:
      w.compactBytes(v as Uint8Array | null);
      break;
    case Code.Uuid:
      w.uuid(v as Uint8Array);
      break;
    case Code.UuidZeroIsNull:
      w.uuid((v as Uint8Array | null) ?? ZERO_UUID);
      break;
    case Code.Struct:
      writeStruct(op.plan!, w, v as Record<string, unknown>);
      break;
    case Code.Array:
    case Code.CompactArray:
      writeArray(op, w, v as readonly unknown[] | null);
      break;
      // Code.Absent: not on the wire in this version.
  }
}

function writeArray(op: Op, w: Writer, items: readonly unknown[] | null): void {
  const compact = op.code === Code.CompactArray;
  if (items === null) {
    if (compact) w.uvarint(0);
    else w.int32(-1);
    return;
  }
  if (compact) w.uvarint(items.length + 1);
  else w.int32(items.length);
  const item = op.item!;
  let i = 0;
  try {
    for (; i < items.length; i++) write(item, w, items[i]);
  } catch (error) {
    throw atIndex(error, i);
  }
}

function writeStruct(plan: StructPlan, w: Writer, o: Record<string, unknown>): void {
  const { ops, keys } = plan;
  let i = 0;
  try {
    for (; i < ops.length; i++) {
      const key = keys[i];
      write(ops[i], w, key === null ? undefined : o[key]);
    }
  } catch (error) {
    throw atField(error, plan.names[i]);
  }
  if (plan.flexible) w.taggedFields(plan.tagged.size === 0 ? undefined : taggedWrites(plan, o));
}

/** The tagged fields of `o` worth writing: set, non-empty and not their default. */
function taggedWrites(plan: StructPlan, o: Record<string, unknown>): TaggedFieldWrite[] {
  const writes: TaggedFieldWrite[] = [];
  for (const t of plan.tagged.values()) {
    const v = o[t.key];
    if (v === undefined || v === null || v === t.op.make()) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    writes.push({ tag: t.tag, write: (w) => writeTagged(t, w, v) });
  }
  return writes;
}

function writeTagged(t: TaggedOp, w: Writer, v: unknown): void {
  try {
    write(t.op, w, v);
  } catch (error) {
    throw atField(error, t.key);
  }
}

/** A bound of the bytes {@link write} writes for `value` (never fewer). */
export function size(op: Op, value: unknown): number {
  const fixed = FIXED_SIZE[op.code] ?? -1;
  if (fixed >= 0) return fixed;
  const v = value === undefined ? op.make() : value;
  if (v === null) return 5;
  switch (op.code) {
    case Code.String:
    case Code.CompactString:
      return 5 + 3 * (v as string).length; // a UTF-16 unit is at most 3 UTF-8 bytes
    case Code.Bytes:
    case Code.CompactBytes:
      return 5 + (v as Uint8Array).length;
    case Code.Struct:
      return structSize(op.plan!, v as Record<string, unknown>);
    case Code.Array:
    case Code.CompactArray: {
      const items = v as readonly unknown[];
      const each = FIXED_SIZE[op.item!.code] ?? -1;
      if (each >= 0) return 5 + each * items.length;
      let n = 5;
      for (let i = 0; i < items.length; i++) n += size(op.item!, items[i]);
      return n;
    }
    default:
      return 0;
  }
}

function structSize(plan: StructPlan, o: Record<string, unknown>): number {
  let n = plan.fixedSize;
  for (const i of plan.sized) {
    const key = plan.keys[i];
    n += size(plan.ops[i], key === null ? undefined : o[key]);
  }
  for (const t of plan.tagged.values()) n += 10 + size(t.op, o[t.key]);
  return n;
}
