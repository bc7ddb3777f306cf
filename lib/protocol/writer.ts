/**
 * A growable big-endian byte writer for Kafka request bodies.
 *
 * @module
 */

import { encodeUtf8Into, utf8Length } from "./utf8.ts";
import { sizeOfVarlong, writeUvarint, writeVarint, writeVarlong } from "./varint.ts";

const INT16_MAX = 0x7fff;
const UINT32_MAX = 0xffffffff;
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

/** One tagged field to write: its tag and a callback writing its value. */
export interface TaggedFieldWrite {
  /** The field's tag (unsigned). */
  readonly tag: number;
  /** Writes the field's value; its size prefix is computed by the writer. */
  readonly write: (w: Writer) => void;
}

/**
 * Writes Kafka protocol primitives into a buffer that doubles as it fills.
 *
 * Every method returns `this`, so writes chain. Integers are big-endian;
 * fixed-width integer writers wrap like `DataView` does, while varint writers
 * and length-prefixed writers throw `RangeError` on values they cannot
 * represent (a bug in the caller, not bad input from a broker).
 *
 * @example
 * ```ts
 * const bytes = new Writer().int16(18).int16(3).int32(1).string("me").finish();
 * ```
 */
export class Writer {
  #buf: Uint8Array;
  #view: DataView;
  #pos = 0;

  /** Creates a writer whose buffer starts with `initialCapacity` bytes (default 256). */
  constructor(initialCapacity = 256) {
    this.#buf = new Uint8Array(initialCapacity > 16 ? Math.ceil(initialCapacity) : 16);
    this.#view = new DataView(this.#buf.buffer);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#pos;
  }

  /** Writes an int8. */
  int8(v: number): this {
    this.#ensure(1);
    this.#view.setInt8(this.#pos, v);
    this.#pos += 1;
    return this;
  }

  /** Writes a big-endian int16. */
  int16(v: number): this {
    this.#ensure(2);
    this.#view.setInt16(this.#pos, v);
    this.#pos += 2;
    return this;
  }

  /** Writes a big-endian uint16. */
  uint16(v: number): this {
    this.#ensure(2);
    this.#view.setUint16(this.#pos, v);
    this.#pos += 2;
    return this;
  }

  /** Writes a big-endian int32. */
  int32(v: number): this {
    this.#ensure(4);
    this.#view.setInt32(this.#pos, v);
    this.#pos += 4;
    return this;
  }

  /** Writes a big-endian uint32. */
  uint32(v: number): this {
    this.#ensure(4);
    this.#view.setUint32(this.#pos, v);
    this.#pos += 4;
    return this;
  }

  /** Writes a big-endian int64; throws `RangeError` outside the int64 range. */
  int64(v: bigint): this {
    if (v < INT64_MIN || v > INT64_MAX) {
      throw new RangeError(`int64 out of range: ${v}`);
    }
    this.#ensure(8);
    this.#view.setBigInt64(this.#pos, v);
    this.#pos += 8;
    return this;
  }

  /** Writes a big-endian IEEE 754 float64. */
  float64(v: number): this {
    this.#ensure(8);
    this.#view.setFloat64(this.#pos, v);
    this.#pos += 8;
    return this;
  }

  /** Writes a boolean as one byte, 1 or 0. */
  bool(v: boolean): this {
    this.#ensure(1);
    this.#buf[this.#pos++] = v ? 1 : 0;
    return this;
  }

  /** Writes an unsigned LEB128 varint (compact lengths, tags); `v` in 0 … 2^32-1. */
  uvarint(v: number): this {
    if (!Number.isInteger(v) || v < 0 || v > UINT32_MAX) {
      throw new RangeError(`unsigned varint out of range: ${v}`);
    }
    this.#ensure(5);
    this.#pos = writeUvarint(this.#buf, this.#pos, v);
    return this;
  }

  /** Writes a zigzag varint (record fields); `v` must be an int32. */
  varint(v: number): this {
    if ((v | 0) !== v) {
      throw new RangeError(`varint out of the int32 range: ${v}`);
    }
    this.#ensure(5);
    this.#pos = writeVarint(this.#buf, this.#pos, v);
    return this;
  }

  /** Writes a zigzag varlong; `v` must be an integer in the int64 range. */
  varlong(v: number | bigint): this {
    this.#ensure(sizeOfVarlong(v));
    this.#pos = writeVarlong(this.#buf, this.#pos, v);
    return this;
  }

