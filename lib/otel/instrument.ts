/**
 * `instrumentProducer`: a span and two metrics per record sent, and the
 * trace context in the record's headers, by wrapping the producer's
 * `send()`.
 *
 * Why a wrapper around `send()` rather than the diagnostics events or a hook
 * inside the Producer: a span per record runs from `send()` to that record's
 * acknowledgement, and only `send()`'s promise has that record's outcome
 * (the events are per batch and per request); the trace context must be in
 * the record's headers before the record is encoded, which only a caller of
 * `send()` can do; and the core keeps no OpenTelemetry code, no hook to call
 * per record, and costs nothing more when nobody instruments it. What the
 * wrapper cannot see, the producer tells it through an internal view (its
 * `clientId`, the partition leader's address for `server.address`).
 *
 * @module
 */
import { errorMessage } from "../diagnostics/describe_error.ts";
import { type Producer, producerView, type SendOptions } from "../producer/producer.ts";
import type { ProducerRecord, RecordHeaders, RecordMetadata } from "../producer/record.ts";
import type {
  OtelAttributes,
  OtelContextApi,
  OtelCounter,
  OtelHistogram,
  OtelMeterProvider,
  OtelPropagator,
  OtelSpan,
  OtelTraceApi,
  OtelTracerProvider,
} from "./api.ts";
import {
  ATTR,
  AttributeCache,
  DURATION_BUCKETS,
  DURATION_METRIC,
  errorType,
  SENT_METRIC,
  spanAttributes,
} from "./attributes.ts";

/** The instrumentation scope's name and version (the tracer's and the meter's). */
const SCOPE = "@kafkats/producer";
const SCOPE_VERSION = "0.1.0";
/** The API's `SpanKind.PRODUCER`. */
const PRODUCER = 3;
/** The API's `SpanStatusCode.ERROR`. */
const ERROR = 2;

/**
 * The OpenTelemetry API objects the adapter works with: pass the
 * `@opentelemetry/api` module itself (`import * as api from
 * "@opentelemetry/api"`), or pick and override its parts. This package
 * imports nothing of the API: these are structural types its objects fit
 * (see `api.ts`).
 */
export interface ProducerInstrumentationOptions {
  /** The API's `trace`: it gives the tracer (unless {@link tracerProvider} does) and puts spans into contexts. */
  readonly trace: OtelTraceApi;
  /** The API's `context`: each span's parent is `context.active()` at `send()`. */
  readonly context: OtelContextApi;
  /** The API's `metrics` or any MeterProvider; without it, no metrics are recorded. */
  readonly metrics?: OtelMeterProvider;
  /**
   * The API's `propagation` or any TextMapPropagator (W3C Trace Context
   * writes `traceparent` and `tracestate`), used to put the span's context
   * into the record's headers; without it, no headers are added.
   */
  readonly propagation?: OtelPropagator;
  /** A TracerProvider to take the tracer from instead of `trace`'s global one. */
  readonly tracerProvider?: OtelTracerProvider;
  /**
   * Put the trace context into each record's headers (replacing headers of
   * the same names the record has).
   * @default true (when {@link propagation} is given)
   */
  readonly injectTraceContext?: boolean;
  /**
   * Record the record's key as `messaging.kafka.message.key` (bytes as
   * UTF-8); turn it off when keys are sensitive.
   * @default true
   */
  readonly recordMessageKey?: boolean;
}

/** Producers already instrumented: a second call changes nothing. */
const instrumented = new WeakSet<Producer>();

/** A setter writing into a plain object (the carrier of injected headers). */
const SETTER = {
  set(carrier: Record<string, string>, key: string, value: string): void {
    carrier[key] = value;
  },
};

/**
 * Instruments `producer` for OpenTelemetry and returns it. From then on each
 * `send()` (and each `send()` of a transaction body) makes:
 *
 * - a span `send {topic}` of kind PRODUCER, child of the active context,
 *   from the call to the record's acknowledgement, with the messaging
 *   semantic conventions' attributes (`messaging.system` "kafka",
 *   `messaging.operation.name` and `.type` "send",
 *   `messaging.destination.name`, `messaging.destination.partition.id`,
 *   `messaging.kafka.message.key`, `messaging.kafka.offset`,
 *   `messaging.client.id`, `server.address`/`server.port` of the partition's
 *   leader); on failure its status is ERROR with the error's message,
 *   `error.type` its name, and the exception recorded;
 * - with `metrics`: `messaging.client.operation.duration` (histogram,
 *   seconds) and `messaging.client.sent.messages` (counter), both with
 *   `error.type` when the send failed;
 * - with `propagation`: the span's context in the record's headers
 *   (`traceparent`, `tracestate` for W3C Trace Context), so a consumer
 *   continues the trace.
 *
 * Records written through `producer.writable` are not instrumented (that
 * path has no promise per record).
 *
 * @example With the global providers the application registered
 * ```ts
 * import * as api from "@opentelemetry/api";
 * import { Producer } from "@kafkats/producer";
 * import { instrumentProducer } from "@kafkats/producer/otel";
 *
 * await using producer = instrumentProducer(
 *   new Producer({ bootstrapServers: "127.0.0.1:9092" }),
 *   api,
 * );
 * await producer.send({ topic: "orders", key: "order-1", value: "created" });
 * ```
 */
