/**
 * Fuzzing of everything that reads bytes from a broker: the response
 * decoders of ApiVersions, Metadata, Produce and InitProducerId (every
 * version a 4.1 broker and this client share), starting from real responses
 * captured from a broker, and the FrameSplitter under random chunking.
 * Only ProtocolError may come out; nothing may hang; a hostile length field
 * must not make anything allocate.
 *
 * Size: `FUZZ_FRAMES` frames in total (default 1,000,000: 90% decoder
 * frames, 10% frames through the splitter), seed `FUZZ_SEED` (random by
 * default, printed). `deno task fuzz` runs a longer one. A failure prints
 * the seed, the iteration and the frame in base64.
 */
import assert from "node:assert/strict";
import { ProtocolError } from "../../lib/errors.ts";
import { FrameSplitter } from "../../lib/net/frame_splitter.ts";
import { decodeResponse } from "../../lib/protocol/envelope.ts";
import { crc32c } from "../../lib/protocol/crc32c.ts";
import { codecAvailable, CODECS } from "../../lib/protocol/compression/mod.ts";
import { decodeRecordBatches, RecordBatchBuilder } from "../../lib/protocol/record_batch.ts";
import { concat } from "../support/bytes.ts";
import { java } from "../support/java_vectors.ts";
import {
  hostileLength,
  iterationRandom,
  loadSeeds,
  makeFrame,
  type Random,
  rng,
  toBase64,
} from "../support/fuzz_corpus.ts";
import type { WorkerJob, WorkerResult } from "./fuzz_worker.ts";

const TOTAL = envInt("FUZZ_FRAMES", 1_000_000);
const RUN_SEED = envInt("FUZZ_SEED", Math.floor(Math.random() * 2 ** 31));
const DECODER_FRAMES = Math.round(TOTAL * 0.9);
const SPLITTER_FRAMES = TOTAL - DECODER_FRAMES;
function envInt(name: string, fallback: number): number {
  const text = Deno.env.get(name);
  if (text === undefined || text === "") return fallback;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new Error(`${name} must be an integer ≥ 0, got ${text}`);
  }
  return n;
}

/** A worker that makes no progress for this long is hung. */
const STALL_MS = 15_000;
const SEEDS = loadSeeds();

console.log(
  `fuzz: seed ${RUN_SEED} (FUZZ_SEED=${RUN_SEED} to replay), ${DECODER_FRAMES} decoder frames, ` +
    `${SPLITTER_FRAMES} splitter frames, ${SEEDS.length} captured responses`,
);

function describeFrame(i: number): string {
  const f = makeFrame(SEEDS, RUN_SEED, i);
  return `seed ${RUN_SEED}, iteration ${i}, from ${f.seed.name}, mutations ${
    f.mutations.join("+")
  }, frame (base64) ${toBase64(f.frame)}`;
}

Deno.test("fuzz: the captured responses cover every version of the four APIs we speak", () => {
  const versions = new Map<string, Set<number>>();
  for (const s of SEEDS) {
    if (!versions.has(s.api.name)) versions.set(s.api.name, new Set());
    versions.get(s.api.name)!.add(s.version);
    // Unmutated, every captured frame decodes.
    decodeResponse(s.api, s.version, s.frame);
    const fixedSize = s.api.name === "InitProducerId" && s.version < 2;
    assert.ok(fixedSize || s.lengths.length > 0, `${s.name}: no length fields found`);
  }
  const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
  assert.deepEqual([...versions.get("ApiVersions")!].sort((a, b) => a - b), range(0, 4));
  assert.deepEqual([...versions.get("Metadata")!].sort((a, b) => a - b), range(0, 13));
  assert.deepEqual([...versions.get("Produce")!].sort((a, b) => a - b), range(3, 13));
  assert.deepEqual([...versions.get("InitProducerId")!].sort((a, b) => a - b), range(0, 5));
});