  /** Writes a (nullable) string with an int16 byte length, -1 for null. */
  string(v: string | null): this {
    if (v === null) return this.int16(-1);
    const n = utf8Length(v);
    if (n > INT16_MAX) throw new RangeError(`string too long: ${n} bytes`);
    this.#ensure(2 + n);
    this.#view.setInt16(this.#pos, n);
    this.#pos += 2;
    this.#pos += encodeUtf8Into(this.#buf, this.#pos, v);
    return this;
  }

  /** Writes a (nullable) compact string: uvarint length+1, 0 for null. */
  compactString(v: string | null): this {
    if (v === null) return this.uvarint(0);
    const n = utf8Length(v);
    if (n > INT16_MAX) throw new RangeError(`string too long: ${n} bytes`);
    this.#ensure(5 + n);
    this.#pos = writeUvarint(this.#buf, this.#pos, n + 1);
    this.#pos += encodeUtf8Into(this.#buf, this.#pos, v);
    return this;
  }

  /** Writes (nullable) bytes with an int32 length, -1 for null. */
  bytes(v: Uint8Array | null): this {
    if (v === null) return this.int32(-1);
    this.#ensure(4 + v.length);
    this.#view.setInt32(this.#pos, v.length);
    this.#buf.set(v, this.#pos + 4);
    this.#pos += 4 + v.length;
    return this;
  }

  /** Writes (nullable) compact bytes: uvarint length+1, 0 for null. */
  compactBytes(v: Uint8Array | null): this {
    if (v === null) return this.uvarint(0);
    this.#ensure(5 + v.length);
    this.#pos = writeUvarint(this.#buf, this.#pos, v.length + 1);
    this.#buf.set(v, this.#pos);
    this.#pos += v.length;
    return this;
  }

  /** Writes a UUID: exactly 16 raw bytes. */
  uuid(v: Uint8Array): this {
    if (v.length !== 16) {
      throw new RangeError(`uuid must be 16 bytes, got ${v.length}`);
    }
    return this.raw(v);
  }

  /** Copies `v` as is. */
  raw(v: Uint8Array): this {
    this.#ensure(v.length);
    this.#buf.set(v, this.#pos);
    this.#pos += v.length;
    return this;
  }

  /**
   * Writes an array: its count (compact: uvarint count+1 with 0 for null;
   * otherwise int32 with -1 for null), then `each` for every item.
   */
  array<T>(
    items: readonly T[] | null,
    compact: boolean,
    each: (w: Writer, item: T) => void,
  ): this {
    if (items === null) return compact ? this.uvarint(0) : this.int32(-1);
    if (compact) this.uvarint(items.length + 1);
    else this.int32(items.length);
    for (let i = 0; i < items.length; i++) each(this, items[i]);
    return this;
  }

  /**
   * Writes a tagged-field section: uvarint count, then per field (in
   * ascending tag order) uvarint tag, uvarint size and the value. With no
   * fields it is the single byte 0.
   */
  taggedFields(fields?: readonly TaggedFieldWrite[]): this {
    if (fields === undefined || fields.length === 0) {
      this.#ensure(1);
      this.#buf[this.#pos++] = 0;
      return this;
    }
    const sorted = [...fields].sort((a, b) => a.tag - b.tag);
    this.uvarint(sorted.length);
    for (let i = 0; i < sorted.length; i++) {
      const field = sorted[i];
      if (i > 0 && field.tag === sorted[i - 1].tag) {
        throw new RangeError(`duplicate tagged field ${field.tag}`);
      }
      const body = new Writer(64);
      field.write(body);
      const bytes = body.finish();
      this.uvarint(field.tag).uvarint(bytes.length).raw(bytes);
    }
    return this;
  }

  /** Overwrites the int32 at `offset` (which must already be written), e.g. a size prefix. */
  patchInt32(offset: number, v: number): void {
    if (offset < 0 || offset + 4 > this.#pos) {
      throw new RangeError(`patchInt32 outside the written bytes: ${offset}`);
    }
    this.#view.setInt32(offset, v);
  }

  /** The written bytes: a view of the internal buffer (no copy). */
  finish(): Uint8Array {
    return this.#buf.subarray(0, this.#pos);
  }

  #ensure(n: number): void {
    const need = this.#pos + n;
    if (need <= this.#buf.length) return;
    let cap = this.#buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.#buf.subarray(0, this.#pos));
    this.#buf = next;
    this.#view = new DataView(next.buffer);
  }
}
