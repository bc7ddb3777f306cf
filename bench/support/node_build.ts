/**
 * bench/perf.ts for Node: compiles it, with mod.ts, lib/ and the test
 * support it imports, into JavaScript that Node ≥ 20 runs. The compiler and
 * its options are the npm package's (`scripts/build_npm.ts`: the pinned tsc
 * of `scripts/tools.sh tsc`, ES2022 ESM, `.ts` specifiers rewritten to
 * `.js`), so `lib/**.js` here is the code an npm user runs; no declarations.
 *
 * Why not Node 24's type stripping of the `.ts` files: strip-only mode
 * refuses parameter properties (`constructor(readonly max: number)`), which
 * lib/ uses, and Node 20 strips nothing.
 *
 *     deno task build:perf-node [OUT_DIR]          OUT_DIR defaults to .cache/perf-node
 *     bash scripts/tools.sh node24 .cache/perf-node/bench/perf.js --num-records 100000 …
 *     node .cache/perf-node/bench/perf.js …         (the machine's Node 20)
 *
 * @module
 */
import { TSC_OPTIONS } from "../../scripts/build_npm.ts";

const root = decodeURIComponent(new URL("../../", import.meta.url).pathname).replace(/\/$/, "");

/**
 * Compiles bench/perf.ts into `out` (absolute, or relative to the
 * repository; its old contents are removed) and returns the path of
 * `perf.js` in it.
 */
export async function buildPerfForNode(out = ".cache/perf-node"): Promise<string> {
  const dir = out.startsWith("/") ? out : `${root}/${out}`;
  await Deno.remove(dir, { recursive: true }).catch((e) => {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  });
  await Deno.mkdir(dir, { recursive: true });
  const options = TSC_OPTIONS.filter((o) => o !== "--declaration");
  const { code, stdout, stderr } = await new Deno.Command("bash", {
    args: [
      "scripts/tools.sh",
      "tsc",
      "bench/perf.ts",
      "scripts/npm/deno.d.ts",
      ...options,
      "--outDir",
      dir,
    ],
    cwd: root,
  }).output();
  if (code !== 0) {
    const text = (b: Uint8Array) => new TextDecoder().decode(b);
    throw new Error(`tsc bench/perf.ts failed (${code}):\n${text(stdout)}${text(stderr)}`);
  }
  // ESM for Node 20 too (it does not detect module syntax in .js files by default).
  await Deno.writeTextFile(`${dir}/package.json`, '{\n  "type": "module"\n}\n');
  return `${dir}/bench/perf.js`;
}

if (import.meta.main) {
  const start = performance.now();
  const perf = await buildPerfForNode(Deno.args[0]);
  console.log(
    `${perf.startsWith(root + "/") ? perf.slice(root.length + 1) : perf} (${
      ((performance.now() - start) / 1000).toFixed(1)
    } s): run it with \`bash scripts/tools.sh node24 ${
      perf.startsWith(root + "/") ? perf.slice(root.length + 1) : perf
    } [perf.ts flags]\` or \`node …\``,
  );
}
