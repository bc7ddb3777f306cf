/**
 * The fake broker's coordinator APIs: FindCoordinator (v0–6: node 1 itself
 * coordinates every key, unless the test's `coordinator` names another
 * node), InitProducerId with a transactional id, AddPartitionsToTxn
 * (v0–3), AddOffsetsToTxn, TxnOffsetCommit and EndTxn (v5 bumps the epoch
 * when `transaction.version` ≥ 2 is finalized, as KIP-890's coordinator).
 *
 * Requests are decoded and answers encoded with the codecs of
 * `lib/protocol/messages` (their `request.decode` and `response.encode`
 * directions, which only tests and fakes use). Left to itself the fake
 * answers as a coordinator would: a transactional id's producer id and epoch
 * are kept, InitProducerId bumps the epoch (fencing older instances), and a
 * request naming an old epoch is answered PRODUCER_FENCED. The test's
 * `onTransactional` may script any answer's error code, delay it, or leave
 * the request unanswered.
 *
 * @module
 */
import { ApiKey } from "../../../lib/protocol/api.ts";
import type { MessageCodec } from "../../../lib/protocol/codec.ts";
import {
  AddOffsetsToTxn,
  type AddOffsetsToTxnRequest,
} from "../../../lib/protocol/messages/add_offsets_to_txn.ts";
import {
  AddPartitionsToTxn,
  type AddPartitionsToTxnRequest,
} from "../../../lib/protocol/messages/add_partitions_to_txn.ts";
import { EndTxn, type EndTxnRequest } from "../../../lib/protocol/messages/end_txn.ts";
import {
  FindCoordinator,
  type FindCoordinatorRequest,
} from "../../../lib/protocol/messages/find_coordinator.ts";
import {
  InitProducerId,
  type InitProducerIdRequest,
} from "../../../lib/protocol/messages/init_producer_id.ts";
import {
  TxnOffsetCommit,
  type TxnOffsetCommitRequest,
} from "../../../lib/protocol/messages/txn_offset_commit.ts";
import type { Reader } from "../../../lib/protocol/reader.ts";
import type { Writer } from "../../../lib/protocol/writer.ts";
import type { ConnectionState, KafkaState } from "./kafka.ts";

const PRODUCER_FENCED = 90;
const INVALID_PRODUCER_EPOCH = 47;
const INVALID_PRODUCER_ID_MAPPING = 49;

/** A coordinator request as the fake decoded it (the codec's request type, every field present). */
export type TxnRequest =
  | FindCoordinatorRequest
  | InitProducerIdRequest
  | AddPartitionsToTxnRequest
  | AddOffsetsToTxnRequest
  | TxnOffsetCommitRequest
  | EndTxnRequest;

/**
 * How `onTransactional` answers one coordinator request: an error code (0:
 * success), `"hang"` (never answered; later requests on the connection still
 * are), or an answer held `delayMs` (it and every later answer on that
 * connection, as a broker answers in order) with `errorCode`, or the fake's
 * own answer without one. `undefined`: the fake's own answer, at once.
 */
export type TxnAnswer = number | "hang" | { readonly delayMs: number; readonly errorCode?: number };

/** A broker a FindCoordinator answer names. */
export interface FakeNode {
  /** Its node id. */
  readonly nodeId: number;
  /** Its host. */
  readonly host: string;
  /** Its port. */
  readonly port: number;
}

/** What the fake knows of one transactional id: the producer id and epoch it granted last. */
export interface FakeTransactionalId {
  /** Producer id. */
  producerId: bigint;
  /** Current epoch. */
  epoch: number;
}

/** How a coordinator request was answered, for the caller to frame. */
export interface TxnOutcome {
  /** Not answered at all. */
  readonly hang: boolean;
  /** Hold the answer this long (0: at once). */
  readonly delayMs: number;
}

/** The API keys this module answers, with their codecs. */
// deno-lint-ignore no-explicit-any
export const COORDINATOR_APIS: ReadonlyMap<number, MessageCodec<any, any>> = new Map<
  number,
  // deno-lint-ignore no-explicit-any
  MessageCodec<any, any>
