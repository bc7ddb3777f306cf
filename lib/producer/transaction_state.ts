/**
 * The transactional producer's states and the moves between them, by the
 * names of Java's `TransactionManager.State`:
 *
 * ```
 * UNINITIALIZED ─initTransactions→ INITIALIZING ─→ READY ─beginTransaction→ IN_TRANSACTION
 * IN_TRANSACTION ─commitTransaction→ COMMITTING_TRANSACTION ─EndTxn→ READY
 * IN_TRANSACTION | ABORTABLE_ERROR ─abortTransaction→ ABORTING_TRANSACTION ─EndTxn→ READY
 *                                  (or → INITIALIZING → READY when the epoch must be bumped)
 * IN_TRANSACTION | COMMITTING_TRANSACTION ─a record or step failed→ ABORTABLE_ERROR
 * any ─fenced, or refused for good→ FATAL_ERROR
 * ```
 *
 * @module
 */
import { TransactionStateError } from "../errors.ts";

/** A state of the transactional producer (Java's names). */
export type TransactionState =
  | "UNINITIALIZED"
  | "INITIALIZING"
  | "READY"
  | "IN_TRANSACTION"
  | "COMMITTING_TRANSACTION"
  | "ABORTING_TRANSACTION"
  | "ABORTABLE_ERROR"
  | "FATAL_ERROR";

/** The states each state may be entered from. FATAL_ERROR may be entered from any. */
const ENTERED_FROM: Readonly<Record<TransactionState, readonly TransactionState[]>> = {
  UNINITIALIZED: ["INITIALIZING"],
  INITIALIZING: ["UNINITIALIZED", "ABORTING_TRANSACTION"],
  READY: ["INITIALIZING", "COMMITTING_TRANSACTION", "ABORTING_TRANSACTION"],
  IN_TRANSACTION: ["READY"],
  COMMITTING_TRANSACTION: ["IN_TRANSACTION"],
  ABORTING_TRANSACTION: ["IN_TRANSACTION", "ABORTABLE_ERROR"],
  ABORTABLE_ERROR: ["IN_TRANSACTION", "COMMITTING_TRANSACTION", "ABORTABLE_ERROR", "INITIALIZING"],
  FATAL_ERROR: [],
};

/** Whether the producer may move from `from` to `to`. */
export function canTransition(from: TransactionState, to: TransactionState): boolean {
  return to === "FATAL_ERROR" || ENTERED_FROM[to].includes(from);
}

/** What a caller should do in `state` before `operation` can run. */
function remedy(state: TransactionState): string {
  switch (state) {
    case "UNINITIALIZED":
      return "call initTransactions() first";
    case "INITIALIZING":
      return "initTransactions() has not completed";
    case "READY":
      return "no transaction is open: call beginTransaction() first";
    case "IN_TRANSACTION":
      return "a transaction is already open";
    case "COMMITTING_TRANSACTION":
      return "the transaction is being committed";
    case "ABORTING_TRANSACTION":
      return "the transaction is being aborted";
    case "ABORTABLE_ERROR":
      return "the transaction failed: call abortTransaction()";
    case "FATAL_ERROR":
      return "the producer failed for good: close it";
  }
}

/** The error for `operation` called in `state`, which does not allow it. */
export function wrongState(operation: string, state: TransactionState): TransactionStateError {
  return new TransactionStateError(
    `cannot ${operation} in state ${state}: ${remedy(state)}`,
    state,
  );
}
