/**
 * The input formats (lib/cli/): the line splitter at every chunk boundary
 * (`\r\n` split across chunks, a last line without a newline, empty lines,
 * the length bound), lines with and without `--key-separator`, JSON lines
 * with each field and each mistake named by line and field, raw input.
 */
import assert from "node:assert/strict";
import { InputError, LineSplitter, parseRecord, recordFormat } from "../../lib/cli/mod.ts";
import type { ProducerRecord } from "../../mod.ts";

/** A record with its key and value as text. */
type ProducerRecordLike = Omit<ProducerRecord, "key" | "value"> & { key?: unknown; value: unknown };

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const text = (v: unknown) => v instanceof Uint8Array ? decoder.decode(v) : v;

/** The lines of `input` fed in chunks of `size` bytes. */
function split(input: string, size: number, max = 1 << 20): string[] {
  const bytes = encoder.encode(input);
  const splitter = new LineSplitter(max, "maxRequestSize");
  const lines: string[] = [];
  const onLine = (line: Uint8Array, n: number) => {
    assert.equal(n, lines.length + 1);
    lines.push(decoder.decode(line));
  };
  for (let i = 0; i < bytes.length; i += size) splitter.push(bytes.subarray(i, i + size), onLine);
  splitter.end(onLine);
  return lines;
}

Deno.test("lines: \\n and \\r\\n end lines, empty lines are empty, a last line needs no newline — at every chunk size", () => {
  const input = "first\r\nsecond\n\n\r\nfifth line, longer\nlast";
  const expected = ["first", "second", "", "", "fifth line, longer", "last"];
  for (let size = 1; size <= input.length + 1; size++) {
    assert.deepEqual(split(input, size), expected, `chunks of ${size}`);
  }
  assert.deepEqual(split("a\n", 1), ["a"], "a trailing newline makes no empty last line");
  assert.deepEqual(split("", 4), []);
  assert.deepEqual(split("\n", 4), [""]);
  assert.deepEqual(split("a\rb\n", 2), ["a\rb"], "a lone \\r is data");
  assert.deepEqual(split("x\r", 1), ["x"], "a last \\r is dropped with it");
});

Deno.test("lines: one longer than the bound is an InputError naming it, before it is held whole", () => {
  for (const size of [3, 100]) {
    assert.throws(
      () => split("short\n0123456789abc\n", size, 10),
      (e) =>
        e instanceof InputError && e.line === 2 &&
        e.message === "line 2 is longer than maxRequestSize (10 bytes): no record can hold it",
    );
  }
  assert.deepEqual(split("0123456789\r\n", 1, 10), ["0123456789"], "\\r is not counted");
});

/** Records (key, value as text) that `input` makes in `format` with these options. */
function records(
  input: string,
  options: { format?: "lines" | "json" | "raw"; keySeparator?: string; max?: number } = {},
  size = 7,
): { records: ProducerRecordLike[]; bytes: number[] } {
  const out: ProducerRecordLike[] = [];
  const bytes: number[] = [];
  const format = recordFormat({
    format: options.format ?? "lines",
    topic: "t",
    keySeparator: options.keySeparator ?? null,
    maxRequestSize: options.max ?? 1 << 20,
  }, (record, n) => {
    out.push({ ...record, key: text(record.key), value: text(record.value) });
    bytes.push(n);
  });
  const all = encoder.encode(input);
  for (let i = 0; i < all.length; i += size) format.push(all.subarray(i, i + size));
  format.end();
  return { records: out, bytes };
}

Deno.test("lines format: each line a value, bytes as read", () => {
  const { records: r, bytes } = records("héllo\r\n\nworld");
  assert.deepEqual(r, [
    { topic: "t", key: undefined, value: "héllo" },
    { topic: "t", key: undefined, value: "" },
    { topic: "t", key: undefined, value: "world" },
  ]);
  assert.deepEqual(bytes, [6, 0, 5]);
  // Not UTF-8: passed through untouched.
  const format = recordFormat(
    { format: "lines", topic: "t", keySeparator: null, maxRequestSize: 100 },
    (record) => assert.deepEqual(record.value, new Uint8Array([0xff, 0x00, 0xfe])),
  );
  format.push(new Uint8Array([0xff, 0x00, 0xfe, 0x0a]));
  format.end();
});

Deno.test("--key-separator: split at the first one; multi-byte separators; a line without one is an error", () => {
  const { records: r, bytes } = records("k1:v1\nk2:v:2\n:empty key\nempty value:\n", {
    keySeparator: ":",
  });
  assert.deepEqual(r.map((x) => [x.key, x.value]), [
    ["k1", "v1"],
    ["k2", "v:2"],
    ["", "empty key"],
    ["empty value", ""],
  ]);
  assert.deepEqual(bytes, [4, 5, 9, 11]);
  assert.deepEqual(
    records("a=>b=>c\nx==>y\n", { keySeparator: "=>" }, 1).records.map((x) => [x.key, x.value]),
    [["a", "b=>c"], ["x=", "y"]],
  );
  assert.deepEqual(
    records("ключ→значение\n", { keySeparator: "→" }).records.map((x) => [x.key, x.value]),
    [["ключ", "значение"]],
  );
  assert.throws(
    () => records("k:v\nno separator here\nk:v\n", { keySeparator: ":" }),
    (e) =>
      e instanceof InputError && e.line === 2 &&
      e.message === 'line 2 has no key separator ":" (every line must be KEY:VALUE)',
  );
});

