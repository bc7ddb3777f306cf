import assert from "node:assert/strict";
import { backoffMs } from "../../lib/util/backoff.ts";

Deno.test("backoffMs doubles from initialMs per failure, caps at maxMs, within ±20%", () => {
  for (let i = 0; i < 200; i++) {
    for (const [failures, base] of [[0, 100], [1, 100], [2, 200], [3, 400], [4, 800], [5, 1000]]) {
      const ms = backoffMs(failures, 100, 1000);
      assert.ok(ms >= base * 0.8 && ms <= base * 1.2, `failures ${failures}: ${ms} ms`);
    }
  }
});
