/**
 * FindCoordinator (key 10), versions 0–6; flexible from 3.
 *
 * Asks any broker which broker coordinates a group (key type 0), a
 * transactional id (1) or, from v6, a share-group partition (2). Up to v3 a
 * request names one key and the answer is at the top level; from v4
 * (KIP-699) a request names many keys and each gets an entry in
 * `coordinators`, the top-level fields being absent. A request may set both
 * `key` and `coordinatorKeys`: each version writes the one it has.
 *
 * An error answer carries node id -1, host "" and port -1 (Java's "no
 * node"), so those fields are not checked; decoded from v4 on, the
 * top-level ones read as that "no node" too. v5 only adds
 * TRANSACTION_ABORTABLE to the errors a broker may answer; v6 the share key
 * type.
 *
 * @module
 */

import { ApiKey } from "../api.ts";
import { message, type MessageCodec } from "../codec.ts";
import { array, type In, int16, int32, int8, type Out, string, struct } from "../schema.ts";

/** The kinds of coordinator FindCoordinator looks up (`keyType`). */
export const CoordinatorType = {
  /** A consumer group's coordinator: the key is the group id. */
  Group: 0,
  /** A transactional producer's coordinator: the key is the transactional id. */
  Transaction: 1,
  /** A share group's (v6+): the key is `groupId:topicId:partition`. */
  Share: 2,
} as const;

const Request = struct({
  /** The one key looked up (v0–3); default "". */
  key: string({ versions: "0-3", optional: true }),
  /** Kind of coordinator ({@link CoordinatorType}; v1+, group in v0). */
  keyType: int8({ versions: "1+" }),
  /** The keys looked up (v4+); default empty. */
  coordinatorKeys: array(string(), { versions: "4+", optional: true }),
});

const Coordinator = struct({
  /** The key this entry answers. */
  key: string(),
  /** The coordinator's broker id (-1 on error). */
  nodeId: int32(),
  /** Its host ("" on error). */
  host: string(),
  /** Its port (-1 on error). */
  port: int32(),
  /** Error code (0 = none). */
  errorCode: int16(),
  /** The broker's description of the error, or null. */
  errorMessage: string({ nullable: "0+" }),
});

const Response = struct({
  /** Throttle time in ms (0 in v0). */
  throttleTimeMs: int32({ versions: "1+" }),
  /** Error code, 0 = none (v0–3; 0 from v4: see `coordinators`). */
  errorCode: int16({ versions: "0-3" }),
  /** The broker's description of the error (v1–3), or null. */
  errorMessage: string({ versions: "1-3", nullable: "1-3", default: null }),
  /** The coordinator's broker id (v0–3; -1 on error, and from v4). */
  nodeId: int32({ versions: "0-3", default: -1 }),
  /** Its host (v0–3; "" on error, and from v4). */
  host: string({ versions: "0-3" }),
  /** Its port (v0–3; -1 on error, and from v4). */
  port: int32({ versions: "0-3", default: -1 }),
  /** One entry per key asked for (v4+; empty before). */
  coordinators: array(Coordinator, { versions: "4+" }),
});

/** FindCoordinator request. */
export type FindCoordinatorRequest = In<typeof Request>;
/** One coordinator of a v4+ response. */
export type FindCoordinatorCoordinator = Out<typeof Coordinator>;
/** FindCoordinator response. */
export type FindCoordinatorResponse = Out<typeof Response>;

/** Codec of FindCoordinator v0–6. */
export const FindCoordinator: MessageCodec<FindCoordinatorRequest, FindCoordinatorResponse> =
  message({
    name: "FindCoordinator",
    apiKey: ApiKey.FindCoordinator,
    validVersions: "0-6",
    flexibleVersions: "3+",
    request: Request,
    response: Response,
  });
