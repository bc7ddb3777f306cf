import assert from "node:assert/strict";
import { ProtocolError } from "../../lib/errors.ts";
import { ApiVersions } from "../../lib/protocol/messages/api_versions.ts";
import {
  decodeResponse,
  encodeRequest,
  responseCorrelationId,
} from "../../lib/protocol/envelope.ts";
import { InitProducerId } from "../../lib/protocol/messages/init_producer_id.ts";
import { Metadata } from "../../lib/protocol/messages/metadata.ts";
import { Produce, type ProduceRequest } from "../../lib/protocol/messages/produce.ts";
import { assertProtocolError } from "../support/assert_protocol_error.ts";
import { concat, hex, unhex } from "../support/bytes.ts";
import { java } from "../support/java_vectors.ts";

const TOPIC_ID = unhex("0102030405060708090a0b0c0d0e0f10");

function sizePrefixed(...parts: Uint8Array[]): string {
  const body = concat(...parts);
  const size = new Uint8Array(4);
  new DataView(size.buffer).setInt32(0, body.length);
  return hex(concat(size, body));
}

function produceRequest(): ProduceRequest {
  const records = java("batch1");
  return {
    transactionalId: null,
    acks: -1,
    timeoutMs: 30000,
    topics: [{
      name: "orders",
      topicId: TOPIC_ID,
      partitions: [{ index: 0, records }, { index: 7, records }],
    }],
  };
}

Deno.test("request header v1: size prefix, key, version, correlation id, client id", () => {
  const frame = encodeRequest(Produce, 3, 7, "kt", produceRequest());
  assert.equal(hex(frame), sizePrefixed(java("header_v1"), java("produce_request_v3")));
});

Deno.test("request header v2 keeps an int16 client id and adds tagged fields", () => {
  const frame = encodeRequest(ApiVersions, 4, 2147483647, "クライアント", {
    clientSoftwareName: "kafka-ts",
    clientSoftwareVersion: "0.1.0",
  });
  assert.equal(hex(frame), sizePrefixed(java("header_v2"), java("api_versions_request_v3")));
  const nullClient = encodeRequest(Metadata, 12, -5, null, {
    topics: [{ name: "orders" }, { name: null, topicId: TOPIC_ID }],
    allowAutoTopicCreation: false,
  });
  assert.equal(
    hex(nullClient),
    sizePrefixed(java("header_v2_null_client"), java("metadata_request_v12")),
  );
});

Deno.test("encodeRequest rejects versions outside the codec's range", () => {
  assert.throws(() => encodeRequest(Produce, 2, 1, null, produceRequest()), RangeError);
  assert.throws(() => encodeRequest(Produce, 14, 1, null, produceRequest()), RangeError);
  assert.throws(() => decodeResponse(Produce, 14, unhex("00000001")), RangeError);
});

Deno.test("responseCorrelationId reads the first int32", () => {
  assert.equal(responseCorrelationId(unhex("7fffffff00")), 2147483647);
  assert.equal(responseCorrelationId(unhex("fffffffb")), -5);
  assertProtocolError(() => responseCorrelationId(unhex("000000")), /too short/);
});

Deno.test("response header v0 for non-flexible versions", () => {
  const frame = concat(unhex("0000002a"), java("init_producer_id_response_v0"));
  const res = decodeResponse(InitProducerId, 0, frame);
  assert.equal(res.producerId, 1n << 42n);
});

Deno.test("response header v1 (tagged fields) for flexible versions, skipped even if not empty", () => {
  const body = java("init_producer_id_response_v2");
  assert.equal(
    decodeResponse(InitProducerId, 2, concat(unhex("0000002a00"), body)).producerEpoch,
    7,
  );
  // A header carrying an unknown tagged field (tag 3, 2 bytes).
  const tagged = concat(unhex("0000002a" + "01" + "03" + "02" + "abcd"), body);
  assert.equal(decodeResponse(InitProducerId, 2, tagged).producerEpoch, 7);
});

Deno.test("ApiVersions responses always use header v0", () => {
  const frame = concat(unhex("00000001"), java("api_versions_response_v3"));
  const res = decodeResponse(ApiVersions, 3, frame);
  assert.equal(res.errorCode, 0);
  assert.equal(res.apiKeys.length, 2);
});

Deno.test("trailing bytes after the body are ignored", () => {
  const frame = concat(unhex("00000001"), java("init_producer_id_response_v0"), unhex("ffff"));
  assert.equal(decodeResponse(InitProducerId, 0, frame).producerEpoch, 7);
});

Deno.test("truncated frames are ProtocolErrors naming the API and version", () => {
  const full = concat(unhex("00000001" + "00"), java("produce_response_v9"));
  for (const cut of [0, 3, 4, 5, 10, full.length - 1]) {
    assert.throws(
      () => decodeResponse(Produce, 9, full.subarray(0, cut)),
      (err: unknown) => {
        assert.ok(err instanceof ProtocolError);
        assert.match(err.message, /^Produce v9 response: /);
        assert.ok(err.cause instanceof ProtocolError);
        return true;
      },
      `cut at ${cut}`,
    );
  }
});