>([
  [ApiKey.FindCoordinator, FindCoordinator],
  [ApiKey.InitProducerId, InitProducerId],
  [ApiKey.AddPartitionsToTxn, AddPartitionsToTxn],
  [ApiKey.AddOffsetsToTxn, AddOffsetsToTxn],
  [ApiKey.TxnOffsetCommit, TxnOffsetCommit],
  [ApiKey.EndTxn, EndTxn],
]);

/** The versions advertised for the coordinator APIs unless the test says otherwise (Kafka 4.1's). */
export const COORDINATOR_VERSIONS: ReadonlyMap<number, readonly [number, number]> = new Map([
  [ApiKey.FindCoordinator, [0, 6] as const],
  [ApiKey.AddPartitionsToTxn, [0, 3] as const],
  [ApiKey.AddOffsetsToTxn, [0, 4] as const],
  [ApiKey.TxnOffsetCommit, [0, 5] as const],
  [ApiKey.EndTxn, [0, 5] as const],
]);

/**
 * Reads the body of a coordinator request (`apiKey` in
 * {@link COORDINATOR_APIS}) and writes its answer's body to `w`: returns
 * whether and when to send it. InitProducerId without a transactional id is
 * the idempotent producer's, answered as before (`onInitProducerId`).
 */
export function answerCoordinatorApi(
  state: KafkaState,
  conn: ConnectionState,
  apiKey: number,
  version: number,
  r: Reader,
  w: Writer,
): TxnOutcome {
  const codec = COORDINATOR_APIS.get(apiKey)!;
  const request = codec.request.decode(r, version) as TxnRequest;
  if (
    apiKey === ApiKey.InitProducerId && (request as InitProducerIdRequest).transactionalId === null
  ) {
    const errorCode = state.onInitProducerId?.() ?? 0;
    codec.response.encode(w, {
      throttleTimeMs: 0,
      errorCode,
      producerId: errorCode === 0 ? state.nextProducerId++ : -1n,
      producerEpoch: errorCode === 0 ? 0 : -1,
    }, version);
    return { hang: false, delayMs: 0 };
  }
  const attempt = (state.coordinatorAttempts.get(apiKey) ?? 0) + 1;
  state.coordinatorAttempts.set(apiKey, attempt);
  const scripted = state.onTransactional?.(apiKey, request, attempt);
  state.requestLog?.push({
    connection: conn.id,
    address: conn.address,
    apiKey,
    version,
    atMs: performance.now(),
    attempt,
    body: request,
    scripted,
  });
  if (scripted === "hang") return { hang: true, delayMs: 0 };
  const errorCode = typeof scripted === "object" ? scripted.errorCode : scripted;
  codec.response.encode(w, answer(state, apiKey, version, request, errorCode), version);
  return { hang: false, delayMs: typeof scripted === "object" ? scripted.delayMs : 0 };
}

/** The answer body to `request`: `scripted` as its error code, or the fake's own. */
function answer(
  state: KafkaState,
  apiKey: number,
  version: number,
  request: TxnRequest,
  scripted: number | undefined,
): unknown {
  switch (apiKey) {
    case ApiKey.FindCoordinator:
      return findCoordinator(state, version, request as FindCoordinatorRequest, scripted ?? 0);
    case ApiKey.InitProducerId:
      return initProducerId(state, version, request as InitProducerIdRequest, scripted);
    case ApiKey.AddPartitionsToTxn: {
      const req = request as AddPartitionsToTxnRequest;
      const errorCode = scripted ?? checkEpoch(state, version, req);
      return {
        throttleTimeMs: 0,
        results: req.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((partitionIndex) => ({ partitionIndex, errorCode })),
        })),
      };
    }
    case ApiKey.AddOffsetsToTxn: {
      const req = request as AddOffsetsToTxnRequest;
      return { throttleTimeMs: 0, errorCode: scripted ?? checkEpoch(state, version, req) };
    }
    case ApiKey.TxnOffsetCommit: {
      const req = request as TxnOffsetCommitRequest;
      const errorCode = scripted ?? checkEpoch(state, version, req);
      return {
        throttleTimeMs: 0,
        topics: req.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })),
        })),
      };
    }
    default:
      return endTxn(state, version, request as EndTxnRequest, scripted);
  }
}

