/**
 * `kafkats`, a kcat-like command line producer: reads records from stdin
 * (lines, JSON lines or the raw input) and produces them with the kafkats
 * producer, on Deno, Bun and Node.
 *
 * ```sh
 * deno run -A jsr:@kafkats/producer/cli produce --bootstrap-server 127.0.0.1:9092 --topic logs < app.log
 * npx -p @kafkats/producer kafkats produce -b 127.0.0.1:9092 -t logs --compression zstd < app.log
 * bunx --bun -p @kafkats/producer kafkats produce -b 127.0.0.1:9092 -t orders --format json < orders.jsonl
 * ```
 *
 * Run as the main module, it runs the command line and exits with its
 * status ({@link EXIT}). Imported, it offers the pieces: {@link runCli},
 * the argument parser, the Java-name mapping and the input formats.
 *
 * @example Run the CLI in-process with the runtime's stdin and stderr
 * ```ts
 * import { runCli, runtimeIo } from "@kafkats/producer/cli";
 * const io = runtimeIo();
 * io.exit(await runCli(["produce", "-b", "127.0.0.1:9092", "-t", "logs"], io));
 * ```
 *
 * @module
 */
import { parseArgs } from "./args.ts";
import { EXIT, type ExitCode, UsageError } from "./errors.ts";
import { type CliIo, runtimeIo } from "./io.ts";
import { buildSettings } from "./options.ts";
import { describeError, produce } from "./produce.ts";
import { USAGE } from "./usage.ts";

export { type CliArgs, type InputFormat, parseArgs } from "./args.ts";
export { EXIT, type ExitCode, InputError, UsageError } from "./errors.ts";
export { type CliIo, runtimeIo } from "./io.ts";
export { javaSecurity, type PemSource, type SecuritySpec } from "./java_security.ts";
export { JsonFormat, parseRecord } from "./json_format.ts";
export { type LineHandler, LineSplitter } from "./line_splitter.ts";
export { LinesFormat } from "./lines_format.ts";
export {
  buildSettings,
  CLI_MAX_BLOCK_MS,
  PASSWORD_ENV,
  type ProduceSettings,
  type SettingsIo,
  TOKEN_ENV,
} from "./options.ts";
export { describeError, INTERRUPT_CLOSE_MS, produce } from "./produce.ts";
export {
  count,
  formatProgress,
  formatSummary,
  type ProgressSample,
  type RunSummary,
} from "./progress.ts";
export {
  ackedBytes,
  type ProgressCounts,
  ProgressDisplay,
  type ProgressTerminal,
} from "./progress_display.ts";
export {
  JAVA_NAMES,
  type LevelCodec,
  optionValue,
  type PropertyTarget,
  propertyTarget,
  type SettableOption,
  type SettableOptions,
} from "./properties.ts";
export { parsePropertiesFile, type PropertyEntry } from "./properties_file.ts";
export { RawFormat } from "./raw_format.ts";
export {
  type FormatOptions,
  type RecordFormat,
  recordFormat,
  type RecordHandler,
} from "./record_format.ts";
export { USAGE } from "./usage.ts";

/**
 * Runs the command line `argv` (the arguments after the program's name)
 * and returns its exit status: `--help` prints {@link USAGE} to stdout; a
 * bad command line prints the problem to stderr (status 2); `produce` runs.
 *
 * @example
 * ```ts
 * import { runCli, runtimeIo } from "@kafkats/producer/cli";
 * const status = await runCli(["--help"], runtimeIo()); // prints the usage, 0
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  try {
    const args = parseArgs(argv);
    if (args.command === "help") {
      io.writeStdout(USAGE);
      return EXIT.OK;
    }
    return await produce(await buildSettings(args, io), io);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.writeStderr(`kafkats: ${error.message}\n(kafkats --help lists the options)\n`);
    return EXIT.USAGE;
  }
}

/**
 * The program: {@link runCli} with the process's arguments and the
 * runtime's I/O, then exit with its status. What the npm package's
 * `kafkats` bin and `deno run jsr:@kafkats/producer/cli` run.
 *
 * @example
 * ```ts
 * import { main } from "@kafkats/producer/cli";
 * await main();
 * ```
 */
export async function main(): Promise<never> {
  const io = runtimeIo();
  const g = globalThis as unknown as {
    Deno?: { args: string[] };
    process?: { argv: string[] };
  };
  const argv = g.Deno?.args ?? g.process?.argv.slice(2) ?? [];
  let status: number;
  try {
    status = await runCli(argv, io);
  } catch (error) {
    io.writeStderr(`kafkats: unexpected ${describeError(error)}\n`);
    status = EXIT.FAILED;
  }
  await io.flush();
  return io.exit(status);
}

if ((import.meta as unknown as { main?: boolean }).main === true) await main();
