/**
 * The transactional producer's messages byte for byte, against bytes built
 * here by hand from Kafka 4.1's schemas (clients/src/main/resources/common/
 * message/*.json):
 *
 * - FindCoordinator (10) v0–6, flexible 3+: Key (v0–3), KeyType int8 (v1+),
 *   CoordinatorKeys []string (v4+); response ThrottleTimeMs (v1+), then
 *   ErrorCode, ErrorMessage (v1–3), NodeId, Host, Port (v0–3), or
 *   Coordinators [Key, NodeId, Host, Port, ErrorCode, ErrorMessage] (v4+).
 * - AddPartitionsToTxn (24) v0–3, flexible 3: TransactionalId, ProducerId,
 *   ProducerEpoch, Topics [Name, Partitions []int32]; response
 *   ThrottleTimeMs, Results [Name, [PartitionIndex, PartitionErrorCode]].
 * - AddOffsetsToTxn (25) v0–4, flexible 3+: TransactionalId, ProducerId,
 *   ProducerEpoch, GroupId; response ThrottleTimeMs, ErrorCode.
 * - TxnOffsetCommit (28) v0–5, flexible 3+: TransactionalId, GroupId,
 *   ProducerId, ProducerEpoch, GenerationId / MemberId / GroupInstanceId
 *   (v3+), Topics [Name, Partitions [PartitionIndex, CommittedOffset,
 *   CommittedLeaderEpoch (v2+), CommittedMetadata nullable]]; response
 *   ThrottleTimeMs, Topics [Name, Partitions [PartitionIndex, ErrorCode]].
 * - EndTxn (26) v0–5, flexible 3+: TransactionalId, ProducerId,
 *   ProducerEpoch, Committed bool; response ThrottleTimeMs, ErrorCode,
 *   ProducerId int64 and ProducerEpoch int16 (v5+, both default -1).
 *
 * The hex helpers below write Kafka's encodings directly (big-endian
 * integers; int16-length strings and int32-count arrays, or in flexible
 * versions uvarint length + 1 and a tagged-field section closing every
 * struct), independently of lib/protocol's Writer.
 */
import assert from "node:assert/strict";
import { ApiKey } from "../../lib/protocol/api.ts";
import { encodeRequest } from "../../lib/protocol/envelope.ts";
import { AddOffsetsToTxn } from "../../lib/protocol/messages/add_offsets_to_txn.ts";
import {
  AddPartitionsToTxn,
  type AddPartitionsToTxnRequest,
} from "../../lib/protocol/messages/add_partitions_to_txn.ts";
import { EndTxn } from "../../lib/protocol/messages/end_txn.ts";
import {
  CoordinatorType,
  FindCoordinator,
  type FindCoordinatorResponse,
} from "../../lib/protocol/messages/find_coordinator.ts";
import {
  TxnOffsetCommit,
  type TxnOffsetCommitRequest,
} from "../../lib/protocol/messages/txn_offset_commit.ts";
import { Reader } from "../../lib/protocol/reader.ts";
import { Writer } from "../../lib/protocol/writer.ts";
import { assertProtocolError } from "../support/assert_protocol_error.ts";
import { hex, unhex, utf8 } from "../support/bytes.ts";

// --- Hand encodings -------------------------------------------------------

