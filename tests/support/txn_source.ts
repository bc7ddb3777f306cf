/**
 * The input side of a read-process-write test: Kafka's own Java consumer
 * (tests/support/TxnSource.java) reading a topic read_committed for a
 * consumer group without members (assign(), not subscribe()), so the
 * producer under test can commit the group's offsets in its transactions
 * (`sendOffsetsToTransaction`, generation -1). Every wait has a timeout;
 * on one the Java process is killed and the call rejects.
 *
 *     const source = await TxnSource.open(input, group);
 *     try {
 *       const batch = await source.next(100, 2000);
 *       producer.beginTransaction();
 *       for (const r of batch) producer.send({ topic: output, value: fromB64(r.v) });
 *       await producer.sendOffsetsToTransaction(nextOffsets(input, batch), group);
 *       await producer.commitTransaction(); // or abortTransaction(), then source.rewind()
 *     } finally {
 *       await source.close();
 *     }
 *
 * @module
 */
import type { ChildProcess } from "node:child_process";
import { BOOTSTRAP } from "./cluster.ts";
import { spawnJava } from "./java.ts";

/** One record as TxnSource prints it. */
export interface SourceRecord {
  /** Partition. */
  p: number;
  /** Offset. */
  o: number;
  /** Key, standard base64, or null. */
  k: string | null;
  /** Value, standard base64, or null. */
  v: string | null;
}

/** Options of {@link TxnSource.open}. */
export interface TxnSourceOptions {
  /** Bootstrap servers (default the test broker). */
  bootstrap?: string;
  /** How long start-up (JVM, compile, finding the topic, committed offsets) may take, ms (default 90000). */
  startTimeoutMs?: number;
}

/** Slack on top of a command's own wait for the JVM to answer, ms. */
const SLACK_MS = 15_000;

/** A running TxnSource.java: {@link next}, {@link rewind}, {@link close}. */
export class TxnSource {
  readonly #child: ChildProcess;
  readonly #lines: string[] = [];
  #partial = "";
  #stderr = "";
  #exit: number | null | undefined = undefined;
  #wake: (() => void) | null = null;
  #queue: Promise<unknown> = Promise.resolve();
  readonly #closed: Promise<void>;

  private constructor(child: ChildProcess) {
    this.#child = child;
    child.stdout!.setEncoding("utf8").on("data", (s: string) => {
      const parts = (this.#partial + s).split("\n");
      this.#partial = parts.pop()!;
      this.#lines.push(...parts);
      this.#wake?.();
    });
    child.stderr!.setEncoding("utf8").on("data", (s: string) => {
      this.#stderr = (this.#stderr + s).slice(-8000);
    });
    child.stdin!.on("error", () => {}); // written after the process died: the read reports it
    this.#closed = new Promise((resolve) => {
      child.on("close", (code) => {
        this.#exit = code;
        this.#wake?.();
        resolve();
      });
    });
  }

  /**
   * Starts TxnSource.java on `topic` for group `groupId` and resolves once it
   * is positioned at the group's committed offsets (the beginning where none).
   */
  static async open(
    topic: string,
    groupId: string,
    options: TxnSourceOptions = {},
  ): Promise<TxnSource> {
    const source = new TxnSource(
      spawnJava(["tests/support/TxnSource.java", options.bootstrap ?? BOOTSTRAP, topic, groupId]),
    );
    try {
      const first = await source.#line(options.startTimeoutMs ?? 90_000, "start-up");
      if (first !== "ready") throw new Error(`TxnSource: ${first}\n${source.#stderr}`);
    } catch (error) {
      await source.close();
      throw error;
    }
    return source;
  }

  /**
   * Up to `n` records: waits up to `timeoutMs` (default 1000) for the first,
   * then takes what is already fetched. Resolves with `[]` when nothing
   * came. Records a poll gave beyond `n` come with the next call.
   */
  next(n: number, timeoutMs = 1000): Promise<SourceRecord[]> {
    if (!(Number.isInteger(n) && n > 0)) throw new RangeError(`next: n must be > 0, got ${n}`);
    return this.#command(`next ${n} ${Math.max(0, Math.floor(timeoutMs))}`, async () => {
      const records: SourceRecord[] = [];
      for (;;) {
        const line = await this.#line(timeoutMs + SLACK_MS, "next");
        if (line === "end") return records;
        if (line.startsWith("error")) throw new Error(`TxnSource next: ${line}`);
        records.push(JSON.parse(line));
      }
    });
  }

  /**
   * Drops what was fetched and not returned and seeks every partition to the
   * group's committed offset (the beginning where none): after an aborted
   * transaction, the next {@link next} reads its input again. Waits up to
   * `timeoutMs` (default 30000) for the committed offsets (a transaction
   * still committing offsets for the group is waited for).
   */
  rewind(timeoutMs = 30_000): Promise<void> {
    return this.#command(`rewind ${Math.max(1, Math.floor(timeoutMs))}`, async () => {
      const line = await this.#line(timeoutMs + SLACK_MS, "rewind");
      if (line !== "ok") throw new Error(`TxnSource rewind: ${line}`);
    });
  }

  /** Asks the process to quit, kills it if it has not within 10 s, and waits for its end. */
  async close(): Promise<void> {
    if (this.#exit === undefined) {
      try {
        this.#child.stdin!.end("quit\n");
      } catch {
        // already gone
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const exited = await Promise.race([
        this.#closed.then(() => true),
        new Promise<boolean>((resolve) => timer = setTimeout(() => resolve(false), 10_000)),
      ]);
      clearTimeout(timer);
      if (!exited) {
        this.#child.kill("SIGKILL");
        await this.#closed;
      }
    }
  }

  /** Sends one command and reads its answer; commands run one after another. */
  #command<T>(cmd: string, answer: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(() => {
      if (this.#exit !== undefined) throw this.#gone(cmd);
      this.#child.stdin!.write(cmd + "\n");
      return answer();
    });
    this.#queue = run.catch(() => {});
    return run;
  }

  /** The next stdout line; rejects (and kills the process) after `timeoutMs`, or on its exit. */
  #line(timeoutMs: number, what: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#wake = null;
        this.#child.kill("SIGKILL");
        reject(new Error(`TxnSource: no answer to ${what} within ${timeoutMs} ms (killed)`));
      }, timeoutMs);
      const check = () => {
        if (this.#lines.length > 0) {
          clearTimeout(timer);
          this.#wake = null;
          resolve(this.#lines.shift()!);
        } else if (this.#exit !== undefined) {
          clearTimeout(timer);
          this.#wake = null;
          reject(this.#gone(what));
        }
      };
      this.#wake = check;
      check();
    });
  }

  #gone(what: string): Error {
    return new Error(`TxnSource exited (${this.#exit}) before ${what}:\n${this.#stderr}`);
  }
}

/**
 * The offsets to commit after processing `records` of `topic`: per
 * partition, the last record's offset + 1 (the next one to read), in
 * `sendOffsetsToTransaction`'s shape.
 */
export function nextOffsets(
  topic: string,
  records: readonly SourceRecord[],
): { topic: string; partition: number; offset: bigint }[] {
  const next = new Map<number, number>();
  for (const r of records) next.set(r.p, Math.max(next.get(r.p) ?? 0, r.o + 1));
  return [...next].sort(([a], [b]) => a - b).map(([partition, o]) => ({
    topic,
    partition,
    offset: BigInt(o),
  }));
}

/** Bytes of a standard base64 string (as TxnSource and ReadBack print keys and values), or null. */
export function fromB64(s: string | null): Uint8Array | null {
  if (s === null) return null;
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
