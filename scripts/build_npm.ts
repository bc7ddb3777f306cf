/**
 * `deno task build:npm`: the npm package `@kafkats/producer`, built from the
 * same sources as the JSR one (mod.ts and lib/) into `npm/` (git-ignored):
 *
 *     npm/package.json   from deno.json: name, version, license; ESM only,
 *                        `exports` with types (`.`, `./cli` and `./otel`, as
 *                        deno.json's), `bin` kafkats, `engines.node >= 20`, no
 *                        dependencies; `@opentelemetry/api` an optional peer
 *                        (./otel takes the API objects from its caller and
 *                        imports nothing of it)
 *     npm/dist/          mod.js + mod.d.ts and lib/** (lib/cli/, lib/otel/ too):
 *                        JavaScript and declarations
 *     npm/bin/kafkats.js the command line (`npx kafkats produce …`): runs
 *                        lib/cli/mod.js's main()
 *     npm/README.md, npm/LICENSE
 *
 * The compiler is the pinned `tsc` that `scripts/tools.sh tsc` installs into
 * `.tools/build` (with @types/node for the `node:` modules). It runs without
 * `deno.ns`: the one file that names the `Deno` namespace, lib/net/deno.ts,
 * compiles against scripts/npm/deno.d.ts. After the compile the output is
 * checked: no `.ts` specifier left in the JavaScript, and no declaration
 * that refers to Deno or to a `node:` module (a user's compiler must not
 * need Deno's or Node's types).
 *
 *     deno run -A scripts/build_npm.ts [OUT_DIR]     OUT_DIR defaults to npm/
 *
 * @module
 */

/** What the build wrote. */
export interface BuildResult {
  /** The package folder. */
  dir: string;
  /** The package.json written. */
  packageJson: Record<string, unknown>;
  /** How many .js files. */
  files: number;
}

const ROOT = new URL("../", import.meta.url);
const root = decodeURIComponent(ROOT.pathname).replace(/\/$/, "");

/** The `@opentelemetry/api` versions the `./otel` adapter is tested with (an optional peer). */
const OTEL_API_RANGE = ">=1.9.0 <2";

const DESCRIPTION = "A Kafka producer in TypeScript that speaks the Kafka wire protocol itself: " +
  "idempotent, batched, compressed, TLS and SASL; Node, Deno and Bun, no dependencies.";

/** The npm package's `kafkats` bin: the CLI's main() (lib/cli/mod.ts runs it itself only as the main module). */
const BIN = `#!/usr/bin/env node
// kafkats: the command line producer of @kafkats/producer (\`kafkats --help\`).
import { main } from "../dist/lib/cli/mod.js";
await main();
`;

/**
 * The compiler's options: ESM for Node ≥ 20, `.ts` specifiers rewritten to
 * `.js`. bench/support/node_build.ts compiles perf.ts with the same ones.
 */
export const TSC_OPTIONS: readonly string[] = [
  "--target",
  "es2022",
  "--module",
  "esnext",
  "--moduleResolution",
  "bundler",
  "--lib",
  "esnext,dom",
  "--types",
  "node",
  "--typeRoots",
  `${root}/.tools/build/node_modules/@types`,
  "--rewriteRelativeImportExtensions",
  "--declaration",
  "--strict",
  "--skipLibCheck",
  "--noEmitOnError",
  "--rootDir",
  root,
];

async function run(cmd: string, args: string[]): Promise<void> {
  const { code, stdout, stderr } = await new Deno.Command(cmd, { args, cwd: root }).output();
  if (code !== 0) {
    const text = (b: Uint8Array) => new TextDecoder().decode(b);
    throw new Error(
      `${cmd} ${args.slice(0, 2).join(" ")} failed (${code}):\n${text(stdout)}${text(stderr)}`,
    );
  }
}

async function* walk(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* walk(path);
    else yield path;
  }
}

