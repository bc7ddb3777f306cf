/**
 * A bounds-checked big-endian reader for Kafka response bodies.
 *
 * @module
 */

import { ProtocolError } from "../errors.ts";
import { decodeUtf8 } from "./utf8.ts";

const INT16_MAX = 0x7fff;

/**
 * Reads Kafka protocol primitives from a byte array, advancing `offset`.
 *
 * Every read checks the bytes left first and throws {@link ProtocolError}
 * (never `RangeError`) naming what was being read, so truncated or hostile
 * input fails cleanly. Declared lengths and counts are checked against the
 * bytes left before anything is allocated.
 *
 * `bytes`, `compactBytes` and `raw` return views into the input (no copy);
 * `uuid` returns a copy, since ids outlive the response they came in.
 */
export class Reader {
  /** The bytes being read; `buffer.length` is the end of the readable range. */
  readonly buffer: Uint8Array;
  /** Position of the next byte to read. */
  offset: number;
  readonly #view: DataView;

  /** Reads `buf` from `offset` (default 0) to its end. */
  constructor(buf: Uint8Array, offset = 0) {
    this.buffer = buf;
    this.offset = offset;
    this.#view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** Bytes left to read. */
  get remaining(): number {
    return this.buffer.length - this.offset;
  }

  /** Reads an int8. */
  int8(): number {
    this.#need(1, "int8");
    return this.#view.getInt8(this.offset++);
  }

  /** Reads a big-endian int16. */
  int16(): number {
    this.#need(2, "int16");
    const v = this.#view.getInt16(this.offset);
    this.offset += 2;
    return v;
  }

  /** Reads a big-endian uint16. */
  uint16(): number {
    this.#need(2, "uint16");
    const v = this.#view.getUint16(this.offset);
    this.offset += 2;
    return v;
  }

  /** Reads a big-endian int32. */
  int32(): number {
    this.#need(4, "int32");
    const v = this.#view.getInt32(this.offset);
    this.offset += 4;
    return v;
  }

  /** Reads a big-endian uint32. */
  uint32(): number {
    this.#need(4, "uint32");
    const v = this.#view.getUint32(this.offset);
    this.offset += 4;
    return v;
  }

  /** Reads a big-endian int64. */
  int64(): bigint {
    this.#need(8, "int64");
    const v = this.#view.getBigInt64(this.offset);
    this.offset += 8;
    return v;
  }

  /** Reads a big-endian IEEE 754 float64. */
  float64(): number {
    this.#need(8, "float64");
    const v = this.#view.getFloat64(this.offset);
    this.offset += 8;
    return v;
  }

  /** Reads a boolean byte (any non-zero value is `true`, as in Java). */
  bool(): boolean {
    this.#need(1, "bool");
    return this.buffer[this.offset++] !== 0;
  }

  /** Reads an unsigned LEB128 varint of at most 5 bytes and 32 bits. */
  uvarint(): number {
    return this.#leb32("unsigned varint");
  }

  /** Reads a zigzag varint (int32, at most 5 bytes). */
  varint(): number {
    const u = this.#leb32("varint");
    return (u >>> 1) ^ -(u & 1);
  }

  /** Reads a zigzag varlong (int64, at most 10 bytes). */
  varlong(): bigint {
    const buf = this.buffer;
    const end = buf.length;
    let off = this.offset;
    // Fast path: up to 4 bytes (28 bits) in number arithmetic.
    let low = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (off >= end) throw this.#truncatedVarint("varlong");
      const b = buf[off++];
      low |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.offset = off;
        return BigInt((low >>> 1) ^ -(low & 1));
      }
    }
    let z = BigInt(low);
    for (let shift = 28n; shift < 70n; shift += 7n) {
      if (off >= end) throw this.#truncatedVarint("varlong");
      const b = buf[off++];
      if (shift === 63n && b > 1) {
        throw new ProtocolError(
          `malformed varlong at offset ${this.offset}: longer than 64 bits`,
        );
      }
      z |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) {
        this.offset = off;
        return (z >> 1n) ^ -(z & 1n);
      }
    }
    throw new ProtocolError(`malformed varlong at offset ${this.offset}`);
  }

  /** Reads a nullable string with an int16 length (-1 = null). */
  string(): string | null {
    const n = this.int16();
    if (n < 0) {
      if (n === -1) return null;
      throw new ProtocolError(
        `invalid string length ${n} at offset ${this.offset - 2}`,
      );
    }
    this.#need(n, "string");
    const s = decodeUtf8(this.buffer, this.offset, this.offset + n);
    this.offset += n;
    return s;
  }

  /** Reads a nullable compact string (uvarint length+1, 0 = null). */
  compactString(): string | null {
    const u = this.uvarint();
    if (u === 0) return null;
    const n = u - 1;
    if (n > INT16_MAX) {
      throw new ProtocolError(
        `invalid compact string length ${n} at offset ${this.offset}`,
      );
    }
    this.#need(n, "compact string");
    const s = decodeUtf8(this.buffer, this.offset, this.offset + n);
    this.offset += n;
    return s;
  }

  /** Reads nullable bytes with an int32 length (-1 = null); returns a view. */
  bytes(): Uint8Array | null {
    const n = this.int32();
    if (n < 0) {
      if (n === -1) return null;
      throw new ProtocolError(
        `invalid bytes length ${n} at offset ${this.offset - 4}`,
      );
    }
    return this.#slice(n, "bytes");
  }

  /** Reads nullable compact bytes (uvarint length+1, 0 = null); returns a view. */
  compactBytes(): Uint8Array | null {
    const u = this.uvarint();
    if (u === 0) return null;
    return this.#slice(u - 1, "compact bytes");
  }

  /** Reads a 16-byte UUID (a copy). */
  uuid(): Uint8Array {
    this.#need(16, "uuid");
    const v = this.buffer.slice(this.offset, this.offset + 16);
    this.offset += 16;
    return v;
  }

  /** Reads `n` raw bytes; returns a view. */
  raw(n: number): Uint8Array {
    if (!(n >= 0)) throw new ProtocolError(`invalid raw length ${n}`);
    return this.#slice(n, "raw bytes");
  }

  /** Skips `n` bytes. */
  skip(n: number): void {
    if (!(n >= 0)) throw new ProtocolError(`invalid skip length ${n}`);
    this.#need(n, "skipped bytes");
    this.offset += n;
  }

  /**
   * Reads an array's count (compact: uvarint count+1 with 0 = null;
   * otherwise int32 with -1 = null); -1 for null. A count larger than the
   * bytes left is rejected, so nothing is allocated for it.
   */
  arrayLength(compact: boolean): number {
    const at = this.offset;
    let n: number;
    if (compact) {
      n = this.uvarint() - 1;
    } else {
      n = this.int32();
      if (n < -1) throw new ProtocolError(`invalid array length ${n} at offset ${at}`);
    }
    if (n > this.remaining) {
      throw new ProtocolError(`count ${n} exceeds the ${this.remaining} bytes left`);
    }
    return n;
  }

  /**
   * Reads an array: its count (see {@link arrayLength}), then `each` per
   * element; null for a null array.
   */
  array<T>(compact: boolean, each: (r: Reader) => T): T[] | null {
    const n = this.arrayLength(compact);
    if (n < 0) return null;
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(each(this));
    return out;
  }

  /**
   * Reads a tagged-field section. For each field, `onField` gets its tag, a
   * reader bounded to the field's bytes and `context`; whatever it leaves
   * unread (all of it for unknown tags) is skipped.
   */
  taggedFields<C>(onField?: (tag: number, r: Reader, context: C) => void, context?: C): void {
    const count = this.uvarint();
    if (count > this.remaining) {
      throw new ProtocolError(
        `${count} tagged fields at offset ${this.offset} exceed the ${this.remaining} bytes left`,
      );
    }
    for (let i = 0; i < count; i++) {
      const tag = this.uvarint();
      const size = this.uvarint();
      this.#need(size, `tagged field ${tag}`);
      const start = this.offset;
      const end = start + size;
      if (onField !== undefined) {
        onField(tag, new Reader(this.buffer.subarray(0, end), start), context as C);
      }
      this.offset = end;
    }
  }

  #need(n: number, what: string): void {
    if (this.offset + n > this.buffer.length) {
      throw new ProtocolError(
        `truncated ${what} at offset ${this.offset}: needs ${n} bytes, ${this.remaining} left`,
      );
    }
  }

  #slice(n: number, what: string): Uint8Array {
    this.#need(n, what);
    const v = this.buffer.subarray(this.offset, this.offset + n);
    this.offset += n;
    return v;
  }

  #leb32(what: string): number {
    const buf = this.buffer;
    const end = buf.length;
    let off = this.offset;
    let result = 0;
    for (let shift = 0; shift < 28; shift += 7) {
      if (off >= end) throw this.#truncatedVarint(what);
      const b = buf[off++];
      result |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.offset = off;
        return result;
      }
    }
    if (off >= end) throw this.#truncatedVarint(what);
    const b = buf[off++];
    if (b > 0x0f) {
      throw new ProtocolError(
        `malformed ${what} at offset ${this.offset}: longer than 32 bits`,
      );
    }
    this.offset = off;
    return result + b * 0x10000000;
  }

  #truncatedVarint(what: string): ProtocolError {
    return new ProtocolError(`truncated ${what} at offset ${this.offset}`);
  }
}
