/**
 * What tests/node/npm_package.test.ts runs in an empty folder where
 * `npm install kafkats-producer-<version>.tgz` installed the package, as a
 * user would, under Node 24, Node 20, Bun and Deno: plain JavaScript importing
 * `@kafkats/producer` by its name. using.mjs (`await using`) and plain.mjs
 * (try/finally, for Node 20, which cannot parse `await using`) share this.
 *
 * argv[2] names a JSON spec: `bootstrap`, `producer` (more options: codec,
 * tls, sasl), `send` and `pipe` (records; a `valueBase64` becomes a
 * Uint8Array value), `expectNoZstd`. The one line printed is JSON: the
 * runtime, what each `send()` resolved to, the records the piped producer
 * sent, and the checks' results.
 */
import { readFileSync } from "node:fs";
import { ConfigError, Producer } from "@kafkats/producer";

/** The run's spec. */
export const spec = JSON.parse(readFileSync(process.argv[2], "utf8"));

/** The producer's options: acks=all, idempotent, and the spec's. */
export function options() {
  return {
    bootstrapServers: spec.bootstrap,
    acks: "all",
    enableIdempotence: true,
    maxBlockMs: 20000,
    ...spec.producer,
  };
}

function record(r) {
  if (r.valueBase64 === undefined) return r;
  const { valueBase64, ...rest } = r;
  return { ...rest, value: Uint8Array.from(atob(valueBase64), (c) => c.charCodeAt(0)) };
}

/** `send()` of every `spec.send` record at once: where each was written. */
export async function sendAll(producer) {
  const mds = await Promise.all(spec.send.map((r) => producer.send(record(r))));
  return mds.map((md) => ({ partition: md.partition, offset: String(md.offset) }));
}

/** `spec.pipe` through `pipeTo(producer.writable)`: the records the producer counted. */
export async function pipeAll(producer) {
  await ReadableStream.from(spec.pipe.map(record)).pipeTo(producer.writable);
  return producer.metrics().recordsSent;
}

/** What must fail before anything is sent: zstd where node:zlib has none. */
export function checks() {
  const result = {};
  if (spec.expectNoZstd) {
    try {
      new Producer({ bootstrapServers: spec.bootstrap, compressionType: "zstd" });
      result.zstd = "constructed";
    } catch (error) {
      result.zstd = {
        configError: error instanceof ConfigError,
        name: error.name,
        message: error.message,
      };
    }
  }
  return result;
}

/** Prints the run's result as one JSON line. */
export function report(result) {
  const runtime = globalThis.Deno !== undefined
    ? `Deno ${globalThis.Deno.version.deno}`
    : process.versions.bun === undefined
    ? `Node ${process.versions.node}`
    : `Bun ${process.versions.bun}`;
  console.log(JSON.stringify({ runtime, ...result }));
}
