/**
 * A produce–consume validator in the spirit of Kafka's
 * `produce_consume_validate` system tests. {@link ProduceValidator.send}
 * sends records tagged with a unique id and a per-partition send sequence
 * (headers `id` and `seq`) and records every outcome: acknowledged (with its
 * RecordMetadata) or rejected (with its error, which must be one of the
 * library's typed errors). After the run the topic is read back with Kafka's
 * Java consumer and {@link ProduceValidator.validate} compares the two sides:
 * lost, duplicated, reordered, offset mismatches, unexpected records.
 *
 * @module
 */
import { KafkaClientError, type Producer, type RecordMetadata } from "../../mod.ts";
import { keyedPartition } from "../../lib/producer/partitioner.ts";
import type { ConsumedRecord } from "./cluster.ts";

const encoder = new TextEncoder();
const FILLER = "x".repeat(80);

/** What became of one sent record. */
type Outcome =
  | { readonly kind: "pending" }
  | { readonly kind: "acked"; readonly offset: bigint }
  | { readonly kind: "rejected"; readonly error: unknown };

/** One record the validator sent. */
interface SentRecord {
  /** Partition it was keyed to. */
  readonly partition: number;
  /** Its position among the records sent to that partition. */
  readonly seq: number;
  /** Its outcome so far. */
  outcome: Outcome;
}

/** The validator's findings. */
export interface ValidationReport {
  /** Records sent. */
  records: number;
  /** Records acknowledged by the producer. */
  acknowledged: number;
  /** Records rejected by the producer. */
  rejected: number;
  /** Records neither acknowledged nor rejected when the wait ended. */
  pending: number;
  /** Rejections whose error is not a `KafkaClientError`. */
  untypedRejections: number;
  /** Rejections by error class name (`KafkaError`s by Kafka error name). */
  rejectionsByError: Record<string, number>;
  /** Records read back (with duplicates). */
  consumed: number;
  /** Acknowledged records never read back. */
  lost: number;
  /**
   * Lost records whose acknowledged offset holds another record in the log:
   * the broker truncated them (acks=1 leader failover), not the producer.
   */
  lostOverwritten: number;
  /** Ids read back more than once. */
  duplicated: number;
  /** Acknowledged records read back after a record of their partition sent later. */
  reordered: number;
  /** Acknowledged records read back at no offset equal to the acknowledged one. */
  offsetMismatches: number;
  /** Acknowledgements that share a partition and offset with another record's. */
  offsetCollisions: number;
  /** Records read back that were never sent (unknown id). */
  unexpected: number;
  /** Rejected records that were written all the same (their fate was unknown). */
  rejectedButWritten: number;
  /** Producer retries (`metrics().retries`). */
  retries: number;
  /** Idempotent epoch bumps (`metrics().epochBumps`). */
  epochBumps: number;
  /** Wall time of the produce phase, ms. */
  wallMs: number;
}

/** Sends id-tagged records and checks what was read back against what was acknowledged. */
export class ProduceValidator {
  readonly #topic: string;
  readonly #partitions: number;
  readonly #sent: SentRecord[] = [];
  readonly #nextSeq: number[];
  readonly #pending = new Set<Promise<unknown>>();
  readonly #startMs = Date.now();
  #endMs = 0;

  /** A validator for `topic`, which has `partitions` partitions. */
  constructor(topic: string, partitions: number) {
    this.#topic = topic;
    this.#partitions = partitions;
    this.#nextSeq = new Array(partitions).fill(0);
  }

  /** Records sent so far. */
  get sent(): number {
    return this.#sent.length;
  }

