/**
 * UTF-8 helpers for protocol strings: exact encoded length without encoding,
 * and decoding with a fast path for the short ASCII strings (topic names,
 * hosts, ids) that fill Kafka responses.
 *
 * Invalid input never throws: lone surrogates encode as U+FFFD (as
 * `TextEncoder` does) and malformed bytes decode as U+FFFD (as Java's
 * `new String(bytes, UTF_8)` does).
 *
 * @module
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8");

/** Below this many bytes, ASCII strings are decoded in JS instead of calling `TextDecoder`. */
const SHORT_ASCII = 64;

/** The number of bytes `s` takes in UTF-8 (lone surrogates count as U+FFFD: 3 bytes). */
export function utf8Length(s: string): number {
  const n = s.length;
  let bytes = n;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) {
      bytes += 1;
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        bytes += 2; // 2 UTF-16 units → 4 bytes
        i++;
      } else {
        bytes += 2;
      }
    } else {
      bytes += 2;
    }
  }
  return bytes;
}

/**
 * Encodes `s` into `buf` at `pos` and returns the number of bytes written.
 * The caller guarantees room for {@link utf8Length}(s) bytes.
 */
export function encodeUtf8Into(
  buf: Uint8Array,
  pos: number,
  s: string,
): number {
  const n = s.length;
  if (n < SHORT_ASCII) {
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      buf[pos + i] = c;
    }
    if (i === n) return n;
  }
  return encoder.encodeInto(s, buf.subarray(pos)).written;
}

/** Encodes `s` as a new UTF-8 byte array. */
export function encodeUtf8(s: string): Uint8Array {
  return encoder.encode(s);
}

/** Decodes `buf[start, end)` as UTF-8 (malformed bytes become U+FFFD). */
export function decodeUtf8(
  buf: Uint8Array,
  start: number,
  end: number,
): string {
  const n = end - start;
  if (n < SHORT_ASCII) {
    let s = "";
    for (let i = start; i < end; i++) {
      const c = buf[i];
      if (c >= 0x80) return decoder.decode(buf.subarray(start, end));
      s += String.fromCharCode(c);
    }
    return s;
  }
  return decoder.decode(buf.subarray(start, end));
}
