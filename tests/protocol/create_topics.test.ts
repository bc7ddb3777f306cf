import assert from "node:assert/strict";
import { CreateTopics, type CreateTopicsRequest } from "../support/create_topics.ts";
import { Reader } from "../../lib/protocol/reader.ts";
import { Writer } from "../../lib/protocol/writer.ts";
import { assertProtocolError } from "../support/assert_protocol_error.ts";
import { hex, unhex } from "../support/bytes.ts";
import { java } from "../support/java_vectors.ts";

const TOPIC_ID = unhex("0102030405060708090a0b0c0d0e0f10");

function request(validateOnly: boolean): CreateTopicsRequest {
  return {
    topics: [
      {
        name: "t1",
        numPartitions: 3,
        replicationFactor: 1,
        configs: [{ name: "min.insync.replicas", value: "2" }, {
          name: "cleanup.policy",
          value: null,
        }],
      },
      { name: "t2", numPartitions: -1, replicationFactor: -1 },
    ],
    timeoutMs: 15000,
    validateOnly,
  };
}

Deno.test("CreateTopics requests match Kafka's encoding (v2, v5, v7)", () => {
  for (const v of [2, 5, 7]) {
    const w = new Writer();
    CreateTopics.encodeRequest(w, request(v === 5), v);
    assert.equal(hex(w.finish()), hex(java(`create_topics_request_v${v}`)), `v${v}`);
  }
});

Deno.test("CreateTopics responses (v2, v5 with configs and tag 0, v7 with topic ids)", () => {
  const v2 = CreateTopics.decodeResponse(new Reader(java("create_topics_response_v2")), 2);
  assert.equal(v2.throttleTimeMs, 4);
  assert.deepEqual(v2.topics.map((t) => [t.name, t.errorCode, t.errorMessage]), [
    ["t1", 0, null],
    ["t2", 36, "Topic 't2' already exists."],
  ]);
  assert.equal(v2.topics[0].numPartitions, -1);
  assert.equal(v2.topics[0].configs, null);

  const v5 = CreateTopics.decodeResponse(new Reader(java("create_topics_response_v5")), 5);
  assert.deepEqual(v5.topics[0], {
    name: "t1",
    topicId: null,
    errorCode: 0,
    errorMessage: null,
    numPartitions: 3,
    replicationFactor: 1,
    configs: [{
      name: "min.insync.replicas",
      value: "2",
      readOnly: false,
      configSource: 1,
      isSensitive: false,
    }],
    topicConfigErrorCode: 0,
  });
  assert.equal(v5.topics[1].topicConfigErrorCode, 29);
  assert.equal(v5.topics[1].configs, null);

  const v7 = CreateTopics.decodeResponse(new Reader(java("create_topics_response_v7")), 7);
  assert.deepEqual(v7.topics[0].topicId, TOPIC_ID);
  assert.equal(v7.topics[1].topicId, null);
});

Deno.test("malformed CreateTopics responses are ProtocolErrors", () => {
  assertProtocolError(
    () => CreateTopics.decodeResponse(new Reader(unhex("000000007fffffff")), 2),
    /count 2147483647 exceeds/,
  );
  const full = java("create_topics_response_v7");
  for (let cut = 0; cut < full.length; cut += 4) {
    assertProtocolError(() => CreateTopics.decodeResponse(new Reader(full.subarray(0, cut)), 7));
  }
});
