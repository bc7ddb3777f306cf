/**
 * The connection's outbound pipeline (request frames → OutboundQueue →
 * pipeTo(socket.writable)): where frames wait, when an acks=0 send counts as
 * written, what a failed or closed pipe does. The broker is the in-memory
 * fake of tests/support/fake_broker/ behind a socket whose writes the test
 * holds, fails or counts — faults a real broker can't produce on demand.
 */
import assert from "node:assert/strict";
import { NetworkError, TimeoutError } from "../../mod.ts";
import { Connection } from "../../lib/net/connection.ts";
import type { Socket, Transport } from "../../lib/net/transport.ts";
import { Produce, type ProduceRequest } from "../../lib/protocol/messages/produce.ts";
import { fakeBroker } from "../support/fake_broker/mod.ts";

/** The fake broker's socket, with every write after the handshake under the test's control. */
interface HeldSocket {
  transport: Transport;
  /** Chunks written to the socket, as their sizes. */
  chunks: number[];
  /** While true, writes wait for {@link HeldSocket.release}. */
  hold: boolean;
  /** Lets the held writes complete. */
  release(): void;
  /** Makes the next write fail with this error. */
  failNext: Error | null;
}

function heldSocket(): HeldSocket {
  const broker = fakeBroker({ partitions: 1 });
  let waiting: (() => void)[] = [];
  const held: HeldSocket = {
    chunks: [],
    hold: false,
    failNext: null,
    release() {
      for (const go of waiting.splice(0)) go();
    },
    transport: {
      async connect(host, port): Promise<Socket> {
        const inner = await broker.transport.connect(host, port);
        const writer = inner.writable.getWriter();
        let gone = false;
        return {
          readable: inner.readable,
          writable: new WritableStream<Uint8Array>({
            async write(chunk) {
              if (held.failNext) {
                const error = held.failNext;
                held.failNext = null;
                throw error;
              }
              held.chunks.push(chunk.length);
              if (held.hold) {
                await new Promise<void>((resolve) => waiting.push(resolve));
                if (gone) throw new Error("socket closed");
              }
              await writer.write(chunk);
            },
          }),
          close() {
            gone = true;
            waiting.forEach((go) => go());
            waiting = [];
            inner.close();
          },
        };
      },
    },
  };
  return held;
}

function open(transport: Transport): Promise<Connection> {
  return Connection.open(transport, "fake", 9092, {
    clientId: "outbound-test",
    connectTimeoutMs: 5000,
    maxFrameSize: 1 << 20,
  });
}

/** An acks=0 Produce request the fake broker reads and does not answer. */
function acks0(bytes: number): ProduceRequest {
  return {
    transactionalId: null,
    acks: 0,
    timeoutMs: 1000,
    topics: [{
      name: "t",
      topicId: null,
      partitions: [{ index: 0, records: new Uint8Array(bytes) }],
    }],
  };
}

/** Lets pending promise callbacks and stream steps run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 10));
}

Deno.test("outbound: an acks=0 send resolves once the socket took its frame; frames queued meanwhile wait in the queue and leave as one chunk", async () => {
  const socket = heldSocket();
  const connection = await open(socket.transport);
  try {
    const version = connection.versionFor(Produce);
    socket.hold = true;
    socket.chunks.length = 0;
    const done = [false, false, false];
    const sends = [40, 50, 60].map((n, i) =>
      connection.send(Produce, version, acks0(n), 5000).then(() => void (done[i] = true))
    );
    await settle();
    // The first frame is in the socket's write; the next two wait in the queue.
    assert.equal(socket.chunks.length, 1);
    assert.deepEqual(done, [false, false, false], "nothing was written yet");
    const [first] = socket.chunks;
    assert.ok(connection.queuedBytes > 0);
    const queued = connection.queuedBytes;
    socket.release();
    await settle();
    assert.deepEqual(done, [true, false, false], "the first frame's write completed");
    assert.deepEqual(socket.chunks, [first, queued], "the two queued frames left as one chunk");
    assert.equal(connection.queuedBytes, 0);
    socket.release();
    await Promise.all(sends);
    assert.deepEqual(done, [true, true, true]);
  } finally {
    connection.close();
  }
});

Deno.test("outbound: requests keep their correlation and order through the queue", async () => {
  const socket = heldSocket();
  const connection = await open(socket.transport);
  try {
    const version = connection.versionFor(Produce);
    socket.hold = true;
    const request = (n: number): ProduceRequest => ({ ...acks0(n), acks: 1 });
    const responses = [10, 20, 30, 40].map((n) =>
      connection.request(Produce, version, request(n), 5000)
    );
    await settle();
    assert.equal(connection.inFlight, 4, "queued requests count as in flight");
    socket.hold = false;
    socket.release();
    for (const response of await Promise.all(responses)) {
      assert.equal(response.topics[0].partitions[0].errorCode, 0);
    }
    assert.equal(connection.inFlight, 0);
  } finally {
    connection.close();
  }
});

Deno.test("outbound: a failed socket write closes the connection with a NetworkError carrying the cause", async () => {
  const socket = heldSocket();
  const connection = await open(socket.transport);
  const cause = new Error("broken pipe (test)");
  socket.failNext = cause;
  const version = connection.versionFor(Produce);
  const error = await connection.send(Produce, version, acks0(10), 5000).then(
    () => assert.fail("the send succeeded"),
    (e: Error) => e,
  );
  assert.ok(error instanceof NetworkError, String(error));
  assert.match(error.message, /write to fake:9092 failed: broken pipe \(test\)/);
  assert.equal(error.cause, cause);
  assert.equal(await connection.closed, error);
  await assert.rejects(connection.request(Produce, version, acks0(10), 5000), NetworkError);
});

Deno.test("outbound: close() rejects sends and requests still queued, cancels the stream, leaves no timer", async () => {
  const socket = heldSocket();
  const connection = await open(socket.transport);
  const version = connection.versionFor(Produce);
  socket.hold = true;
  const sends = [10, 20].map((n) => connection.send(Produce, version, acks0(n), 60_000));
  const request = connection.request(Produce, version, { ...acks0(30), acks: 1 }, 60_000);
  await settle();
  assert.ok(connection.queuedBytes > 0);
  const reason = new NetworkError("closed by the test");
  connection.close(reason);
  for (const p of [...sends, request]) assert.equal(await p.catch((e) => e), reason);
  assert.equal(connection.queuedBytes, 0);
  // The sanitizers fail this test if a send or request timer was left behind.
});

Deno.test("outbound: an acks=0 send the socket never takes fails with TimeoutError and closes the connection", async () => {
  const socket = heldSocket();
  const connection = await open(socket.transport);
  socket.hold = true;
  const started = Date.now();
  const error = await connection.send(Produce, connection.versionFor(Produce), acks0(10), 300)
    .then(() => assert.fail("the send succeeded"), (e: Error) => e);
  assert.ok(error instanceof TimeoutError, String(error));
  assert.match(error.message, /Produce request to fake:9092 was not written within 300 ms/);
  assert.ok(Date.now() - started >= 290, `after ${Date.now() - started} ms`);
  const reason = await connection.closed;
  assert.ok(reason instanceof NetworkError);
  assert.equal(reason.cause, error);
});