  /** Records whose outcome is still unknown. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Sends the next record (id = records sent so far) without waiting for it. */
  send(producer: Producer): void {
    const id = this.#sent.length;
    const key = encoder.encode(`key-${id}`);
    const partition = keyedPartition(key, this.#partitions);
    const seq = this.#nextSeq[partition]++;
    const entry: SentRecord = { partition, seq, outcome: { kind: "pending" } };
    this.#sent.push(entry);
    const done = producer.send({
      topic: this.#topic,
      key,
      value: `${id} ${FILLER}`,
      headers: [["id", String(id)], ["seq", String(seq)]],
    }).then(
      (md: RecordMetadata) => {
        entry.outcome = { kind: "acked", offset: md.partition === partition ? md.offset : -2n };
      },
      (error: unknown) => {
        entry.outcome = { kind: "rejected", error };
      },
    );
    this.#pending.add(done);
    done.finally(() => this.#pending.delete(done));
  }

  /**
   * Waits until every record's promise has settled, or `timeoutMs` passed.
   * Returns how many are still pending.
   */
  async settle(timeoutMs: number): Promise<number> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.allSettled([...this.#pending]),
      new Promise((resolve) => timer = setTimeout(resolve, timeoutMs)),
    ]);
    clearTimeout(timer);
    this.#endMs = Date.now();
    return this.#pending.size;
  }

  /** Compares what was read back with what was sent and acknowledged. */
  validate(
    consumed: readonly ConsumedRecord[],
    metrics: { retries: number; epochBumps: number },
  ): ValidationReport {
    const report: ValidationReport = {
      records: this.#sent.length,
      acknowledged: 0,
      rejected: 0,
      pending: 0,
      untypedRejections: 0,
      rejectionsByError: {},
      consumed: consumed.length,
      lost: 0,
      lostOverwritten: 0,
      duplicated: 0,
      reordered: 0,
      offsetMismatches: 0,
      offsetCollisions: 0,
      unexpected: 0,
      rejectedButWritten: 0,
      retries: metrics.retries,
      epochBumps: metrics.epochBumps,
      wallMs: (this.#endMs || Date.now()) - this.#startMs,
    };
    const ackedAt = new Set<string>();
    for (const r of this.#sent) {
      const o = r.outcome;
      if (o.kind === "pending") report.pending++;
      else if (o.kind === "rejected") {
        report.rejected++;
        if (!(o.error instanceof KafkaClientError)) report.untypedRejections++;
        const name = o.error instanceof Error ? o.error.name : typeof o.error;
        report.rejectionsByError[name] = (report.rejectionsByError[name] ?? 0) + 1;
      } else {
        report.acknowledged++;
        const at = `${r.partition}/${o.offset}`;
        if (ackedAt.has(at)) report.offsetCollisions++;
        ackedAt.add(at);
      }
    }

    // Offsets each id was read at; consumed records come in offset order per partition.
    const offsetsById = new Map<number, number[]>();
    const idAt = new Map<string, number>();
    const maxSeq = new Array<number>(this.#partitions).fill(-1);
    for (const c of consumed) {
      const idHeader = c.h.find(([k]) => k === "id")?.[1];
      const id = idHeader ? Number(atob(idHeader)) : NaN;
      const sent = Number.isInteger(id) ? this.#sent[id] : undefined;
      if (sent === undefined || sent.partition !== c.p) {
        report.unexpected++;
        continue;
      }
      let offsets = offsetsById.get(id);
      if (offsets === undefined) {
        offsetsById.set(id, offsets = []);
        if (sent.outcome.kind === "acked") {
          if (sent.seq < maxSeq[c.p]) report.reordered++;
          else maxSeq[c.p] = sent.seq;
        }
      } else if (offsets.length === 1) {
        report.duplicated++;
      }
      offsets.push(c.o);
      idAt.set(`${c.p}/${c.o}`, id);
    }
    for (let id = 0; id < this.#sent.length; id++) {
      const o = this.#sent[id].outcome;
      const offsets = offsetsById.get(id);
      if (o.kind === "acked") {
        if (offsets === undefined) {
          report.lost++;
          const other = idAt.get(`${this.#sent[id].partition}/${o.offset}`);
          if (other !== undefined && other !== id) report.lostOverwritten++;
        } else if (!offsets.some((x) => BigInt(x) === o.offset)) report.offsetMismatches++;
      } else if (o.kind === "rejected" && offsets !== undefined) {
        report.rejectedButWritten++;
      }
    }
    return report;
  }
}

/** The report as one line. */
export function summary(name: string, r: ValidationReport): string {
  const errors = Object.entries(r.rejectionsByError).map(([k, v]) => `${k}:${v}`).join(",");
  return `[${name}] records=${r.records} acked=${r.acknowledged} rejected=${r.rejected}` +
    `${errors ? `(${errors})` : ""} pending=${r.pending} consumed=${r.consumed} lost=${r.lost}` +
    `${r.lostOverwritten ? `(overwritten:${r.lostOverwritten})` : ""}` +
    ` duplicated=${r.duplicated} reordered=${r.reordered} offsetMismatches=${r.offsetMismatches}` +
    ` offsetCollisions=${r.offsetCollisions} unexpected=${r.unexpected}` +
    ` rejectedButWritten=${r.rejectedButWritten} retries=${r.retries} epochBumps=${r.epochBumps}` +
    ` wall=${(r.wallMs / 1000).toFixed(1)}s`;
}
