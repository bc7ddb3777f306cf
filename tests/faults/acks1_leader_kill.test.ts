/**
 * Fault scenario 8: idempotence off, acks=1, the leader of a partition
 * SIGKILLed three times. Retries may write records twice: duplicates are
 * allowed, counted and reported; every outcome is typed and settles.
 *
 * acks=1 does not survive a leader SIGKILL in Kafka: the leader acknowledges
 * before followers copy, and when it comes back it truncates its log to the
 * new leader's, which wrote other records at those offsets. Such losses are
 * reported, and the test asserts that every acknowledged record missing from
 * the log is one of those (its offset holds another acknowledged record), so
 * none was lost by the producer.
 *
 * Full local size (3-node cluster on your port base): `export KAFKA_PORT_BASE=19092;
 * bash scripts/kafka.sh up --brokers 3; KAFKA_BOOTSTRAP=$(bash scripts/kafka.sh bootstrap)
 * FAULT_RECORDS=200000 deno test -A tests/faults/acks1_leader_kill.test.ts`; CI runs 50,000 (`scripts/test.sh`).
 */
import { bounceLeader, RECORDS, runScenario } from "../support/fault_scenario.ts";
import assert from "node:assert/strict";
import { assertSettledAndTyped } from "../support/validation_invariants.ts";

Deno.test("faults: acks=1 without idempotence, leader SIGKILLed: duplicates counted", async () => {
  const { report } = await runScenario({
    name: "acks1-leader-kill",
    producer: { acks: 1, enableIdempotence: false },
    sendForMs: 45_000,
    fault: async (ctx) => {
      for (let k = 1; k <= 3; k++) {
        await ctx.sentAtLeast(Math.floor((RECORDS * k) / 5));
        await bounceLeader(ctx, 0);
      }
    },
  });
  assertSettledAndTyped(report);
  assert.equal(report.lost, report.lostOverwritten, "acknowledged records lost by the producer");
  console.log(
    `  acks=1 (allowed): ${report.duplicated} duplicated, ${report.reordered} reordered,` +
      ` ${report.lostOverwritten} acknowledged then truncated by the broker`,
  );
});
