import assert from "node:assert/strict";
import { RecordTooLargeError } from "../../lib/errors.ts";
import { BufferPool } from "../../lib/producer/buffer_pool.ts";

Deno.test("buffer pool: a request larger than the whole pool is refused at once, not waited for", async () => {
  const pool = new BufferPool(1000, 100);
  const started = Date.now();
  await assert.rejects(
    pool.allocate(2000, 60_000),
    (e) =>
      e instanceof RecordTooLargeError &&
      /cannot allocate 2000 bytes: larger than bufferMemory \(1000 bytes\)/.test(e.message),
  );
  assert.ok(Date.now() - started < 100);
  assert.equal(pool.availableMemory, 1000);
  assert.equal((await pool.allocate(1000, 10)).length, 1000, "the whole pool can still be had");
});
