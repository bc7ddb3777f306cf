/**
 * Fault scenario 4: a chaos proxy drops the responses of Produce requests the
 * broker has processed (and closes that connection). The producer sends the
 * batch again with the same sequence numbers; the broker must answer with
 * the original offsets, and the producer must resolve each record once, at
 * the offset it was written at: no duplicates, no wrong offsets.
 *
 * Full local size (3-node cluster on your port base): `export KAFKA_PORT_BASE=19092;
 * bash scripts/kafka.sh up --brokers 3; KAFKA_BOOTSTRAP=$(bash scripts/kafka.sh bootstrap)
 * FAULT_RECORDS=200000 deno test -A tests/faults/proxy_dropped_responses.test.ts`; CI runs 50,000 (`scripts/test.sh`).
 */
import { ChaosProxy } from "../support/chaos_proxy.ts";
import assert from "node:assert/strict";
import { NODES, pause, RECORDS, runScenario } from "../support/fault_scenario.ts";
import { assertIdempotentClean } from "../support/validation_invariants.ts";

Deno.test("faults: proxy drops processed Produce responses (forced duplicates, idempotent)", async () => {
  const proxy = await ChaosProxy.start([...NODES]);
  try {
    const { report } = await runScenario({
      name: "proxy-dropped-responses",
      producer: { transport: proxy.transport() },
      sendForMs: 40_000,
      fault: async (ctx) => {
        // Two responses lost every 2 s until the last 2% of the records.
        while (ctx.sent() < RECORDS * 0.97) {
          await pause(2_000);
          proxy.dropResponses(2);
        }
        proxy.heal();
        ctx.log(`proxy stats: ${JSON.stringify(proxy.stats)}`);
      },
    });
    assertIdempotentClean(report);
    assert.ok(proxy.stats.droppedResponses > 0, "no Produce response was dropped");
  } finally {
    await proxy.close();
  }
});
