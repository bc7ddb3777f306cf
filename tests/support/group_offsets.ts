/**
 * A consumer group's committed offsets as Kafka's own consumer-group tool
 * sees them (`kafka-consumer-groups --describe`, i.e.
 * `org.apache.kafka.tools.consumer.group.ConsumerGroupCommand`), for
 * checking the offsets a transactional producer committed.
 *
 * @module
 */
import { runJava } from "./java.ts";

/**
 * The committed offset of every partition of group `groupId` that has one,
 * keyed `topic-partition` (Kafka's `TopicPartition` string, e.g.
 * `"orders-0"`), from the CURRENT-OFFSET column of
 * `ConsumerGroupCommand --describe`. Partitions without a committed offset
 * (`-`) are left out; a group the broker does not know resolves to an empty
 * map. The tool reads without require_stable: offsets of a transaction not
 * yet committed do not show, the last committed ones do. Rejects on any
 * other error the tool prints (it exits 0 even then) and after `timeoutMs`
 * (default 60000).
 */
export async function groupOffsets(
  bootstrap: string,
  groupId: string,
  timeoutMs = 60_000,
): Promise<Map<string, bigint>> {
  const r = await runJava([
    "org.apache.kafka.tools.consumer.group.ConsumerGroupCommand",
    "--bootstrap-server",
    bootstrap,
    "--describe",
    "--group",
    groupId,
    "--timeout",
    String(Math.max(1000, Math.min(30_000, timeoutMs - 10_000))),
  ], { timeoutMs });
  return parseGroupDescribe(r.stdout, groupId, r.code, r.stderr);
}

/**
 * Parses `ConsumerGroupCommand --describe --group G` output (exported for
 * tests): the table with a header line naming GROUP, TOPIC, PARTITION and
 * CURRENT-OFFSET, columns separated by spaces.
 */
export function parseGroupDescribe(
  stdout: string,
  groupId: string,
  code: number | null = 0,
  stderr = "",
): Map<string, bigint> {
  const offsets = new Map<string, bigint>();
  const lines = stdout.split("\n").map((l) => l.trim()).filter((l) => l !== "");
  const error = lines.find((l) => l.startsWith("Error:"));
  if (error !== undefined) {
    if (/GroupIdNotFoundException|does not exist/.test(error)) return offsets;
    throw new Error(`ConsumerGroupCommand --describe --group ${groupId}: ${error}`);
  }
  if (code !== 0) {
    throw new Error(
      `ConsumerGroupCommand --describe --group ${groupId}: exit ${code}\n${stderr.slice(-4000)}`,
    );
  }
  let columns: string[] | null = null;
  for (const line of lines) {
    const cells = line.split(/\s+/);
    if (cells[0] === "GROUP" && cells.includes("CURRENT-OFFSET")) {
      columns = cells;
      continue;
    }
    if (columns === null || cells[columns.indexOf("GROUP")] !== groupId) continue;
    const cell = (name: string) => cells[columns!.indexOf(name)];
    const current = cell("CURRENT-OFFSET");
    if (current === undefined || !/^\d+$/.test(current)) continue; // "-": nothing committed
    offsets.set(`${cell("TOPIC")}-${cell("PARTITION")}`, BigInt(current));
  }
  if (columns === null && lines.length > 0) {
    throw new Error(
      `ConsumerGroupCommand --describe --group ${groupId}: no table in\n${stdout.slice(0, 2000)}`,
    );
  }
  return offsets;
}
