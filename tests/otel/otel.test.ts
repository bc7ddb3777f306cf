/**
 * The OpenTelemetry adapter (`@kafkats/producer/otel`) against the real
 * broker, with the OpenTelemetry SDK's in-memory exporters: one PRODUCER
 * span `send {topic}` per record with the messaging semantic conventions'
 * attributes, child of the active context; status ERROR and `error.type`
 * on failure; the W3C `traceparent` header read back by Kafka's Java
 * consumer; `messaging.client.operation.duration` and
 * `messaging.client.sent.messages` with their values; the options that turn
 * the headers and the key off; and the API module itself as options.
 */
import assert from "node:assert/strict";
import * as api from "@opentelemetry/api";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import {
  AggregationTemporality,
  type DataPoint,
  type Histogram,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { InvalidRecordError, Producer, type ProducerRecord } from "../../mod.ts";
import {
  DURATION_METRIC,
  instrumentProducer,
  type ProducerInstrumentationOptions,
  SENT_METRIC,
} from "../../lib/otel/mod.ts";
import { BOOTSTRAP, createTopic, readBack, uniqueTopic } from "../support/cluster.ts";
import { fakeBroker } from "../support/fake_broker/mod.ts";

const [HOST, PORT] = BOOTSTRAP.split(":");

/** An SDK with in-memory exporters, and the adapter's options over it. */
function sdk(parent?: api.Context) {
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(spans)],
  });
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({
    exporter: metricExporter,
    exportIntervalMillis: 3_600_000,
  });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const options: ProducerInstrumentationOptions = {
    trace: api.trace,
    context: parent === undefined ? api.context : { active: () => parent },
    tracerProvider,
    metrics: meterProvider,
    propagation: new W3CTraceContextPropagator(),
  };
  /** The metric named `name`'s data points, after a collection. */
  async function points(name: string): Promise<DataPoint<unknown>[]> {
    await meterProvider.forceFlush();
    const all = metricExporter.getMetrics().at(-1)?.scopeMetrics.flatMap((s) => s.metrics) ?? [];
    return all.filter((m) => m.descriptor.name === name).flatMap((m) =>
      m.dataPoints as DataPoint<unknown>[]
    );
  }
  return {
    spans,
    tracerProvider,
    options,
    points,
    async shutdown() {
      await meterProvider.shutdown();
      await tracerProvider.shutdown();
    },
  };
}

function sendSpans(exporter: InMemorySpanExporter): ReadableSpan[] {
  return exporter.getFinishedSpans().filter((s) => s.name.startsWith("send "));
}

Deno.test("otel: a PRODUCER span per record, traceparent read back by Java, both metrics", async () => {
  const topic = uniqueTopic("otel");
  await createTopic(topic, 2);
  const parentTracer = new BasicTracerProvider().getTracer("test");
  const parentSpan = parentTracer.startSpan("request");
  const telemetry = sdk(api.trace.setSpan(api.ROOT_CONTEXT, parentSpan));
  const clientId = uniqueTopic("otel-client");
  const producer = instrumentProducer(
    new Producer({ bootstrapServers: BOOTSTRAP, clientId }),
    telemetry.options,
  );
  const records: ProducerRecord[] = Array.from({ length: 10 }, (_, i) => ({
    topic,
    key: `k${i}`,
    value: `v${i}`,
    // Headers the record has stay, as an object or as pairs.
    headers: i % 2 === 0 ? { app: `a${i}` } : [["app", `a${i}`]],
  }));
  const metadata = await Promise.all(records.map((r) => producer.send(r)));
  await producer.close();

  const spans = sendSpans(telemetry.spans);
  assert.equal(spans.length, 10);
  const byKey = new Map(spans.map((s) => [s.attributes["messaging.kafka.message.key"], s]));
  for (const [i, md] of metadata.entries()) {
    const span = byKey.get(`k${i}`)!;
    assert.equal(span.name, `send ${topic}`);
    assert.equal(span.kind, api.SpanKind.PRODUCER);
    assert.equal(span.status.code, api.SpanStatusCode.UNSET);
    assert.equal(span.parentSpanContext?.spanId, parentSpan.spanContext().spanId);
    assert.equal(span.spanContext().traceId, parentSpan.spanContext().traceId);
    assert.deepEqual(span.attributes, {
      "messaging.system": "kafka",
      "messaging.operation.name": "send",
      "messaging.operation.type": "send",
      "messaging.destination.name": topic,
      "messaging.destination.partition.id": String(md.partition),
      "messaging.kafka.message.key": `k${i}`,
      "messaging.kafka.offset": Number(md.offset),
      "messaging.client.id": clientId,
      "server.address": HOST,
      "server.port": Number(PORT),
    });
    assert.equal(span.instrumentationScope.name, "@kafkats/producer");
  }

  // Kafka's Java consumer reads each record's traceparent: its own span's context.
  const consumed = await readBack(topic, 10);
  assert.equal(consumed.length, 10);
  for (const record of consumed) {
    const key = atob(record.k!);
    const span = byKey.get(key)!;
    const headers = new Map(record.h.map(([k, v]) => [k, v === null ? null : atob(v)]));
    const { traceId, spanId } = span.spanContext();
    assert.equal(headers.get("traceparent"), `00-${traceId}-${spanId}-01`);
    assert.equal(headers.get("app"), `a${key.slice(1)}`);
    assert.equal(record.h.length, 2, "app and traceparent (no tracestate: the trace has none)");
  }
  assert.ok(consumed.every((r) => r.h.some(([k]) => k === "traceparent")));

  const durations = await telemetry.points(DURATION_METRIC);
  const count = durations.reduce((n, p) => n + (p.value as Histogram).count, 0);
  assert.equal(count, 10);
  for (const point of durations) {
    const value = point.value as Histogram;
    assert.ok(value.sum! > 0 && value.max! < 30, `seconds: ${value.sum}`);
    assert.equal(point.attributes["messaging.system"], "kafka");
    assert.equal(point.attributes["messaging.operation.name"], "send");
    assert.equal(point.attributes["messaging.operation.type"], "send");
    assert.equal(point.attributes["messaging.destination.name"], topic);
    assert.equal(point.attributes["server.address"], HOST);
    assert.equal(point.attributes["server.port"], Number(PORT));
    assert.equal(point.attributes["error.type"], undefined);
    assert.equal(point.attributes["messaging.kafka.message.key"], undefined, "no key on metrics");
  }
  const sent = await telemetry.points(SENT_METRIC);
  assert.equal(sent.reduce((n, p) => n + (p.value as number), 0), 10);
  assert.deepEqual(
    new Set(sent.map((p) => p.attributes["messaging.destination.partition.id"])),
    new Set(metadata.map((md) => String(md.partition))),
  );
  parentSpan.end();
  await telemetry.shutdown();
});

