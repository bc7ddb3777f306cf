/**
 * A deterministic mix of records covering what a producer must carry
 * unchanged: null and empty keys and values, string and binary keys,
 * unicode, headers with repeated keys and null values, explicit partitions
 * and timestamps.
 *
 * @module
 */
import type { ProducerRecord } from "../../mod.ts";

const encoder = new TextEncoder();

/** A small seeded PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Record `i` of the mix for `topic` with `partitions` partitions. */
export function mixedRecord(
  topic: string,
  i: number,
  partitions: number,
  random: () => number,
): ProducerRecord {
  const kind = i % 10;
  const record: ProducerRecord = { topic, value: `value-${i}` };
  switch (kind) {
    case 0:
      record.key = null;
      break;
    case 1:
      record.key = `key-${i % 97}`;
      break;
    case 2: {
      const key = new Uint8Array(1 + (i % 13));
      for (let j = 0; j < key.length; j++) key[j] = Math.floor(random() * 256);
      record.key = key;
      break;
    }
    case 3:
      record.value = "";
      break;
    case 4:
      record.value = null;
      record.key = `tombstone-${i}`;
      break;
    case 5:
      record.key = "ключ-🔑-" + (i % 7);
      record.value = `ünïcödé ✓ 日本語 ${i} 🎉`;
      break;
    case 6:
      record.headers = [["h", "1"], ["h", encoder.encode("2")], ["empty", ""], ["nil", null], [
        "ü",
        "ß",
      ]];
      break;
    case 7:
      record.partition = i % partitions;
      break;
    case 8:
      record.timestamp = 1_600_000_000_000 + i;
      break;
    case 9: {
      const value = new Uint8Array(50 + (i % 200));
      for (let j = 0; j < value.length; j++) value[j] = Math.floor(random() * 256);
      record.value = value;
      record.headers = { trace: `t-${i}`, bin: new Uint8Array([0, 255, i & 255]) };
      break;
    }
  }
  return record;
}

/** UTF-8 bytes of a string, bytes as they are, null as null. */
export function bytesOf(v: Uint8Array | string | null | undefined): Uint8Array | null {
  if (v === null || v === undefined) return null;
  return typeof v === "string" ? encoder.encode(v) : v;
}
