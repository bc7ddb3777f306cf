import assert from "node:assert/strict";
import { ProtocolError } from "../../mod.ts";
import { FrameSplitter } from "../../lib/net/frame_splitter.ts";

function frame(body: number[]): number[] {
  const n = body.length;
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255, ...body];
}

async function split(chunks: number[][], max = 1024): Promise<number[][]> {
  const out: number[][] = [];
  await ReadableStream.from(chunks.map((c) => new Uint8Array(c)))
    .pipeThrough(new FrameSplitter(max))
    .pipeTo(new WritableStream({ write: (f) => void out.push([...f]) }));
  return out;
}

Deno.test("frames inside one chunk, across chunks, and byte by byte", async () => {
  const a = frame([0, 0, 0, 1, 9]);
  const b = frame([0, 0, 0, 2, 8, 7]);
  const expected = [[0, 0, 0, 1, 9], [0, 0, 0, 2, 8, 7]];
  assert.deepEqual(await split([[...a, ...b]]), expected);
  assert.deepEqual(
    await split([a.slice(0, 2), [...a.slice(2), ...b.slice(0, 5)], b.slice(5)]),
    expected,
  );
  assert.deepEqual(await split([...a, ...b].map((x) => [x])), expected);
});

Deno.test("a hostile size prefix errors before allocating", async () => {
  await assert.rejects(
    split([[0x7f, 0xff, 0xff, 0xff, 1, 2, 3]]),
    (e: Error) =>
      e instanceof ProtocolError && /frame size 2147483647 is outside 4\.\.1024/.test(e.message),
  );
  await assert.rejects(split([[0, 0, 0, 2, 1, 2]]), ProtocolError);
});

Deno.test("a connection closed mid-frame is a protocol error", async () => {
  await assert.rejects(split([frame([0, 0, 0, 1, 2, 3]).slice(0, 6)]), /in the middle of a frame/);
});

Deno.test("a TLS record as the first bytes names TLS, not retriable; after a frame it is a bad size", async () => {
  const alert = [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x32];
  await assert.rejects(
    ReadableStream.from([new Uint8Array(alert)])
      .pipeThrough(new FrameSplitter(1024, "broker b:9093"))
      .pipeTo(new WritableStream()),
    (e: Error) =>
      e instanceof ProtocolError && !e.retriable &&
      /^broker b:9093 speaks TLS: it answered with a TLS alert record/.test(e.message),
  );
  const handshake = [0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5];
  await assert.rejects(split([handshake]), /the peer speaks TLS: .* TLS handshake record/);
  await assert.rejects(
    split([[...frame([0, 0, 0, 1]), ...alert]]),
    (e: Error) =>
      e instanceof ProtocolError && e.retriable &&
      /frame size 352518912 is outside 4\.\.1024/.test(e.message),
  );
});
