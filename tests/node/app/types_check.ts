// A user's TypeScript against the installed package's declarations: tests/node/npm_package.test.ts
// type-checks it (no skipLibCheck) with Node's types and no DOM, and with the DOM and no Node types.
import {
  ConfigError,
  KafkaClientError,
  Producer,
  type ProducerOptions,
  type ProducerRecord,
  type RecordMetadata,
} from "@kafkats/producer";
import { type CliArgs, EXIT, type ExitCode, parseArgs } from "@kafkats/producer/cli";

const options: ProducerOptions = {
  bootstrapServers: "127.0.0.1:9092",
  acks: "all",
  enableIdempotence: true,
  compressionType: "zstd",
  tls: { ca: "-----BEGIN CERTIFICATE-----…" },
  sasl: { mechanism: "SCRAM-SHA-512", username: "alice", password: "alice-secret" },
};
await using producer = new Producer(options);
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
export const checked: [bigint, boolean, string | undefined, number] = [
  offset,
  new ConfigError("x") instanceof KafkaClientError,
  args.topic,
  status,
];
