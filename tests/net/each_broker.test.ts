import assert from "node:assert/strict";
import { NetworkError } from "../../lib/errors.ts";
import type { Connection } from "../../lib/net/connection.ts";
import { tryEachBroker } from "../../lib/net/each_broker.ts";
import type { ConnectionPool } from "../../lib/net/pool.ts";

/** A pool whose connections are their address; `down` ones fail to connect. */
function pool(down: string[]): ConnectionPool {
  return {
    get: (address: string) =>
      down.includes(address)
        ? Promise.reject(new NetworkError(`cannot connect to ${address}`))
        : Promise.resolve(address as unknown as Connection),
  } as unknown as ConnectionPool;
}

Deno.test("tryEachBroker: each address once from `from`, wrapping, until one answers", async () => {
  const asked: string[] = [];
  const failures: unknown[] = [];
  const answer = await tryEachBroker(
    pool(["c:1"]),
    ["a:1", "b:1", "c:1", "d:1"],
    "x",
    (connection, address) => {
      asked.push(address);
      assert.equal(connection as unknown, address);
      if (address === "d:1") throw new Error("refused");
      return `from ${address}`;
    },
    2,
    (error) => failures.push(error),
  );
  assert.equal(answer, "from a:1");
  assert.deepEqual(asked, ["d:1", "a:1"], "c:1 did not connect, d:1 threw");
  assert.equal(failures.length, 2);
});

Deno.test("tryEachBroker: rejects with the last failure, or names what it had no broker for", async () => {
  await assert.rejects(
    tryEachBroker(pool(["b:1"]), ["a:1", "b:1"], "x", () => Promise.reject(new Error("no"))),
    /cannot connect to b:1/,
  );
  await assert.rejects(
    tryEachBroker(pool([]), [], "metadata", () => 1),
    (e: unknown) => e instanceof NetworkError && /no broker to ask for metadata/.test(e.message),
  );
});
