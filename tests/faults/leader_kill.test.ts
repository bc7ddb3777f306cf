/**
 * Fault scenario 1: SIGKILL the leader of a busy partition five times while
 * an idempotent acks=all producer sends concurrently, restarting it each time.
 * Nothing acknowledged may be lost, duplicated, reordered or misplaced.
 *
 * Full local size (3-node cluster on your port base): `export KAFKA_PORT_BASE=19092;
 * bash scripts/kafka.sh up --brokers 3; KAFKA_BOOTSTRAP=$(bash scripts/kafka.sh bootstrap)
 * FAULT_RECORDS=200000 deno test -A tests/faults/`; CI runs 50,000 (`scripts/test.sh`).
 */
import { bounceLeader, RECORDS, runScenario } from "../support/fault_scenario.ts";
import { assertIdempotentClean } from "../support/validation_invariants.ts";

Deno.test("faults: SIGKILL the partition leader 5 times (idempotent, acks=all)", async () => {
  const { report } = await runScenario({
    name: "leader-kill",
    sendForMs: 60_000,
    fault: async (ctx) => {
      for (let k = 1; k <= 5; k++) {
        await ctx.sentAtLeast(Math.floor((RECORDS * k) / 7));
        await bounceLeader(ctx, 0);
      }
    },
  });
  assertIdempotentClean(report);
});