Deno.test("json format: key, value, headers in both forms, partition, timestamp; blank lines skipped", () => {
  const input = [
    '{"value":"v1"}',
    '{"key":"k2","value":"v2","partition":2,"timestamp":1700000000000}',
    "",
    "   ",
    '{"key":null,"value":null,"headers":{"a":"1","b":"2"}}',
    '{"value":"v4","headers":[["h","x"],["h",null],["é","ü"]]}',
  ].join("\r\n");
  const { records: r, bytes } = records(input, { format: "json" }, 5);
  assert.deepEqual(r, [
    { topic: "t", key: undefined, value: "v1" },
    { topic: "t", key: "k2", value: "v2", partition: 2, timestamp: 1700000000000 },
    { topic: "t", key: null, value: null, headers: { a: "1", b: "2" } },
    { topic: "t", key: undefined, value: "v4", headers: [["h", "x"], ["h", null], ["é", "ü"]] },
  ]);
  assert.deepEqual(bytes, [2, 4, 0, 2]);
});

Deno.test("json format: each mistake names the line and the field, never the line's text", () => {
  const secret = "do-not-echo-me";
  const cases: [string, string, string | null][] = [
    [`{"value": "${secret}"`, "line 1: not valid JSON", null],
    [`["${secret}"]`, "line 1: must be a JSON object, got an array", null],
    [`"${secret}"`, "line 1: must be a JSON object, got a string", null],
    [
      `{"vaule": "${secret}"}`,
      'line 1: unknown field "vaule"; did you mean "value"? (fields: key, value, headers, partition, timestamp)',
      "vaule",
    ],
    [
      `{"key": "${secret}"}`,
      'line 1: field "value" is missing (use "value": null for a tombstone)',
      "value",
    ],
    [`{"value": 5}`, 'line 1: field "value" must be a string or null, got the number 5', "value"],
    [
      `{"value": "x", "key": {"a": "${secret}"}}`,
      'line 1: field "key" must be a string or null, got an object',
      "key",
    ],
    [
      `{"value": "x", "partition": -1}`,
      'line 1: field "partition" must be a non-negative integer, got the number -1',
      "partition",
    ],
    [
      `{"value": "x", "partition": "1"}`,
      'line 1: field "partition" must be a non-negative integer, got a string',
      "partition",
    ],
    [
      `{"value": "x", "timestamp": 1.5}`,
      'line 1: field "timestamp" must be epoch milliseconds (a non-negative integer), got the number 1.5',
      "timestamp",
    ],
    [
      `{"value": "x", "headers": "${secret}"}`,
      'line 1: field "headers" must be an object or an array of [key, value] pairs, got a string',
      "headers",
    ],
    [
      `{"value": "x", "headers": {"h": null}}`,
      'line 1: field "headers.h" must be a string, got null (null values need the array form [[key, null]])',
      "headers.h",
    ],
    [
      `{"value": "x", "headers": [["a", "1"], ["b"]]}`,
      'line 1: field "headers[1]" must be a [key, value] pair, got an array',
      "headers[1]",
    ],
    [
      `{"value": "x", "headers": [[1, "1"]]}`,
      'line 1: field "headers[0][0]" (a header key) must be a string, got the number 1',
      "headers[0][0]",
    ],
    [
      `{"value": "x", "headers": [["a", 2]]}`,
      'line 1: field "headers[0][1]" must be a string or null, got the number 2',
      "headers[0][1]",
    ],
  ];
  for (const [line, message, field] of cases) {
    assert.throws(() => parseRecord(line, 1, "t"), (e) => {
      assert.ok(e instanceof InputError, `${line}: ${e}`);
      // V8 adds where the JSON went wrong: "(at character 26)".
      if (message === "line 1: not valid JSON") {
        assert.match(e.message, /^line 1: not valid JSON( \(at character \d+\))?$/);
      } else assert.equal(e.message, message);
      assert.equal(e.line, 1);
      assert.equal(e.field, field);
      assert.ok(!e.message.includes(secret));
      return true;
    });
  }
  // In a stream, the number is the line's.
  assert.throws(
    () =>
      records('{"value":"a"}\n\n{"value":"b"}\n{"value":"c",}\n{"value":"d"}\n', {
        format: "json",
      }),
    (e) =>
      e instanceof InputError && e.line === 4 && e.message.startsWith("line 4: not valid JSON"),
  );
  assert.throws(
    () => records('{"value":"a"}\n\xff\n', { format: "json" }),
    (e) => e instanceof InputError && e.line === 2,
  );
});

Deno.test("raw format: all input, byte for byte, one record; an empty input is one empty record; past maxRequestSize an error", () => {
  const input = "line 1\r\nline 2\n\n\tend";
  const { records: r, bytes } = records(input, { format: "raw" }, 3);
  assert.deepEqual(r, [{ topic: "t", key: undefined, value: input }]);
  assert.deepEqual(bytes, [encoder.encode(input).length]);
  assert.deepEqual(records("", { format: "raw" }).records, [{
    topic: "t",
    key: undefined,
    value: "",
  }]);
  assert.throws(
    () => records("0123456789X", { format: "raw", max: 10 }, 4),
    (e) =>
      e instanceof InputError &&
      e.message ===
        "the input is longer than maxRequestSize (10 bytes): one record cannot hold it (--property max.request.size=N raises it, up to what the broker accepts)",
  );
});
