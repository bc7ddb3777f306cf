import assert from "node:assert/strict";
import {
  Metadata,
  type MetadataRequest,
  type MetadataResponse,
} from "../../lib/protocol/messages/metadata.ts";
import { Reader } from "../../lib/protocol/reader.ts";
import { Writer } from "../../lib/protocol/writer.ts";
import { assertProtocolError } from "../support/assert_protocol_error.ts";
import { hex, unhex } from "../support/bytes.ts";
import { java } from "../support/java_vectors.ts";

const TOPIC_ID = unhex("0102030405060708090a0b0c0d0e0f10");

function encode(req: MetadataRequest, version: number): string {
  const w = new Writer();
  Metadata.encodeRequest(w, req, version);
  return hex(w.finish());
}

function decode(bytes: Uint8Array, version: number): MetadataResponse {
  return Metadata.decodeResponse(new Reader(bytes), version);
}

Deno.test("Metadata requests match Kafka's encoding across versions", () => {
  for (const v of [0, 1, 4, 8, 9, 10]) {
    const req: MetadataRequest = { topics: [{ name: "orders" }], allowAutoTopicCreation: v < 4 };
    assert.equal(encode(req, v), hex(java(`metadata_request_v${v}`)), `v${v}`);
  }
  for (const v of [12, 13]) {
    const req: MetadataRequest = {
      topics: [{ name: "orders" }, { name: null, topicId: TOPIC_ID }],
      allowAutoTopicCreation: false,
    };
    assert.equal(encode(req, v), hex(java(`metadata_request_v${v}`)), `v${v}`);
  }
  assert.equal(
    encode({ topics: null, allowAutoTopicCreation: true }, 1),
    hex(java("metadata_request_v1_all")),
  );
  assert.equal(
    encode({ topics: null, allowAutoTopicCreation: true }, 9),
    hex(java("metadata_request_v9_all")),
  );
  // v0 has no null: all topics is an empty array.
  assert.equal(encode({ topics: null, allowAutoTopicCreation: true }, 0), "00000000");
  assert.throws(
    () => encode({ topics: [{ name: null }], allowAutoTopicCreation: true }, 9),
    RangeError,
  );
});

Deno.test("Metadata v0 and v1 responses: defaults for later fields", () => {
  const v0 = decode(java("metadata_response_v0"), 0);
  assert.equal(v0.throttleTimeMs, 0);
  assert.deepEqual(v0.brokers, [
    { nodeId: 1, host: "h1", port: 9092, rack: null },
    { nodeId: 2, host: "h2", port: 9093, rack: null },
  ]);
  assert.equal(v0.clusterId, null);
  assert.equal(v0.controllerId, -1);
  assert.equal(v0.errorCode, 0);
  assert.deepEqual(v0.topics[0].partitions[0], {
    errorCode: 0,
    partitionIndex: 0,
    leaderId: 1,
    leaderEpoch: -1,
    replicaNodes: [1, 2],
    isrNodes: [1],
    offlineReplicas: [],
  });
  assert.equal(v0.topics[1].name, "missing");
  assert.equal(v0.topics[1].isInternal, false);

  const v1 = decode(java("metadata_response_v1"), 1);
  assert.equal(v1.brokers[0].rack, "rack-a");
  assert.equal(v1.brokers[1].rack, null);
  assert.equal(v1.controllerId, 2);
  assert.equal(v1.topics[1].isInternal, true);
  assert.equal(v1.topics[0].topicId, null);
});

Deno.test("Metadata v5–v8 responses: throttle, cluster id, offline replicas, leader epoch", () => {
  const v5 = decode(java("metadata_response_v5"), 5);
  assert.equal(v5.throttleTimeMs, 3);
  assert.equal(v5.clusterId, "cluster-x");
  assert.deepEqual(v5.topics[0].partitions[0].offlineReplicas, [2]);
  assert.equal(v5.topics[0].partitions[0].leaderEpoch, -1);
  const v7 = decode(java("metadata_response_v7"), 7);
  assert.equal(v7.topics[0].partitions[0].leaderEpoch, 4);
  const v8 = decode(java("metadata_response_v8"), 8);
  assert.deepEqual(v8, v7);
});

