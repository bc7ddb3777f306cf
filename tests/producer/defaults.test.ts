/**
 * The defaults are written down three times: DEFAULTS (which resolveConfig
 * uses), the `@default` tags on ProducerOptions, and the README's options
 * table. These tests read the other two from the source text and hold them to
 * DEFAULTS; the derived defaults, which no table can hold, are held to what
 * resolveConfig does.
 */
import assert from "node:assert/strict";
import { DEFAULTS } from "../../lib/producer/defaults.ts";
import { resolveConfig } from "../../lib/producer/config.ts";

const root = new URL("../../", import.meta.url);
const base = { bootstrapServers: ["127.0.0.1:9092"] };

/** Defaults that follow from something else: the docs' words for each, and the behaviour. */
const DERIVED: Record<string, { text: string; holds: () => boolean }> = {
  clientId: {
    text: "kafkats-producer-N",
    holds: () => {
      const [a, b] = [resolveConfig(base).clientId, resolveConfig(base).clientId];
      return /^kafkats-producer-\d+$/.test(a) && /^kafkats-producer-\d+$/.test(b) && a !== b;
    },
  },
  transactionalId: {
    text: "none",
    holds: () => resolveConfig(base).transactionalId === null,
  },
  maxBlockedBytes: {
    text: "bufferMemory",
    holds: () =>
      resolveConfig({ ...base, bufferMemory: 1 << 20 }).maxBlockedBytes === 1 << 20 &&
      resolveConfig(base).maxBlockedBytes === DEFAULTS.bufferMemory,
  },
  writableHighWaterMark: {
    text: "2 × batchSize, ≥ 262144",
    holds: () =>
      resolveConfig(base).writableHighWaterMark === 262144 &&
      resolveConfig({ ...base, batchSize: 1 << 20 }).writableHighWaterMark === 2 << 20 &&
      resolveConfig({ ...base, bufferMemory: 1 << 18, batchSize: 1 << 14 })
          .writableHighWaterMark === 1 << 17,
  },
  compressionLevel: {
    text: "the codec's",
    holds: () =>
      resolveConfig(base).compressionLevel === undefined &&
      resolveConfig({ ...base, compressionType: "gzip" }).compressionLevel === -1 &&
      resolveConfig({ ...base, compressionType: "zstd" }).compressionLevel === 3,
  },
  partitioner: { text: "built-in", holds: () => resolveConfig(base).partitioner === null },
  transport: { text: "the runtime's", holds: () => resolveConfig(base).transport === null },
  tls: { text: "off", holds: () => resolveConfig(base).tls === null },
  sasl: { text: "off", holds: () => resolveConfig(base).sasl === null },
  logger: { text: "none", holds: () => resolveConfig(base).logger === null },
};

/** `VALUE` or `VALUE (a note)` → VALUE without backticks. */
function valueOf(text: string): string {
  return text.trim().replace(/\s+\(.*\)$/, "").replaceAll("`", "");
}

/** What is wrong with `text` as `name`'s documented default; undefined if nothing. */
function mismatch(name: string, text: string): string | undefined {
  const derived = DERIVED[name];
  if (derived !== undefined) {
    return valueOf(text) === derived.text ? undefined : `says ${text}, not ${derived.text}`;
  }
  if (!Object.hasOwn(DEFAULTS, name)) return "is not in DEFAULTS nor a derived default";
  const expected = DEFAULTS[name as keyof typeof DEFAULTS];
  let value: unknown;
  try {
    value = JSON.parse(valueOf(text));
  } catch {
    return `says ${text}, which is no JSON literal (DEFAULTS has ${JSON.stringify(expected)})`;
  }
  return value === expected ? undefined : `says ${text}, DEFAULTS has ${JSON.stringify(expected)}`;
}

/** Each ProducerOptions field of config.ts with its `@default` tag's text (null without one). */
async function defaultTags(): Promise<Map<string, string | null>> {
  const source = await Deno.readTextFile(new URL("lib/producer/config.ts", root));
  const start = source.indexOf("export interface ProducerOptions {");
  assert.ok(start >= 0, "config.ts declares no ProducerOptions interface");
  const body = source.slice(start, source.indexOf("\n}\n", start));
  const tags = new Map<string, string | null>();
  for (const m of body.matchAll(/\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*(\w+)\??:/g)) {
    const tag = /@default\s+(.*)/.exec(m[1]);
    tags.set(m[2], tag === null ? null : tag[1].trim());
  }
  return tags;
}

/** Each option of the README's options table with its default column. */
async function readmeDefaults(): Promise<Map<string, string>> {
  const readme = await Deno.readTextFile(new URL("README.md", root));
  const section = readme.slice(readme.indexOf("## Options"));
  const rows = section.slice(0, section.indexOf("\n## ")).split("\n")
    .filter((line) => line.startsWith("| `"));
  const defaults = new Map<string, string>();
  for (const row of rows) {
    const [names, values] = row.split("|").slice(1, 3).map((cell) => cell.trim());
    const nameList = names.split(" / ").map((n) => n.replaceAll("`", ""));
    const valueList = nameList.length === 1 ? [values] : values.split(" / ");
    assert.equal(valueList.length, nameList.length, `README row ${names}: one default per name`);
    nameList.forEach((name, i) => defaults.set(name, valueList[i]));
  }
  return defaults;
}

/** What is wrong with the documented defaults (all but bootstrapServers'), one line each. */
function problems(where: string, docs: Map<string, string | null>): string[] {
  const found: string[] = [];
  for (const [name, text] of docs) {
    if (name === "bootstrapServers") continue;
    const problem = text === null ? "is missing" : mismatch(name, text);
    if (problem !== undefined) found.push(`${where} of ${name} ${problem}`);
  }
  return found;
}

/** The documented option names: DEFAULTS, the derived ones, and the required bootstrapServers. */
const DOCUMENTED = ["bootstrapServers", ...Object.keys(DEFAULTS), ...Object.keys(DERIVED)].sort();

Deno.test("every ProducerOptions field but bootstrapServers has the @default of DEFAULTS", async () => {
  const tags = await defaultTags();
  assert.deepEqual([...tags.keys()].sort(), DOCUMENTED, "ProducerOptions fields vs DEFAULTS");
  assert.equal(tags.get("bootstrapServers"), null, "bootstrapServers is required: no @default");
  assert.deepEqual(problems("@default", tags), []);
});

Deno.test("the README's options table has the defaults of DEFAULTS", async () => {
  const readme = await readmeDefaults();
  assert.deepEqual([...readme.keys()].sort(), DOCUMENTED, "README options vs DEFAULTS");
  assert.equal(readme.get("bootstrapServers"), "(required)");
  assert.deepEqual(problems("README default", readme), []);
});

Deno.test("resolveConfig applies DEFAULTS and the derived defaults", () => {
  const config = resolveConfig(base);
  for (const [name, value] of Object.entries(DEFAULTS)) {
    const resolved = config[name as keyof typeof DEFAULTS];
    assert.equal(resolved, name === "acks" ? -1 : value, name); // acks "all" is resolved to -1
  }
  for (const [name, { holds }] of Object.entries(DERIVED)) assert.ok(holds(), name);
});
