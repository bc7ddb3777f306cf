/**
 * Transactions written by Kafka's own Java producer
 * (tests/support/JavaTxnWriter.java): the reference for what the broker
 * holds after committed, aborted and open transactions. Steps as in that
 * file: `send:N`, `commit`, `abort`, `commit:N`, `abort:N`,
 * `offsets:GROUP:P=O[,P=O…]`, `hold`. Record i (counted over all steps):
 * key `k-i`, value `v-i`.
 *
 * @module
 */
import { BOOTSTRAP } from "./cluster.ts";
import { runJava, spawnJava } from "./java.ts";

/** What the writer printed last. */
export interface TxnWriteSummary {
  /** The transactional id it used. */
  transactionalId: string;
  /** Records sent in committed transactions. */
  committed: number;
  /** Records sent in aborted transactions. */
  aborted: number;
  /** Records of a transaction still open after the last step (aborted by the producer's close). */
  open: number;
}

/** Options of {@link javaTxnWrite} and {@link startJavaTxnWriter}. */
export interface TxnWriterOptions {
  /** Bootstrap servers (default the test broker). */
  bootstrap?: string;
  /** Transactional id (default a random one). */
  transactionalId?: string;
  /** Every record to this partition (default: the key's partition). */
  partition?: number;
  /** `transaction.timeout.ms` (default 60000). */
  transactionTimeoutMs?: number;
  /** How long the whole run may take, ms (default 60000; the process is killed then). */
  timeoutMs?: number;
}

function argv(topic: string, steps: readonly string[], o: TxnWriterOptions): string[] {
  return [
    "tests/support/JavaTxnWriter.java",
    ...(o.transactionalId !== undefined ? ["--transactional-id", o.transactionalId] : []),
    ...(o.partition !== undefined ? ["--partition", String(o.partition)] : []),
    ...(o.transactionTimeoutMs !== undefined
      ? ["--transaction-timeout-ms", String(o.transactionTimeoutMs)]
      : []),
    o.bootstrap ?? BOOTSTRAP,
    topic,
    ...steps,
  ];
}

function summaryOf(stdout: string, stderr: string, code: number | null): TxnWriteSummary {
  const last = stdout.trim().split("\n").pop() ?? "";
  if (code !== 0 || !last.startsWith("{")) {
    throw new Error(`JavaTxnWriter failed (exit ${code}):\n${stderr.slice(-4000)}`);
  }
  return JSON.parse(last);
}

/** Runs the Java writer through `steps` (no `hold`) and returns its summary. */
export async function javaTxnWrite(
  topic: string,
  steps: readonly string[],
  options: TxnWriterOptions = {},
): Promise<TxnWriteSummary> {
  if (steps.includes("hold")) throw new Error("javaTxnWrite: use startJavaTxnWriter for `hold`");
  const r = await runJava(argv(topic, steps, options), { timeoutMs: options.timeoutMs ?? 60_000 });
  return summaryOf(r.stdout, r.stderr, r.code);
}

/** A running Java writer whose steps include `hold`. */
export interface HeldTxnWriter {
  /** Resolves when the writer is at its next `hold` (the transaction is open and flushed). */
  holding(): Promise<void>;
  /** Lets the writer go on past its current `hold`. */
  release(): void;
  /** Resolves with the summary once the writer has run its last step. */
  done(): Promise<TxnWriteSummary>;
  /** SIGKILL: leaves an open transaction to the broker's transaction timeout. */
  kill(): void;
}

/**
 * Starts the Java writer on `steps` with one or more `hold`s: await
 * `holding()`, look at the broker, `release()`, and so on; `done()` at the
 * end. Every wait rejects (and kills the writer) after `timeoutMs`.
 */
export function startJavaTxnWriter(
  topic: string,
  steps: readonly string[],
  options: TxnWriterOptions = {},
): HeldTxnWriter {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const child = spawnJava(argv(topic, steps, options));
  let stdout = "";
  let stderr = "";
  let holds = 0;
  let exit: number | null | undefined;
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const w of waiters) w();
  };
  child.stdout!.setEncoding("utf8").on("data", (s: string) => {
    stdout += s;
    holds = stdout.split("\n").filter((l) => l === "holding").length;
    wake();
  });
  child.stderr!.setEncoding("utf8").on("data", (s: string) => stderr += s);
  child.stdin!.on("error", () => {});
  child.on("close", (code) => {
    exit = code;
    wake();
  });
  let released = 0;
  const until = (what: string, ok: () => boolean) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (ok()) {
          finish();
          resolve();
        } else if (exit !== undefined) {
          finish();
          reject(
            new Error(`JavaTxnWriter exited (${exit}) before ${what}:\n${stderr.slice(-4000)}`),
          );
        }
      };
      const timer = setTimeout(() => {
        finish();
        child.kill("SIGKILL");
        reject(new Error(`JavaTxnWriter: no ${what} within ${timeoutMs} ms (killed)\n${stderr}`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  return {
    holding: () => until("hold", () => holds > released),
    release() {
      released++;
      child.stdin!.write("go\n");
    },
    async done() {
      await until("exit", () => exit !== undefined);
      return summaryOf(stdout, stderr, exit ?? null);
    },
    kill() {
      child.kill("SIGKILL");
    },
  };
}
