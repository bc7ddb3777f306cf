/**
 * Fault scenario 1: SIGKILL the leader of a busy partition five times while
 * an idempotent acks=all producer sends concurrently, restarting it each time.
 * Nothing acknowledged may be lost, duplicated, reordered or misplaced.
 *
 * Full local size (3-node cluster on your port base): `export KAFKA_PORT_BASE=19092;
 * bash scripts/kafka.sh up --brokers 3; KAFKA_BOOTSTRAP=$(bash scripts/kafka.sh bootstrap)
 * FAULT_RECORDS=200000 deno test -A tests/faults/`; CI runs 50,000 (`scripts/test.sh`).
 */
import { kafkaSh, leaderOf, pause, RECORDS, runScenario } from "./_harness.ts";
import { assertIdempotentClean } from "./_assert.ts";

Deno.test("faults: SIGKILL the partition leader 5 times (idempotent, acks=all)", async () => {
  const { report } = await runScenario({
    name: "leader-kill",
    sendForMs: 60_000,
    fault: async (ctx) => {
      for (let k = 1; k <= 5; k++) {
        await ctx.sentAtLeast(Math.floor((RECORDS * k) / 7));
        const leader = await leaderOf(ctx.topic, 0);
        if (leader < 0) throw new Error("partition 0 has no leader");
        ctx.log(`kill -9 node ${leader} (leader of partition 0)`);
        await kafkaSh("kill", String(leader));
        await pause(3_000);
        await kafkaSh("start", String(leader));
        ctx.log(`node ${leader} back`);
      }
    },
  });
  assertIdempotentClean(report);
});
