/**
 * Fault scenario 7: NOT_ENOUGH_REPLICAS. Two of three brokers are stopped
 * (SIGTERM, one after the other, so the survivor leads every partition with
 * an ISR of one, below min.insync.replicas=2); acks=all Produce requests fail
 * with NOT_ENOUGH_REPLICAS and are retried until the brokers return, well
 * within `deliveryTimeoutMs`: every record lands, exactly once, in order.
 *
 * Full local size (3-node cluster on your port base): `export KAFKA_PORT_BASE=19092;
 * bash scripts/kafka.sh up --brokers 3; KAFKA_BOOTSTRAP=$(bash scripts/kafka.sh bootstrap)
 * FAULT_RECORDS=200000 deno test -A tests/faults/not_enough_replicas.test.ts`; CI runs 50,000 (`scripts/test.sh`).
 */
import assert from "node:assert/strict";
import { kafkaSh, pause, RECORDS, runScenario } from "../support/fault_scenario.ts";
import { assertIdempotentClean } from "../support/validation_invariants.ts";

Deno.test("faults: two of three brokers down (NOT_ENOUGH_REPLICAS), then back (idempotent)", async () => {
  let shrunk = false;
  const { report } = await runScenario({
    name: "not-enough-replicas",
    // Generous: restarting two nodes on a busy machine can take over a minute.
    producer: { deliveryTimeoutMs: 300_000 },
    sendForMs: 40_000,
    fault: async (ctx) => {
      await ctx.sentAtLeast(Math.floor(RECORDS / 3));
      ctx.log("SIGTERM node 2");
      await kafkaSh("stop", "2");
      ctx.log("SIGTERM node 3");
      await kafkaSh("stop", "3");
      // The precondition: the survivor leads with an ISR below min.insync.replicas.
      const described = await kafkaSh("topic", "describe", ctx.topic);
      const isrs = [...described.matchAll(/\tIsr: ([\d,]+)/g)].map((m) => m[1]);
      ctx.log(`ISRs while two nodes are down: ${isrs.join(" ")}`);
      shrunk = isrs.some((isr) => isr.split(",").length < 2);
      await pause(10_000);
      ctx.log("starting nodes 2 3");
      await kafkaSh("start", "2", "3");
      ctx.log("nodes back");
    },
  });
  assert.ok(shrunk, "no partition's ISR fell below min.insync.replicas");
  assertIdempotentClean(report);
});
