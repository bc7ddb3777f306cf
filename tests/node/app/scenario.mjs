/**
 * The runtime-conformance scenario itself, with no imports, so that the same
 * lines run everywhere: under Node, Bun and Deno from the installed npm
 * package (common.mjs hands it the package) and inside a Worker under
 * workerd (tests/edge/worker.ts hands it our sources). `spec` is what
 * tests/support/conformance.ts makes: `bootstrap`, `producer` (more
 * options: codec, tls, sasl), `send` and `pipe` (records; a `valueBase64`
 * becomes a Uint8Array value), `expectNoZstd`.
 */

/** The producer's options: acks=all, idempotent, and the spec's. */
export function options(spec) {
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
export async function sendAll(producer, spec) {
  const mds = await Promise.all(spec.send.map((r) => producer.send(record(r))));
  return mds.map((md) => ({ partition: md.partition, offset: String(md.offset) }));
}

/** `spec.pipe` through `pipeTo(producer.writable)`: the records the producer counted. */
export async function pipeAll(producer, spec) {
  await ReadableStream.from(spec.pipe.map(record)).pipeTo(producer.writable);
  return producer.metrics().recordsSent;
}

/** What must fail before anything is sent: zstd where node:zlib has none. */
export function checks({ Producer, ConfigError }, spec) {
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

/** The runtime's name and version, e.g. `Node 24.21.0` (workerd and Deno also set process.versions.node). */
export function runtimeName() {
  if (globalThis.navigator?.userAgent === "Cloudflare-Workers") return "workerd";
  if (globalThis.Deno !== undefined) return `Deno ${globalThis.Deno.version.deno}`;
  if (globalThis.process?.versions?.bun !== undefined) return `Bun ${process.versions.bun}`;
  return `Node ${globalThis.process.versions.node}`;
}