Deno.test("Metadata flexible responses: v9, topic ids from v10, null names v12, error code v13", () => {
  const v9 = decode(java("metadata_response_v9"), 9);
  assert.deepEqual(v9, decode(java("metadata_response_v8"), 8));

  const v10 = decode(java("metadata_response_v10"), 10);
  assert.deepEqual(v10.topics[0].topicId, TOPIC_ID);
  assert.equal(v10.topics[1].topicId, null, "zero UUID reads as null");
  assert.equal(v10.topics[1].errorCode, 3);

  const v12 = decode(java("metadata_response_v12"), 12);
  assert.equal(v12.topics[1].name, null);
  assert.equal(v12.errorCode, 0);

  const v13 = decode(java("metadata_response_v13"), 13);
  assert.equal(v13.errorCode, 29);
  assert.equal(v13.topics[0].name, "orders");
  assert.deepEqual(v13.topics[0].partitions[1], {
    errorCode: 5,
    partitionIndex: 1,
    leaderId: -1,
    leaderEpoch: -1,
    replicaNodes: [2],
    isrNodes: [],
    offlineReplicas: [],
  });
});

Deno.test("Metadata: a null topic name before v12 is a ProtocolError", () => {
  // v2: brokers [], cluster_id null, controller_id -1, one topic with error 3 and a null name.
  const w = new Writer().int32(0).string(null).int32(-1).int32(1).int16(3).string(null);
  assertProtocolError(
    () => decode(w.finish(), 2),
    /^topics\[0\]\.name: null in a non-nullable field$/,
  );
});

Deno.test("hostile and truncated Metadata responses are ProtocolErrors", () => {
  // v1: broker count 2^31-1.
  assertProtocolError(
    () => decode(unhex("7fffffff00000001"), 1),
    /^brokers: count 2147483647 exceeds the 4 bytes left$/,
  );
  // v9: replica_nodes count huge inside a partition.
  const w = new Writer().int32(0).uvarint(1).compactString(null).int32(1)
    .uvarint(2).int16(0).compactString("t").bool(false)
    .uvarint(2).int16(0).int32(0).int32(1).int32(0).uvarint(0xffffffff);
  assertProtocolError(
    () => decode(w.finish(), 9),
    /^topics\[0\]\.partitions\[0\]\.replicaNodes: count 4294967294 exceeds/,
  );
  const full = java("metadata_response_v13");
  for (let cut = 0; cut < full.length; cut += 5) {
    assertProtocolError(() => decode(full.subarray(0, cut), 13));
  }
  // Host string claims 32767 bytes.
  assertProtocolError(
    () => decode(unhex("00000001" + "00000001" + "7fff" + "68"), 0),
    /truncated string/,
  );
});

/** Metadata v1 bytes: one broker, one topic "t" with one partition. */
function metadataV1(broker: { nodeId: number; port: number }, partitionIndex: number): Uint8Array {
  const w = new Writer();
  w.array([broker], false, (w, b) => w.int32(b.nodeId).string("h").int32(b.port).string(null));
  w.int32(1); // controller id
  w.array(["t"], false, (w, name) => {
    w.int16(0).string(name).bool(false);
    w.array([partitionIndex], false, (w, p) => {
      w.int16(0).int32(p).int32(1);
      w.array([1], false, (w, n) => w.int32(n));
      w.array([1], false, (w, n) => w.int32(n));
    });
  });
  return w.finish();
}

Deno.test("Metadata: impossible values (negative partition index or node id, port out of range) are ProtocolErrors", () => {
  assert.equal(decode(metadataV1({ nodeId: 0, port: 65535 }, 0), 1).topics[0].partitions.length, 1);
  assertProtocolError(
    () => decode(metadataV1({ nodeId: 1, port: 9092 }, -1), 1),
    /^topics\[0\]\.partitions\[0\]\.partitionIndex: -1 is below 0$/,
  );
  assertProtocolError(
    () => decode(metadataV1({ nodeId: 1, port: 9092 }, -2147483648), 1),
    /partitionIndex: -2147483648 is below 0/,
  );
  assertProtocolError(
    () => decode(metadataV1({ nodeId: -1, port: 9092 }, 0), 1),
    /^brokers\[0\]\.nodeId: -1 is below 0$/,
  );
  assertProtocolError(
    () => decode(metadataV1({ nodeId: 1, port: 65536 }, 0), 1),
    /^brokers\[0\]\.port: 65536 is outside 0\.\.65535$/,
  );
  assertProtocolError(
    () => decode(metadataV1({ nodeId: 1, port: -1 }, 0), 1),
    /^brokers\[0\]\.port: -1 is outside 0\.\.65535$/,
  );
});
