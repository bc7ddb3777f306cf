/**
 * Mutation fuzzing: corrupted or truncated responses and batches must either
 * decode or fail with ProtocolError — never another error type, never a hang.
 */
import assert from "node:assert/strict";
import { ProtocolError } from "../../lib/errors.ts";
import type { ApiCodec } from "../../lib/protocol/api.ts";
import { ApiVersions } from "../../lib/protocol/api_versions.ts";
import { crc32c } from "../../lib/protocol/crc32c.ts";
import { CreateTopics } from "../../lib/protocol/create_topics.ts";
import { decodeResponse } from "../../lib/protocol/frame.ts";
import { InitProducerId } from "../../lib/protocol/init_producer_id.ts";
import { Metadata } from "../../lib/protocol/metadata.ts";
import { Produce } from "../../lib/protocol/produce.ts";
import { decodeRecordBatches } from "../../lib/protocol/record_batch.ts";
import { concat, java, unhex } from "./_helpers.ts";

/** Small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(src: Uint8Array, rand: () => number): Uint8Array {
  const b = src.slice();
  const n = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(rand() * b.length);
    const kind = rand();
    if (kind < 0.5) b[at] = Math.floor(rand() * 256);
    else if (kind < 0.75) b[at] = rand() < 0.5 ? 0xff : 0x7f;
    else b[at] ^= 1 << Math.floor(rand() * 8);
  }
  return rand() < 0.2 ? b.subarray(0, Math.floor(rand() * b.length)) : b;
}

function expectDecodeOrProtocolError(fn: () => unknown, what: string): void {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ProtocolError, `${what}: ${err}`);
  }
}

const CASES: [ApiCodec<never, unknown>, number, string][] = [
  [Produce, 3, "produce_response_v3"],
  [Produce, 8, "produce_response_v8"],
  [Produce, 10, "produce_response_v10"],
  [Produce, 13, "produce_response_v13"],
  [Metadata, 1, "metadata_response_v1"],
  [Metadata, 9, "metadata_response_v9"],
  [Metadata, 13, "metadata_response_v13"],
  [ApiVersions, 0, "api_versions_response_v0"],
  [ApiVersions, 3, "api_versions_response_v3"],
  [InitProducerId, 2, "init_producer_id_response_v2"],
  [CreateTopics, 5, "create_topics_response_v5"],
  [CreateTopics, 7, "create_topics_response_v7"],
];

Deno.test("fuzz: mutated responses decode or throw ProtocolError", () => {
  const rand = rng(42);
  for (const [api, version, name] of CASES) {
    const header = version >= api.flexibleFrom && api !== ApiVersions ? "0000000100" : "00000001";
    const frame = concat(unhex(header), java(name));
    for (let i = 0; i < 400; i++) {
      const m = mutate(frame, rand);
      expectDecodeOrProtocolError(() => decodeResponse(api, version, m), `${name} #${i}`);
    }
  }
});

Deno.test("fuzz: mutated record batches decode or throw ProtocolError", () => {
  const rand = rng(7);
  const batch = concat(java("batch1"), java("batch2"));
  for (let i = 0; i < 2000; i++) {
    const m = mutate(batch, rand);
    // Half the time fix the CRCs so the mutation reaches the record parser.
    if (i % 2 === 0 && m.length >= 61) {
      const v = new DataView(m.buffer, m.byteOffset, m.byteLength);
      const len = v.getInt32(8);
      if (len >= 49 && 12 + len <= m.length) v.setUint32(17, crc32c(m, 21, 12 + len));
    }
    expectDecodeOrProtocolError(() => decodeRecordBatches(m), `batch #${i}`);
  }
});
