/**
 * The declarative message layer's descriptions: a message is a struct of
 * fields written as in Kafka's schemas (`clients/src/main/resources/common/
 * message/*.json`), property order being wire order. Each field says its
 * wire type, the versions it is in, the versions it may be null in, and —
 * for a tagged field — its tag and tagged versions; the message says its
 * flexible versions (see {@link "./codec.ts"}).
 *
 * The JS types come from the descriptions: `Out<typeof X>` is what decoding
 * `X` gives (every field present, absent versions filled with the default)
 * and `In<typeof X>` what encoding takes (fields marked `optional` may be
 * left out). Documentation written on a description's properties carries
 * over to those types.
 *
 * @example
 * ```ts
 * const Broker = struct({
 *   nodeId: int32({ check: atLeast(0) }),
 *   host: string(),
 *   rack: string({ versions: "1+", nullable: "1+", default: null }),
 * });
 * type Broker = Out<typeof Broker>; // { nodeId: number; host: string; rack: string | null }
 * ```
 *
 * @module
 */

import type { VersionRange } from "./versions.ts";

/** The wire types of Kafka's schemas. */
export type FieldType =
  | "int8"
  | "int16"
  | "int32"
  | "int64"
  | "uint16"
  | "varint"
  | "float64"
  | "bool"
  | "string"
  | "bytes"
  | "records"
  | "uuid"
  | "array"
  | "struct";

/** A field's description as the interpreter reads it. */
export interface FieldSpec {
  /** Wire type. */
  readonly type: FieldType;
  /** Versions the field is in (`versions`). */
  readonly versions: VersionRange;
  /** Versions it may be null in (`nullableVersions`). */
  readonly nullable: VersionRange;
  /** Its tag, when it is tagged in `taggedVersions`. */
  readonly tag: number | null;
  /** Versions it is a tagged field in (`taggedVersions`). */
  readonly taggedVersions: VersionRange;
  /** Its value where absent; `undefined` for the type's zero (0, "", empty, all defaults). */
  readonly default: unknown;
  /** Whether the zero UUID reads as null and null writes the zero UUID (uuid fields). */
  readonly zeroIsNull: boolean;
  /** Whether the JS shape leaves it out: read and dropped, written as its default. */
  readonly ignored: boolean;
  /** Rejects a decoded (non-null) value no peer sends: returns the problem, or null. */
  readonly check: ((value: never) => string | null) | null;
  /** The element of an array. */
  readonly item: FieldSpec | null;
  /** The fields of a struct, in wire order. */
  readonly fields: Readonly<Record<string, FieldSpec>> | null;
}

/**
 * A field description carrying, at the type level only, the JS value it
 * takes when encoding (`In`), gives when decoding (`Out`), and whether
 * encoding may leave it out (`Optional`).
 */
export interface Field<In, Out, Optional extends boolean> extends FieldSpec {
  /** Type-level only: never set. */
  readonly "~types"?: { readonly in: In; readonly out: Out; readonly optional: Optional };
}

/** Any field description. */
export type AnyField = Field<unknown, unknown, boolean>;

/** A struct's fields by JS name, in wire order. */
export type Fields = { readonly [name: string]: AnyField };

/** Options every field takes. */
export interface FieldOptions<T> {
  /** Versions the field is in (Kafka's `versions`); default `"0+"`. */
  readonly versions?: VersionRange;
  /** Its tag (Kafka's `tag`), with `taggedVersions`. */
  readonly tag?: number;
  /** Versions it is a tagged field in (Kafka's `taggedVersions`). */
  readonly taggedVersions?: VersionRange;
  /** Its value in versions without it (and for an `undefined` when encoding); default the type's zero. */
  readonly default?: T | null;
  /** Whether a value to encode may leave it out (then `default` is written). */
  readonly optional?: boolean;
  /** Rejects a decoded value no peer sends: returns the problem, or null. */
  readonly check?: (value: T) => string | null;
}

/** Options of strings, bytes and arrays, which may be nullable. */
export interface NullableOptions<T> extends FieldOptions<T> {
  /** Versions it may be null in (Kafka's `nullableVersions`). */
  readonly nullable?: VersionRange;
}

/** Options of a uuid field. */
export interface UuidOptions extends FieldOptions<Uint8Array> {
  /** Whether the zero UUID reads as null and null writes the zero UUID. */
  readonly zeroIsNull?: boolean;
}

/** Options of a struct or an array, whose only explicit default is null. */
export type ContainerOptions = Omit<NullableOptions<never>, "default" | "check"> & {
  /** `null` to make the field null where absent (default: empty, or all defaults). */
  readonly default?: null;
};

/** `null` when the options make the value nullable (nullable, zero-UUID-is-null or a null default). */
export type Nulls<O> =
  | (O extends { readonly nullable: VersionRange } ? null : never)
  | (O extends { readonly zeroIsNull: true } ? null : never)
  | (O extends { readonly default: null } ? null : never);

/** Whether the options say `optional: true`. */
export type Opt<O> = O extends { readonly optional: true } ? true : false;

/** The field a scalar builder makes from its options. */
export type Scalar<T, O> = Field<T | Nulls<O>, T | Nulls<O>, Opt<O>>;

/** What encoding a field takes. */
export type In<F> = F extends Field<infer I, unknown, boolean> ? I : never;

/** What decoding a field gives. */
export type Out<F> = F extends Field<unknown, infer O, boolean> ? O : never;

