/**
 * The fake broker on a TCP listener on 127.0.0.1 (Deno only), for faults a
 * real broker can't produce on demand: a server speaking HTTP, one that
 * accepts and closes, one that never answers, and the fake's Kafka (the
 * answers of `kafka.ts`, as over the in-memory transport) with Produce
 * swallowed or not advertised, a refused handshake, or hostile metadata.
 *
 * @module
 */
import { type FakeBrokerOptions, type KafkaState, kafkaState } from "./kafka.ts";
import { openSocket } from "./memory.ts";

/** How the fake behaves on each connection. */
export type FakeBehaviour =
  /** Answers the first bytes with an HTTP response, then closes. */
  | "http"
  /**
   * Answers the first bytes as a TLS listener answers a plaintext client: a
   * fatal alert record (TLS 1.2, decode_error), then closes.
   */
  | "tls-alert"
  /** Closes every connection as soon as it is accepted. */
  | "close"
  /** Reads and never answers. */
  | "silent"
  /** ApiVersions answered with this error code and no version ranges. */
  | { apiVersionsError: number }
  /**
   * Kafka: ApiVersions advertising `produce` versions (or none), Metadata
   * naming this listener leader of `partitions` partitions of any topic
   * (indexes 0..partitions-1, or `partitionIndexes` if given: a hostile
   * broker's); Produce requests are read and never answered.
   */
  | {
    kafka: {
      produce: [number, number] | null;
      partitions: number;
      partitionIndexes?: readonly number[];
    };
  };

/** A running fake listener. */
export interface FakeListener extends AsyncDisposable {
  /** `127.0.0.1:port`. */
  readonly address: string;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Produce requests received so far. */
  readonly produceRequests: number;
}

/** Starts a fake listener; dispose it to close the listener and every connection. */
export function startFakeBroker(behaviour: FakeBehaviour): FakeListener {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  const kafka = typeof behaviour === "string"
    ? null
    : kafkaState({ host: "127.0.0.1", port, ...kafkaOptions(behaviour) });
  const conns = new Set<Deno.Conn>();
  const tasks: Promise<void>[] = [];
  let accepted = 0;
  const accepting = (async () => {
    for await (const conn of listener) {
      accepted++;
      conns.add(conn);
      const serving = kafka === null
        ? serveRaw(conn, behaviour as string)
        : serveKafka(conn, kafka);
      tasks.push(
        serving.catch(() => {}).finally(() => {
          conns.delete(conn);
          closeQuietly(conn);
        }),
      );
    }
  })().catch(() => {});
  return {
    address: `127.0.0.1:${port}`,
    get accepted() {
      return accepted;
    },
    get produceRequests() {
      return kafka?.stats.produceRequests ?? 0;
    },
    async [Symbol.asyncDispose]() {
      listener.close();
      for (const conn of conns) closeQuietly(conn);
      await accepting;
      await Promise.allSettled(tasks);
    },
  };
}

/** The fake broker options of a Kafka-speaking behaviour. */
function kafkaOptions(behaviour: Exclude<FakeBehaviour, string>): FakeBrokerOptions {
  if ("apiVersionsError" in behaviour) return { apiVersionsError: behaviour.apiVersionsError };
  const { produce, partitions, partitionIndexes } = behaviour.kafka;
  return { produceVersions: produce, answerProduce: false, partitions, partitionIndexes };
}

function closeQuietly(conn: Deno.Conn): void {
  try {
    conn.close();
  } catch {
    // already closed
  }
}

/** Serves one connection of a behaviour that is not Kafka. */
async function serveRaw(conn: Deno.Conn, behaviour: string): Promise<void> {
  if (behaviour === "close") return;
  if (behaviour === "http") {
    const reader = conn.readable.getReader();
    await reader.read();
    reader.releaseLock();
    const body = "<html>not kafka</html>";
    await conn.write(
      new TextEncoder().encode(
        `HTTP/1.1 400 Bad Request\r\nContent-Type: text/html\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      ),
    );
    return;
  }
  if (behaviour === "tls-alert") {
    const reader = conn.readable.getReader();
    await reader.read();
    reader.releaseLock();
    await conn.write(new Uint8Array([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x32]));
    return;
  }
  for await (const _ of conn.readable) { /* silent: never answer */ }
}

/**
 * Serves one connection with the fake's Kafka: bytes in go to an in-memory
 * connection of the broker, its answers go out; until either side ends.
 */
async function serveKafka(conn: Deno.Conn, kafka: KafkaState): Promise<void> {
  const socket = openSocket(kafka);
  const requests = conn.readable.pipeTo(socket.writable).catch(() => {});
  const answers = socket.readable.pipeTo(conn.writable).catch(() => {});
  try {
    await Promise.race([requests, answers]);
  } finally {
    socket.close();
  }
}
