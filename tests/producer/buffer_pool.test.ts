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

Deno.test("buffer pool: charged bytes count as used; overdrawn, it hands out no buffer, not even a free one, until they return", async () => {
  const pool = new BufferPool(1000, 100);
  const kept = pool.tryAllocate(100)!;
  pool.deallocate(kept); // now a free pooled buffer
  pool.charge(950);
  assert.equal(pool.availableMemory, 50);
  assert.equal(pool.tryAllocate(100), null, "the free buffer is not handed out: 50 bytes are left");
  pool.charge(200);
  assert.equal(pool.availableMemory, 0, "overdrawn by 150: reported as 0");
  const waiting = pool.allocate(100, 5_000);
  assert.equal(pool.tryAllocate(100), null);
  const batch = new Uint8Array(0);
  pool.deallocate(batch, 1150); // a 0-byte buffer and its records' charge
  assert.equal((await waiting).length, 100, "the waiter is served once the charge returns");
  assert.equal(pool.availableMemory, 900);
});
