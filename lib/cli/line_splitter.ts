/**
 * Splits bytes into lines as they arrive: at each `\n`, dropping a `\r`
 * before it; a last line without a newline counts; an empty line is an
 * empty line. A line is a view into the input chunk when it lies within
 * one (no copy), else its pieces joined. A line longer than the bound is an
 * {@link InputError} before it is held in full.
 *
 * @module
 */
import { InputError } from "./errors.ts";

/** Gets each line's bytes (without `\n` or `\r\n`) and its 1-based number. */
export type LineHandler = (line: Uint8Array, lineNumber: number) => void;

const LF = 0x0a;
const CR = 0x0d;

/**
 * A streaming line splitter.
 *
 * @example
 * ```ts
 * import { LineSplitter } from "@kafkats/producer/cli";
 * const lines: string[] = [];
 * const splitter = new LineSplitter(1024, "maxRequestSize");
 * const text = new TextEncoder();
 * const onLine = (line: Uint8Array) => lines.push(new TextDecoder().decode(line));
 * splitter.push(text.encode("a\r\nb"), onLine);
 * splitter.push(text.encode("c\n\nlast"), onLine);
 * splitter.end(onLine);
 * console.log(lines); // ["a", "bc", "", "last"]
 * ```
 */
export class LineSplitter {
  readonly #maxBytes: number;
  readonly #bound: string;
  /** Pieces of the line not yet ended, and their length. */
  #pieces: Uint8Array[] = [];
  #pending = 0;
  #lineNumber = 0;

  /**
   * A splitter that refuses lines longer than `maxBytes`.
   * @param maxBytes the longest line accepted, in bytes.
   * @param bound what `maxBytes` is, for the error (e.g. "maxRequestSize").
   */
  constructor(maxBytes: number, bound: string) {
    this.#maxBytes = maxBytes;
    this.#bound = bound;
  }

  /** Lines ended so far. */
  get lineCount(): number {
    return this.#lineNumber;
  }

  /**
   * Calls `onLine` for each line `chunk` ends.
   * @throws {InputError} when a line grows past the bound.
   */
  push(chunk: Uint8Array, onLine: LineHandler): void {
    let start = 0;
    let newline = chunk.indexOf(LF);
    if (newline >= 0 && this.#pieces.length > 0) {
      this.#add(chunk.subarray(0, newline));
      onLine(this.#join(), ++this.#lineNumber);
      start = newline + 1;
      newline = chunk.indexOf(LF, start);
    }
    while (newline >= 0) {
      if (newline - start > this.#maxBytes + 1) this.#tooLong();
      const end = newline > start && chunk[newline - 1] === CR ? newline - 1 : newline;
      onLine(chunk.subarray(start, end), ++this.#lineNumber);
      start = newline + 1;
      newline = chunk.indexOf(LF, start);
    }
    if (start < chunk.length) this.#add(chunk.subarray(start));
  }

  /** Calls `onLine` for a last line that has no newline. */
  end(onLine: LineHandler): void {
    if (this.#pieces.length > 0) onLine(this.#join(), ++this.#lineNumber);
  }

  #add(piece: Uint8Array): void {
    this.#pending += piece.length;
    if (this.#pending > this.#maxBytes + 1) this.#tooLong();
    this.#pieces.push(piece);
  }

  /** The pending pieces as one line, without a trailing `\r`; resets them. */
  #join(): Uint8Array {
    const pieces = this.#pieces;
    let line: Uint8Array;
    if (pieces.length === 1) {
      line = pieces[0];
    } else {
      line = new Uint8Array(this.#pending);
      let at = 0;
      for (const piece of pieces) {
        line.set(piece, at);
        at += piece.length;
      }
    }
    this.#pieces = [];
    this.#pending = 0;
    return line.length > 0 && line[line.length - 1] === CR ? line.subarray(0, -1) : line;
  }

  #tooLong(): never {
    const n = this.#lineNumber + 1;
    throw new InputError(
      `line ${n} is longer than ${this.#bound} (${this.#maxBytes} bytes): no record can hold it`,
      n,
    );
  }
}
