/**
 * The outbound queue's hold()/release() and urgent frames (a KIP-368
 * re-authentication between two requests), on the queue itself: the test is
 * the socket, and each `read()` of its stream is the socket asking for the
 * next chunk — so the chunk read before it has been written. That makes
 * "between two chunks" exact, with no timing.
 */
import assert from "node:assert/strict";
import { OutboundQueue } from "../../lib/net/outbound.ts";

/** A frame of `n` bytes, all `tag`: chunks show which frames they hold, in order. */
const frame = (tag: number, n = 3) => new Uint8Array(n).fill(tag);

/** The tags of the frames in `chunk` (frames of 3 bytes each). */
function tags(chunk: Uint8Array): number[] {
  const out: number[] = [];
  for (let at = 0; at < chunk.length; at += 3) {
    assert.ok(chunk.subarray(at, at + 3).every((b) => b === chunk[at]), "a frame was split");
    out.push(chunk[at]);
  }
  return out;
}

/** A queue with its reader (the socket), and a log of the frames taken. */
function setUp() {
  const queue = new OutboundQueue();
  const reader = queue.readable.getReader();
  const taken: number[] = [];
  const push = (tag: number, urgent = false) =>
    queue.push(frame(tag), () => void taken.push(tag), urgent);
  /** The socket asks for the next chunk: resolves with its frames' tags. */
  const next = async () => {
    const { value, done } = await reader.read();
    assert.equal(done, false);
    return tags(value!);
  };
  return { queue, reader, taken, push, next };
}

/** Lets stream steps and promise callbacks run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

/** Whether `promise` has settled by now. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(() => done = true, () => done = true);
  await settle();
  return done;
}

Deno.test("outbound hold: only urgent frames leave while held; the others keep their order behind; release resumes", async () => {
  const { queue, reader, taken, push, next } = setUp();
  push(1);
  assert.deepEqual(await next(), [1], "1 is being written");
  push(2);
  push(3);
  queue.hold();
  push(4);
  push(10, true);
  push(11, true);
  push(5);
  assert.equal(queue.queuedBytes, 6 * 3, "held and urgent frames both wait");
  // The socket finished 1 and asks again: the urgent frames, together, before 2..5.
  assert.deepEqual(await next(), [10, 11]);
  assert.deepEqual(taken, [1]);
  assert.equal(queue.queuedBytes, 4 * 3);
  // Asked again while held, nothing urgent: the socket waits.
  const waiting = next();
  assert.equal(await settled(waiting), false, "no ordinary frame leaves while held");
  assert.deepEqual(taken, [1, 10, 11], "the urgent chunk was written");
  push(6);
  assert.equal(await settled(waiting), false);
  // An urgent frame goes straight to the waiting socket, held or not.
  push(12, true);
  assert.deepEqual(await waiting, [12]);
  assert.equal(queue.queuedBytes, 5 * 3);
  queue.release();
  assert.deepEqual(await next(), [2, 3, 4, 5, 6], "in the order they were pushed, as one chunk");
  assert.equal(queue.queuedBytes, 0);
  assert.deepEqual(taken, [1, 10, 11, 12]);
  push(7);
  assert.deepEqual(await next(), [7], "not held any more");
  assert.deepEqual(taken, [1, 10, 11, 12, 2, 3, 4, 5, 6]);
  await reader.cancel();
});

Deno.test("outbound hold: release() hands the held frames to a socket already waiting", async () => {
  const { queue, reader, push, next } = setUp();
  queue.hold();
  push(1);
  push(2);
  const waiting = next();
  assert.equal(await settled(waiting), false);
  queue.release();
  assert.deepEqual(await waiting, [1, 2]);
  // release() when not held, or twice, changes nothing.
  queue.release();
  push(3);
  assert.deepEqual(await next(), [3]);
  await reader.cancel();
});

Deno.test("outbound hold: hold() and release() with nothing held leave the socket waiting for the next frame", async () => {
  const { queue, reader, push, next } = setUp();
  const waiting = next();
  queue.hold();
  queue.release();
  assert.equal(await settled(waiting), false);
  push(1);
  assert.deepEqual(await waiting, [1]);
  await reader.cancel();
});

Deno.test("outbound hold: the chunk being written is never split; hold() applies from the next chunk", async () => {
  const { queue, reader, taken, push, next } = setUp();
  // 1, 2, 3 queue up before the socket asks: they leave as one chunk.
  push(1);
  push(2);
  push(3);
  assert.deepEqual(await next(), [1, 2, 3]);
  // Held while that chunk is written: it still completes whole, the urgent frame after it.
  queue.hold();
  push(10, true);
  push(4);
  assert.deepEqual(taken, [], "nothing taken yet: the chunk is still being written");
  assert.deepEqual(await next(), [10]);
  assert.deepEqual(taken, [1, 2, 3], "the whole chunk was taken, none of it held back");
  queue.release();
  assert.deepEqual(await next(), [4]);
  await reader.cancel();
});

Deno.test("outbound hold: frames queued before hold() but not yet handed to the socket are held too", async () => {
  const { queue, reader, push, next } = setUp();
  push(1);
  assert.deepEqual(await next(), [1]);
  push(2);
  push(3);
  queue.hold();
  push(10, true);
  assert.deepEqual(await next(), [10], "the urgent frame passes 2 and 3");
  queue.release();
  assert.deepEqual(await next(), [2, 3]);
  await reader.cancel();
});

Deno.test("outbound hold: close() while held drops every frame, urgent ones too; none is taken", async () => {
  const { queue, reader, taken, push, next } = setUp();
  push(1);
  assert.deepEqual(await next(), [1]);
  queue.hold();
  push(2);
  push(10, true);
  push(3);
  queue.close();
  assert.equal(queue.queuedBytes, 0);
  // The socket asks again: nothing comes (the connection aborts the pipe on close).
  const waiting = reader.read();
  assert.equal(await settled(waiting), false);
  push(4);
  push(11, true);
  queue.release();
  assert.equal(await settled(waiting), false, "nothing leaves after close(), held or released");
  assert.equal(queue.queuedBytes, 0, "pushes after close() are ignored");
  assert.deepEqual(taken, [], "no onTaken runs after close(), not even the written chunk's");
  await reader.cancel();
  assert.equal((await waiting).done, true);
});