/** FindCoordinator: the node `coordinator` names (default node 1, this broker) for each key. */
function findCoordinator(
  state: KafkaState,
  version: number,
  request: FindCoordinatorRequest,
  errorCode: number,
) {
  const keyType = request.keyType ?? 0;
  const keys = version >= 4 ? request.coordinatorKeys ?? [] : [request.key ?? ""];
  const entries = keys.map((key) => {
    const node = errorCode !== 0
      ? { nodeId: -1, host: "", port: -1 }
      : state.coordinator?.(keyType, key) ?? { nodeId: 1, host: state.host, port: state.port };
    return { key, ...node, errorCode, errorMessage: null };
  });
  const first = entries[0] ?? { nodeId: -1, host: "", port: -1 };
  return {
    throttleTimeMs: 0,
    errorCode,
    errorMessage: null,
    nodeId: first.nodeId,
    host: first.host,
    port: first.port,
    coordinators: entries,
  };
}

/**
 * InitProducerId with a transactional id: the id's producer id with the
 * next epoch (a new id at epoch 0 the first time); with the current id and
 * epoch given (v3+, an epoch bump) the same, unless they are not the
 * current ones (PRODUCER_FENCED).
 */
function initProducerId(
  state: KafkaState,
  version: number,
  request: InitProducerIdRequest,
  scripted: number | undefined,
) {
  const refused = { throttleTimeMs: 0, producerId: -1n, producerEpoch: -1 };
  if (scripted !== undefined && scripted !== 0) return { ...refused, errorCode: scripted };
  const id = request.transactionalId!;
  const known = state.transactionalIds.get(id);
  const bump = version >= 3 && (request.producerId ?? -1n) >= 0n;
  if (bump && (known === undefined || known.producerId !== request.producerId)) {
    return { ...refused, errorCode: INVALID_PRODUCER_ID_MAPPING };
  }
  if (bump && known!.epoch !== request.producerEpoch) {
    return { ...refused, errorCode: PRODUCER_FENCED };
  }
  const granted = known === undefined
    ? { producerId: state.nextProducerId++, epoch: 0 }
    : { producerId: known.producerId, epoch: known.epoch + 1 };
  state.transactionalIds.set(id, granted);
  return {
    throttleTimeMs: 0,
    errorCode: 0,
    producerId: granted.producerId,
    producerEpoch: granted.epoch,
  };
}

/** EndTxn: v5 with `transaction.version` ≥ 2 finalized bumps the epoch and answers it. */
function endTxn(
  state: KafkaState,
  version: number,
  request: EndTxnRequest,
  scripted: number | undefined,
) {
  const errorCode = scripted ?? checkEpoch(state, version, request);
  const v2 = version >= 5 && (state.finalizedFeatures?.levels["transaction.version"] ?? 0) >= 2;
  const known = state.transactionalIds.get(request.transactionalId);
  if (errorCode !== 0 || !v2 || known === undefined) {
    return { throttleTimeMs: 0, errorCode, producerId: -1n, producerEpoch: -1 };
  }
  known.epoch++;
  return {
    throttleTimeMs: 0,
    errorCode,
    producerId: known.producerId,
    producerEpoch: known.epoch,
  };
}

/**
 * 0 if the request names the transactional id's current producer id and
 * epoch; else INVALID_PRODUCER_ID_MAPPING (unknown id or producer id) or
 * PRODUCER_FENCED (INVALID_PRODUCER_EPOCH before v2, as old brokers).
 */
function checkEpoch(
  state: KafkaState,
  version: number,
  request: { transactionalId: string; producerId: bigint; producerEpoch: number },
): number {
  const known = state.transactionalIds.get(request.transactionalId);
  if (known === undefined || known.producerId !== request.producerId) {
    return INVALID_PRODUCER_ID_MAPPING;
  }
  if (known.epoch === request.producerEpoch) return 0;
  return version >= 2 ? PRODUCER_FENCED : INVALID_PRODUCER_EPOCH;
}
