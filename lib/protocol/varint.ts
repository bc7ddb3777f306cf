/**
 * Variable-length integers as Kafka writes them, on plain `Uint8Array`s.
 *
 * Two families share the LEB128 layout (7 bits a byte, least significant
 * group first, high bit set on every byte but the last):
 * - **unsigned varints** (`uvarint`): protocol compact lengths, tag ids and
 *   tagged-field sizes; 32-bit, at most 5 bytes.
 * - **zigzag varints** (`varint`, 32-bit, ≤ 5 bytes; `varlong`, 64-bit,
 *   ≤ 10 bytes): the fields of a record in a RecordBatch v2. Zigzag maps
 *   0, -1, 1, -2 … to 0, 1, 2, 3 … so small negative numbers stay short.
 *
 * The writers take the target buffer and a position and return the position
 * after the value; they do not check bounds (size the buffer first with the
 * `sizeOf*` helpers). They are the building blocks of the record encoder, so
 * they allocate nothing for values that fit in 32 bits.
 *
 * @module
 */

/** Largest byte count of an unsigned or zigzag 32-bit varint. */
export const MAX_VARINT_BYTES = 5;
/** Largest byte count of a zigzag 64-bit varint. */
export const MAX_VARLONG_BYTES = 10;

const TWO_POW_32 = 4294967296;
/** Numbers with |v| below this zigzag exactly in float arithmetic (2v + 1 < 2^53). */
const FLOAT_ZIGZAG_LIMIT = 4503599627370496; // 2^52
const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MASK = (1n << 64n) - 1n;

/** Zigzag-encodes an int32 into the uint32 carried on the wire. */
export function zigzag32(v: number): number {
  return ((v << 1) ^ (v >> 31)) >>> 0;
}

/** Reverses {@link zigzag32}: uint32 from the wire to int32. */
export function unzigzag32(u: number): number {
  return (u >>> 1) ^ -(u & 1);
}

/** Bytes taken by `u` (an unsigned 32-bit integer) as an unsigned varint. */
export function sizeOfUvarint(u: number): number {
  u = u >>> 0;
  if (u < 0x80) return 1;
  if (u < 0x4000) return 2;
  if (u < 0x200000) return 3;
  if (u < 0x10000000) return 4;
  return 5;
}

/** Bytes taken by `v` (an int32) as a zigzag varint. */
export function sizeOfVarint(v: number): number {
  const u = ((v << 1) ^ (v >> 31)) >>> 0;
  if (u < 0x80) return 1;
  if (u < 0x4000) return 2;
  if (u < 0x200000) return 3;
  if (u < 0x10000000) return 4;
  return 5;
}

/**
 * Bytes taken by `v` (an integer in the int64 range) as a zigzag varlong.
 * Numbers must be integers; int32 values take the fast path.
 */
export function sizeOfVarlong(v: number | bigint): number {
  if (typeof v === "number") {
    if ((v | 0) === v) return sizeOfVarint(v);
    if (v < FLOAT_ZIGZAG_LIMIT && v > -FLOAT_ZIGZAG_LIMIT) {
      assertInteger(v);
      // |v| ≥ 2^31 here, so the zigzag value has a non-zero high word.
      const hi = Math.floor((v >= 0 ? v * 2 : -v * 2 - 1) / TWO_POW_32);
      const bits = 64 - Math.clz32(hi);
      return Math.ceil(bits / 7);
    }
    v = toBigInt64(v);
  }
  let z = zigzag64(v);
  let n = 1;
  while (z >= 128n) {
    z >>= 7n;
    n++;
  }
  return n;
}

/**
 * Writes `u` (an unsigned 32-bit integer) as an unsigned varint at `pos`;
 * returns the position after it. No bounds check.
 */
export function writeUvarint(buf: Uint8Array, pos: number, u: number): number {
  u = u >>> 0;
  while (u >= 0x80) {
    buf[pos++] = (u & 0x7f) | 0x80;
    u >>>= 7;
  }
  buf[pos++] = u;
  return pos;
}

/**
 * Writes `v` (an int32) as a zigzag varint at `pos`; returns the position
 * after it. No bounds check.
 */
export function writeVarint(buf: Uint8Array, pos: number, v: number): number {
  let u = ((v << 1) ^ (v >> 31)) >>> 0;
  while (u >= 0x80) {
    buf[pos++] = (u & 0x7f) | 0x80;
    u >>>= 7;
  }
  buf[pos++] = u;
  return pos;
}

/**
 * Writes `v` (an integer in the int64 range) as a zigzag varlong at `pos`;
 * returns the position after it. No bounds check. Numbers below 2^52 in
 * magnitude are encoded without BigInt.
 */
export function writeVarlong(
  buf: Uint8Array,
  pos: number,
  v: number | bigint,
): number {
  if (typeof v === "number") {
    if ((v | 0) === v) return writeVarint(buf, pos, v);
    if (v < FLOAT_ZIGZAG_LIMIT && v > -FLOAT_ZIGZAG_LIMIT) {
      assertInteger(v);
      // Zigzag in float arithmetic (exact below 2^53), then 7-bit groups
      // from the two 32-bit halves with integer operations.
      const z = v >= 0 ? v * 2 : -v * 2 - 1;
      let hi = Math.floor(z / TWO_POW_32);
      let lo = (z - hi * TWO_POW_32) >>> 0;
      while (hi !== 0 || lo >= 0x80) {
        buf[pos++] = (lo & 0x7f) | 0x80;
        lo = ((lo >>> 7) | (hi << 25)) >>> 0;
        hi >>>= 7;
      }
      buf[pos++] = lo;
      return pos;
    }
    v = toBigInt64(v);
  }
  let z = zigzag64(v);
  while (z >= 128n) {
    buf[pos++] = Number(z & 0x7fn) | 0x80;
    z >>= 7n;
  }
  buf[pos++] = Number(z);
  return pos;
}

/** Zigzag-encodes an int64 into the uint64 carried on the wire. */
export function zigzag64(v: bigint): bigint {
  if (v < INT64_MIN || v > INT64_MAX) {
    throw new RangeError(`varlong out of the int64 range: ${v}`);
  }
  return ((v << 1n) ^ (v >> 63n)) & UINT64_MASK;
}

/** Reverses {@link zigzag64}: uint64 from the wire to int64. */
export function unzigzag64(z: bigint): bigint {
  return (z >> 1n) ^ -(z & 1n);
}

/** Converts an integral number in the int64 range to a bigint, or throws. */
function toBigInt64(v: number): bigint {
  assertInteger(v);
  if (v < -9223372036854775808 || v >= 9223372036854775808) {
    throw new RangeError(`varlong out of the int64 range: ${v}`);
  }
  return BigInt(v);
}

function assertInteger(v: number): void {
  if (!Number.isInteger(v)) {
    throw new RangeError(`varint value is not an integer: ${v}`);
  }
}
