/**
 * A mix beyond the listed scenarios: through the chaos proxy, random
 * connection resets, stalls (some longer than `requestTimeoutMs`) and lost
 * Produce responses for the whole run, plus one SIGKILL of a partition
 * leader in the middle. Idempotent, acks=all: every record is acknowledged,
 * exactly once, in order, at the offset it was read back at.
 *
 * Full local size (3-node cluster on your port base): `export KAFKA_PORT_BASE=19092;
 * bash scripts/kafka.sh up --brokers 3; KAFKA_BOOTSTRAP=$(bash scripts/kafka.sh bootstrap)
 * FAULT_RECORDS=200000 deno test -A tests/faults/proxy_mixed.test.ts`; CI runs 50,000 (`scripts/test.sh`).
 */
import assert from "node:assert/strict";
import { ChaosProxy } from "../support/chaos_proxy.ts";
import { bounceLeader, NODES, RECORDS, runScenario } from "../support/fault_scenario.ts";
import { assertIdempotentClean } from "../support/validation_invariants.ts";

Deno.test("faults: proxy resets, stalls and lost responses with a leader SIGKILL (idempotent)", async () => {
  const proxy = await ChaosProxy.start([...NODES]);
  try {
    const { report } = await runScenario({
      name: "proxy-mixed",
      producer: { transport: proxy.transport(), requestTimeoutMs: 3_000 },
      sendForMs: 45_000,
      fault: async (ctx) => {
        proxy.chaos({
          resetEveryMs: [300, 1_500],
          stallEveryMs: [1_000, 3_000],
          stallMs: [100, 4_000],
          dropEveryMs: [300, 1_000],
          seed: 7,
        });
        await ctx.sentAtLeast(Math.floor(RECORDS / 2));
        await bounceLeader(ctx, 0);
        await ctx.sentAtLeast(Math.floor(RECORDS * 0.97));
        proxy.heal();
        ctx.log(`proxy stats: ${JSON.stringify(proxy.stats)}`);
      },
    });
    assertIdempotentClean(report);
    assert.ok(proxy.stats.resets > 0 && proxy.stats.droppedResponses > 0, "faults were injected");
  } finally {
    await proxy.close();
  }
});
