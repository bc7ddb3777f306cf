// A user's TypeScript against the installed package's declarations: tests/node/npm_package.test.ts
// type-checks it (no skipLibCheck) with Node's types and no DOM, and with the DOM and no Node types.
import {
  channels,
  ConfigError,
  KafkaClientError,
  type Logger,
  Producer,
  type ProducerMetrics,
  type ProducerOptions,
  type ProducerRecord,
  type RecordMetadata,
  subscribe,
} from "@kafkats/producer";
import { type CliArgs, EXIT, type ExitCode, parseArgs } from "@kafkats/producer/cli";
import { instrumentProducer, type ProducerInstrumentationOptions } from "@kafkats/producer/otel";

const logger: Logger = (level, message, fields) => console.log(level, message, fields);
const options: ProducerOptions = {
  bootstrapServers: "127.0.0.1:9092",
  logger,
  acks: "all",
  enableIdempotence: true,
  compressionType: "zstd",
  tls: { ca: "-----BEGIN CERTIFICATE-----…" },
  sasl: { mechanism: "SCRAM-SHA-512", username: "alice", password: "alice-secret" },
};
// The ./otel export, without @opentelemetry/api installed: its option types are structural.
const otel: ProducerInstrumentationOptions = {
  trace: {
    getTracer: () => ({
      startSpan: () => ({
        setAttribute: () => {},
        setAttributes: () => {},
        setStatus: () => {},
        recordException: () => {},
        end: () => {},
        isRecording: () => false,
      }),
    }),
    setSpan: (context) => context,
  },
  context: { active: () => undefined },
};
await using producer = instrumentProducer(new Producer(options), otel);
const stop = subscribe(channels.connect, (event) => console.log(event.broker, event.errorName));
stop();
const metrics: ProducerMetrics = producer.metrics();
const latency: number | undefined = metrics.nodes["127.0.0.1:9092"]?.requestLatencyAvg;
const record: ProducerRecord = {
  topic: "t",
  key: "k",
  value: new Uint8Array(1),
  headers: [["a", null]],
};
const md: RecordMetadata = await producer.send(record);
const offset: bigint = md.offset;
const writer = producer.writable.getWriter();
await writer.write({ topic: "t", value: "v" });
const args: CliArgs = parseArgs(["produce", "-b", "127.0.0.1:9092", "-t", "t"]);
const status: ExitCode = EXIT.INTERRUPTED;
export const checked: [bigint, boolean, string | undefined, number, number | undefined] = [
  offset,
  new ConfigError("x") instanceof KafkaClientError,
  args.topic,
  status,
  latency,
];
