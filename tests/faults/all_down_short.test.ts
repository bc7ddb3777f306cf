/**
 * Fault scenario 5: every broker down (SIGKILL) for 10 s, then back, well
 * within `deliveryTimeoutMs` (300 s here): every record is acknowledged,
 * exactly once, in order.
 *
 * Full local size (3-node cluster on your port base): `export KAFKA_PORT_BASE=19092;
 * bash scripts/kafka.sh up --brokers 3; KAFKA_BOOTSTRAP=$(bash scripts/kafka.sh bootstrap)
 * FAULT_RECORDS=200000 deno test -A tests/faults/all_down_short.test.ts`; CI runs 50,000 (`scripts/test.sh`).
 */
import { kafkaSh, pause, RECORDS, runScenario } from "../support/fault_scenario.ts";
import { assertIdempotentClean } from "../support/validation_invariants.ts";

Deno.test("faults: all brokers down for 10 s, within the delivery timeout (idempotent)", async () => {
  const { report } = await runScenario({
    name: "all-down-10s",
    // Generous: a cold restart of all three nodes on a busy machine can take over a minute.
    producer: { deliveryTimeoutMs: 300_000 },
    sendForMs: 40_000,
    fault: async (ctx) => {
      await ctx.sentAtLeast(Math.floor(RECORDS / 3));
      ctx.log("kill -9 nodes 1 2 3");
      await kafkaSh("kill", "1", "2", "3");
      await pause(10_000);
      ctx.log("starting nodes 1 2 3");
      await kafkaSh("start", "1", "2", "3");
      ctx.log("nodes back");
    },
  });
  assertIdempotentClean(report);
});
