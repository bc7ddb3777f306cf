/**
 * Fault scenario 6: every broker down (SIGKILL) for longer than a small
 * `deliveryTimeoutMs` (15 s). Every record that cannot be delivered in time
 * rejects with a typed `TimeoutError`, nothing hangs, nothing acknowledged is
 * lost or duplicated, and once the brokers are back new sends succeed.
 *
 * Full local size (3-node cluster on your port base): `export KAFKA_PORT_BASE=19092;
 * bash scripts/kafka.sh up --brokers 3; KAFKA_BOOTSTRAP=$(bash scripts/kafka.sh bootstrap)
 * FAULT_RECORDS=200000 deno test -A tests/faults/all_down_expiry.test.ts`; CI runs 50,000 (`scripts/test.sh`).
 */
import assert from "node:assert/strict";
import { kafkaSh, pause, RECORDS, runScenario } from "../support/fault_scenario.ts";
import { assertIdempotentClean } from "../support/validation_invariants.ts";

const DELIVERY_TIMEOUT_MS = 15_000;

Deno.test("faults: all brokers down past deliveryTimeoutMs: typed timeouts, then recovery", async () => {
  let recovered = -1;
  const { report } = await runScenario({
    name: "all-down-expiry",
    producer: { deliveryTimeoutMs: DELIVERY_TIMEOUT_MS, requestTimeoutMs: 10_000 },
    sendForMs: 40_000,
    fault: async (ctx) => {
      await ctx.sentAtLeast(Math.floor(RECORDS / 3));
      ctx.log("kill -9 nodes 1 2 3");
      await kafkaSh("kill", "1", "2", "3");
      await pause(DELIVERY_TIMEOUT_MS + 10_000);
      ctx.log("starting nodes 1 2 3");
      await kafkaSh("start", "1", "2", "3");
      ctx.log("nodes back");
    },
  }, async (producer, validator) => {
    // The brokers are back: new records must go through.
    const before = validator.sent;
    for (let i = 0; i < 1000; i++) validator.send(producer);
    assert.equal(await validator.settle(60_000), 0, "new sends still pending after recovery");
    recovered = validator.sent - before;
  });
  assert.equal(recovered, 1000);
  assertIdempotentClean(report, false);
  assert.ok(report.rejected > 0, "the outage outlasted deliveryTimeoutMs: some records expire");
  assert.deepEqual(Object.keys(report.rejectionsByError), ["TimeoutError"]);
});
