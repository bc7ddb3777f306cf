/**
 * The runtime-conformance scenario, from the test side: the records every
 * runtime sends (tests/node/app/scenario.mjs sends them, under Node 24,
 * Node 20, Bun and Deno from the npm package, and inside a Worker under
 * workerd), what a run reports, and the check of the read-back — so every
 * runtime is held to the same records and the same verdict.
 *
 * @module
 */
import assert from "node:assert/strict";
import { keyedPartition } from "../../lib/producer/partitioner.ts";
import { b64, type ConsumedRecord } from "./cluster.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A record as the spec carries it to a runtime (JSON: binary values as base64). */
export interface SpecRecord {
  /** Topic. */
  topic: string;
  /** Key, or null. */
  key: string | null;
  /** Text value (null: a tombstone); absent when `valueBase64` is set. */
  value?: string | null;
  /** Binary value, base64. */
  valueBase64?: string;
  /** Headers in order (keys repeat, values may be null); the first is `id`. */
  headers: [string, string | null][];
}

/** What a runtime prints (or a Worker answers) after running the scenario. */
export interface ScenarioResult {
  /** E.g. `Node 24.21.0`, `Bun 1.4.5`, `Deno 2.9.6`, `workerd`. */
  runtime: string;
  /** Where each `send()` said its record went, in spec order. */
  sent: { partition: number; offset: string }[];
  /** Records the piped producer counted as sent. */
  piped: number;
  /** With `expectNoZstd`: what constructing a zstd producer did. */
  zstd?: { configError: boolean; name: string; message: string } | "constructed";
}

/** Record `i` of run `run`: every fourth unkeyed, some binary values, tombstones, repeated and null headers. */
export function specRecord(topic: string, run: string, kind: string, i: number): SpecRecord {
  const id = `${run}/${kind}/${i}`;
  const key = i % 4 === 0 ? null : `${run}-k${i % 13}`;
  const headers: [string, string | null][] = [["id", id]];
  if (i % 3 === 0) headers.push(["trace", `t-${i}`], ["trace", "again"], ["nil", null]);
  if (key !== null && i % 50 === 7) return { topic, key, value: null, headers };
  if (i % 10 === 3) {
    const bytes = Uint8Array.from({ length: 16 }, (_, j) => (i * 31 + j * 7) & 0xff);
    return { topic, key, valueBase64: b64(bytes)!, headers };
  }
  return { topic, key, value: `${run} #${i} ünïcødé`, headers };
}

/** Every record sent, by its id header, with where `send()` put it (pipeTo's: unknown). */
export type Expected = Map<string, { record: SpecRecord; at?: { p: number; o: number } }>;

/**
 * Checks one run's result against what it was given and adds its records to
 * `expected`: one acknowledgement per sent record, keyed records on their
 * murmur2 partition, every piped record counted.
 */
export function expectRun(
  expected: Expected,
  name: string,
  send: readonly SpecRecord[],
  pipe: readonly SpecRecord[],
  result: ScenarioResult,
  partitions: number,
): void {
  assert.equal(result.sent.length, send.length, `${name}: acknowledgements`);
  assert.equal(result.piped, pipe.length, `${name}: piped records`);
  send.forEach((record, i) => {
    const md = result.sent[i];
    expected.set(record.headers[0][1]!, { record, at: { p: md.partition, o: Number(md.offset) } });
    if (record.key !== null) {
      assert.equal(md.partition, keyedPartition(encoder.encode(record.key), partitions), name);
    }
  });
  for (const record of pipe) expected.set(record.headers[0][1]!, { record });
}

function utf8b64(s: string | null): string | null {
  return s === null ? null : b64(encoder.encode(s));
}

/**
 * The read-back holds every expected record exactly once, with its key,
 * value and headers, where `send()` said it went, and nothing else.
 */
export function verifyReadBack(consumed: readonly ConsumedRecord[], expected: Expected): void {
  const seen = new Set<string>();
  for (const c of consumed) {
    const [idKey, idValue] = c.h[0] ?? [];
    assert.equal(idKey, "id");
    const id = decoder.decode(Uint8Array.from(atob(idValue!), (ch) => ch.charCodeAt(0)));
    assert.ok(!seen.has(id), `record ${id} read twice`);
    seen.add(id);
    const entry = expected.get(id);
    assert.ok(entry, `record ${id} was not sent`);
    const { record, at } = entry;
    assert.equal(c.k, utf8b64(record.key), `${id}: key`);
    assert.equal(c.v, record.valueBase64 ?? utf8b64(record.value ?? null), `${id}: value`);
    assert.deepEqual(c.h, record.headers.map(([k, v]) => [k, utf8b64(v)]), `${id}: headers`);
    if (at !== undefined) assert.deepEqual({ p: c.p, o: c.o }, at, `${id}: position`);
  }
  assert.equal(seen.size, expected.size, "every record read back");
  assert.equal(consumed.length, expected.size);
}
