/**
 * `deno task lint:layers`: imports in lib/ (and mod.ts) only point down. The
 * layers, bottom first: lib/errors.ts (everyone may import it), lib/util/
 * (small shared pieces: backoff, FIFO, closest name), lib/diagnostics/
 * (event channels, the logger), lib/protocol/, lib/net/, lib/producer/,
 * lib/otel/ (the OpenTelemetry adapter, the package's `./otel` export),
 * mod.ts (the public surface), lib/cli/ (the command line, on top: it may
 * import all of them, nothing imports it). Nothing in lib/ imports tests/,
 * bench/ or anything else outside lib/ but the `node:` built-ins that Deno,
 * Bun and Node all have ({@link PORTABLE_BUILTINS}; lib/cli/ also
 * {@link CLI_BUILTINS}): no package, no runtime-only module, so the same
 * lib/ runs on each and compiles into the npm package without dependencies
 * (lib/otel/ too: it takes the OpenTelemetry API objects from its caller).
 * Prints each violation as `file:line imports target (layer A may not
 * import layer B)` and exits 1 if there is any.
 *
 *     deno run --allow-read scripts/lint_layers.ts [ROOT]   ROOT defaults to this repository
 *
 * @module
 */
import { importSpecifiers } from "./import_specifiers.ts";

/** The layers of lib/, bottom first: a file may import its own layer and those before it. */
export const LAYERS: readonly { readonly name: string; readonly path: string }[] = [
  { name: "errors", path: "lib/errors.ts" },
  { name: "util", path: "lib/util/" },
  { name: "diagnostics", path: "lib/diagnostics/" },
  { name: "protocol", path: "lib/protocol/" },
  { name: "net", path: "lib/net/" },
  { name: "producer", path: "lib/producer/" },
  { name: "otel", path: "lib/otel/" },
  { name: "mod.ts", path: "mod.ts" },
  { name: "cli", path: "lib/cli/" },
];

/** The modules from outside that lib/ may import: every runtime we run on has them. */
export const PORTABLE_BUILTINS: ReadonlySet<string> = new Set([
  "node:diagnostics_channel",
  "node:net",
  "node:tls",
  "node:zlib",
]);

/**
 * What lib/cli/ may import from outside besides {@link PORTABLE_BUILTINS}:
 * process and terminal modules and file reading, which Deno, Bun and Node
 * all have too (the core needs none of them).
 */
export const CLI_BUILTINS: ReadonlySet<string> = new Set([
  ...PORTABLE_BUILTINS,
  "node:process",
  "node:tty",
  "node:readline",
  "node:fs/promises",
]);

/** The package's own name, which resolves to mod.ts (see deno.json). */
const SELF = "@kafkats/producer";

/** The layer of a repository-relative path: its index in {@link LAYERS}, or -1. */
function layerIndex(path: string): number {
  return LAYERS.findIndex((l) => l.path.endsWith("/") ? path.startsWith(l.path) : path === l.path);
}

/** A name for the layer of `path`; outside lib/, its first path segment (`tests`, `mod.ts`, …). */
function layerName(path: string): string {
  const i = layerIndex(path);
  return i >= 0 ? LAYERS[i].name : path.split("/")[0];
}

/** Repository-relative path `specifier` points at from `file`, or null if not a file of ours. */
function resolve(file: string, specifier: string): string | null {
  if (specifier === SELF) return "mod.ts";
  if (!specifier.startsWith("./") && !specifier.startsWith("../")) return null;
  const url = new URL(specifier, new URL(file, "file:///repo/"));
  return url.pathname.startsWith("/repo/") ? url.pathname.slice("/repo/".length) : url.pathname;
}

/** Every `.ts` file under `dir` (repository-relative), sorted. */
async function tsFiles(root: string, dir: string): Promise<string[]> {
  const files: string[] = [];
  for await (const entry of Deno.readDir(`${root}/${dir}`)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) files.push(...await tsFiles(root, path));
    else if (entry.isFile && entry.name.endsWith(".ts")) files.push(path);
  }
  return files.sort();
}

/** The layer violations in the lib/ (and mod.ts) of the repository at `root`, one message each. */
export async function lintLayers(root: string): Promise<string[]> {
  const violations: string[] = [];
  const files = await tsFiles(root, "lib");
  const hasMod = await Deno.stat(`${root}/mod.ts`).then((s) => s.isFile, () => false);
  if (hasMod) files.unshift("mod.ts");
  for (const file of files) {
    const from = layerIndex(file);
    if (from < 0) {
      violations.push(`${file}:1 is in no layer (add it to LAYERS in scripts/lint_layers.ts)`);
      continue;
    }
    for (
      const { specifier, line } of importSpecifiers(await Deno.readTextFile(`${root}/${file}`))
    ) {
      const target = resolve(file, specifier);
      if (target === null) {
        const cli = LAYERS[from].name === "cli";
        const allowed = cli ? CLI_BUILTINS : PORTABLE_BUILTINS;
        if (!allowed.has(specifier)) {
          violations.push(
            `${file}:${line} imports ${specifier} (${
              cli ? "lib/cli/" : LAYERS[from].name === "mod.ts" ? "mod.ts" : "lib/"
            } may import from outside only ${
              [...allowed].join(", ")
            }: Deno, Bun and Node all have them)`,
          );
        }
        continue;
      }
      const to = layerIndex(target);
      if (to >= 0 && to <= from) continue;
      violations.push(
        `${file}:${line} imports ${target} (layer ${LAYERS[from].name} may not import layer ${
          layerName(target)
        })`,
      );
    }
  }
  return violations;
}

if (import.meta.main) {
  const root = Deno.args[0] ?? new URL("..", import.meta.url).pathname;
  const violations = await lintLayers(root);
  for (const v of violations) console.log(v);
  if (violations.length > 0) Deno.exit(1);
}
