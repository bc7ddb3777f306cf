/**
 * Runs a slice of the decoder fuzz in a Worker, so the test can stop it if a
 * decode never returns. Gets `{ runSeed, start, count, progress }`; writes
 * the iteration it is at into `progress[0]` before each decode, and posts
 * {@link WorkerResult} when done (or at the first failure).
 *
 * @module
 */
import { ProtocolError } from "../../lib/errors.ts";
import { decodeResponse } from "../../lib/protocol/envelope.ts";
import { loadSeeds, makeFrame, toBase64 } from "../support/fuzz_corpus.ts";

/** What the test asks the worker to do. */
export interface WorkerJob {
  /** The run's seed. */
  runSeed: number;
  /** First iteration. */
  start: number;
  /** Number of iterations. */
  count: number;
  /** `Int32Array` view: [0] = iteration being decoded. */
  progress: SharedArrayBuffer;
}

/** A frame that made a decoder misbehave. */
export interface FuzzFailure {
  /** Iteration number (replay with the run seed). */
  iteration: number;
  /** Seed frame's name. */
  seed: string;
  /** Mutations applied. */
  mutations: string;
  /** The frame, base64. */
  frame: string;
  /** What went wrong. */
  problem: string;
}

/** What the worker posts back. */
export interface WorkerResult {
  /** Frames decoded. */
  frames: number;
  /** Of which decoded without error. */
  decoded: number;
  /** Of which threw ProtocolError. */
  protocolErrors: number;
  /** Slowest single decode, ms. */
  slowestMs: number;
  /** The first failure, if any. */
  failure: FuzzFailure | null;
}

/** V8's knob for how many frames an error's stack records. */
const V8Error = Error as ErrorConstructor & { stackTraceLimit: number };

/** Longest a single decode may take before it counts as a failure. */
const SLOW_DECODE_MS = 5000;

self.onmessage = (event: MessageEvent<WorkerJob>) => {
  const { runSeed, start, count, progress } = event.data;
  const cell = new Int32Array(progress);
  const seeds = loadSeeds();
  // Stack traces are most of the cost of a thrown ProtocolError; a failing
  // frame is decoded again with them on to report where it failed.
  const stackTraceLimit = V8Error.stackTraceLimit;
  V8Error.stackTraceLimit = 0;
  const result: WorkerResult = {
    frames: 0,
    decoded: 0,
    protocolErrors: 0,
    slowestMs: 0,
    failure: null,
  };
  for (let i = start; i < start + count; i++) {
    Atomics.store(cell, 0, i);
    const input = makeFrame(seeds, runSeed, i);
    const t0 = performance.now();
    let problem: string | null = null;
    try {
      decodeResponse(input.seed.api, input.seed.version, input.frame);
      result.decoded++;
    } catch (error) {
      if (error instanceof ProtocolError) result.protocolErrors++;
      else problem = `threw ${String(error)}`;
    }
    const ms = performance.now() - t0;
    if (ms > result.slowestMs) result.slowestMs = ms;
    if (problem === null && ms > SLOW_DECODE_MS) problem = `decode took ${ms.toFixed(0)} ms`;
    result.frames++;
    if (problem !== null) {
      V8Error.stackTraceLimit = stackTraceLimit;
      try {
        decodeResponse(input.seed.api, input.seed.version, input.frame);
      } catch (error) {
        if (!(error instanceof ProtocolError)) {
          problem = `threw ${(error as Error)?.stack ?? error}`;
        }
      }
      result.failure = {
        iteration: i,
        seed: input.seed.name,
        mutations: input.mutations.join("+"),
        frame: toBase64(input.frame),
        problem,
      };
      break;
    }
  }
  self.postMessage(result);
};
