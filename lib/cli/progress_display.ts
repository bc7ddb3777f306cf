/**
 * The live progress line on a terminal: redrawn in place (`\r`, then the
 * line, then "clear to end of line") four times a second, cut to the
 * terminal's width so it never wraps. Rates are over the last second.
 * Off a terminal nothing is drawn: only the summary is printed, at the end.
 *
 * @module
 */
import { formatProgress, type ProgressSample } from "./progress.ts";

/** Counters read at each redraw. */
export interface ProgressCounts {
  /** Records written into the producer. */
  readonly read: number;
  /** Their key + value bytes. */
  readonly readBytes: number;
  /** Records acknowledged. */
  readonly acked: number;
  /** Records failed for good. */
  readonly errors: number;
  /** Bytes of `bufferMemory` in use. */
  readonly bufferUsed: number;
  /** `bufferMemory`. */
  readonly bufferMemory: number;
}

/** Where the line is drawn. */
export interface ProgressTerminal {
  /** Writes to the terminal (stderr). */
  writeStderr(text: string): void;
  /** Its width, if known. */
  stderrColumns(): number | undefined;
}

/** "Move to column 1"; "clear to the end of the line". */
const CR = "\r";
const CLEAR = "\x1b[K";

/** Acknowledged bytes, estimated from the bytes written while some records are in flight. */
export function ackedBytes(counts: ProgressCounts): number {
  return counts.read === 0 ? 0 : counts.readBytes * (counts.acked / counts.read);
}

/**
 * Redraws the progress line on a timer.
 *
 * @example
 * ```ts
 * import { ProgressDisplay } from "@kafkats/producer/cli";
 * const display = new ProgressDisplay(
 *   { writeStderr: (text) => console.error(JSON.stringify(text)), stderrColumns: () => 80 },
 *   () => ({ read: 10, readBytes: 1000, acked: 5, errors: 0, bufferUsed: 0, bufferMemory: 33554432 }),
 * );
 * display.start();
 * display.stop(); // clears the line
 * ```
 */
export class ProgressDisplay {
  readonly #terminal: ProgressTerminal;
  readonly #counts: () => ProgressCounts;
  readonly #intervalMs: number;
  #timer: ReturnType<typeof setInterval> | undefined;
  /** Recent (time, acked, acked bytes), oldest first, spanning about a second. */
  #history: [number, number, number][] = [];
  #drawn = false;

  /**
   * A display that reads `counts` at each redraw (every `intervalMs` once started).
   * @param terminal where to draw.
   * @param counts the counters, read at each redraw.
   * @param intervalMs time between redraws.
   */
  constructor(terminal: ProgressTerminal, counts: () => ProgressCounts, intervalMs = 250) {
    this.#terminal = terminal;
    this.#counts = counts;
    this.#intervalMs = intervalMs;
  }

  /** Starts redrawing. */
  start(): void {
    this.#history = [[performance.now(), 0, 0]];
    this.#timer ??= setInterval(() => this.draw(), this.#intervalMs);
  }

  /** Draws the line now. */
  draw(): void {
    const counts = this.#counts();
    const now = performance.now();
    const bytes = ackedBytes(counts);
    const history = this.#history;
    history.push([now, counts.acked, bytes]);
    while (history.length > 2 && now - history[1][0] >= 1000) history.shift();
    const [then, thenAcked, thenBytes] = history[0];
    const seconds = Math.max((now - then) / 1000, 0.001);
    const sample: ProgressSample = {
      read: counts.read,
      acked: counts.acked,
      ackedBytes: bytes,
      errors: counts.errors,
      recordsPerSec: (counts.acked - thenAcked) / seconds,
      bytesPerSec: (bytes - thenBytes) / seconds,
      bufferUsed: counts.bufferUsed,
      bufferMemory: counts.bufferMemory,
    };
    let line = formatProgress(sample);
    const columns = this.#terminal.stderrColumns();
    if (columns !== undefined && columns > 1 && line.length > columns - 1) {
      line = line.slice(0, columns - 1);
    }
    this.#terminal.writeStderr(CR + line + CLEAR);
    this.#drawn = true;
  }

  /** Clears the line (before an error or the summary is printed); it comes back at the next redraw. */
  clear(): void {
    if (this.#drawn) this.#terminal.writeStderr(CR + CLEAR);
    this.#drawn = false;
  }

  /** Stops redrawing and clears the line. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.clear();
  }
}
