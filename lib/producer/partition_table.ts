/**
 * A topic's partition table from a Metadata response: the leader of each
 * partition index, the indexes checked to be 0..n-1 each once (a hostile
 * broker's cannot make the table larger than its own list).
 *
 * @module
 */
import { ProtocolError } from "../errors.ts";
import { ErrorCode } from "../protocol/error_codes.ts";
import type { MetadataTopic } from "../protocol/messages/metadata.ts";

/** Leader of one partition. */
export interface PartitionLeader {
  /** Node id of the leader, -1 when there is none. */
  leader: number;
  /** The leader's epoch, -1 when unknown. */
  leaderEpoch: number;
}

/** Leaders by partition index, and the indexes that have one. */
export interface PartitionTable {
  /** Leader per partition index, 0..n-1. */
  readonly partitions: PartitionLeader[];
  /** Indexes of the partitions that have a leader. */
  readonly available: number[];
}

/**
 * The table of `topic` (a topic without error). A leader known from
 * `previous` at a newer epoch (a KIP-951 hint) is kept.
 * @throws {ProtocolError} unless the partition indexes are 0..n-1, each once.
 */
export function partitionTable(
  topic: MetadataTopic,
  previous: readonly PartitionLeader[] | undefined,
): PartitionTable {
  const order = partitionOrder(topic);
  const partitions: PartitionLeader[] = [];
  const available: number[] = [];
  for (let index = 0; index < order.length; index++) {
    const p = topic.partitions[order[index]];
    const old = previous?.[index];
    const leader = old !== undefined && old.leaderEpoch > p.leaderEpoch && old.leader >= 0 ? old : {
      leader: p.errorCode === ErrorCode.NONE || p.leaderId >= 0 ? p.leaderId : -1,
      leaderEpoch: p.leaderEpoch,
    };
    partitions.push(leader);
    if (leader.leader >= 0) available.push(index);
  }
  return { partitions, available };
}

/**
 * Where each partition index sits in the topic's list: `order[i]` is the
 * position of partition `i`.
 * @throws {ProtocolError} unless the indexes are 0..n-1, each once.
 */
function partitionOrder(topic: MetadataTopic): Int32Array {
  const n = topic.partitions.length;
  const order = new Int32Array(n).fill(-1);
  topic.partitions.forEach((p, position) => {
    const index = p.partitionIndex;
    if (!(index >= 0 && index < n) || order[index] !== -1) {
      throw new ProtocolError(
        `Metadata for topic ${
          JSON.stringify(topic.name)
        } lists partition index ${index} among ${n} partitions: the indexes must be 0..${
          n - 1
        }, each once`,
      );
    }
    order[index] = position;
  });
  return order;
}
