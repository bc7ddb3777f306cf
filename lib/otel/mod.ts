/**
 * OpenTelemetry for the producer (`@kafkats/producer/otel`): a span per
 * record sent, the messaging semantic conventions' client metrics, and the
 * trace context carried in record headers. `@opentelemetry/api` is an
 * optional peer dependency: this module takes the API objects from you and
 * imports nothing of the API (its option types are structural: the API's
 * objects fit them), so nothing breaks where it is not installed, and the
 * producer itself has no OpenTelemetry code.
 *
 * @example Spans and metrics to the application's providers, `traceparent` in the headers
 * ```ts
 * import * as api from "@opentelemetry/api";
 * import { Producer } from "@kafkats/producer";
 * import { instrumentProducer } from "@kafkats/producer/otel";
 *
 * // Register the SDK's providers and the W3C propagator first (NodeSDK, or
 * // trace.setGlobalTracerProvider, metrics.setGlobalMeterProvider,
 * // propagation.setGlobalPropagator), then:
 * const producer = instrumentProducer(new Producer({ bootstrapServers: "127.0.0.1:9092" }), api);
 * await producer.send({ topic: "orders", key: "order-1", value: "created" });
 * await producer.close();
 * ```
 *
 * @module
 */
export { instrumentProducer, type ProducerInstrumentationOptions } from "./instrument.ts";
export { ATTR, DURATION_BUCKETS, DURATION_METRIC, SENT_METRIC } from "./attributes.ts";
export type {
  OtelAttributes,
  OtelContextApi,
  OtelCounter,
  OtelHistogram,
  OtelInstrumentOptions,
  OtelMeter,
  OtelMeterProvider,
  OtelPropagator,
  OtelSpan,
  OtelTraceApi,
  OtelTracer,
  OtelTracerProvider,
} from "./api.ts";