Deno.test("otel: a failed send is an ERROR span with error.type, and counted with it", async () => {
  const topic = uniqueTopic("otel-error");
  await createTopic(topic, 1);
  const telemetry = sdk();
  await using producer = instrumentProducer(
    new Producer({ bootstrapServers: BOOTSTRAP, maxRequestSize: 1000 }),
    telemetry.options,
  );
  await assert.rejects(producer.send({ topic, partition: 5, value: "v" }), InvalidRecordError);
  await assert.rejects(
    producer.send({ topic, value: "x".repeat(2000) }),
    /RecordTooLargeError|larger/,
  );
  await producer.send({ topic, value: "fine" });

  const spans = sendSpans(telemetry.spans);
  assert.equal(spans.length, 3);
  const [outOfRange, tooLarge, fine] = spans;
  assert.equal(outOfRange.status.code, api.SpanStatusCode.ERROR);
  assert.match(outOfRange.status.message!, /partition 5 is out of range/);
  assert.equal(outOfRange.attributes["error.type"], "InvalidRecordError");
  assert.equal(outOfRange.attributes["messaging.destination.partition.id"], "5");
  assert.equal(outOfRange.events[0].name, "exception");
  assert.equal(tooLarge.attributes["error.type"], "RecordTooLargeError");
  assert.equal(fine.status.code, api.SpanStatusCode.UNSET);
  assert.equal(fine.attributes["error.type"], undefined);

  const durations = await telemetry.points(DURATION_METRIC);
  const byError = new Map<unknown, number>();
  for (const p of durations) {
    const type = p.attributes["error.type"];
    byError.set(type, (byError.get(type) ?? 0) + (p.value as Histogram).count);
  }
  assert.deepEqual(
    byError,
    new Map<unknown, number>([["InvalidRecordError", 1], ["RecordTooLargeError", 1], [
      undefined,
      1,
    ]]),
  );
  const sent = await telemetry.points(SENT_METRIC);
  assert.equal(sent.reduce((n, p) => n + (p.value as number), 0), 3);
  assert.equal(
    sent.filter((p) => p.attributes["error.type"] !== undefined).reduce(
      (n, p) => n + (p.value as number),
      0,
    ),
    2,
  );
  await telemetry.shutdown();
});

Deno.test("otel: injectTraceContext and recordMessageKey off; instrumenting twice changes nothing", async () => {
  const broker = fakeBroker({ partitions: 1 });
  const telemetry = sdk();
  const producer = new Producer({ bootstrapServers: "fake:9092", transport: broker.transport });
  const passed: ProducerRecord[] = [];
  const send = producer.send.bind(producer);
  producer.send = (record, options) => {
    passed.push(record);
    return send(record, options);
  };
  instrumentProducer(producer, {
    ...telemetry.options,
    injectTraceContext: false,
    recordMessageKey: false,
  });
  instrumentProducer(producer, telemetry.options);
  const record: ProducerRecord = { topic: "t", key: "secret-ish key", value: null };
  await producer.send(record);
  await producer.close();
  assert.equal(passed.length, 1);
  assert.equal(passed[0], record, "the record as given: no headers added");
  const [span] = sendSpans(telemetry.spans);
  assert.equal(sendSpans(telemetry.spans).length, 1, "one span: the second call did nothing");
  assert.equal(span.attributes["messaging.kafka.message.key"], undefined);
  assert.equal(span.attributes["messaging.kafka.message.tombstone"], true);
  assert.equal(span.attributes["server.address"], "fake");
  await telemetry.shutdown();
});

Deno.test("otel: the API module itself fits the options (no SDK registered: no-op)", async () => {
  const broker = fakeBroker({ partitions: 1 });
  const passed: ProducerRecord[] = [];
  const producer = new Producer({ bootstrapServers: "fake:9092", transport: broker.transport });
  const send = producer.send.bind(producer);
  producer.send = (record, options) => {
    passed.push(record);
    return send(record, options);
  };
  instrumentProducer(producer, api);
  const md = await producer.send({ topic: "t", value: "v", headers: [["a", "1"]] });
  assert.equal(md.offset, 0n);
  // The global propagator is a no-op until the application sets one: no header added.
  assert.deepEqual(passed[0].headers, [["a", "1"]]);
  await producer.close();
});
