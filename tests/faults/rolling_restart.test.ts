/**
 * Fault scenario 2: rolling restart — SIGTERM and restart every broker in
 * turn while an idempotent acks=all producer sends concurrently. Nothing
 * acknowledged may be lost, duplicated, reordered or misplaced.
 *
 * Full local size (3-node cluster on your port base): `export KAFKA_PORT_BASE=19092;
 * bash scripts/kafka.sh up --brokers 3; KAFKA_BOOTSTRAP=$(bash scripts/kafka.sh bootstrap)
 * FAULT_RECORDS=200000 deno test -A tests/faults/rolling_restart.test.ts`; CI runs 50,000 (`scripts/test.sh`).
 */
import { kafkaSh, NODES, RECORDS, runScenario } from "../support/fault_scenario.ts";
import { assertIdempotentClean } from "../support/validation_invariants.ts";

Deno.test("faults: rolling restart of every broker (idempotent, acks=all)", async () => {
  const { report } = await runScenario({
    name: "rolling-restart",
    sendForMs: 60_000,
    fault: async (ctx) => {
      for (let n = 1; n <= NODES.length; n++) {
        await ctx.sentAtLeast(Math.floor((RECORDS * n) / (NODES.length + 2)));
        ctx.log(`SIGTERM node ${n}`);
        await kafkaSh("stop", String(n));
        await kafkaSh("start", String(n));
        ctx.log(`node ${n} back`);
      }
    },
  });
  assertIdempotentClean(report);
});
