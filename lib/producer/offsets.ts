/**
 * The arguments of `sendOffsetsToTransaction()`: the consumed offsets to
 * commit with the transaction and the consumer group they belong to,
 * checked before anything is sent.
 *
 * @module
 */
import { InvalidArgumentError } from "../errors.ts";

/**
 * A consumed position to commit: `offset` is the offset of the next record
 * to read (the last processed record's offset + 1), as Java's
 * `OffsetAndMetadata`.
 */
export interface TopicPartitionOffset {
  /** The topic consumed. */
  topic: string;
  /** Its partition. */
  partition: number;
  /** The offset of the next record to consume. */
  offset: bigint | number;
  /** Free text stored with the offset. @default "" */
  metadata?: string | null;
  /** The leader epoch of the last record consumed, if known. @default -1 */
  leaderEpoch?: number;
}

/**
 * The consumer group the offsets belong to (Java's `ConsumerGroupMetadata`).
 * With a group member's generation and member id the coordinator refuses
 * the commit of a consumer that lost its partitions (zombie fencing, KIP-447);
 * with only `groupId` (generation -1) it does not check membership.
 */
export interface ConsumerGroupMetadata {
  /** The group id. */
  groupId: string;
  /** The member's generation. @default -1 */
  generationId?: number;
  /** The member id the coordinator assigned. @default "" */
  memberId?: string;
  /** The static member's `group.instance.id`, if any. @default null */
  groupInstanceId?: string | null;
}

/** {@link ConsumerGroupMetadata} with every field set. */
export interface ResolvedGroupMetadata {
  /** See {@link ConsumerGroupMetadata.groupId}. */
  readonly groupId: string;
  /** See {@link ConsumerGroupMetadata.generationId}. */
  readonly generationId: number;
  /** See {@link ConsumerGroupMetadata.memberId}. */
  readonly memberId: string;
  /** See {@link ConsumerGroupMetadata.groupInstanceId}. */
  readonly groupInstanceId: string | null;
}

const INT32_MAX = 2147483647;
const INT64_MAX = 9223372036854775807n;

/**
 * Checks the offsets and the group of a `sendOffsetsToTransaction()` call.
 * @throws {InvalidArgumentError} naming the first bad field.
 */
export function checkOffsetsArguments(
  offsets: unknown,
  group: unknown,
): { offsets: readonly TopicPartitionOffset[]; group: ResolvedGroupMetadata } {
  if (!Array.isArray(offsets)) {
    throw new InvalidArgumentError(`offsets must be an array, got ${describe(offsets)}`);
  }
  const seen = new Set<string>();
  offsets.forEach((o: unknown, i) => {
    const at = `offsets[${i}]`;
    if (o === null || typeof o !== "object") {
      throw new InvalidArgumentError(`${at} must be an object, got ${describe(o)}`);
    }
    const { topic, partition, offset, metadata, leaderEpoch } = o as Record<string, unknown>;
    if (typeof topic !== "string" || topic.length === 0) {
      throw new InvalidArgumentError(
        `${at}.topic must be a non-empty string, got ${describe(topic)}`,
      );
    }
    if (!isInt(partition, 0, INT32_MAX)) {
      throw new InvalidArgumentError(
        `${at}.partition must be an integer ≥ 0, got ${describe(partition)}`,
      );
    }
    const valid = typeof offset === "bigint"
      ? offset >= 0n && offset <= INT64_MAX
      : Number.isSafeInteger(offset) && (offset as number) >= 0;
    if (!valid) {
      throw new InvalidArgumentError(
        `${at}.offset must be an integer ≥ 0 (number or bigint), got ${describe(offset)}`,
      );
    }
    if (metadata !== undefined && metadata !== null && typeof metadata !== "string") {
      throw new InvalidArgumentError(`${at}.metadata must be a string, got ${describe(metadata)}`);
    }
    if (leaderEpoch !== undefined && !isInt(leaderEpoch, -1, INT32_MAX)) {
      throw new InvalidArgumentError(
        `${at}.leaderEpoch must be an integer ≥ -1, got ${describe(leaderEpoch)}`,
      );
    }
    const key = `${topic}\u0000${partition}`;
    if (seen.has(key)) {
      throw new InvalidArgumentError(`${at}: ${topic}-${partition} appears more than once`);
    }
    seen.add(key);
  });
  return { offsets, group: resolveGroup(group) };
}

function resolveGroup(group: unknown): ResolvedGroupMetadata {
  if (typeof group === "string") group = { groupId: group };
  if (group === null || typeof group !== "object") {
    throw new InvalidArgumentError(
      `the group must be a group id or { groupId, … }, got ${describe(group)}`,
    );
  }
  const { groupId, generationId, memberId, groupInstanceId } = group as Record<string, unknown>;
  if (typeof groupId !== "string" || groupId.length === 0) {
    throw new InvalidArgumentError(`groupId must be a non-empty string, got ${describe(groupId)}`);
  }
  if (generationId !== undefined && !isInt(generationId, -1, INT32_MAX)) {
    throw new InvalidArgumentError(
      `generationId must be an integer ≥ -1, got ${describe(generationId)}`,
    );
  }
  if (memberId !== undefined && typeof memberId !== "string") {
    throw new InvalidArgumentError(`memberId must be a string, got ${describe(memberId)}`);
  }
  if (
    groupInstanceId !== undefined && groupInstanceId !== null && typeof groupInstanceId !== "string"
  ) {
    throw new InvalidArgumentError(
      `groupInstanceId must be a string or null, got ${describe(groupInstanceId)}`,
    );
  }
  return {
    groupId,
    generationId: (generationId as number | undefined) ?? -1,
    memberId: (memberId as string | undefined) ?? "",
    groupInstanceId: (groupInstanceId as string | null | undefined) ?? null,
  };
}

function isInt(value: unknown, min: number, max: number): boolean {
  return typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
}

function describe(value: unknown): string {
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "string") {
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  }
  if (Array.isArray(value)) return "an array";
  return value === null ? "null" : typeof value === "object" ? "an object" : String(value);
}
