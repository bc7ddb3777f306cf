/**
 * The inputs of `tests/protocol/fixtures/GenCompressionVectors.java`, rebuilt
 * byte for byte, its known answers (`compression_vectors.json`), and a way to
 * have Kafka's Java codecs decompress our bytes.
 *
 * @module
 */
import vectors from "../protocol/fixtures/compression_vectors.json" with { type: "json" };
import { hex, unhex, utf8 } from "./bytes.ts";

const JAVA: Readonly<Record<string, string>> = vectors;

/** The generator's inputs, by name, in its order. */
export function compressionInputs(): Map<string, Uint8Array> {
  const records: string[] = [];
  for (let i = 0; i < 1000; i++) {
    records.push(
      `{"id":${i},"user":"user-${i % 37}","event":"click","ts":${1700000000000 + i}}\n`,
    );
  }
  const noise = new Uint8Array(33000);
  let x = 42;
  for (let i = 0; i < noise.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) | 0;
    noise[i] = x >>> 24;
  }
  return new Map([
    ["empty", new Uint8Array(0)],
    ["tiny", utf8("kafka")],
    ["records", utf8(records.join(""))],
    ["noise", noise],
  ]);
}

/** A known answer of the generator, e.g. `snappy:records` (hex) or `xxh32:tiny:0` (decimal). */
export function compressionVector(name: string): string {
  const v = JAVA[name];
  if (v === undefined) throw new Error(`no compression vector ${name}`);
  return v;
}

/** Java's compressed bytes of an input, e.g. `javaCompressed("lz4", "records")`. */
export function javaCompressed(codec: string, input: string): Uint8Array {
  return unhex(compressionVector(`${codec}:${input}`));
}

let classpath: Promise<string> | undefined;

/** Runs a command to completion; its stdout, or a rejection carrying stderr. */
async function run(cmd: string, args: string[], stdin?: string): Promise<string> {
  const child = new Deno.Command(cmd, {
    args,
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // Written while stdout is read, or a child filling its stdout pipe never finishes reading stdin.
  const writing = stdin === undefined ? Promise.resolve() : (async () => {
    const w = child.stdin.getWriter();
    await w.write(utf8(stdin));
    await w.close();
  })();
  const [{ code, stdout, stderr }] = await Promise.all([child.output(), writing]);
  const dec = new TextDecoder();
  if (code !== 0) throw new Error(`${cmd} exited ${code}: ${dec.decode(stderr)}`);
  return dec.decode(stdout);
}

/**
 * Has Kafka's Java codecs decompress each `[codec, bytes]`; returns each
 * result as hex, or as `error: …` where Java refused it. One JVM for all.
 */
export async function javaDecompress(items: [string, Uint8Array][]): Promise<string[]> {
  classpath ??= run("bash", ["scripts/kafka.sh", "classpath"]).then((s) => s.trim());
  const out = await run("java", [
    "-Xmx256m",
    "-cp",
    await classpath,
    "tests/protocol/fixtures/GenCompressionVectors.java",
    "decompress",
  ], items.map(([codec, bytes]) => `${codec} ${hex(bytes)}\n`).join(""));
  return out.split("\n").slice(0, -1);
}
