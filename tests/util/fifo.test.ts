import assert from "node:assert/strict";
import { Fifo } from "../../lib/util/fifo.ts";

Deno.test("Fifo: head first through compactions; takeAll empties it", () => {
  const fifo = new Fifo<number>();
  for (let i = 0; i < 5000; i++) fifo.push(i);
  for (let i = 0; i < 3000; i++) assert.equal(fifo.shift(), i);
  assert.equal(fifo.length, 2000);
  assert.equal(fifo.peek(), 3000);
  fifo.push(5000);
  assert.deepEqual(fifo.toArray().slice(-2), [4999, 5000]);
  assert.equal(fifo.takeAll().length, 2001);
  assert.equal(fifo.length, 0);
  assert.equal(fifo.shift(), undefined);
});
