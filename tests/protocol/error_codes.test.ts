import assert from "node:assert/strict";
import { KafkaError } from "../../lib/errors.ts";
import { ErrorCode, errorCodeInfo, kafkaError } from "../../lib/protocol/error_codes.ts";

Deno.test("error code table covers -1 … 133 without gaps", () => {
  const codes = Object.values(ErrorCode).sort((a, b) => a - b);
  assert.equal(codes[0], -1);
  assert.equal(codes.at(-1), 133);
  assert.equal(codes.length, 135);
  assert.equal(new Set(codes).size, codes.length);
});

Deno.test("names, retriable and invalidMetadata follow Kafka's Errors enum", () => {
  assert.deepEqual(errorCodeInfo(0), {
    code: 0,
    name: "NONE",
    retriable: false,
    invalidMetadata: false,
  });
  assert.deepEqual(errorCodeInfo(6), {
    code: 6,
    name: "NOT_LEADER_OR_FOLLOWER",
    retriable: true,
    invalidMetadata: true,
  });
  assert.equal(errorCodeInfo(-1).name, "UNKNOWN_SERVER_ERROR");
  assert.equal(errorCodeInfo(-1).retriable, false);
  // Retriable without a metadata refresh.
  for (const code of [7, 14, 15, 16, 19, 20, 51, 89]) {
    const info = errorCodeInfo(code);
    assert.ok(info.retriable && !info.invalidMetadata, info.name);
  }
  // Refresh metadata (all InvalidMetadataException subclasses).
  for (const code of [3, 5, 6, 9, 13, 56, 72, 74, 80, 83, 84, 100, 103]) {
    const info = errorCodeInfo(code);
    assert.ok(info.retriable && info.invalidMetadata, info.name);
  }
  // Fatal for a producer.
  for (const code of [10, 18, 35, 45, 46, 47, 59, 87, 90, 120]) {
    assert.equal(errorCodeInfo(code).retriable, false, errorCodeInfo(code).name);
  }
  assert.equal(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, 45);
  assert.equal(ErrorCode.TRANSACTION_ABORTABLE, 120);
  assert.equal(errorCodeInfo(133).name, "SHARE_SESSION_LIMIT_REACHED");
});

Deno.test("unknown codes read like UNKNOWN_SERVER_ERROR and keep the code", () => {
  assert.deepEqual(errorCodeInfo(4242), {
    code: 4242,
    name: "UNKNOWN_SERVER_ERROR(4242)",
    retriable: false,
    invalidMetadata: false,
  });
  assert.equal(errorCodeInfo(-7).name, "UNKNOWN_SERVER_ERROR(-7)");
});

Deno.test("kafkaError: name, code and retriable from the table; context, name, detail in the message", () => {
  const error = kafkaError(ErrorCode.NOT_LEADER_OR_FOLLOWER, "Produce to t-0 failed", "moved");
  assert.ok(error instanceof KafkaError);
  assert.equal(error.code, 6);
  assert.equal(error.name, "NOT_LEADER_OR_FOLLOWER");
  assert.equal(error.retriable, true);
  assert.equal(error.message, "Produce to t-0 failed: NOT_LEADER_OR_FOLLOWER (moved)");
  const cause = new Error("underneath");
  const bare = kafkaError(4242, "ApiVersions to b:1 failed", undefined, { cause });
  assert.equal(bare.message, "ApiVersions to b:1 failed: UNKNOWN_SERVER_ERROR(4242)");
  assert.equal(bare.retriable, false);
  assert.equal(bare.cause, cause);
});

Deno.test("the transactional producer's error codes: numbers and retriable as Java's exceptions", () => {
  // [name, code, retriable]: retriable iff the Java exception extends RetriableException.
  const table: [keyof typeof ErrorCode, number, boolean][] = [
    ["COORDINATOR_LOAD_IN_PROGRESS", 14, true],
    ["COORDINATOR_NOT_AVAILABLE", 15, true],
    ["NOT_COORDINATOR", 16, true],
    ["ILLEGAL_GENERATION", 22, false],
    ["UNKNOWN_MEMBER_ID", 25, false],
    ["REBALANCE_IN_PROGRESS", 27, false],
    ["TOPIC_AUTHORIZATION_FAILED", 29, false],
    ["GROUP_AUTHORIZATION_FAILED", 30, false],
    ["CLUSTER_AUTHORIZATION_FAILED", 31, false],
    ["INVALID_PRODUCER_EPOCH", 47, false],
    ["INVALID_TXN_STATE", 48, false],
    ["INVALID_PRODUCER_ID_MAPPING", 49, false],
    ["INVALID_TRANSACTION_TIMEOUT", 50, false],
    ["CONCURRENT_TRANSACTIONS", 51, true],
    ["TRANSACTION_COORDINATOR_FENCED", 52, false],
    ["TRANSACTIONAL_ID_AUTHORIZATION_FAILED", 53, false],
    ["OPERATION_NOT_ATTEMPTED", 55, false],
    ["UNKNOWN_PRODUCER_ID", 59, false],
    ["FENCED_INSTANCE_ID", 82, false],
    ["UNSTABLE_OFFSET_COMMIT", 88, true],
    ["PRODUCER_FENCED", 90, false],
    ["TRANSACTIONAL_ID_NOT_FOUND", 105, false],
    ["TRANSACTION_ABORTABLE", 120, false],
  ];
  for (const [name, code, retriable] of table) {
    assert.equal(ErrorCode[name], code, name);
    const info = errorCodeInfo(code);
    assert.equal(info.name, name);
    assert.equal(info.retriable, retriable, `${name} retriable`);
    assert.equal(info.invalidMetadata, false, `${name} is no metadata error`);
  }
});
