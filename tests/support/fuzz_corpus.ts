/**
 * The decoder fuzzer's material: real response frames captured from a broker
 * (`tests/protocol/fixtures/captured_responses.json`, made by
 * `tests/protocol/fixtures/capture_responses.ts`), the offsets of their length fields,
 * and the mutations applied to them. Everything is derived from a seed and
 * an iteration number, so any frame can be made again from those two.
 *
 * @module
 */
import type { ApiCodec } from "../../lib/protocol/api.ts";
import { ApiVersions } from "../../lib/protocol/messages/api_versions.ts";
import { decodeResponse } from "../../lib/protocol/envelope.ts";
import { InitProducerId } from "../../lib/protocol/messages/init_producer_id.ts";
import { Metadata } from "../../lib/protocol/messages/metadata.ts";
import { Produce } from "../../lib/protocol/messages/produce.ts";
import { Reader } from "../../lib/protocol/reader.ts";
import captured from "../protocol/fixtures/captured_responses.json" with { type: "json" };

/** How a length or count is encoded on the wire. */
export type LengthKind = "int16" | "int32" | "uvarint";

/** Where a length (or count) field starts in a frame, and its encoding. */
export interface LengthField {
  /** Offset of the field's first byte in the frame. */
  readonly offset: number;
  /** Its encoding. */
  readonly kind: LengthKind;
}

/** One real response frame and what the fuzzer needs to know about it. */
export interface Seed {
  /** e.g. `Produce v9 (success, unknown partition, INVALID_RECORD)`. */
  readonly name: string;
  /** The codec that decodes it. */
  readonly api: ApiCodec<never, unknown>;
  /** The version it was requested at. */
  readonly version: number;
  /** The frame: response header and body, no size prefix. */
  readonly frame: Uint8Array;
  /** Every length and count field the decoder read. */
  readonly lengths: readonly LengthField[];
}

const CODECS: ReadonlyMap<number, ApiCodec<never, unknown>> = new Map(
  [ApiVersions, Metadata, Produce, InitProducerId].map((api) => [api.apiKey, api]),
);

/** Base64 → bytes. */
export function fromBase64(s: string): Uint8Array {
  return Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
}

/** Bytes → base64. */
export function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

/**
 * Decodes `frame` once while recording where each length-prefixed read
 * (strings, bytes, array counts, tagged-field sections) found its length.
 */
function traceLengths(api: ApiCodec<never, unknown>, version: number, frame: Uint8Array) {
  const found = new Map<number, LengthKind>();
  const proto = Reader.prototype;
  const originals = {
    string: proto.string,
    compactString: proto.compactString,
    bytes: proto.bytes,
    compactBytes: proto.compactBytes,
    arrayLength: proto.arrayLength,
    taggedFields: proto.taggedFields,
  };
  const record = (r: Reader, kind: LengthKind) => found.set(r.offset, kind);
  proto.string = function () {
    record(this, "int16");
    return originals.string.call(this);
  };
  proto.compactString = function () {
    record(this, "uvarint");
    return originals.compactString.call(this);
  };
  proto.bytes = function () {
    record(this, "int32");
    return originals.bytes.call(this);
  };
  proto.compactBytes = function () {
    record(this, "uvarint");
    return originals.compactBytes.call(this);
  };
  proto.arrayLength = function (compact: boolean) {
    record(this, compact ? "uvarint" : "int32");
    return originals.arrayLength.call(this, compact);
  };
  proto.taggedFields = function <C>(
    onField?: (tag: number, r: Reader, context: C) => void,
    context?: C,
  ) {
    record(this, "uvarint");
    return originals.taggedFields.call<Reader, [typeof onField, C | undefined], void>(
      this,
      onField,
      context,
    );
  };
  try {
    decodeResponse(api, version, frame);
  } finally {
    Object.assign(proto, originals);
  }
  return [...found].sort((a, b) => a[0] - b[0]).map(([offset, kind]) => ({ offset, kind }));
}

/** Loads the captured frames (those of the four APIs the fuzzer covers). */
export function loadSeeds(): Seed[] {
  const seeds: Seed[] = [];
  for (const c of captured) {
    const api = CODECS.get(c.apiKey);
    if (api === undefined) continue;
    const frame = fromBase64(c.frame);
    seeds.push({
      name: `${c.api} v${c.version} (${c.note})`,
      api,
      version: c.version,
      frame,
      lengths: traceLengths(api, c.version, frame),
    });
  }
  return seeds;
}

/** A PRNG (mulberry32) returning floats in [0, 1). */
export type Random = () => number;

