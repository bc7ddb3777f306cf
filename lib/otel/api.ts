/**
 * The parts of the OpenTelemetry API the adapter calls, written out as
 * structural types: `@opentelemetry/api`'s own objects (`trace`, `context`,
 * `metrics`, `propagation`, an SDK's TracerProvider or MeterProvider) fit
 * them, and this package needs neither the API's code nor its types, so it
 * works, type-checks and builds where the API is not installed.
 * `tests/otel/` checks that the API's objects fit.
 *
 * @module
 */

/** Attribute values of a span or a measurement (OpenTelemetry's `Attributes`). */
export type OtelAttributes = Record<string, string | number | boolean>;

/** A span, as the adapter uses it (OpenTelemetry's `Span`). */
export interface OtelSpan {
  /** Sets one attribute. */
  setAttribute(key: string, value: string | number | boolean): unknown;
  /** Sets several attributes. */
  setAttributes(attributes: OtelAttributes): unknown;
  /** Sets the status: `code` 2 is ERROR. */
  setStatus(status: { code: number; message?: string }): unknown;
  /** Adds an exception event. */
  recordException(exception: Error): void;
  /** Ends the span. */
  end(): void;
  /** Whether the span records anything (false: sampled out, or the no-op API). */
  isRecording(): boolean;
}

/** A tracer (OpenTelemetry's `Tracer`); `kind` 3 is PRODUCER. */
export interface OtelTracer {
  /** Starts a span, child of the span in `context` if any. */
  startSpan(
    name: string,
    options: { kind: number; attributes: OtelAttributes },
    context: unknown,
  ): OtelSpan;
}

/** Something that gives tracers: the API's `trace`, or an SDK's TracerProvider. */
export interface OtelTracerProvider {
  /** The tracer of an instrumentation scope. */
  getTracer(name: string, version?: string): OtelTracer;
}

/** The API's `trace`: gives tracers and puts a span into a context. */
export interface OtelTraceApi extends OtelTracerProvider {
  /** `context` with `span` as its active span. */
  setSpan(context: unknown, span: OtelSpan): unknown;
}

/** The API's `context`. */
export interface OtelContextApi {
  /** The active context. */
  active(): unknown;
}

/** A histogram (OpenTelemetry's `Histogram`). */
export interface OtelHistogram {
  /** Records a value. */
  record(value: number, attributes?: OtelAttributes): void;
}

/** A counter (OpenTelemetry's `Counter`). */
export interface OtelCounter {
  /** Adds to the count. */
  add(value: number, attributes?: OtelAttributes): void;
}

/** Options of an instrument, as the API takes them. */
export interface OtelInstrumentOptions {
  /** What it measures. */
  description?: string;
  /** Its unit (UCUM: `s`, `{message}`). */
  unit?: string;
  /** Hints to the SDK: the histogram's bucket boundaries. */
  advice?: { explicitBucketBoundaries?: number[] };
}

/** A meter (OpenTelemetry's `Meter`). */
export interface OtelMeter {
  /** A histogram instrument. */
  createHistogram(name: string, options?: OtelInstrumentOptions): OtelHistogram;
  /** A counter instrument. */
  createCounter(name: string, options?: OtelInstrumentOptions): OtelCounter;
}

/** Something that gives meters: the API's `metrics`, or an SDK's MeterProvider. */
export interface OtelMeterProvider {
  /** The meter of an instrumentation scope. */
  getMeter(name: string, version?: string): OtelMeter;
}

/** What writes a context into a carrier (OpenTelemetry's `TextMapPropagator`, or the API's `propagation`). */
export interface OtelPropagator {
  /** Writes the fields of `context` (`traceparent`, …) into `carrier` through `setter`. */
  inject(
    context: unknown,
    carrier: Record<string, string>,
    setter: { set(carrier: Record<string, string>, key: string, value: string): void },
  ): void;
}
