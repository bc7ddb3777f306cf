/**
 * Bad input catalogue, part 5: brokers that are not there or misbehave —
 * a closed port, a broker refusing the handshake, an HTTP server, a listener
 * that accepts and closes, one that never answers, a broker that never
 * answers Produce, and one without a Produce version we speak. Fake
 * listeners stand in for faults a real broker can't produce on demand.
 * Every failure is typed, names the cause, and comes within its bound.
 */
import assert from "node:assert/strict";
import {
  KafkaError,
  NetworkError,
  Producer,
  type ProducerOptions,
  ProtocolError,
  TimeoutError,
} from "../../mod.ts";
import { denoTransport } from "../../lib/net/deno.ts";
import type { Transport } from "../../lib/net/transport.ts";
import { type FakeBehaviour, startFakeBroker } from "../support/fake_broker/mod.ts";

/** Sends one record with `options`; returns the error and how long it took. */
async function failure(options: ProducerOptions): Promise<{ error: Error; ms: number }> {
  await using producer = new Producer(options);
  const started = Date.now();
  const error = await producer.send({ topic: "t", value: "v" }).then(
    () => assert.fail("the send succeeded"),
    (e: Error) => e,
  );
  return { error, ms: Date.now() - started };
}

/** A fake with `behaviour`: send fails with TimeoutError after maxBlockMs, caused by `cause`. */
async function metadataFailure(
  behaviour: FakeBehaviour,
  cause: new (...args: never[]) => Error,
  pattern: RegExp,
  extra: Partial<ProducerOptions> = {},
): Promise<void> {
  await using broker = startFakeBroker(behaviour);
  const { error, ms } = await failure({
    bootstrapServers: broker.address,
    maxBlockMs: 1500,
    ...extra,
  });
  assert.ok(error instanceof TimeoutError, String(error));
  assert.match(error.message, /topic "t" not present in metadata after 1500 ms \(last error: /);
  assert.match(error.message, pattern);
  assert.ok(error.cause instanceof cause, `cause: ${error.cause}`);
  assert.ok(ms >= 1400 && ms < 6000, `took ${ms} ms`);
  assert.ok(broker.accepted > 0, "the producer did connect");
}

Deno.test("network: closed port: TimeoutError after maxBlockMs, caused by the refused connect", async () => {
  const probe = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (probe.addr as Deno.NetAddr).port;
  probe.close(); // nothing listens there now
  const { error, ms } = await failure({ bootstrapServers: `127.0.0.1:${port}`, maxBlockMs: 1500 });
  assert.ok(error instanceof TimeoutError, String(error));
  assert.match(error.message, new RegExp(`cannot connect to 127\\.0\\.0\\.1:${port}`));
  assert.ok(error.cause instanceof NetworkError, `cause: ${error.cause}`);
  assert.ok(ms >= 1400 && ms < 6000, `took ${ms} ms`);
});

Deno.test("network: a broker refusing the handshake (ApiVersions error) names the error code", async () => {
  await metadataFailure(
    { apiVersionsError: 31 },
    KafkaError,
    /ApiVersions to 127\.0\.0\.1:\d+ failed: CLUSTER_AUTHORIZATION_FAILED/,
  );
});

Deno.test("network: an HTTP server on the port: ProtocolError, no giant allocation", async () => {
  const before = Deno.memoryUsage().rss;
  await metadataFailure("http", ProtocolError, /response frame size 1213486160 is outside 4\.\./);
  const grew = Deno.memoryUsage().rss - before;
  assert.ok(grew < 64 * 1048576, `rss grew ${grew} bytes`);
});

Deno.test("network: a TLS listener on the port: ProtocolError naming TLS at once, not after maxBlockMs", async () => {
  await using broker = startFakeBroker("tls-alert");
  const { error, ms } = await failure({ bootstrapServers: broker.address, maxBlockMs: 30000 });
  assert.ok(error instanceof ProtocolError, String(error));
  assert.equal(error.retriable, false);
  assert.match(
    error.message,
    /broker 127\.0\.0\.1:\d+ speaks TLS: it answered with a TLS alert record, not a Kafka response/,
  );
  assert.ok(ms < 5000, `took ${ms} ms`);
});

Deno.test("network: a listener that accepts and closes at once: NetworkError", async () => {
  await metadataFailure("close", NetworkError, /closed the connection|connection to .* failed/);
});

Deno.test("network: a listener that never answers: connect times out after connectTimeoutMs", async () => {
  await metadataFailure(
    "silent",
    TimeoutError,
    /connecting to 127\.0\.0\.1:\d+ took longer than 300 ms/,
    {
      connectTimeoutMs: 300,
    },
  );
});

Deno.test("network: a broker that never answers Produce: request timeout, then delivery timeout", async () => {
  await using broker = startFakeBroker({ kafka: { produce: [3, 8], partitions: 1 } });
  const { error, ms } = await failure({
    bootstrapServers: broker.address,
    acks: 1,
    lingerMs: 0,
    requestTimeoutMs: 400,
    deliveryTimeoutMs: 1500,
  });
  assert.ok(error instanceof TimeoutError, String(error));
  assert.match(
    error.message,
    /Expiring 1 record\(s\) for t-0: \d+ ms has passed since batch creation/,
  );
  assert.ok(broker.produceRequests > 0);
  assert.ok(ms >= 1400 && ms < 6000, `took ${ms} ms`);
  const cause = error.cause;
  if (cause !== undefined) {
    assert.ok(cause instanceof KafkaError, String(cause));
    assert.match(
      cause.message,
      /Produce request to 127\.0\.0\.1:\d+ got no response within 400 ms/,
    );
  }
});

Deno.test("network: acks=0 whose socket never takes the Produce bytes: TimeoutError after requestTimeoutMs", async () => {
  await using broker = startFakeBroker({ kafka: { produce: [3, 8], partitions: 1 } });
  // The real socket, except that a chunk holding a Produce request is never
  // accepted: the writes of a socket whose send buffer stays full.
  let closedSockets = 0;
  const transport: Transport = {
    async connect(host, port) {
      const socket = await denoTransport.connect(host, port);
      const writer = socket.writable.getWriter();
      const stalled: ((error: Error) => void)[] = [];
      return {
        readable: socket.readable,
        writable: new WritableStream<Uint8Array>({
          write(chunk) {
            const apiKey = (chunk[4] << 8) | chunk[5];
            if (apiKey !== 0) return writer.write(chunk);
            return new Promise<void>((_, reject) => stalled.push(reject));
          },
        }),
        close() {
          closedSockets++;
          for (const reject of stalled.splice(0)) reject(new Error("socket closed"));
          socket.close();
        },
      };
    },
  };
  const producer = new Producer({
    bootstrapServers: broker.address,
    transport,
    acks: 0,
    lingerMs: 0,
    requestTimeoutMs: 1000,
    deliveryTimeoutMs: 1000,
  });
  const started = Date.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let error: Error;
  let ms: number;
  try {
    error = await Promise.race([
      producer.send({ topic: "t", value: "v" }).then(
        () => assert.fail("the send succeeded"),
        (e: Error) => e,
      ),
      new Promise<Error>((resolve) =>
        timer = setTimeout(() => resolve(new Error("the send still waits after 5 s")), 5000)
      ),
    ]);
    ms = Date.now() - started;
  } finally {
    clearTimeout(timer);
    await producer.close({ timeoutMs: 500 });
  }
  assert.ok(error instanceof TimeoutError, String(error));
  assert.match(
    error.message,
    /Expiring 1 record\(s\) for t-0: \d+ ms has passed since batch creation/,
  );
  assert.ok(error.cause instanceof KafkaError, `cause: ${error.cause}`);
  assert.match(
    error.cause.message,
    /Produce request to 127\.0\.0\.1:\d+ was not written within 1000 ms/,
  );
  assert.ok(ms >= 900 && ms < 3000, `took ${ms} ms`);
  assert.ok(closedSockets >= 1, "the stalled connection was closed");
});

Deno.test("network: a broker with no Produce version we speak: KafkaError UNSUPPORTED_VERSION", async () => {
  await using broker = startFakeBroker({ kafka: { produce: null, partitions: 1 } });
  const { error, ms } = await failure({ bootstrapServers: broker.address, acks: 1 });
  assert.ok(error instanceof KafkaError, String(error));
  assert.equal(error.name, "UNSUPPORTED_VERSION");
  assert.equal(error.code, 35);
  assert.match(error.message, /supports Produce versions none, this client 3\.\.13/);
  assert.ok(ms < 6000, `took ${ms} ms`);
});

Deno.test("network: a transport whose connect throws: NetworkError naming it, no stray timer", async () => {
  const transport = {
    connect(): Promise<never> {
      throw new Error("no sockets in this sandbox");
    },
  };
  const { error, ms } = await failure({
    bootstrapServers: "127.0.0.1:9",
    transport,
    maxBlockMs: 800,
    connectTimeoutMs: 300,
  });
  assert.ok(error instanceof TimeoutError, String(error));
  assert.match(error.message, /cannot connect to 127\.0\.0\.1:9: no sockets in this sandbox/);
  assert.ok(error.cause instanceof NetworkError, `cause: ${error.cause}`);
  assert.ok(ms < 5000, `took ${ms} ms`);
  // Past connectTimeoutMs: a connect timer left behind would reject unhandled now.
  await new Promise((r) => setTimeout(r, 500));
});

Deno.test("network: Metadata with impossible partition indexes: ProtocolError, no 2^31-step loop, no unhandled rejection", async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (e: PromiseRejectionEvent) => {
    e.preventDefault();
    unhandled.push(e.reason);
  };
  globalThis.addEventListener("unhandledrejection", onUnhandled);
  try {
    const before = Deno.memoryUsage().rss;
    const cases: [readonly number[], RegExp][] = [
      [[0, 2147483647], /topic "t" lists partition index 2147483647 among 2 partitions/],
      [[0, 0], /topic "t" lists partition index 0 among 2 partitions/],
      [[-1], /topics\[0\]\.partitions\[0\]\.partitionIndex: -1 is below 0/],
    ];
    for (const [partitionIndexes, pattern] of cases) {
      await metadataFailure(
        { kafka: { produce: [3, 8], partitions: 0, partitionIndexes } },
        ProtocolError,
        pattern,
      );
    }
    const grew = Deno.memoryUsage().rss - before;
    assert.ok(grew < 64 * 1048576, `rss grew ${grew} bytes`);
    await new Promise((r) => setTimeout(r, 0));
    assert.deepEqual(unhandled, [], "a refresh let a rejection escape");
  } finally {
    globalThis.removeEventListener("unhandledrejection", onUnhandled);
  }
});
