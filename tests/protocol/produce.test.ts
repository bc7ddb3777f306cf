import assert from "node:assert/strict";
import {
  Produce,
  type ProduceRequest,
  type ProduceResponse,
} from "../../lib/protocol/messages/produce.ts";
import { Reader } from "../../lib/protocol/reader.ts";
import { Writer } from "../../lib/protocol/writer.ts";
import { assertProtocolError } from "../support/assert_protocol_error.ts";
import { hex, unhex } from "../support/bytes.ts";
import { java } from "../support/java_vectors.ts";

const TOPIC_ID = unhex("0102030405060708090a0b0c0d0e0f10");

function request(transactionalId: string | null = null): ProduceRequest {
  const records = java("batch1");
  return {
    transactionalId,
    acks: -1,
    timeoutMs: 30000,
    topics: [{
      name: "orders",
      topicId: TOPIC_ID,
      partitions: [{ index: 0, records }, { index: 7, records }],
    }],
  };
}

function encode(req: ProduceRequest, version: number): Uint8Array {
  const w = new Writer();
  Produce.encodeRequest(w, req, version);
  return w.finish();
}

function decode(bytes: Uint8Array, version: number): ProduceResponse {
  return Produce.decodeResponse(new Reader(bytes), version);
}

Deno.test("Produce codec metadata", () => {
  assert.equal(Produce.apiKey, 0);
  assert.equal(Produce.minVersion, 3);
  assert.equal(Produce.maxVersion, 13);
  assert.equal(Produce.flexibleFrom, 9);
});

Deno.test("Produce requests match Kafka's encoding (v3, v8, v9, v12, v13)", () => {
  for (const v of [3, 9, 12, 13]) {
    assert.equal(hex(encode(request(), v)), hex(java(`produce_request_v${v}`)), `v${v}`);
  }
  assert.equal(hex(encode(request("tx-1"), 8)), hex(java("produce_request_v8")));
});

Deno.test("Produce request bytes follow the schema", () => {
  const batch = java("batch1");
  // v3: nullable string -1, acks, timeout, int32 topic count, int16 name.
  const v3 = encode(request(), 3);
  assert.equal(hex(v3.subarray(0, 14)), "ffff" + "ffff" + "00007530" + "00000001" + "0006");
  // v9: compact null, acks, timeout, compact count 1+1, compact name 6+1.
  const v9 = encode(request(), 9);
  assert.equal(hex(v9.subarray(0, 9)), "00" + "ffff" + "00007530" + "02" + "07");
  // Records are compact bytes in v9: uvarint(len + 1) right after the partition index.
  const at = 9 + 6 + 1 + 4;
  const r = new Reader(v9, at);
  assert.equal(r.uvarint(), batch.length + 1);
  // v13 addresses the topic by id: 16 raw bytes where the name was.
  const v13 = encode(request(), 13);
  assert.equal(hex(v13.subarray(8, 24)), hex(TOPIC_ID));
});

Deno.test("Produce v13 needs topic ids; sizeHint covers the records", () => {
  const req = request();
  req.topics[0].topicId = null;
  assert.throws(() => encode(req, 13), RangeError);
  assert.doesNotThrow(() => encode(req, 12));
  for (const v of [3, 9, 13]) {
    assert.ok(Produce.sizeHint!(request(), v) >= encode(request(), v).length, `v${v}`);
  }
});

Deno.test("Produce responses before flexible versions (v3, v5, v8)", () => {
  const v3 = decode(java("produce_response_v3"), 3);
  assert.equal(v3.throttleTimeMs, 12);
  assert.deepEqual(v3.nodeEndpoints, []);
  assert.equal(v3.topics[0].name, "orders");
  assert.equal(v3.topics[0].topicId, null);
  assert.deepEqual(v3.topics[0].partitions[0], {
    index: 0,
    errorCode: 0,
    baseOffset: 1n << 33n,
    logAppendTimeMs: -1n,
    logStartOffset: -1n, // v5+
    recordErrors: [],
    errorMessage: null,
    currentLeader: null,
  });
  assert.equal(v3.topics[0].partitions[1].logAppendTimeMs, 1700000000000n);

  const v5 = decode(java("produce_response_v5"), 5);
  assert.equal(v5.topics[0].partitions[0].logStartOffset, 17n);
  assert.deepEqual(v5.topics[0].partitions[1].recordErrors, []);

  const v8 = decode(java("produce_response_v8"), 8);
  const p = v8.topics[0].partitions[1];
  assert.equal(p.errorCode, 6);
  assert.deepEqual(p.recordErrors, [{ batchIndex: 2, message: "bad record" }]);
  assert.equal(p.errorMessage, "not leader");
  assert.equal(p.currentLeader, null);
});

