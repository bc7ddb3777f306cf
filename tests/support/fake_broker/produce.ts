/**
 * The fake broker's Produce (flexible, v9–13): what a request carried per
 * partition, and an answer from the test's `onProduce` (success, base
 * offsets counting up per partition, by default). Record bytes are read for
 * their batch headers only, then discarded.
 *
 * @module
 */
import type { Reader } from "../../../lib/protocol/reader.ts";
import { uuidToString } from "../../../lib/protocol/uuid.ts";
import type { Writer } from "../../../lib/protocol/writer.ts";
import type { KafkaState, ProducedBatch } from "./kafka.ts";

/** The attributes bit of a batch written in a transaction. */
const TRANSACTIONAL_BIT = 0x10;

/** One topic of a Produce request. */
export interface ProducedTopic {
  /** Topic name (looked up by id from v13; empty if the id is unknown). */
  readonly name: string;
  /** Topic id the request named (v13+), else null. */
  readonly topicId: Uint8Array | null;
  /** What each partition carried. */
  readonly partitions: ProducedBatch[];
}

/** Produce v13 names topics by id instead of by name. */
const TOPIC_IDS_FROM = 13;

/**
 * Reads a flexible Produce request of `version` (counted in the stats): its
 * transactional id, acks and, per partition, the batches' headers.
 */
export function readProduce(
  r: Reader,
  state: KafkaState,
  version: number,
): { transactionalId: string | null; acks: number; topics: ProducedTopic[] } {
  const byId = version >= TOPIC_IDS_FROM;
  const transactionalId = r.compactString();
  const acks = r.int16();
  r.int32(); // timeout
  const topics = r.array(true, (r) => {
    const topicId = byId ? r.uuid() : null;
    const name = topicId === null
      ? r.compactString() ?? ""
      : state.topicNames.get(uuidToString(topicId)) ?? "";
    const partitions = r.array(true, (r) => {
      const partition = r.int32();
      const batch = readBatches(name, topicId, partition, r.compactBytes(), {
        transactionalId,
        version,
      });
      r.taggedFields();
      return batch;
    }) ?? [];
    r.taggedFields();
    return { name, topicId, partitions };
  }) ?? [];
  r.taggedFields();
  state.stats.produceRequests++;
  for (const t of topics) for (const p of t.partitions) state.stats.records += p.records;
  return { transactionalId, acks, topics };
}

/**
 * One partition's run of RecordBatch v2: the records of every batch
 * (recordsCount of each header) and the producer fields and transactional
 * bit of the first; `request` the fields of the request it came in.
 */
function readBatches(
  topic: string,
  topicId: Uint8Array | null,
  partition: number,
  bytes: Uint8Array | null,
  request: { transactionalId: string | null; version: number },
): ProducedBatch {
  let records = 0;
  let producerId = -1n;
  let producerEpoch = -1;
  let baseSequence = -1;
  let transactional = false;
  if (bytes !== null && bytes.length >= 61) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    transactional = (view.getInt16(21) & TRANSACTIONAL_BIT) !== 0;
    producerId = view.getBigInt64(43);
    producerEpoch = view.getInt16(51);
    baseSequence = view.getInt32(53);
    for (let pos = 0; pos + 61 <= bytes.length;) {
      records += view.getInt32(pos + 57);
      pos += 12 + view.getInt32(pos + 8);
    }
  }
  return {
    topic,
    topicId,
    partition,
    records,
    producerId,
    producerEpoch,
    baseSequence,
    transactional,
    ...request,
    bytes,
  };
}

/** Produce response body: each partition answered by `onProduce`, offsets given on success. */
export function writeProduce(
  w: Writer,
  state: KafkaState,
  topics: ProducedTopic[],
  byId: boolean,
): void {
  w.array(topics, true, (w, t) => {
    if (byId) w.uuid(t.topicId!);
    else w.compactString(t.name);
    w.array(t.partitions, true, (w, p) => {
      const answer = state.onProduce?.(p);
      const errorCode = answer?.errorCode ?? 0;
      const key = `${t.name}\u0000${p.partition}`;
      const base = errorCode === 0 ? state.nextOffsets.get(key) ?? 0n : -1n;
      if (errorCode === 0) state.nextOffsets.set(key, base + BigInt(p.records));
      w.int32(p.partition).int16(errorCode).int64(base).int64(-1n);
      w.int64(answer?.logStartOffset ?? 0n);
      w.uvarint(1); // record_errors: none
      w.compactString(null); // error_message
      w.taggedFields();
    });
    w.taggedFields();
  });
  w.int32(state.produceThrottleTimeMs).taggedFields();
}
