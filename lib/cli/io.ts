/**
 * What the CLI needs from its runtime — stdin, stdout, stderr (and whether
 * it is a terminal), files, the environment, SIGINT, exit — for Deno, Bun
 * and Node. Deno: `Deno.stdin.readable`, `Deno.stderr`,
 * `Deno.addSignalListener`; Bun and Node: `process` (taken from
 * `globalThis`, not imported). Files are read with `node:fs/promises`,
 * which all three have.
 *
 * @module
 */
import { readFile } from "node:fs/promises";

/** The runtime as the CLI sees it; tests may pass their own. */
export interface CliIo {
  /**
   * The bytes of stdin as they arrive. Cancelling the stream (or its
   * reader) stops reading, and ends a read that is waiting at once.
   */
  stdin(): ReadableStream<Uint8Array>;
  /** Whether stdin is a terminal (someone typing). */
  readonly stdinIsTerminal: boolean;
  /** Whether stderr is a terminal: then the progress line is redrawn. */
  readonly stderrIsTerminal: boolean;
  /** The terminal's width, when stderr is one. */
  stderrColumns(): number | undefined;
  /** Writes to stdout. */
  writeStdout(text: string): void;
  /** Writes to stderr. */
  writeStderr(text: string): void;
  /** Reads a UTF-8 file. */
  readTextFile(path: string): Promise<string>;
  /** An environment variable, or undefined. */
  env(name: string): string | undefined;
  /** Calls `handler` on every SIGINT until the returned function is called. */
  onInterrupt(handler: () => void): () => void;
  /** Resolves once stdout and stderr have handed their writes to the system (at most 1 s). */
  flush(): Promise<void>;
  /** Ends the process with `code`; {@link CliIo.flush} first, or output may be lost. */
  exit(code: number): never;
}

/** The part of Deno's API used here. */
interface DenoApi {
  stdin: { readable: ReadableStream<Uint8Array>; isTerminal(): boolean };
  stdout: { writeSync(bytes: Uint8Array): number };
  stderr: { writeSync(bytes: Uint8Array): number; isTerminal(): boolean };
  consoleSize(): { columns: number };
  env: { get(name: string): string | undefined };
  addSignalListener(signal: "SIGINT", handler: () => void): void;
  removeSignalListener(signal: "SIGINT", handler: () => void): void;
  exit(code: number): never;
}

/** The part of Node's (and Bun's) `process` used here. */
interface ProcessApi {
  stdin: AsyncIterable<Uint8Array> & { isTTY?: boolean; destroy?(): void };
  stdout: { write(text: string, done?: () => void): boolean };
  stderr: { write(text: string, done?: () => void): boolean; isTTY?: boolean; columns?: number };
  env: Record<string, string | undefined>;
  on(event: "SIGINT", handler: () => void): unknown;
  off(event: "SIGINT", handler: () => void): unknown;
  exit(code: number): never;
}

const g = globalThis as unknown as { Deno?: DenoApi; process?: ProcessApi };
const encoder = new TextEncoder();

/**
 * The running runtime's {@link CliIo}.
 *
 * @example
 * ```ts
 * import { runtimeIo } from "@kafkats/producer/cli";
 * const io = runtimeIo();
 * if (io.stderrIsTerminal) io.writeStderr("a terminal\n");
 * ```
 */
export function runtimeIo(): CliIo {
  const files = (path: string) => readFile(path, "utf8");
  const deno = g.Deno;
  if (deno !== undefined) {
    const writeAll = (out: { writeSync(bytes: Uint8Array): number }, text: string) => {
      let bytes = encoder.encode(text);
      while (bytes.length > 0) bytes = bytes.subarray(out.writeSync(bytes));
    };
    const stderrIsTerminal = deno.stderr.isTerminal();
    return {
      stdin: () => deno.stdin.readable,
      stdinIsTerminal: deno.stdin.isTerminal(),
      stderrIsTerminal,
      stderrColumns: () => {
        if (!stderrIsTerminal) return undefined;
        try {
          return deno.consoleSize().columns;
        } catch {
          return undefined;
        }
      },
      writeStdout: (text) => writeAll(deno.stdout, text),
      writeStderr: (text) => writeAll(deno.stderr, text),
      readTextFile: files,
      env: (name) => deno.env.get(name),
      onInterrupt: (handler) => {
        deno.addSignalListener("SIGINT", handler);
        return () => deno.removeSignalListener("SIGINT", handler);
      },
      flush: () => Promise.resolve(), // writeSync
      exit: (code) => deno.exit(code),
    };
  }
  const process = g.process;
  if (process === undefined) throw new Error("kafkats: neither Deno nor a process global here");
  return {
    stdin: () => streamOf(process.stdin),
    stdinIsTerminal: process.stdin.isTTY === true,
    stderrIsTerminal: process.stderr.isTTY === true,
    stderrColumns: () => process.stderr.columns,
    writeStdout: (text) => void process.stdout.write(text),
    writeStderr: (text) => void process.stderr.write(text),
    readTextFile: files,
    env: (name) => process.env[name],
    onInterrupt: (handler) => {
      process.on("SIGINT", handler);
      return () => void process.off("SIGINT", handler);
    },
    flush: () => {
      const written = (stream: { write(text: string, done?: () => void): boolean }) =>
        new Promise<void>((resolve) => stream.write("", () => resolve()));
      let timer: ReturnType<typeof setTimeout> | undefined;
      const bound = new Promise<void>((resolve) => timer = setTimeout(resolve, 1000));
      return Promise.race([Promise.all([written(process.stdout), written(process.stderr)]), bound])
        .then(() => clearTimeout(timer));
    },
    exit: (code) => process.exit(code),
  };
}

/** Node's (or Bun's) stdin as a `ReadableStream`, pulled one chunk at a time. */
function streamOf(
  stdin: AsyncIterable<Uint8Array> & { destroy?(): void },
): ReadableStream<Uint8Array> {
  const chunks = stdin[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await chunks.next();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel() {
      stdin.destroy?.();
    },
  }, { highWaterMark: 0 });
}