Deno.test("Produce responses in flexible versions, with KIP-951 leader hints from v10", () => {
  const v9 = decode(java("produce_response_v9"), 9);
  assert.equal(v9.topics[0].partitions[1].errorMessage, "not leader");
  assert.equal(v9.topics[0].partitions[1].currentLeader, null);

  const v10 = decode(java("produce_response_v10"), 10);
  assert.equal(v10.throttleTimeMs, 12);
  assert.deepEqual(v10.topics[0].partitions[1].currentLeader, { leaderId: 3, leaderEpoch: 9 });
  assert.equal(v10.topics[0].partitions[0].currentLeader, null);
  assert.deepEqual(v10.nodeEndpoints, [
    { nodeId: 3, host: "broker-3", port: 9094, rack: null },
    { nodeId: 4, host: "broker-4", port: 9095, rack: "r1" },
  ]);
  // The same bytes read as v9: the tags are unknown there and skipped.
  const asV9 = decode(java("produce_response_v10"), 9);
  assert.equal(asV9.topics[0].partitions[1].currentLeader, null);
  assert.deepEqual(asV9.nodeEndpoints, []);
});

Deno.test("Produce v13 responses carry topic ids instead of names", () => {
  const v13 = decode(java("produce_response_v13"), 13);
  assert.equal(v13.topics[0].name, null);
  assert.deepEqual(v13.topics[0].topicId, TOPIC_ID);
  assert.deepEqual(v13.topics[0].partitions[1].currentLeader, { leaderId: 3, leaderEpoch: 9 });
  assert.equal(v13.nodeEndpoints.length, 2);
});

Deno.test("Produce responses skip unknown tagged fields", () => {
  const w = new Writer();
  w.uvarint(2).compactString("t").uvarint(2);
  w.int32(0).int16(0).int64(5n).int64(-1n).int64(0n).uvarint(1).compactString(null);
  w.taggedFields([
    { tag: 0, write: (w) => w.int32(1).int32(2).taggedFields() },
    { tag: 7, write: (w) => w.int64(99n) },
  ]);
  w.taggedFields(); // topic
  w.int32(0);
  w.taggedFields([{ tag: 9, write: (w) => w.compactString("future") }]);
  const res = decode(w.finish(), 11);
  assert.deepEqual(res.topics[0].partitions[0].currentLeader, { leaderId: 1, leaderEpoch: 2 });
  assert.equal(res.topics[0].partitions[0].baseOffset, 5n);
  assert.deepEqual(res.nodeEndpoints, []);
});

Deno.test("hostile and truncated Produce responses are ProtocolErrors", () => {
  assertProtocolError(
    () => decode(unhex("7fffffff000000"), 3),
    /^topics: count 2147483647 exceeds the 3 bytes left$/,
  );
  assertProtocolError(() => decode(unhex("ffffffff0f"), 9), /^topics: count 4294967294 exceeds/);
  assertProtocolError(() => decode(unhex("00000001" + "7fff" + "6f"), 3), /truncated string/);
  assertProtocolError(() => decode(unhex("ffffffff"), 3), /^topics: null in a non-nullable field$/);
  assertProtocolError(() => decode(unhex("00"), 9), /^topics: null in a non-nullable field$/);
  const full = java("produce_response_v10");
  for (let cut = 0; cut < full.length; cut += 7) {
    assertProtocolError(() => decode(full.subarray(0, cut), 10));
  }
});
