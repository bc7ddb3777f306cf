/**
 * What observability costs `send()`: concurrent sends of 100 B records into
 * the in-memory fake broker (as `producer.bench.ts`'s send() bench), with
 * nobody listening (the baseline: every publisher checks
 * `channel.hasSubscribers` first), with a subscriber on every
 * `kafkats:*` diagnostics channel, with a logger, and through the
 * OpenTelemetry adapter on the API's no-op providers (its own per-record
 * cost, without an SDK's).
 *
 * Run: `deno bench -A bench/observability.bench.ts`. Every name ends with
 * `[n=… unit]`, the work of one iteration.
 *
 * @module
 */
import * as api from "@opentelemetry/api";
import { channels, Producer, type ProducerRecord, subscribe } from "../mod.ts";
import { instrumentProducer } from "../lib/otel/mod.ts";
import { fakeBroker } from "../tests/support/fake_broker/mod.ts";

const SENDS = 20_000;
const GROUP = "send() and observability, fake broker";
const value100 = new Uint8Array(100).fill(7);

/** A producer on a fresh fake broker, metadata and producer id fetched. */
async function warmProducer(
  extra: { logger?: (level: string, message: string, fields: unknown) => void } = {},
): Promise<{ producer: Producer; record: ProducerRecord }> {
  const broker = fakeBroker({ partitions: 6 });
  const producer = new Producer({
    bootstrapServers: "fake:9092",
    transport: broker.transport,
    ...extra,
  });
  const record: ProducerRecord = { topic: "bench", value: value100 };
  await producer.send(record);
  return { producer, record };
}

/** Sends SENDS records at once and waits for every acknowledgement, timed. */
async function sendAll(b: Deno.BenchContext, producer: Producer, record: ProducerRecord) {
  b.start();
  const pending: Promise<unknown>[] = new Array(SENDS);
  for (let i = 0; i < SENDS; i++) pending[i] = producer.send(record);
  await producer.flush();
  await Promise.all(pending);
  b.end();
  await producer.close();
}

Deno.bench({
  name: `concurrent send() of 100 B records, nobody subscribed [n=${SENDS} records]`,
  group: GROUP,
  baseline: true,
  n: 50,
  warmup: 20,
  async fn(b) {
    const { producer, record } = await warmProducer();
    await sendAll(b, producer, record);
  },
});

Deno.bench({
  name: `concurrent send() of 100 B records, a subscriber on every channel [n=${SENDS} records]`,
  group: GROUP,
  n: 50,
  warmup: 20,
  async fn(b) {
    let messages = 0;
    const stops = Object.values(channels).map((name) => subscribe(name, () => messages++));
    try {
      const { producer, record } = await warmProducer();
      await sendAll(b, producer, record);
    } finally {
      for (const stop of stops) stop();
    }
    if (messages === 0) throw new Error("no event published");
  },
});

Deno.bench({
  name: `concurrent send() of 100 B records, with a logger [n=${SENDS} records]`,
  group: GROUP,
  n: 50,
  warmup: 20,
  async fn(b) {
    let lines = 0;
    const { producer, record } = await warmProducer({ logger: () => lines++ });
    await sendAll(b, producer, record);
    if (lines === 0) throw new Error("nothing logged");
  },
});

Deno.bench({
  name:
    `concurrent send() of 100 B records, OpenTelemetry adapter on the no-op API [n=${SENDS} records]`,
  group: GROUP,
  n: 50,
  warmup: 20,
  async fn(b) {
    const { producer, record } = await warmProducer();
    instrumentProducer(producer, api);
    await sendAll(b, producer, record);
  },
});
