/**
 * The decoding half of the interpreter: runs a {@link StructPlan} compiled
 * for the version (see {@link "./plan.ts"}) in one small loop, calling the
 * {@link Reader} directly.
 *
 * Hostile input fails as {@link ProtocolError} naming the field: the
 * {@link Reader} bounds every length and count by the bytes left before
 * anything is allocated; a null where the version allows none and a value
 * failing the field's `check` are errors too. Tags the plan does not know
 * are skipped.
 *
 * @module
 */

import { ProtocolError } from "../errors.ts";
import { atField, atIndex } from "./field_path.ts";
import { Code, type Op, type StructPlan } from "./plan.ts";
import type { Reader } from "./reader.ts";
import { isZeroUuid } from "./uuid.ts";

/** Reads one value as `op` says. */
export function read(op: Op, r: Reader): unknown {
  let v: unknown;
  switch (op.code) {
    case Code.Int8:
      v = r.int8();
      break;
    case Code.Int16:
      v = r.int16();
      break;
    case Code.Int32:
      v = r.int32();
      break;
    case Code.Int64:
      v = r.int64();
      break;
    case Code.Uint16:
      v = r.uint16();
      break;
    case Code.Varint:
      v = r.varint();
      break;
    case Code.Float64:
      v = r.float64();
      break;
    case Code.Bool:
      v = r.bool();
      break;
    case Code.String:
      v = r.string();
      break;
    case Code.CompactString:
      v = r.compactString();
      break;
    case Code.Bytes:
      v = r.bytes();
      break;
    case Code.CompactBytes:
      v = r.compactBytes();
      break;
    case Code.Uuid:
      v = r.uuid();
      break;
    case Code.UuidZeroIsNull: {
      const id = r.uuid();
      v = isZeroUuid(id) ? null : id;
      break;
    }
    case Code.Struct:
      return readStruct(op.plan!, r);
    case Code.Array:
    case Code.CompactArray:
      v = readArray(op, r);
      break;
    default:
      return op.make();
  }
  if (v === null) {
    if (!op.nullable) throw new ProtocolError("null in a non-nullable field");
  } else if (op.check !== null) {
    const problem = op.check(v);
    if (problem !== null) throw new ProtocolError(problem);
  }
  return v;
}

function readArray(op: Op, r: Reader): unknown[] | null {
  const n = r.arrayLength(op.code === Code.CompactArray);
  if (n < 0) return null;
  const item = op.item!;
  const out: unknown[] = [];
  let i = 0;
  try {
    for (; i < n; i++) out.push(read(item, r));
  } catch (error) {
    throw atIndex(error, i);
  }
  return out;
}

function readStruct(plan: StructPlan, r: Reader): Record<string, unknown> {
  const { ops, keys } = plan;
  const out: Record<string, unknown> = {};
  let i = 0;
  try {
    for (; i < ops.length; i++) {
      const v = read(ops[i], r);
      const key = keys[i];
      if (key !== null) out[key] = v;
    }
    i = -1;
    if (plan.flexible) r.taggedFields(plan.tagged.size === 0 ? undefined : tagReader(plan), out);
  } catch (error) {
    throw i < 0 ? error : atField(error, plan.names[i]);
  }
  return out;
}

/** Reads a tagged field a struct knows into the struct; the others are skipped. */
type TagReader = (tag: number, r: Reader, out: Record<string, unknown>) => void;

const tagReaders = new WeakMap<StructPlan, TagReader>();

function tagReader(plan: StructPlan): TagReader {
  let reader = tagReaders.get(plan);
  if (reader === undefined) {
    tagReaders.set(
      plan,
      reader = (tag, r, out) => {
        const known = plan.tagged.get(tag);
        if (known === undefined) return;
        try {
          out[known.key] = read(known.op, r);
        } catch (error) {
          throw atField(error, known.key);
        }
      },
    );
  }
  return reader;
}
