/**
 * ConnectionPool on its own, over the in-memory fake broker's transport
 * (`tests/support/fake_broker/`): one connection per address, the reconnect
 * backoff (50 → 1000 ms, ±20% jitter), and close() ending connects still in
 * progress.
 */
import assert from "node:assert/strict";
import { NetworkError } from "../../lib/errors.ts";
import { ConnectionPool } from "../../lib/net/pool.ts";
import type { Socket, Transport } from "../../lib/net/transport.ts";
import { fakeBroker } from "../support/fake_broker/mod.ts";

const OPTIONS = { clientId: "pool-test", connectTimeoutMs: 5000, maxFrameSize: 1 << 20 };
/** The reconnect backoff's base after each failure in a row, in ms. */
const BASES = [50, 100, 200, 400, 800, 1000, 1000];

/** A transport to a fresh fake broker that logs every connect as `host:port`. */
function loggedTransport(): { transport: Transport; connects: string[] } {
  const inner = fakeBroker().transport;
  const connects: string[] = [];
  return {
    connects,
    transport: {
      connect(host, port) {
        connects.push(`${host}:${port}`);
        return inner.connect(host, port);
      },
    },
  };
}

/** A transport whose every connect is refused. */
const refusing: Transport = { connect: () => Promise.reject(new Error("refused")) };

/** Fails one connect to `address` through `pool`; returns the time window the backoff was set in. */
async function failOnce(pool: ConnectionPool, address: string): Promise<[number, number]> {
  const before = Date.now();
  await assert.rejects(
    pool.get(address),
    (e: unknown) => e instanceof NetworkError && /cannot connect to a:1: refused/.test(e.message),
  );
  return [before, Date.now()];
}

/** Whether `promise` settles within `ms`. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<boolean>((resolve) => timer = setTimeout(() => resolve(false), ms));
  try {
    return await Promise.race([promise.then(() => true, () => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("pool: one connection per address; concurrent gets share one connect; [v6]:port unbracketed", async () => {
  const { transport, connects } = loggedTransport();
  let changes = 0;
  const pool = new ConnectionPool(transport, OPTIONS, () => changes++);
  try {
    assert.equal(pool.ready("a:1", Date.now()), null, "nothing open yet: a connect starts");
    const [a1, a2, b, v6] = await Promise.all([
      pool.get("a:1"),
      pool.get("a:1"),
      pool.get("b:2"),
      pool.get("[::1]:9092"),
    ]);
    assert.equal(a1, a2, "one connection for one address");
    assert.notEqual(a1, b);
    assert.deepEqual([a1.address, b.address, v6.address], ["a:1", "b:2", "[::1]:9092"]);
    assert.deepEqual(connects, ["a:1", "b:2", "::1:9092"], "one connect per address");
    assert.equal(pool.ready("a:1", Date.now()), a1, "ready() hands out the open connection");
    assert.equal(await pool.get("a:1"), a1);
    assert.equal(connects.length, 3, "no connect for an open address");
    assert.equal(changes, 3, "onChange once per connection opened");
  } finally {
    pool.close();
  }
});

Deno.test("pool: reconnect backoff doubles from 50 ms to 1000 ms, jitter 0.8–1.2 × base", async () => {
  const random = Math.random;
  try {
    for (const r of [0, 0.999999]) {
      Math.random = () => r;
      const pool = new ConnectionPool(refusing, OPTIONS, () => {});
      for (const base of BASES) {
        const [before, after] = await failOnce(pool, "a:1");
        const delay = Math.round(base * (0.8 + r * 0.4)); // whole milliseconds
        const retryAt = pool.retryAtMs("a:1");
        assert.ok(
          retryAt >= before + delay && retryAt <= after + delay,
          `random ${r}, base ${base}: retry ${retryAt - after} ms after the failure, want ${delay}`,
        );
      }
      pool.close();
    }
  } finally {
    Math.random = random;
  }
  const pool = new ConnectionPool(refusing, OPTIONS, () => {});
  for (const base of BASES) {
    const [before, after] = await failOnce(pool, "a:1");
    const retryAt = pool.retryAtMs("a:1");
    assert.ok(retryAt - before >= 0.8 * base, `base ${base}: ${retryAt - before} ms`);
    assert.ok(retryAt - after <= 1.2 * base, `base ${base}: ${retryAt - after} ms`);
  }
  pool.close();
});

Deno.test("pool: ready() waits out the backoff before reconnecting; a connection that opened resets it to 50 ms", async () => {
  const inner = fakeBroker().transport;
  let up = false;
  let connects = 0;
  const transport: Transport = {
    connect(host, port) {
      connects++;
      return up ? inner.connect(host, port) : Promise.reject(new Error("refused"));
    },
  };
  let changed = Promise.withResolvers<void>();
  const pool = new ConnectionPool(transport, OPTIONS, () => changed.resolve());
  try {
    for (let i = 0; i < 3; i++) await failOnce(pool, "a:1");
    const retryAt = pool.retryAtMs("a:1");
    assert.equal(pool.ready("a:1", retryAt - 1), null);
    assert.equal(connects, 3, "no connect during the backoff");

    up = true;
    changed = Promise.withResolvers();
    assert.equal(pool.ready("a:1", retryAt), null, "the backoff is over: a connect starts");
    assert.equal(connects, 4);
    await changed.promise;
    const connection = pool.ready("a:1", Date.now());
    assert.ok(connection !== null, "open once the connect succeeded");

    changed = Promise.withResolvers();
    const before = Date.now();
    connection.close();
    await changed.promise;
    const after = Date.now();
    const again = pool.retryAtMs("a:1");
    assert.ok(
      again >= before + 40 && again <= after + 60,
      `after a closed connection: retry in ${again - after} ms, want 40–60`,
    );
    assert.equal(pool.ready("a:1", Date.now()), null, "the closed connection is not handed out");
  } finally {
    pool.close();
  }
});

Deno.test("pool: close() ends a connect in progress at once, closes its late socket and the open connections, refuses new gets", async () => {
  const inner = fakeBroker().transport;
  const held = Promise.withResolvers<void>();
  const lateSocketClosed = Promise.withResolvers<void>();
  const transport: Transport = {
    async connect(host, port): Promise<Socket> {
      const socket = await inner.connect(host, port);
      if (host !== "a") return socket;
      await held.promise;
      return {
        readable: socket.readable,
        writable: socket.writable,
        close() {
          lateSocketClosed.resolve();
          socket.close();
        },
      };
    },
  };
  const pool = new ConnectionPool(transport, OPTIONS, () => {});
  const open = await pool.get("b:2");
  const connecting = pool.get("a:1");
  const started = Date.now();
  pool.close();
  await assert.rejects(
    connecting,
    (e: unknown) =>
      e instanceof NetworkError &&
      /connecting to a:1 was abandoned: the producer closed/.test(e.message),
  );
  const ms = Date.now() - started;
  assert.ok(ms < 1000, `the connect ended after ${ms} ms, not at connectTimeoutMs`);
  assert.ok((await open.closed) instanceof NetworkError, "the open connection is closed");

  held.resolve(); // the transport's connect completes after all
  assert.ok(
    await settlesWithin(lateSocketClosed.promise, 1000),
    "the socket that came after close() was closed",
  );
  await assert.rejects(
    pool.get("b:2"),
    (e: unknown) =>
      e instanceof NetworkError && /the producer's connections are closed/.test(e.message),
  );
});
