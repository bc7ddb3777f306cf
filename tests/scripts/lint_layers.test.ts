/**
 * scripts/lint_layers.ts against fake trees: each kind of upward import is
 * reported as `file:line imports target (layer A may not import layer B)`
 * with exit code 1, and so is a module from outside lib/ other than the
 * `node:` built-ins every runtime has (lib/otel/ included); lib/cli/ is the
 * top layer (it may import the producer, mod.ts and a few more built-ins;
 * nothing, mod.ts included, may import it); imports that only look like
 * imports (in comments, strings, template text) are not; the repository's
 * own lib/ is clean.
 */
import assert from "node:assert/strict";
import { importSpecifiers } from "../../scripts/import_specifiers.ts";
import { lintLayers } from "../../scripts/lint_layers.ts";

const script = new URL("../../scripts/lint_layers.ts", import.meta.url).pathname;

/** Writes `files` (path → text) under a new temporary directory and returns it. */
async function tree(files: Record<string, string>): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "lint_layers_" });
  for (const [path, text] of Object.entries(files)) {
    await Deno.mkdir(`${root}/${path.slice(0, path.lastIndexOf("/"))}`, { recursive: true });
    await Deno.writeTextFile(`${root}/${path}`, text);
  }
  return root;
}

/** Runs the script on `root`: its exit code and stdout lines. */
async function run(root: string): Promise<{ code: number; lines: string[] }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", script, root],
    stdout: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout).trim();
  return { code: out.code, lines: text === "" ? [] : text.split("\n") };
}

const BAD_TREE = {
  "lib/errors.ts": "export class E extends Error {}\n",
  "lib/protocol/codec.ts": [
    "/**",
    " * @example",
    " * ```ts",
    ' * import { Producer } from "@kafkats/producer";',
    " * ```",
    " */",
    'import { E } from "../errors.ts";',
    "const text = \"import { x } from '../net/fake.ts'\";",
    'import { socket } from "../net/socket.ts";',
    "export { E, socket, text };",
  ].join("\n"),
  "lib/net/socket.ts": [
    "export const socket = 1;",
    'const t = `import("../producer/fake.ts")`;',
    'export const load = () => import("../producer/p.ts");',
  ].join("\n"),
  "lib/producer/p.ts": [
    'import { socket } from "../net/socket.ts";',
    'const quote = /["\']/, later = import("../../bench/b.ts");',
    "export {",
    "  quote,",
    "  socket,",
    '} from "../../tests/support/fake.ts";',
    'import { Producer } from "@kafkats/producer";',
    "const t = import(`../../bench/t.ts`);",
  ].join("\n"),
  "lib/compression/gzip.ts": "export {};\n",
  "lib/diagnostics/up.ts": 'import { E } from "../errors.ts";\nimport "../protocol/codec.ts";\n',
};

