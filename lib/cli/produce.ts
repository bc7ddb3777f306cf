/**
 * `kafkats produce`: stdin → records (the input format) → the producer's
 * `writable`, which batches them as they are written; then a report. The
 * stream pushes back through `writer.ready` (`writableHighWaterMark`), so
 * reading pauses while the broker catches up. A first SIGINT stops reading
 * and closes the producer within {@link INTERRUPT_CLOSE_MS}; a second one
 * exits at once.
 *
 * @module
 */
import { ProducerClosedError } from "../errors.ts";
import { DEFAULTS } from "../producer/defaults.ts";
import { Producer } from "../producer/producer.ts";
import { EXIT, type ExitCode, InputError } from "./errors.ts";
import type { CliIo } from "./io.ts";
import type { ProduceSettings } from "./options.ts";
import { formatSummary } from "./progress.ts";
import { ackedBytes, type ProgressCounts, ProgressDisplay } from "./progress_display.ts";
import { recordFormat } from "./record_format.ts";

/** How long the producer may take to flush after SIGINT, ms; what is not acknowledged by then fails. */
export const INTERRUPT_CLOSE_MS = 5000;

const noop = () => {};

/**
 * Runs `produce` with checked settings: reads stdin to its end (or to the
 * first bad line, failed record or SIGINT), waits for the acknowledgements,
 * prints the summary (unless quiet) and any error, and returns the exit
 * status ({@link EXIT}).
 *
 * @example
 * ```ts
 * import { buildSettings, parseArgs, produce, runtimeIo } from "@kafkats/producer/cli";
 * const io = runtimeIo();
 * const settings = await buildSettings(parseArgs(["produce", "-b", "127.0.0.1:9092", "-t", "logs"]), io);
 * io.exit(await produce(settings, io));
 * ```
 */
export async function produce(settings: ProduceSettings, io: CliIo): Promise<ExitCode> {
  const quiet = settings.quiet;
  if (!quiet) { for (const w of settings.warnings) io.writeStderr(`kafkats: warning: ${w}\n`); }
  let producer: Producer;
  try {
    producer = new Producer(settings.producer);
  } catch (error) {
    io.writeStderr(`kafkats: ${describeError(error)}\n`);
    return EXIT.USAGE;
  }
  const bufferMemory = settings.producer.bufferMemory ?? DEFAULTS.bufferMemory;
  const start = performance.now();
  let read = 0;
  let readBytes = 0;
  let firstError: unknown = null;
  let inputError: InputError | null = null;
  let interrupted = false;

  const writer = producer.writable.getWriter();
  const onWriteError = (error: unknown) => {
    if (!interrupted) firstError ??= error;
  };
  const format = recordFormat(settings, (record, bytes) => {
    read++;
    readBytes += bytes;
    writer.write(record).catch(onWriteError);
  });
  const stdin = io.stdin().getReader();
  let onInterrupted = noop;
  const interruption = new Promise<void>((resolve) => onInterrupted = resolve);
  const removeInterrupt = io.onInterrupt(() => {
    if (interrupted) {
      io.writeStderr("\nkafkats: interrupted again: exiting without waiting\n");
      void io.flush().then(() => io.exit(EXIT.INTERRUPTED));
      return;
    }
    interrupted = true;
    onInterrupted();
    stdin.cancel().catch(noop);
    producer.close({ timeoutMs: INTERRUPT_CLOSE_MS }).catch(noop);
  });

  const counts = (): ProgressCounts => {
    const m = producer.metrics();
    return {
      read,
      readBytes,
      acked: m.recordsSent,
      errors: m.recordErrors,
      bufferUsed: bufferMemory - m.bufferAvailableBytes,
      bufferMemory,
    };
  };
  const display = !quiet && (io.stderrIsTerminal || settings.progress)
    ? new ProgressDisplay(io, counts)
    : null;
  if (!quiet && io.stdinIsTerminal) {
    io.writeStderr(
      `kafkats: reading ${
        settings.format === "raw" ? "one record" : "records, one per line,"
      } from the terminal (Ctrl-D ends)\n`,
    );
  }
  display?.start();

  const failed = () => firstError !== null || writer.desiredSize === null;
  try {
    let ended = false;
    while (!interrupted && !failed()) {
      const chunk = await stdin.read();
      if (chunk.done) {
        ended = !interrupted;
        break;
      }
      format.push(chunk.value);
      const desired = writer.desiredSize;
      if (desired !== null && desired <= 0) {
        await Promise.race([writer.ready.catch(noop), interruption]);
      }
    }
    if (ended) format.end();
  } catch (error) {
    if (error instanceof InputError) inputError = error;
    else firstError ??= error;
  }
  if (!interrupted) stdin.cancel().catch(noop);

  // Waits for every record written (acknowledged or failed), then closes the producer.
  if (!failed()) await writer.close().catch(onWriteError);
  await producer.close().catch(onWriteError);
  removeInterrupt();
  display?.stop();

  const acked = producer.metrics().recordsSent;
  const all = counts();
  const report = formatSummary({
    read,
    acked,
    ackedBytes: ackedBytes({ ...all, acked }),
    elapsedMs: performance.now() - start,
    interrupted,
  });
  const error = inputError ?? firstError;
  if (error !== null && !(interrupted && error instanceof ProducerClosedError)) {
    io.writeStderr(`kafkats: error: ${describeError(error)}\n`);
  }
  if (!quiet) io.writeStderr(report + "\n");
  else if (acked < read) {
    io.writeStderr(`kafkats: ${read - acked} of ${read} records not acknowledged\n`);
  }
  if (interrupted) return EXIT.INTERRUPTED;
  if (inputError !== null) return EXIT.INPUT;
  return acked < read || firstError !== null ? EXIT.FAILED : EXIT.OK;
}

/** `Name: message` of an error, with its cause's message when it has one. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error && !error.message.includes(error.cause.message)
    ? ` (cause: ${error.cause.message})`
    : "";
  return `${error.name}: ${error.message}${cause}`;
}