export function instrumentProducer(
  producer: Producer,
  options: ProducerInstrumentationOptions,
): Producer {
  if (instrumented.has(producer)) return producer;
  instrumented.add(producer);
  const view = producerView(producer);
  const tracer = (options.tracerProvider ?? options.trace).getTracer(SCOPE, SCOPE_VERSION);
  const meter = options.metrics?.getMeter(SCOPE, SCOPE_VERSION);
  const duration: OtelHistogram | undefined = meter?.createHistogram(DURATION_METRIC, {
    description: "Duration of send operations: from send() to the acknowledgement or failure.",
    unit: "s",
    advice: { explicitBucketBoundaries: [...DURATION_BUCKETS] },
  });
  const sent: OtelCounter | undefined = meter?.createCounter(SENT_METRIC, {
    description: "Number of messages the producer attempted to send to the broker.",
    unit: "{message}",
  });
  const propagator = options.injectTraceContext === false ? undefined : options.propagation;
  const withKey = options.recordMessageKey !== false;
  const { trace, context } = options;
  const cache = new AttributeCache();
  const send = producer.send.bind(producer);

  producer.send = (record: ProducerRecord, sendOptions?: SendOptions): Promise<RecordMetadata> => {
    if (typeof record !== "object" || record === null) return send(record, sendOptions);
    const startedMs = performance.now();
    const parent = context.active();
    const span = tracer.startSpan(`send ${String(record.topic)}`, {
      kind: PRODUCER,
      attributes: spanAttributes(record, view.clientId, withKey),
    }, parent);
    let traced = record;
    if (propagator !== undefined) {
      const carrier: Record<string, string> = {};
      propagator.inject(trace.setSpan(parent, span), carrier, SETTER);
      // A copy with the headers only when the propagator wrote some (a no-op one writes none).
      for (const _ in carrier) {
        traced = { ...record, headers: withHeaders(record.headers, carrier) };
        break;
      }
    }
    const ended = (partition: number | undefined, error: unknown) => {
      const topic = String(record.topic);
      const server = partition === undefined ? undefined : view.leaderAddress(topic, partition);
      const type = error === undefined ? undefined : errorType(error);
      if (span.isRecording()) {
        span.setAttributes(cache.server(server));
        if (type !== undefined) failed(span, error, type);
      }
      span.end();
      if (meter !== undefined) {
        const attributes = cache.metric(topic, partition, server, type);
        duration!.record((performance.now() - startedMs) / 1000, attributes.duration);
        sent!.add(1, attributes.counter);
      }
    };
    return send(traced, sendOptions).then(
      (metadata) => {
        if (span.isRecording()) span.setAttributes(successAttributes(metadata));
        ended(metadata.partition, undefined);
        return metadata;
      },
      (error: unknown) => {
        ended(typeof record.partition === "number" ? record.partition : undefined, error);
        throw error;
      },
    );
  };
  return producer;
}

/** What an acknowledgement adds to the span. */
function successAttributes(metadata: RecordMetadata): OtelAttributes {
  const attributes: OtelAttributes = { [ATTR.partitionId]: String(metadata.partition) };
  if (metadata.offset >= 0n) attributes[ATTR.offset] = Number(metadata.offset);
  return attributes;
}

/** Marks `span` failed with `error` (status, `error.type`, the exception). */
function failed(span: OtelSpan, error: unknown, type: string): void {
  span.setAttribute(ATTR.errorType, type);
  span.setStatus({ code: ERROR, message: errorMessage(error) });
  if (error instanceof Error) span.recordException(error);
}

/** `headers` with those of `added` put in, replacing any of the same names. */
function withHeaders(
  headers: RecordHeaders | undefined,
  added: Readonly<Record<string, string>>,
): RecordHeaders | undefined {
  const names = Object.keys(added);
  if (names.length === 0) return headers;
  if (headers === undefined || headers === null) return { ...added };
  if (Array.isArray(headers)) {
    const pairs = headers as ReadonlyArray<readonly [string, string | Uint8Array | null]>;
    return [
      ...pairs.filter((pair) => !Array.isArray(pair) || !Object.hasOwn(added, pair[0])),
      ...names.map((name) => [name, added[name]] as const),
    ];
  }
  return { ...headers as Readonly<Record<string, string | Uint8Array>>, ...added };
}
