/**
 * A variant of scenario 6 through the chaos proxy: every connection stalls
 * (bytes held, then forwarded in order) for longer than `deliveryTimeoutMs`,
 * so requests time out, are retried on connections that stall too, and
 * records expire while the broker may still receive the held requests later.
 * Every rejection is a typed `TimeoutError`; nothing acknowledged is lost,
 * duplicated, reordered or misplaced; sends succeed once the stall ends.
 *
 * Full local size (3-node cluster on your port base): `export KAFKA_PORT_BASE=19092;
 * bash scripts/kafka.sh up --brokers 3; KAFKA_BOOTSTRAP=$(bash scripts/kafka.sh bootstrap)
 * FAULT_RECORDS=200000 deno test -A tests/faults/proxy_stall_expiry.test.ts`; CI runs 50,000 (`scripts/test.sh`).
 */
import assert from "node:assert/strict";
import { ChaosProxy } from "../support/chaos_proxy.ts";
import { NODES, pause, RECORDS, runScenario } from "../support/fault_scenario.ts";
import { assertIdempotentClean } from "../support/validation_invariants.ts";

const DELIVERY_TIMEOUT_MS = 15_000;

Deno.test("faults: proxy stalls every connection past deliveryTimeoutMs (idempotent)", async () => {
  const proxy = await ChaosProxy.start([...NODES]);
  let recovered = -1;
  try {
    const { report } = await runScenario({
      name: "proxy-stall-expiry",
      producer: {
        transport: proxy.transport(),
        deliveryTimeoutMs: DELIVERY_TIMEOUT_MS,
        requestTimeoutMs: 5_000,
      },
      sendForMs: 40_000,
      fault: async (ctx) => {
        await ctx.sentAtLeast(Math.floor(RECORDS / 3));
        ctx.log(`stalling every connection for ${DELIVERY_TIMEOUT_MS + 5_000} ms`);
        proxy.stall(DELIVERY_TIMEOUT_MS + 5_000);
        await pause(DELIVERY_TIMEOUT_MS + 5_000);
        ctx.log(`proxy stats: ${JSON.stringify(proxy.stats)}`);
      },
    }, async (producer, validator) => {
      const before = validator.sent;
      for (let i = 0; i < 1000; i++) validator.send(producer);
      assert.equal(await validator.settle(60_000), 0, "new sends still pending after the stall");
      recovered = validator.sent - before;
    });
    assert.equal(recovered, 1000);
    assertIdempotentClean(report, false);
    assert.ok(report.rejected > 0, "the stall outlasted deliveryTimeoutMs: some records expire");
    assert.deepEqual(Object.keys(report.rejectionsByError), ["TimeoutError"]);
  } finally {
    await proxy.close();
  }
});
