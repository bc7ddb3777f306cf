/**
 * Helpers shared by the chaos tests: produce numbered records in waves, and
 * check with Kafka's own consumer that each was written exactly once, where
 * its RecordMetadata says, in send order per partition.
 *
 * @module
 */
import assert from "node:assert/strict";
import type { Producer, RecordMetadata } from "../../mod.ts";
import { readBack } from "./cluster.ts";

/** Value of record `i`: its number, so the read-back can find it. */
export function valueOf(i: number): string {
  return `v-${i}`;
}

/** How {@link produceNumbered} paces its sends. */
export interface Waves {
  /** Records sent per wave (not awaited one by one). */
  size: number;
  /** Pause between waves (ms), so faults can land mid-run. */
  pauseMs: number;
  /** Called before each wave with the number of records sent so far. */
  before?: (sent: number) => void | Promise<void>;
  /** Called once every record has been sent, before waiting for their acknowledgements. */
  afterSend?: () => void;
}

/**
 * Sends records `0..count-1` (keyed `k-(i % 64)`, value {@link valueOf}) in
 * waves; resolves with every record's metadata, rejects if any send failed.
 */
export async function produceNumbered(
  producer: Producer,
  topic: string,
  count: number,
  waves: Waves,
): Promise<RecordMetadata[]> {
  const results: Promise<RecordMetadata>[] = [];
  for (let sent = 0; sent < count;) {
    await waves.before?.(sent);
    const end = Math.min(sent + waves.size, count);
    for (; sent < end; sent++) {
      const result = producer.send({ topic, key: `k-${sent % 64}`, value: valueOf(sent) });
      result.catch(() => {});
      results.push(result);
    }
    if (sent < count) await new Promise((resolve) => setTimeout(resolve, waves.pauseMs));
  }
  waves.afterSend?.();
  return await Promise.all(results);
}

/**
 * Reads the topic back and asserts: exactly `mds.length` records, each
 * numbered record once, at the partition and offset its metadata gave, and
 * within each partition in send order.
 */
export async function assertExactlyOnce(topic: string, mds: RecordMetadata[]): Promise<void> {
  const consumed = await readBack(topic, mds.length);
  const seen = new Map<number, { p: number; o: number }>();
  const lastIndex = new Map<number, number>();
  for (const record of consumed) {
    const value = record.v === null ? "" : atob(record.v);
    const i = Number(value.slice(2));
    assert.ok(value.startsWith("v-") && Number.isInteger(i), `unexpected value ${value}`);
    assert.ok(!seen.has(i), `record ${i} written twice (${record.p}/${record.o})`);
    seen.set(i, record);
    assert.ok(
      i > (lastIndex.get(record.p) ?? -1),
      `partition ${record.p}: record ${i} out of order`,
    );
    lastIndex.set(record.p, i);
  }
  assert.equal(consumed.length, mds.length, "records read back");
  for (let i = 0; i < mds.length; i++) {
    const got = seen.get(i);
    assert.ok(got, `record ${i} (acked at ${mds[i].partition}/${mds[i].offset}) was lost`);
    assert.equal(got.p, mds[i].partition, `record ${i}: partition`);
    assert.equal(BigInt(got.o), mds[i].offset, `record ${i}: acked offset is where it was read`);
  }
}
