/**
 * Fault scenario 3: a chaos proxy between the producer and the brokers
 * resets every connection every few hundred milliseconds for the whole run.
 * The idempotent acks=all producer reconnects and retries: every record is
 * acknowledged, exactly once, in order, at the offset it was read back at.
 *
 * Full local size (3-node cluster on your port base): `export KAFKA_PORT_BASE=19092;
 * bash scripts/kafka.sh up --brokers 3; KAFKA_BOOTSTRAP=$(bash scripts/kafka.sh bootstrap)
 * FAULT_RECORDS=200000 deno test -A tests/faults/proxy_resets.test.ts`; CI runs 50,000 (`scripts/test.sh`).
 */
import assert from "node:assert/strict";
import { ChaosProxy } from "../support/chaos_proxy.ts";
import { NODES, RECORDS, runScenario } from "../support/fault_scenario.ts";
import { assertIdempotentClean } from "../support/validation_invariants.ts";

Deno.test("faults: proxy resets every connection every 200-600 ms (idempotent)", async () => {
  const proxy = await ChaosProxy.start([...NODES]);
  try {
    const { report } = await runScenario({
      name: "proxy-resets",
      producer: { transport: proxy.transport() },
      sendForMs: 30_000,
      fault: async (ctx) => {
        proxy.chaos({ resetEveryMs: [200, 600] });
        ctx.log("resetting connections every 200-600 ms");
        await ctx.sentAtLeast(Math.floor(RECORDS * 0.98));
        proxy.stopChaos();
        ctx.log(`chaos stopped: ${JSON.stringify(proxy.stats)}`);
      },
    });
    assertIdempotentClean(report);
    assert.ok(proxy.stats.resets > 0, "no connection was reset");
  } finally {
    await proxy.close();
  }
});