Deno.test("every upward import is reported with file, line and layers; exit code 1", async () => {
  const root = await tree(BAD_TREE);
  try {
    const { code, lines } = await run(root);
    assert.equal(code, 1);
    assert.deepEqual(lines, [
      "lib/compression/gzip.ts:1 is in no layer (add it to LAYERS in scripts/lint_layers.ts)",
      "lib/diagnostics/up.ts:2 imports lib/protocol/codec.ts (layer diagnostics may not import layer protocol)",
      "lib/net/socket.ts:3 imports lib/producer/p.ts (layer net may not import layer producer)",
      "lib/producer/p.ts:2 imports bench/b.ts (layer producer may not import layer bench)",
      "lib/producer/p.ts:6 imports tests/support/fake.ts (layer producer may not import layer tests)",
      "lib/producer/p.ts:7 imports mod.ts (layer producer may not import layer mod.ts)",
      "lib/producer/p.ts:8 imports bench/t.ts (layer producer may not import layer bench)",
      "lib/protocol/codec.ts:9 imports lib/net/socket.ts (layer protocol may not import layer net)",
    ]);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a tree whose imports only point down passes in silence", async () => {
  const root = await tree({
    "lib/errors.ts": 'import { x } from "./errors.ts";\n',
    "lib/protocol/a.ts": 'import { E } from "../errors.ts";\nimport { b } from "./b.ts";\n',
    "lib/net/c.ts": 'export * from "../protocol/a.ts";\nimport "../errors.ts";\n',
    "lib/producer/d.ts": 'import("../net/c.ts");\nimport type { A } from "../protocol/a.ts";\n',
    "lib/otel/e.ts": 'import { d } from "../producer/d.ts";\nimport "../diagnostics/f.ts";\n',
    "lib/diagnostics/f.ts": 'import { E } from "../errors.ts";\nimport "../util/g.ts";\n',
  });
  try {
    assert.deepEqual(await run(root), { code: 0, lines: [] });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("from outside lib/, only node:diagnostics_channel, node:net, node:tls and node:zlib may be imported", async () => {
  const root = await tree({
    "lib/errors.ts": "export {};\n",
    "lib/net/t.ts": [
      'import { connect } from "node:net";',
      'import * as tls from "node:tls";',
      'import { readFileSync } from "node:fs";',
      'import { gzipSync } from "node:zlib";',
      'import { channel } from "node:diagnostics_channel";',
      'import lodash from "npm:lodash";',
      'export { Buffer } from "buffer";',
      'const x = await import("jsr:@std/assert");',
    ].join("\n"),
  });
  const why =
    "(lib/ may import from outside only node:diagnostics_channel, node:net, node:tls, node:zlib: " +
    "Deno, Bun and Node all have them)";
  try {
    assert.deepEqual(await run(root), {
      code: 1,
      lines: [
        `lib/net/t.ts:3 imports node:fs ${why}`,
        `lib/net/t.ts:6 imports npm:lodash ${why}`,
        `lib/net/t.ts:7 imports buffer ${why}`,
        `lib/net/t.ts:8 imports jsr:@std/assert ${why}`,
      ],
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("lib/cli/ sits on top: it may import the producer and mod.ts, nothing imports it", async () => {
  const root = await tree({
    "mod.ts": 'export * from "./lib/producer/p.ts";\nimport "./lib/cli/c.ts";\n',
    "lib/errors.ts": "export {};\n",
    "lib/producer/p.ts": 'import { c } from "../cli/c.ts";\nexport const p = 1;\n',
    "lib/cli/c.ts": [
      'import { p } from "../producer/p.ts";',
      'import { Producer } from "../../mod.ts";',
      'import { Producer as P } from "@kafkats/producer";',
      'import { readFile } from "node:fs/promises";',
      'import process from "node:process";',
      'import { spawn } from "node:child_process";',
      'import "../../tests/support/x.ts";',
    ].join("\n"),
  });
  const cliWhy = "(lib/cli/ may import from outside only node:diagnostics_channel, node:net, " +
    "node:tls, node:zlib, " +
    "node:process, node:tty, node:readline, node:fs/promises: Deno, Bun and Node all have them)";
  try {
    assert.deepEqual(await run(root), {
      code: 1,
      lines: [
        "mod.ts:2 imports lib/cli/c.ts (layer mod.ts may not import layer cli)",
        `lib/cli/c.ts:6 imports node:child_process ${cliWhy}`,
        "lib/cli/c.ts:7 imports tests/support/x.ts (layer cli may not import layer tests)",
        "lib/producer/p.ts:1 imports lib/cli/c.ts (layer producer may not import layer cli)",
      ],
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("the core still may not import what only the CLI may", async () => {
  const root = await tree({
    "lib/errors.ts": "export {};\n",
    "lib/producer/p.ts": 'import { readFile } from "node:fs/promises";\n',
  });
  try {
    assert.deepEqual(await run(root), {
      code: 1,
      lines: [
        "lib/producer/p.ts:1 imports node:fs/promises (lib/ may import from outside only " +
        "node:diagnostics_channel, node:net, node:tls, node:zlib: Deno, Bun and Node all have them)",
      ],
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("imports in template substitutions count, template text does not", () => {
  const source = 'const s = `a ${await import("./x.ts")} b import("./y.ts") ${`${1}`}`;\n' +
    'import { z } from "./z.ts";';
  assert.deepEqual(importSpecifiers(source), [
    { specifier: "./x.ts", line: 1 },
    { specifier: "./z.ts", line: 2 },
  ]);
});

Deno.test("the repository's lib/ has no upward import", async () => {
  assert.deepEqual(await lintLayers(new URL("../../", import.meta.url).pathname), []);
});
