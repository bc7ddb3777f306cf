/**
 * `deno task lint:layers`: imports in lib/ only point down. The layers, bottom
 * first: lib/errors.ts (everyone may import it), lib/util/ (small shared
 * pieces: backoff, FIFO), lib/diagnostics/ (event channels, the logger),
 * lib/protocol/, lib/net/, lib/producer/, lib/otel/ (the OpenTelemetry
 * adapter, the package's `./otel` export); nothing in lib/ imports mod.ts,
 * tests/, bench/ or anything else outside lib/ but the `node:` built-ins
 * that Deno, Bun and Node all have ({@link PORTABLE_BUILTINS}): no package,
 * no runtime-only module, so the same lib/ runs on each and compiles into
 * the npm package without dependencies (lib/otel/ too: it takes the
 * OpenTelemetry API objects from its caller). Prints each violation as
 * `file:line imports target (layer A may not import layer B)` and exits 1 if
 * there is any.
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
];

/** The modules from outside that lib/ may import: every runtime we run on has them. */
export const PORTABLE_BUILTINS: ReadonlySet<string> = new Set([
  "node:diagnostics_channel",
  "node:net",
  "node:tls",
  "node:zlib",
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

/** The layer violations in the lib/ of the repository at `root`, one message each. */
export async function lintLayers(root: string): Promise<string[]> {
  const violations: string[] = [];
  for (const file of await tsFiles(root, "lib")) {
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
        if (!PORTABLE_BUILTINS.has(specifier)) {
          violations.push(
            `${file}:${line} imports ${specifier} (lib/ may import from outside only ${
              [...PORTABLE_BUILTINS].join(", ")
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
