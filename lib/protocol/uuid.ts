/**
 * Kafka UUIDs (topic ids): 16 raw bytes on the wire, shown by Kafka as
 * unpadded URL-safe base64 (22 characters).
 *
 * @module
 */

const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** The all-zero UUID Kafka uses for "no id" (`Uuid.ZERO_UUID`). */
export const ZERO_UUID: Uint8Array = new Uint8Array(16);

/** Whether `id` is absent or the all-zero UUID. */
export function isZeroUuid(id: Uint8Array | null | undefined): boolean {
  if (id === null || id === undefined) return true;
  for (let i = 0; i < id.length; i++) if (id[i] !== 0) return false;
  return true;
}

/** Kafka's text form of a UUID: unpadded URL-safe base64, e.g. `"AAAAAAAAAAAAAAAAAAAAAA"`. */
export function uuidToString(id: Uint8Array): string {
  if (id.length !== 16) {
    throw new RangeError(`uuid must be 16 bytes, got ${id.length}`);
  }
  let s = "";
  let i = 0;
  for (; i + 3 <= 15; i += 3) {
    const n = (id[i] << 16) | (id[i + 1] << 8) | id[i + 2];
    s += B64URL[n >>> 18] + B64URL[(n >>> 12) & 63] + B64URL[(n >>> 6) & 63] +
      B64URL[n & 63];
  }
  const last = id[15];
  return s + B64URL[last >>> 2] + B64URL[(last & 3) << 4];
}