Deno.test("fuzz: mutated real responses decode or throw ProtocolError, never hang", async () => {
  const started = performance.now();
  const progress = new SharedArrayBuffer(4);
  const cell = new Int32Array(progress);
  const worker = new Worker(new URL("./fuzz_worker.ts", import.meta.url).href, { type: "module" });
  let watchdog: ReturnType<typeof setInterval> | undefined;
  try {
    const result = await new Promise<WorkerResult>((resolve, reject) => {
      worker.onmessage = (e: MessageEvent<WorkerResult>) => resolve(e.data);
      worker.onerror = (e) => {
        e.preventDefault();
        reject(new Error(`fuzz worker crashed: ${e.message}`));
      };
      let last = -1;
      let lastChange = Date.now();
      watchdog = setInterval(() => {
        const at = Atomics.load(cell, 0);
        if (at !== last) {
          last = at;
          lastChange = Date.now();
        } else if (Date.now() - lastChange > STALL_MS) {
          reject(new Error(`decoder hung for ${STALL_MS} ms on ${describeFrame(at)}`));
        }
      }, 500);
      const job: WorkerJob = { runSeed: RUN_SEED, start: 0, count: DECODER_FRAMES, progress };
      worker.postMessage(job);
    });
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `fuzz decoders: ${result.frames} frames in ${seconds.toFixed(1)} s (${
        Math.round(result.frames / seconds)
      } frames/s): ${result.decoded} decoded, ${result.protocolErrors} ProtocolError; ` +
        `slowest decode ${result.slowestMs.toFixed(1)} ms`,
    );
    if (result.failure !== null) {
      const f = result.failure;
      assert.fail(
        `seed ${RUN_SEED}, iteration ${f.iteration}, from ${f.seed}, mutations ${f.mutations}: ` +
          `${f.problem}\nframe (base64): ${f.frame}`,
      );
    }
    assert.equal(result.frames, DECODER_FRAMES);
    assert.ok(result.protocolErrors > 0 && result.decoded > 0, "the mutations reach both outcomes");
  } finally {
    clearInterval(watchdog);
    worker.terminate();
  }
});

Deno.test("fuzz: a 2 GB length field fails fast, without allocating", () => {
  const before = Deno.memoryUsage();
  const started = performance.now();
  let cases = 0;
  for (const seed of SEEDS) {
    for (const field of seed.lengths) {
      // Always the largest values: int32/int16 max, a 2^32-1 uvarint.
      const rand: Random = () => 0;
      const frame = hostileLength(seed, seed.frame, rand, field);
      for (let round = 0; round < 5; round++) {
        const t0 = performance.now();
        try {
          decodeResponse(seed.api, seed.version, frame);
        } catch (error) {
          assert.ok(
            error instanceof ProtocolError,
            `${seed.name}, length at ${field.offset}: ${error}\n${toBase64(frame)}`,
          );
        }
        const ms = performance.now() - t0;
        assert.ok(ms < 2000, `${seed.name}, length at ${field.offset}: ${ms} ms`);
        cases++;
      }
    }
  }
  const after = Deno.memoryUsage();
  const grew = Math.max(after.rss - before.rss, after.heapUsed - before.heapUsed, 0);
  console.log(
    `hostile lengths: ${cases} decodes in ${
      (performance.now() - started).toFixed(0)
    } ms, memory grew ${(grew / 1048576).toFixed(1)} MiB`,
  );
  assert.ok(grew < 64 * 1048576, `memory grew by ${grew} bytes`);
});

/** What a correct splitter makes of `bytes`: the frames, and whether it must error. */
function referenceSplit(bytes: Uint8Array, max: number): { frames: Uint8Array[]; error: boolean } {
  const frames: Uint8Array[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    if (bytes.length - pos < 4) return { frames, error: true };
    const size = new DataView(bytes.buffer, bytes.byteOffset + pos).getUint32(0);
    if (size < 4 || size > max || bytes.length - pos - 4 < size) return { frames, error: true };
    frames.push(bytes.subarray(pos + 4, pos + 4 + size));
    pos += 4 + size;
  }
  return { frames, error: false };
}

/** A byte stream of 1–30 size-prefixed frames, some prefixes or the end possibly hostile. */
function splitterInput(rand: Random, iteration: number, max: number): Uint8Array {
  const parts: Uint8Array[] = [];
  const n = 1 + Math.floor(rand() * 30);
  for (let k = 0; k < n; k++) {
    const body = rand() < 0.5
      ? SEEDS[Math.floor(rand() * SEEDS.length)].frame
      : makeFrame(SEEDS, RUN_SEED ^ 0x5bd1e995, iteration * 31 + k).frame;
    const prefixed = new Uint8Array(4 + body.length);
    let size = body.length;
    if (rand() < 0.03) {
      const hostile = [0, 3, max + 1, 0x7fffffff, 0xffffffff, 0x80000000, size + 1, size - 1];
      size = hostile[Math.floor(rand() * hostile.length)];
    }
    new DataView(prefixed.buffer).setUint32(0, size >>> 0);
    prefixed.set(body.subarray(0, Math.min(body.length, prefixed.length - 4)), 4);
    parts.push(prefixed);
  }
  const all = concat(...parts);
  return rand() < 0.1 ? all.subarray(0, Math.floor(rand() * all.length)) : all;
}