/** A relative `.ts` specifier of an import, export or `import()` type in code (not in a JSDoc line). */
const TS_SPECIFIER = /^(?!\s*\*)(.*?(?:from|import)\s*\(?\s*")(\.\.?\/[^"]*?)\.ts(")/gm;

/**
 * tsc rewrites the `.ts` specifiers of the JavaScript it emits, not those of
 * the declarations (`from "./record.ts"`, `import("../schema.ts")`), which a
 * user's compiler would refuse without `allowImportingTsExtensions`: make
 * them `.js`, as in the JavaScript.
 */
async function rewriteDeclarations(dist: string): Promise<void> {
  for await (const path of walk(dist)) {
    if (!path.endsWith(".d.ts")) continue;
    const text = await Deno.readTextFile(path);
    let rewritten = text;
    // A line may hold several import() types: repeat until none is left.
    for (let previous = ""; previous !== rewritten;) {
      previous = rewritten;
      rewritten = rewritten.replace(TS_SPECIFIER, "$1$2.js$3");
    }
    if (rewritten !== text) await Deno.writeTextFile(path, rewritten);
  }
}

/** Problems of the compiled output: a `.ts` import left, or a declaration needing Deno's or Node's types. */
async function outputProblems(dist: string): Promise<string[]> {
  const problems: string[] = [];
  for await (const path of walk(dist)) {
    const rel = path.slice(dist.length + 1);
    // Code only: the JSDoc examples import "@kafkats/producer" and "./schema.ts".
    const text = await Deno.readTextFile(path);
    const code = text.replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, "");
    const specifiers = [...code.matchAll(/(?:from|import)\s*\(?\s*"([^"]+)"/g)].map((m) => m[1]);
    for (const s of specifiers) {
      if (s.startsWith(".") && !s.endsWith(".js")) problems.push(`${rel}: imports "${s}"`);
      if (!s.startsWith(".") && !s.startsWith("node:")) {
        problems.push(`${rel}: imports "${s}", a dependency`);
      }
    }
    if (path.endsWith(".d.ts")) {
      if (/\bDeno\./.test(code)) {
        problems.push(`${rel}: a declaration refers to the Deno namespace`);
      }
      for (const s of specifiers) {
        if (s.startsWith("node:")) problems.push(`${rel}: a declaration imports "${s}"`);
      }
      if (/^\/\/\/\s*<reference/m.test(text)) problems.push(`${rel}: has a triple-slash reference`);
    }
  }
  return problems;
}

/** Builds the package into `out` (absolute, or relative to the repository). */
export async function buildNpm(out = "npm"): Promise<BuildResult> {
  const dir = out.startsWith("/") ? out : `${root}/${out}`;
  const deno = JSON.parse(await Deno.readTextFile(`${root}/deno.json`));
  await Deno.remove(dir, { recursive: true }).catch((e) => {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  });
  await Deno.mkdir(dir, { recursive: true });
  await run("bash", [
    "scripts/tools.sh",
    "tsc",
    "mod.ts",
    "lib/cli/mod.ts",
    "lib/otel/mod.ts",
    "scripts/npm/deno.d.ts",
    ...TSC_OPTIONS,
    "--outDir",
    `${dir}/dist`,
  ]);
  await rewriteDeclarations(`${dir}/dist`);
  const problems = await outputProblems(`${dir}/dist`);
  if (problems.length > 0) {
    throw new Error(`the compiled package is wrong:\n${problems.join("\n")}`);
  }

  const packageJson = {
    name: deno.name,
    version: deno.version,
    description: DESCRIPTION,
    license: deno.license,
    keywords: ["kafka", "producer", "apache-kafka", "kafka-client", "deno", "bun", "node"],
    type: "module",
    exports: {
      ".": {
        types: "./dist/mod.d.ts",
        default: "./dist/mod.js",
      },
      "./cli": {
        types: "./dist/lib/cli/mod.d.ts",
        default: "./dist/lib/cli/mod.js",
      },
      "./otel": {
        types: "./dist/lib/otel/mod.d.ts",
        default: "./dist/lib/otel/mod.js",
      },
      "./package.json": "./package.json",
    },
    peerDependencies: { "@opentelemetry/api": OTEL_API_RANGE },
    peerDependenciesMeta: { "@opentelemetry/api": { optional: true } },
    main: "./dist/mod.js",
    types: "./dist/mod.d.ts",
    bin: { kafkats: "./bin/kafkats.js" },
    files: ["dist/", "bin/", "README.md", "LICENSE"],
    sideEffects: false,
    engines: { node: ">=20" },
  };
  await Deno.writeTextFile(`${dir}/package.json`, JSON.stringify(packageJson, null, 2) + "\n");
  await Deno.mkdir(`${dir}/bin`);
  await Deno.writeTextFile(`${dir}/bin/kafkats.js`, BIN, { mode: 0o755 });
  await Deno.copyFile(`${root}/README.md`, `${dir}/README.md`);
  await Deno.copyFile(`${root}/LICENSE`, `${dir}/LICENSE`);
  let files = 0;
  for await (const path of walk(`${dir}/dist`)) if (path.endsWith(".js")) files++;
  return { dir, packageJson, files };
}

if (import.meta.main) {
  const start = performance.now();
  const { dir, packageJson, files } = await buildNpm(Deno.args[0]);
  console.log(
    `${packageJson.name}@${packageJson.version}: ${files} modules in ${dir} (${
      ((performance.now() - start) / 1000).toFixed(1)
    } s); \`cd ${dir.slice(root.length + 1)} && npm pack\` packs it`,
  );
}