/** Big-endian two's complement hex of `n` in `bytes` bytes. */
function be(n: number | bigint, bytes: number): string {
  const bits = BigInt(bytes * 8);
  const v = BigInt.asUintN(Number(bits), BigInt(n));
  return v.toString(16).padStart(bytes * 2, "0");
}
const i8 = (n: number) => be(n, 1);
const i16 = (n: number) => be(n, 2);
const i32 = (n: number) => be(n, 4);
const i64 = (n: bigint) => be(n, 8);
const bool = (b: boolean) => (b ? "01" : "00");
/** Unsigned varint (LEB128) hex. */
function uvarint(n: number): string {
  let s = "";
  while (n >= 0x80) {
    s += i8((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  return s + i8(n);
}
/** Classic string: int16 length (-1 for null), then UTF-8. */
const str = (s: string | null) => s === null ? "ffff" : i16(utf8(s).length) + hex(utf8(s));
/** Compact string: uvarint length + 1 (0 for null), then UTF-8. */
const cstr = (s: string | null) => s === null ? "00" : uvarint(utf8(s).length + 1) + hex(utf8(s));
/** Classic array count. */
const arr = (n: number) => i32(n);
/** Compact array count (uvarint count + 1). */
const carr = (n: number) => uvarint(n + 1);
/** An empty tagged-field section. */
const TAGS = "00";

function encodeBody<Req>(
  codec: { encodeRequest(w: Writer, req: Req, version: number): void },
  req: Req,
  version: number,
): string {
  const w = new Writer();
  codec.encodeRequest(w, req, version);
  return hex(w.finish());
}

/** Decodes `body` with `codec` at `version`, checking every byte is read. */
function decodeBody<Res>(
  codec: { decodeResponse(r: Reader, version: number): Res },
  body: string,
  version: number,
): Res {
  const r = new Reader(unhex(body));
  const out = codec.decodeResponse(r, version);
  assert.equal(r.remaining, 0, `v${version}: every byte read`);
  return out;
}

/** Asserts every proper prefix of `body` fails to decode with a ProtocolError. */
function assertTruncationsFail(decode: (r: Reader) => unknown, body: string): void {
  const bytes = unhex(body);
  for (let cut = 0; cut < bytes.length; cut++) {
    assertProtocolError(() => decode(new Reader(bytes.subarray(0, cut))));
  }
}

/** `body` with its final (top-level) empty tagged section replaced by `tags`. */
function withTags(body: string, tags: string): string {
  assert.equal(body.slice(-2), TAGS);
  return body.slice(0, -2) + tags;
}

/** An unknown tagged field: tag 9, 3 bytes. */
const UNKNOWN_TAG = "01" + uvarint(9) + "03" + "abcdef";

Deno.test("txn messages: API keys, versions and flexibility follow the schemas", () => {
  const expected: [
    { apiKey: number; minVersion: number; maxVersion: number; flexibleFrom: number },
    number,
    number,
  ][] = [
    [FindCoordinator, ApiKey.FindCoordinator, 6],
    [AddPartitionsToTxn, ApiKey.AddPartitionsToTxn, 3],
    [AddOffsetsToTxn, ApiKey.AddOffsetsToTxn, 4],
    [EndTxn, ApiKey.EndTxn, 5],
    [TxnOffsetCommit, ApiKey.TxnOffsetCommit, 5],
  ];
  for (const [codec, key, max] of expected) {
    assert.equal(codec.apiKey, key);
    assert.equal(codec.minVersion, 0);
    assert.equal(codec.maxVersion, max);
    assert.equal(codec.flexibleFrom, 3);
  }
  assert.deepEqual(
    [ApiKey.FindCoordinator, ApiKey.AddPartitionsToTxn, ApiKey.AddOffsetsToTxn, ApiKey.EndTxn],
    [10, 24, 25, 26],
  );
  assert.equal(ApiKey.TxnOffsetCommit, 28);
  assert.deepEqual(CoordinatorType, { Group: 0, Transaction: 1, Share: 2 });
});

// --- FindCoordinator ------------------------------------------------------

Deno.test("FindCoordinator requests v0, v1, v3, v4, v6: one key to v3, a key list from v4", () => {
  const req = { key: "tx-1", keyType: CoordinatorType.Transaction, coordinatorKeys: ["tx-1"] };
  assert.equal(encodeBody(FindCoordinator, req, 0), str("tx-1"), "v0: no key type");
  assert.equal(encodeBody(FindCoordinator, req, 1), str("tx-1") + i8(1));
  assert.equal(encodeBody(FindCoordinator, req, 2), str("tx-1") + i8(1));
  assert.equal(encodeBody(FindCoordinator, req, 3), cstr("tx-1") + i8(1) + TAGS);
  for (const v of [4, 5, 6]) {
    assert.equal(encodeBody(FindCoordinator, req, v), i8(1) + carr(1) + cstr("tx-1") + TAGS);
  }
  // Fields a version does not have may be left out.
  assert.equal(encodeBody(FindCoordinator, { key: "g", keyType: 0 }, 0), str("g"));
  assert.equal(
    encodeBody(FindCoordinator, { keyType: 1, coordinatorKeys: ["a", "bc"] }, 6),
    i8(1) + carr(2) + cstr("a") + cstr("bc") + TAGS,
  );
  assert.equal(encodeBody(FindCoordinator, { keyType: 0 }, 4), i8(0) + carr(0) + TAGS);
  assert.deepEqual(
    FindCoordinator.request.decode(new Reader(unhex(i8(1) + carr(1) + cstr("tx-1") + TAGS)), 6),
    { key: "", keyType: 1, coordinatorKeys: ["tx-1"] },
  );
  // Through the envelope: request header v2 from v3.
  assert.equal(
    hex(encodeRequest(FindCoordinator, 6, 9, "c", { keyType: 1, coordinatorKeys: ["t"] })),
    i32(2 + 2 + 4 + 3 + 1 + 1 + 1 + 2 + 1) +
      i16(10) + i16(6) + i32(9) + str("c") + TAGS +
      i8(1) + carr(1) + cstr("t") + TAGS,
  );
});

Deno.test("FindCoordinator responses v0–3: the coordinator at the top level", () => {
  const none = { errorMessage: null, coordinators: [] };
  // v0: no throttle time, no error message.
  const v0 = i16(0) + i32(1) + str("broker-1") + i32(9092);
  assert.deepEqual(
    decodeBody(FindCoordinator, v0, 0),
    {
      throttleTimeMs: 0,
      errorCode: 0,
      nodeId: 1,
      host: "broker-1",
      port: 9092,
      ...none,
    } satisfies FindCoordinatorResponse,
  );
  assertTruncationsFail((r) => FindCoordinator.decodeResponse(r, 0), v0);
  // v1 (and v2): throttle time and a nullable message; an error carries node -1, "" and -1.
  const v1 = i32(5) + i16(15) + str("no coordinator yet") + i32(-1) + str("") + i32(-1);
  for (const v of [1, 2]) {
    assert.deepEqual(decodeBody(FindCoordinator, v1, v), {
      throttleTimeMs: 5,
      errorCode: 15,
      errorMessage: "no coordinator yet",
      nodeId: -1,
      host: "",
      port: -1,
      coordinators: [],
    });
  }
  assertTruncationsFail((r) => FindCoordinator.decodeResponse(r, 1), v1);
  // v3: compact strings and a tagged-field section.
  const v3 = i32(0) + i16(0) + cstr(null) + i32(2) + cstr("b2") + i32(9093) + TAGS;
  const v3Out = {
    throttleTimeMs: 0,
    errorCode: 0,
    nodeId: 2,
    host: "b2",
    port: 9093,
    ...none,
  };
  assert.deepEqual(decodeBody(FindCoordinator, v3, 3), v3Out);
  assert.deepEqual(decodeBody(FindCoordinator, withTags(v3, UNKNOWN_TAG), 3), v3Out);
  assertTruncationsFail((r) => FindCoordinator.decodeResponse(r, 3), v3);
  // The fakes' direction writes the same bytes.
  const w = new Writer();
  FindCoordinator.response.encode(w, v3Out, 3);
  assert.equal(hex(w.finish()), v3);
});

Deno.test("FindCoordinator responses v4 and v6: one entry per key, no top-level coordinator", () => {
  const body = i32(7) + carr(2) +
    cstr("tx-1") + i32(1) + cstr("b1") + i32(9092) + i16(0) + cstr(null) + TAGS +
    cstr("tx-2") + i32(-1) + cstr("") + i32(-1) + i16(15) + cstr("loading") + TAGS +
    TAGS;
  const expected: FindCoordinatorResponse = {
    throttleTimeMs: 7,
    errorCode: 0,
    errorMessage: null,
    nodeId: -1,
    host: "",
    port: -1,
    coordinators: [
      { key: "tx-1", nodeId: 1, host: "b1", port: 9092, errorCode: 0, errorMessage: null },
      { key: "tx-2", nodeId: -1, host: "", port: -1, errorCode: 15, errorMessage: "loading" },
    ],
  };
  for (const v of [4, 5, 6]) {
    assert.deepEqual(decodeBody(FindCoordinator, body, v), expected, `v${v}`);
    const w = new Writer();
    FindCoordinator.response.encode(w, expected, v);
    assert.equal(hex(w.finish()), body, `v${v}: encodes back`);
  }
  // An unknown tag inside a coordinator entry is skipped.
  const tagged = i32(0) + carr(1) +
    cstr("g") + i32(3) + cstr("h") + i32(1) + i16(0) + cstr(null) + UNKNOWN_TAG +
    TAGS;
  assert.deepEqual(decodeBody(FindCoordinator, tagged, 6).coordinators, [
    { key: "g", nodeId: 3, host: "h", port: 1, errorCode: 0, errorMessage: null },
  ]);
  assertTruncationsFail((r) => FindCoordinator.decodeResponse(r, 6), body);
  // A null key is malformed (not nullable).
  assertProtocolError(
    () =>
      decodeBody(
        FindCoordinator,
        i32(0) + carr(1) + cstr(null) + i32(1) + cstr("h") + i32(1) + i16(0) + cstr(null) + TAGS +
          TAGS,
        6,
      ),
    /^coordinators\[0\]\.key: null in a non-nullable field$/,
  );
});

// --- AddPartitionsToTxn ---------------------------------------------------

const ADD_PARTITIONS: AddPartitionsToTxnRequest = {
  transactionalId: "tx",
  producerId: 1000n,
  producerEpoch: 3,
  topics: [{ name: "t", partitions: [0, 2] }, { name: "u", partitions: [] }],
};

Deno.test("AddPartitionsToTxn requests v0, v2, v3 (the client's versions)", () => {
  const classic = str("tx") + i64(1000n) + i16(3) + arr(2) +
    str("t") + arr(2) + i32(0) + i32(2) +
    str("u") + arr(0);
  for (const v of [0, 1, 2]) {
    assert.equal(encodeBody(AddPartitionsToTxn, ADD_PARTITIONS, v), classic);
  }
  const flexible = cstr("tx") + i64(1000n) + i16(3) + carr(2) +
    cstr("t") + carr(2) + i32(0) + i32(2) + TAGS +
    cstr("u") + carr(0) + TAGS +
    TAGS;
  assert.equal(encodeBody(AddPartitionsToTxn, ADD_PARTITIONS, 3), flexible);
  assert.deepEqual(
    AddPartitionsToTxn.request.decode(new Reader(unhex(flexible)), 3),
    ADD_PARTITIONS,
  );
  // v4+ (the brokers' batched form) is not implemented, so never negotiated.
  assert.throws(() => encodeBody(AddPartitionsToTxn, ADD_PARTITIONS, 4), RangeError);
  assert.throws(() => encodeRequest(AddPartitionsToTxn, 4, 1, "c", ADD_PARTITIONS), RangeError);
});

Deno.test("AddPartitionsToTxn responses v0, v2, v3: results by topic and partition", () => {
  const expected = {
    throttleTimeMs: 4,
    results: [
      {
        name: "t",
        partitions: [{ partitionIndex: 0, errorCode: 0 }, { partitionIndex: 2, errorCode: 51 }],
      },
      { name: "u", partitions: [] },
    ],
  };
  const classic = i32(4) + arr(2) +
    str("t") + arr(2) + i32(0) + i16(0) + i32(2) + i16(51) +
    str("u") + arr(0);
  for (const v of [0, 2]) {
    assert.deepEqual(decodeBody(AddPartitionsToTxn, classic, v), expected, `v${v}`);
  }
  assertTruncationsFail((r) => AddPartitionsToTxn.decodeResponse(r, 0), classic);
  const flexible = i32(4) + carr(2) +
    cstr("t") + carr(2) + i32(0) + i16(0) + TAGS + i32(2) + i16(51) + TAGS + TAGS +
    cstr("u") + carr(0) + TAGS +
    TAGS;
  assert.deepEqual(decodeBody(AddPartitionsToTxn, flexible, 3), expected);
  assert.deepEqual(decodeBody(AddPartitionsToTxn, withTags(flexible, UNKNOWN_TAG), 3), expected);
  assertTruncationsFail((r) => AddPartitionsToTxn.decodeResponse(r, 3), flexible);
  const w = new Writer();
  AddPartitionsToTxn.response.encode(w, expected, 3);
  assert.equal(hex(w.finish()), flexible);
});

// --- AddOffsetsToTxn ------------------------------------------------------

Deno.test("AddOffsetsToTxn requests v0, v2, v3, v4", () => {
  const req = { transactionalId: "tx", producerId: 7n, producerEpoch: 1, groupId: "group-a" };
  const classic = str("tx") + i64(7n) + i16(1) + str("group-a");
  for (const v of [0, 1, 2]) assert.equal(encodeBody(AddOffsetsToTxn, req, v), classic, `v${v}`);
  const flexible = cstr("tx") + i64(7n) + i16(1) + cstr("group-a") + TAGS;
  for (const v of [3, 4]) assert.equal(encodeBody(AddOffsetsToTxn, req, v), flexible, `v${v}`);
  assert.deepEqual(AddOffsetsToTxn.request.decode(new Reader(unhex(flexible)), 4), req);
});

Deno.test("AddOffsetsToTxn responses v0, v2, v4", () => {
  const classic = i32(0) + i16(90);
  for (const v of [0, 2]) {
    assert.deepEqual(decodeBody(AddOffsetsToTxn, classic, v), { throttleTimeMs: 0, errorCode: 90 });
  }
  const flexible = i32(3) + i16(0) + TAGS;
  assert.deepEqual(decodeBody(AddOffsetsToTxn, flexible, 4), { throttleTimeMs: 3, errorCode: 0 });
  assert.deepEqual(
    decodeBody(AddOffsetsToTxn, withTags(flexible, UNKNOWN_TAG), 4),
    { throttleTimeMs: 3, errorCode: 0 },
  );
  assertTruncationsFail((r) => AddOffsetsToTxn.decodeResponse(r, 0), classic);
  assertTruncationsFail((r) => AddOffsetsToTxn.decodeResponse(r, 4), flexible);
});

// --- TxnOffsetCommit ------------------------------------------------------

const OFFSETS: TxnOffsetCommitRequest = {
  transactionalId: "tx",
  groupId: "g",
  producerId: 7n,
  producerEpoch: 1,
  generationId: 4,
  memberId: "m-1",
  groupInstanceId: "i-1",
  topics: [{
    name: "t",
    partitions: [
      { partitionIndex: 0, committedOffset: 42n, committedLeaderEpoch: 9, committedMetadata: null },
      { partitionIndex: 1, committedOffset: 5n, committedLeaderEpoch: 9, committedMetadata: "md" },
    ],
  }],
};

Deno.test("TxnOffsetCommit requests v0, v2, v3, v5: leader epoch from v2, member fields from v3", () => {
  const head = str("tx") + str("g") + i64(7n) + i16(1) + arr(1) + str("t") + arr(2);
  const v0 = head + i32(0) + i64(42n) + str(null) + i32(1) + i64(5n) + str("md");
  assert.equal(encodeBody(TxnOffsetCommit, OFFSETS, 0), v0);
  assert.equal(encodeBody(TxnOffsetCommit, OFFSETS, 1), v0);
  const v2 = head + i32(0) + i64(42n) + i32(9) + str(null) + i32(1) + i64(5n) + i32(9) + str("md");
  assert.equal(encodeBody(TxnOffsetCommit, OFFSETS, 2), v2);
  const flexible = cstr("tx") + cstr("g") + i64(7n) + i16(1) +
    i32(4) + cstr("m-1") + cstr("i-1") +
    carr(1) + cstr("t") + carr(2) +
    i32(0) + i64(42n) + i32(9) + cstr(null) + TAGS +
    i32(1) + i64(5n) + i32(9) + cstr("md") + TAGS +
    TAGS + // topic
    TAGS;
  for (const v of [3, 4, 5]) {
    assert.equal(encodeBody(TxnOffsetCommit, OFFSETS, v), flexible, `v${v}`);
  }
  assert.deepEqual(TxnOffsetCommit.request.decode(new Reader(unhex(flexible)), 5), OFFSETS);
});

Deno.test("TxnOffsetCommit requests: what may be left out is written as the schema's default", () => {
  const bare = {
    transactionalId: "tx",
    groupId: "g",
    producerId: 7n,
    producerEpoch: 1,
    topics: [{ name: "t", partitions: [{ partitionIndex: 0, committedOffset: 42n }] }],
  };
  // Generation -1, member id "", group instance id null, leader epoch -1, metadata "".
  assert.equal(
    encodeBody(TxnOffsetCommit, bare, 5),
    cstr("tx") + cstr("g") + i64(7n) + i16(1) + i32(-1) + cstr("") + cstr(null) +
      carr(1) + cstr("t") + carr(1) + i32(0) + i64(42n) + i32(-1) + cstr("") + TAGS + TAGS +
      TAGS,
  );
  assert.equal(
    encodeBody(TxnOffsetCommit, bare, 2),
    str("tx") + str("g") + i64(7n) + i16(1) + arr(1) + str("t") + arr(1) +
      i32(0) + i64(42n) + i32(-1) + str(""),
  );
});

Deno.test("TxnOffsetCommit responses v0, v3, v5: results by topic and partition", () => {
  const expected = {
    throttleTimeMs: 0,
    topics: [{
      name: "t",
      partitions: [{ partitionIndex: 0, errorCode: 0 }, { partitionIndex: 1, errorCode: 22 }],
    }],
  };
  const classic = i32(0) + arr(1) + str("t") + arr(2) + i32(0) + i16(0) + i32(1) + i16(22);
  for (const v of [0, 2]) assert.deepEqual(decodeBody(TxnOffsetCommit, classic, v), expected);
  assertTruncationsFail((r) => TxnOffsetCommit.decodeResponse(r, 0), classic);
  const flexible = i32(0) + carr(1) + cstr("t") + carr(2) +
    i32(0) + i16(0) + TAGS + i32(1) + i16(22) + TAGS + TAGS + TAGS;
  for (const v of [3, 5]) {
    assert.deepEqual(decodeBody(TxnOffsetCommit, flexible, v), expected);
    assert.deepEqual(decodeBody(TxnOffsetCommit, withTags(flexible, UNKNOWN_TAG), v), expected);
  }
  assertTruncationsFail((r) => TxnOffsetCommit.decodeResponse(r, 5), flexible);
  const w = new Writer();
  TxnOffsetCommit.response.encode(w, expected, 5);
  assert.equal(hex(w.finish()), flexible);
});

// --- EndTxn ---------------------------------------------------------------

Deno.test("EndTxn requests v0, v2, v3, v5: commit and abort", () => {
  const commit = { transactionalId: "tx", producerId: 1000n, producerEpoch: 3, committed: true };
  const abort = { ...commit, committed: false };
  for (const v of [0, 1, 2]) {
    assert.equal(encodeBody(EndTxn, commit, v), str("tx") + i64(1000n) + i16(3) + bool(true));
    assert.equal(encodeBody(EndTxn, abort, v), str("tx") + i64(1000n) + i16(3) + bool(false));
  }
  for (const v of [3, 4, 5]) {
    assert.equal(encodeBody(EndTxn, commit, v), cstr("tx") + i64(1000n) + i16(3) + "01" + TAGS);
    assert.equal(encodeBody(EndTxn, abort, v), cstr("tx") + i64(1000n) + i16(3) + "00" + TAGS);
  }
  assert.deepEqual(
    EndTxn.request.decode(new Reader(unhex(cstr("tx") + i64(1000n) + i16(3) + "01" + TAGS)), 5),
    commit,
  );
});

Deno.test("EndTxn responses v0, v3, v4, v5: the next producer id and epoch from v5", () => {
  const before = { throttleTimeMs: 2, errorCode: 0, producerId: -1n, producerEpoch: -1 };
  assert.deepEqual(decodeBody(EndTxn, i32(2) + i16(0), 0), before);
  assert.deepEqual(decodeBody(EndTxn, i32(2) + i16(48), 2), { ...before, errorCode: 48 });
  for (const v of [3, 4]) assert.deepEqual(decodeBody(EndTxn, i32(2) + i16(0) + TAGS, v), before);
  const v5 = i32(2) + i16(0) + i64(1000n) + i16(4) + TAGS;
  const after = { throttleTimeMs: 2, errorCode: 0, producerId: 1000n, producerEpoch: 4 };
  assert.deepEqual(decodeBody(EndTxn, v5, 5), after);
  assert.deepEqual(decodeBody(EndTxn, withTags(v5, UNKNOWN_TAG), 5), after);
  assertTruncationsFail((r) => EndTxn.decodeResponse(r, 5), v5);
  assertTruncationsFail((r) => EndTxn.decodeResponse(r, 0), i32(2) + i16(0));
  // The fakes' direction: v4 has no producer id or epoch to write.
  const w = new Writer();
  EndTxn.response.encode(w, after, 4);
  assert.equal(hex(w.finish()), i32(2) + i16(0) + TAGS);
});

// --- Every API: requests round-trip at every version ----------------------

Deno.test("txn messages: requests decode to what was encoded, at every version", () => {
  const cases: [
    {
      name: string;
      minVersion: number;
      maxVersion: number;
      encodeRequest(w: Writer, req: never, v: number): void;
      sizeHint?(req: never, v: number): number;
      request: {
        decode(r: Reader, v: number): unknown;
        encode(w: Writer, x: never, v: number): void;
      };
    },
    unknown,
  ][] = [
    [FindCoordinator, { key: "k", keyType: 1, coordinatorKeys: ["k", "l"] }],
    [AddPartitionsToTxn, ADD_PARTITIONS],
    [AddOffsetsToTxn, { transactionalId: "t", producerId: 1n, producerEpoch: 0, groupId: "g" }],
    [TxnOffsetCommit, OFFSETS],
    [EndTxn, { transactionalId: "t", producerId: 1n, producerEpoch: 0, committed: true }],
  ];
  for (const [codec, request] of cases) {
    for (let v = codec.minVersion; v <= codec.maxVersion; v++) {
      const w = new Writer();
      codec.encodeRequest(w, request as never, v);
      const bytes = w.finish().slice();
      assert.ok(codec.sizeHint!(request as never, v) >= bytes.length, `${codec.name} v${v}: hint`);
      const r = new Reader(bytes);
      const decoded = codec.request.decode(r, v);
      assert.equal(r.remaining, 0, `${codec.name} v${v}: every byte read`);
      const again = new Writer();
      codec.request.encode(again, decoded as never, v);
      assert.equal(
        hex(again.finish()),
        hex(bytes),
        `${codec.name} v${v}: decoded encodes the same`,
      );
    }
  }
});