function randomChunks(bytes: Uint8Array, rand: Random): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  // Byte by byte now and then (only short streams: each chunk costs a stream step).
  const byteByByte = rand() < 0.1 && bytes.length < 1500;
  for (let pos = 0; pos < bytes.length;) {
    const r = rand();
    const n = byteByByte
      ? 1
      : r < 0.2
      ? 1 + Math.floor(rand() * 8)
      : r < 0.8
      ? 1 + Math.floor(rand() * 600)
      : bytes.length - pos;
    // Copies, as a socket would hand them over.
    chunks.push(bytes.slice(pos, pos + n));
    pos += n;
  }
  return chunks;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

Deno.test("fuzz: FrameSplitter under random chunking matches a reference splitter", async () => {
  const max = 2048;
  const started = performance.now();
  let frames = 0;
  let streams = 0;
  let errors = 0;
  for (let iteration = 0; frames < SPLITTER_FRAMES; iteration++) {
    const rand = iterationRandom(RUN_SEED ^ 0x1b873593, iteration);
    const bytes = splitterInput(rand, iteration, max);
    const chunks = randomChunks(bytes, rand);
    const expected = referenceSplit(bytes, max);
    const out: Uint8Array[] = [];
    let failure: unknown = null;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const hang = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error("FrameSplitter hung")), 10_000);
    });
    try {
      await Promise.race([
        ReadableStream.from(chunks).pipeThrough(new FrameSplitter(max)).pipeTo(
          new WritableStream({ write: (f) => void out.push(f.slice()) }),
        ),
        hang,
      ]);
    } catch (error) {
      failure = error;
    } finally {
      clearTimeout(timer);
    }
    const where = `seed ${RUN_SEED}, splitter iteration ${iteration}, chunks ${
      chunks.map((c) => c.length).join(",")
    }, stream (base64) ${toBase64(bytes)}`;
    if (failure !== null) {
      errors++;
      assert.ok(failure instanceof ProtocolError, `${where}: ${failure}`);
      assert.ok(expected.error, `${where}: splitter failed where the reference did not`);
      // Frames queued when the stream errored may be dropped, never made up.
      assert.ok(out.length <= expected.frames.length, where);
    } else {
      assert.ok(!expected.error, `${where}: splitter accepted what the reference rejects`);
      assert.equal(out.length, expected.frames.length, where);
    }
    for (let k = 0; k < out.length; k++) {
      assert.ok(equalBytes(out[k], expected.frames[k]), `${where}: frame ${k} differs`);
    }
    frames += expected.frames.length + (expected.error ? 1 : 0);
    streams++;
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `fuzz splitter: ${frames} frames in ${streams} streams (${errors} rejected) in ${
      seconds.toFixed(1)
    } s (${Math.round(frames / seconds)} frames/s)`,
  );
});

/** `batch` mutated at random (sometimes cut, half the time with its CRC fixed) `runs` times: each decodes or throws ProtocolError. */
function fuzzBatches(batch: Uint8Array, runs: number, what: string): void {
  const rand = rng(RUN_SEED);
  for (let i = 0; i < runs; i++) {
    const m = batch.slice();
    for (let k = 1 + Math.floor(rand() * 4); k > 0; k--) {
      m[Math.floor(rand() * m.length)] = Math.floor(rand() * 256);
    }
    const cut = rand() < 0.2 ? m.subarray(0, Math.floor(rand() * m.length)) : m;
    // Half the time fix the CRC so the mutation reaches the record parser.
    if (i % 2 === 0 && cut.length >= 61) {
      const v = new DataView(cut.buffer, cut.byteOffset, cut.byteLength);
      const len = v.getInt32(8);
      if (len >= 49 && 12 + len <= cut.length) v.setUint32(17, crc32c(cut, 21, 12 + len));
    }
    try {
      decodeRecordBatches(cut);
    } catch (error) {
      assert.ok(error instanceof ProtocolError, `seed ${RUN_SEED}, ${what} #${i}: ${error}`);
    }
  }
}

Deno.test("fuzz: mutated record batches decode or throw ProtocolError", () => {
  fuzzBatches(concat(java("batch1"), java("batch2")), 2000, "batch");
});

Deno.test("fuzz: mutated compressed record batches decode or throw ProtocolError", () => {
  const text = new TextEncoder();
  for (const codec of [...CODECS.values()].filter(codecAvailable)) {
    const b = new RecordBatchBuilder(new Uint8Array(8192), codec);
    for (let i = 0; i < 40; i++) {
      b.tryAppend(1700000000000 + i, i % 2 ? text.encode(`k${i}`) : null, text.encode(`v${i}`), [
        [text.encode("h"), i % 3 ? text.encode(`x${i}`) : null],
      ]);
    }
    fuzzBatches(b.build(5n, 1, 0).slice(), 2000, `${codec.name} batch`);
  }
});