/** Keys of `F` the JS shape has (ignored fields are `never`). */
export type Shown<F extends Fields, K extends keyof F> = [Out<F[K]>] extends [never] ? never : K;

/** Keys of `F` that encoding may leave out, or must not. */
export type OptionalKey<F extends Fields, K extends keyof F, Want extends boolean> = F[K] extends
  Field<unknown, unknown, infer Optional> ? Optional extends Want ? Shown<F, K> : never : never;

/** What decoding a struct of `F` gives. */
export type StructOut<F extends Fields> = Flat<{ [K in keyof F as Shown<F, K>]: Out<F[K]> }>;

/** What encoding a struct of `F` takes. */
export type StructIn<F extends Fields> = Flat<
  & { [K in keyof F as OptionalKey<F, K, false>]: In<F[K]> }
  & { [K in keyof F as OptionalKey<F, K, true>]?: In<F[K]> }
>;

/** `T` shown as one object type (types and hovers read as plain objects). */
export type Flat<T> = T extends infer U ? { [K in keyof U]: U[K] } : never;

/** The options as `field` reads them, whatever the value type. */
interface AnyOptions {
  readonly versions?: VersionRange;
  readonly nullable?: VersionRange;
  readonly tag?: number;
  readonly taggedVersions?: VersionRange;
  readonly default?: unknown;
  readonly zeroIsNull?: boolean;
  readonly check?: (value: never) => string | null;
}

function field(
  type: FieldType,
  options: AnyOptions | undefined,
  item: FieldSpec | null = null,
  fields: Readonly<Record<string, FieldSpec>> | null = null,
): FieldSpec {
  const tag = options?.tag ?? null;
  if ((tag === null) !== (options?.taggedVersions === undefined)) {
    throw new RangeError("a tagged field needs both tag and taggedVersions");
  }
  return {
    type,
    versions: options?.versions ?? "0+",
    nullable: options?.nullable ?? "none",
    tag,
    taggedVersions: options?.taggedVersions ?? "none",
    default: options?.default,
    zeroIsNull: options?.zeroIsNull ?? false,
    ignored: false,
    check: options?.check ?? null,
    item,
    fields,
  };
}

/** A builder of fields of one scalar type `T`. */
export type ScalarBuilder<T, Base> = <const O extends Base>(options?: O) => Scalar<T, O>;

function scalar<T, Base extends FieldOptions<T> = FieldOptions<T>>(
  type: FieldType,
): ScalarBuilder<T, Base> {
  return <const O extends Base>(options?: O) => field(type, options) as Scalar<T, O>;
}

/** An int8 field. */
export const int8: ScalarBuilder<number, FieldOptions<number>> = scalar("int8");
/** A big-endian int16 field. */
export const int16: ScalarBuilder<number, FieldOptions<number>> = scalar("int16");
/** A big-endian int32 field. */
export const int32: ScalarBuilder<number, FieldOptions<number>> = scalar("int32");
/** A big-endian int64 field, as a bigint. */
export const int64: ScalarBuilder<bigint, FieldOptions<bigint>> = scalar("int64");
/** A big-endian uint16 field. */
export const uint16: ScalarBuilder<number, FieldOptions<number>> = scalar("uint16");
/** A zigzag varint (int32) field. */
export const varint: ScalarBuilder<number, FieldOptions<number>> = scalar("varint");
/** A big-endian IEEE 754 float64 field. */
export const float64: ScalarBuilder<number, FieldOptions<number>> = scalar("float64");
/** A boolean field (one byte). */
export const bool: ScalarBuilder<boolean, FieldOptions<boolean>> = scalar("bool");
/** A UTF-8 string field: int16 length, compact (uvarint length+1) in flexible versions. */
export const string: ScalarBuilder<string, NullableOptions<string>> = scalar("string");
/** A bytes field: int32 length, compact in flexible versions; decodes to a view of the input. */
export const bytes: ScalarBuilder<Uint8Array, NullableOptions<Uint8Array>> = scalar("bytes");
/** A records field (record batches): on the wire as bytes. */
export const records: ScalarBuilder<Uint8Array, NullableOptions<Uint8Array>> = scalar("records");
/** A 16-byte UUID field; decodes to a copy. */
export const uuid: ScalarBuilder<Uint8Array, UuidOptions> = scalar("uuid");

/** An array of `item`s: int32 count, compact (uvarint count+1) in flexible versions. */
export function array<I, O, const Options extends ContainerOptions>(
  item: Field<I, O, boolean>,
  options?: Options,
): Field<I[] | Nulls<Options>, O[] | Nulls<Options>, Opt<Options>> {
  return field("array", options, item);
}

/** A struct of `fields` (property order is wire order); flexible versions end it with tagged fields. */
export function struct<F extends Fields, const Options extends ContainerOptions>(
  fields: F,
  options?: Options,
): Field<StructIn<F> | Nulls<Options>, StructOut<F> | Nulls<Options>, Opt<Options>> {
  return field("struct", options, null, fields);
}

/** `f` left out of the JS shape: decoding reads and drops it, encoding writes its default. */
export function ignored(f: FieldSpec): Field<never, never, true> {
  return { ...f, ignored: true };
}

/** A check that a number is at least `min`. */
export function atLeast(min: number): (value: number) => string | null {
  return (value) => value >= min ? null : `${value} is below ${min}`;
}

/** A check that a number is within `min`..`max`. */
export function within(min: number, max: number): (value: number) => string | null {
  return (value) => value >= min && value <= max ? null : `${value} is outside ${min}..${max}`;
}
