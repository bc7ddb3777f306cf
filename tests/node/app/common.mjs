/**
 * What tests/node/npm_package.test.ts runs in an empty folder where
 * `npm install kafkats-producer-<version>.tgz` installed the package, as a
 * user would, under Node 24, Node 20, Bun and Deno: plain JavaScript
 * importing `@kafkats/producer` by its name. using.mjs (`await using`) and
 * plain.mjs (try/finally, for Node 20, which cannot parse `await using`)
 * share this: the scenario of scenario.mjs, on the spec named by argv[2].
 * The one line printed is JSON: the runtime, what each `send()` resolved
 * to, the records the piped producer sent, and the checks' results.
 */
import { readFileSync } from "node:fs";
import * as kafkats from "@kafkats/producer";
import * as scenario from "./scenario.mjs";

const spec = JSON.parse(readFileSync(process.argv[2], "utf8"));

/** The producer's options for this run. */
export const options = () => scenario.options(spec);
/** Sends the spec's `send` records; where each went. */
export const sendAll = (producer) => scenario.sendAll(producer, spec);
/** Pipes the spec's `pipe` records; how many were sent. */
export const pipeAll = (producer) => scenario.pipeAll(producer, spec);
/** The checks that must fail before anything is sent. */
export const checks = () => scenario.checks(kafkats, spec);

/** Prints the run's result as one JSON line. */
export function report(result) {
  console.log(JSON.stringify({ runtime: scenario.runtimeName(), ...result }));
}
