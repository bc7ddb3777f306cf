/**
 * Compiles a field description at one version into a plan both halves of
 * the interpreter run ({@link "./decoder.ts"}, {@link "./encoder.ts"}): per
 * field an opcode saying how its value goes on the wire at that version
 * (compact or not, nullable or not), with the nested plan, default and
 * check it needs. Version tests happen here, once per description and
 * version (cached), never while encoding or decoding.
 *
 * @module
 */

import { defaultOf } from "./field_default.ts";
import type { FieldSpec } from "./schema.ts";
import { inVersions } from "./versions.ts";

/** Opcodes: how one value is on the wire. */
export const Code = {
  Int8: 0,
  Int16: 1,
  Int32: 2,
  Int64: 3,
  Uint16: 4,
  Varint: 5,
  Float64: 6,
  Bool: 7,
  String: 8,
  CompactString: 9,
  Bytes: 10,
  CompactBytes: 11,
  Uuid: 12,
  /** A uuid whose zero value is null. */
  UuidZeroIsNull: 13,
  Struct: 14,
  Array: 15,
  CompactArray: 16,
  /** Not on the wire in this version: decoding gives the default, encoding writes nothing. */
  Absent: 17,
} as const;

/** Bytes a value of each opcode takes when that is fixed (varint: at most); -1 when it varies. */
export const FIXED_SIZE: readonly number[] = [1, 2, 4, 8, 2, 5, 8, 1, -1, -1, -1, -1, 16, 16];

/** How to read or write one value. */
export interface Op {
  /** Its opcode ({@link Code}). */
  readonly code: number;
  /** A struct's plan, or an array's element. */
  readonly plan: StructPlan | null;
  /** An array's element. */
  readonly item: Op | null;
  /** Makes the default: for absent fields, ignored ones and values left undefined. */
  readonly make: () => unknown;
  /** Whether the value may be null in this version. */
  readonly nullable: boolean;
  /** Rejects an impossible decoded (non-null) value: returns the problem, or null. */
  readonly check: ((value: unknown) => string | null) | null;
}

/** A tagged field a struct knows at this version. */
export interface TaggedOp {
  /** Its tag. */
  readonly tag: number;
  /** Its property. */
  readonly key: string;
  /** How its value is read and written. */
  readonly op: Op;
}

/** A struct at one version. */
export interface StructPlan {
  /** Per field in description order, but the tagged ones (absent fields as {@link Code.Absent}). */
  readonly ops: readonly Op[];
  /** Property per op; null for an ignored field (read and dropped, written as its default). */
  readonly keys: readonly (string | null)[];
  /** Field name per op, for errors. */
  readonly names: readonly string[];
  /** The tagged fields known at this version, by tag. */
  readonly tagged: ReadonlyMap<number, TaggedOp>;
  /** Whether the struct ends with tagged fields. */
  readonly flexible: boolean;
  /** Bytes of its fixed-size fields (and of an empty tagged section). */
  readonly fixedSize: number;
  /** Indexes of the ops whose size varies. */
  readonly sized: readonly number[];
}

const compiled = new WeakMap<FieldSpec, Map<number, Op>>();

/** The op of `spec` at `version`, flexible or not; compiled once per version. */
export function opOf(spec: FieldSpec, version: number, flexible: boolean): Op {
  let byVersion = compiled.get(spec);
  if (byVersion === undefined) compiled.set(spec, byVersion = new Map());
  const key = version * 2 + (flexible ? 1 : 0);
  let op = byVersion.get(key);
  if (op === undefined) byVersion.set(key, op = compile(spec, version, flexible));
  return op;
}

const SCALARS: Readonly<Record<string, number>> = {
  int8: Code.Int8,
  int16: Code.Int16,
  int32: Code.Int32,
  int64: Code.Int64,
  uint16: Code.Uint16,
  varint: Code.Varint,
  float64: Code.Float64,
  bool: Code.Bool,
};

function compile(spec: FieldSpec, version: number, flexible: boolean): Op {
  const op = (code: number, extra: Partial<Op> = {}): Op => ({
    code,
    plan: null,
    item: null,
    make: defaultOf(spec),
    nullable: inVersions(spec.nullable, version),
    check: spec.check as Op["check"],
    ...extra,
  });
  switch (spec.type) {
    case "string":
      return op(flexible ? Code.CompactString : Code.String);
    case "bytes":
    case "records":
      return op(flexible ? Code.CompactBytes : Code.Bytes);
    case "uuid":
      return spec.zeroIsNull ? op(Code.UuidZeroIsNull, { nullable: true }) : op(Code.Uuid);
    case "array":
      return op(flexible ? Code.CompactArray : Code.Array, {
        item: opOf(spec.item!, version, flexible),
      });
    case "struct":
      return op(Code.Struct, { plan: structPlan(spec.fields!, version, flexible) });
    default:
      return op(SCALARS[spec.type]);
  }
}

function structPlan(
  fields: Readonly<Record<string, FieldSpec>>,
  version: number,
  flexible: boolean,
): StructPlan {
  const ops: Op[] = [];
  const keys: (string | null)[] = [];
  const names: string[] = [];
  const tagged = new Map<number, TaggedOp>();
  for (const [name, spec] of Object.entries(fields)) {
    const taggedHere = spec.tag !== null && inVersions(spec.taggedVersions, version);
    const present = inVersions(spec.versions, version) && (flexible || !taggedHere);
    if (present && taggedHere && !spec.ignored) {
      if (tagged.has(spec.tag!)) throw new RangeError(`${name}: tag ${spec.tag} used twice`);
      tagged.set(spec.tag!, { tag: spec.tag!, key: name, op: opOf(spec, version, true) });
    }
    if (present && !taggedHere) {
      ops.push(opOf(spec, version, flexible));
    } else if (!spec.ignored) {
      ops.push({
        code: Code.Absent,
        plan: null,
        item: null,
        make: defaultOf(spec),
        nullable: true,
        check: null,
      });
    } else continue;
    keys.push(spec.ignored ? null : name);
    names.push(name);
  }
  let fixedSize = flexible ? 1 : 0;
  const sized: number[] = [];
  ops.forEach((op, i) => {
    const size = op.code === Code.Absent ? 0 : FIXED_SIZE[op.code] ?? -1;
    if (size >= 0) fixedSize += size;
    else sized.push(i);
  });
  return { ops, keys, names, tagged, flexible, fixedSize, sized };
}