/** mulberry32 from a 32-bit seed. */
export function rng(seed: number): Random {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The PRNG of iteration `i` of a run with `seed`: any iteration can be replayed alone. */
export function iterationRandom(seed: number, i: number): Random {
  return rng((seed ^ Math.imul(i + 1, 0x9e3779b1)) + Math.imul(i, 0x85ebca6b));
}

function int(rand: Random, n: number): number {
  return Math.floor(rand() * n);
}

function pick<T>(rand: Random, items: readonly T[]): T {
  return items[int(rand, items.length)];
}

/** The mutations, by name; each returns a new array. */
export const MUTATIONS = [
  "bitflip",
  "replace",
  "truncate",
  "extend",
  "insert",
  "hostile-length",
  "random",
] as const;

/** A mutation's name. */
export type Mutation = typeof MUTATIONS[number];

const INTERESTING_BYTES = [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff];
const HOSTILE_INT32 = [0x7fffffff, -0x80000000, -2, 0x40000000, 0x10000000, 0xfffff];
const HOSTILE_INT16 = [0x7fff, -0x8000, -2, 0x4000];
const HOSTILE_UVARINT = [0xffffffff, 0x7fffffff, 0x80000000, 0x10000000, 0x100000];

function bitflip(b: Uint8Array, rand: Random): Uint8Array {
  const out = b.slice();
  const n = 1 + int(rand, 8);
  for (let i = 0; i < n && out.length > 0; i++) out[int(rand, out.length)] ^= 1 << int(rand, 8);
  return out;
}

function replace(b: Uint8Array, rand: Random): Uint8Array {
  const out = b.slice();
  const n = 1 + int(rand, 4);
  for (let i = 0; i < n && out.length > 0; i++) {
    out[int(rand, out.length)] = rand() < 0.5 ? pick(rand, INTERESTING_BYTES) : int(rand, 256);
  }
  return out;
}

function truncate(b: Uint8Array, rand: Random): Uint8Array {
  return b.slice(0, int(rand, b.length));
}

function randomBytes(rand: Random, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = int(rand, 256);
  return out;
}

function extend(b: Uint8Array, rand: Random): Uint8Array {
  const extra = randomBytes(rand, 1 + int(rand, 64));
  const out = new Uint8Array(b.length + extra.length);
  out.set(b);
  out.set(extra, b.length);
  return out;
}

function insert(b: Uint8Array, rand: Random): Uint8Array {
  const at = int(rand, b.length + 1);
  const extra = rand() < 0.5 ? randomBytes(rand, 1 + int(rand, 16)) : b.slice(at, at + 32);
  const out = new Uint8Array(b.length + extra.length);
  out.set(b.subarray(0, at));
  out.set(extra, at);
  out.set(b.subarray(at), at + extra.length);
  return out;
}

/** Unsigned LEB128 bytes of `u` (up to 32 bits). */
function uvarintBytes(u: number): number[] {
  const out: number[] = [];
  u = u >>> 0;
  while (u >= 0x80) {
    out.push((u & 0x7f) | 0x80);
    u >>>= 7;
  }
  out.push(u);
  return out;
}

/** Length of the uvarint at `at` (1..5, or up to the end of the frame if unterminated). */
function uvarintLength(b: Uint8Array, at: number): number {
  let n = 0;
  while (at + n < b.length && n < 5) {
    if (b[at + n++] < 0x80) break;
  }
  return Math.max(n, 1);
}

/**
 * Overwrites a real length field of the seed with a hostile value: huge,
 * negative, or just past the bytes that follow. Uvarints may change size.
 */
export function hostileLength(seed: Seed, b: Uint8Array, rand: Random, field?: LengthField) {
  const f = field ?? pick(rand, seed.lengths);
  if (f === undefined || f.offset >= b.length) return replace(b, rand);
  const left = b.length - f.offset;
  if (f.kind === "int16" || f.kind === "int32") {
    const out = b.slice();
    const view = new DataView(out.buffer);
    const width = f.kind === "int16" ? 2 : 4;
    if (f.offset + width > out.length) return out;
    const values = f.kind === "int16" ? HOSTILE_INT16 : HOSTILE_INT32;
    const v = rand() < 0.8 ? pick(rand, values) : left - width + 1 + int(rand, 8);
    if (width === 2) view.setInt16(f.offset, v);
    else view.setInt32(f.offset, v);
    return out;
  }
  const old = uvarintLength(b, f.offset);
  const r = rand();
  const bytes = r < 0.1
    ? [0xff, 0xff, 0xff, 0xff, 0xff, 0xff] // longer than 32 bits
    : uvarintBytes(r < 0.8 ? pick(rand, HOSTILE_UVARINT) : left + int(rand, 8));
  const out = new Uint8Array(b.length - old + bytes.length);
  out.set(b.subarray(0, f.offset));
  out.set(bytes, f.offset);
  out.set(b.subarray(f.offset + old), f.offset + bytes.length);
  return out;
}

/** A fuzz input: which seed, which mutations, and the bytes. */
export interface FuzzFrame {
  /** The seed it started from. */
  readonly seed: Seed;
  /** The mutations applied, in order. */
  readonly mutations: readonly Mutation[];
  /** The frame to decode. */
  readonly frame: Uint8Array;
}

/** Makes the frame of iteration `i` of the run with `runSeed`. */
export function makeFrame(seeds: readonly Seed[], runSeed: number, i: number): FuzzFrame {
  const rand = iterationRandom(runSeed, i);
  const seed = seeds[int(rand, seeds.length)];
  if (rand() < 0.04) {
    return { seed, mutations: ["random"], frame: randomBytes(rand, int(rand, 600)) };
  }
  const steps = rand() < 0.75 ? 1 : 2 + int(rand, 3);
  const mutations: Mutation[] = [];
  let b = seed.frame;
  for (let s = 0; s < steps; s++) {
    const m = pick(rand, MUTATIONS.slice(0, 6));
    mutations.push(m);
    switch (m) {
      case "bitflip":
        b = bitflip(b, rand);
        break;
      case "replace":
        b = replace(b, rand);
        break;
      case "truncate":
        b = truncate(b, rand);
        break;
      case "extend":
        b = extend(b, rand);
        break;
      case "insert":
        b = insert(b, rand);
        break;
      default:
        b = hostileLength(seed, b, rand);
    }
  }
  return { seed, mutations, frame: b };
}
