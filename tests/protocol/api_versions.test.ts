import assert from "node:assert/strict";
import { ApiVersions, type ApiVersionsResponse } from "../../lib/protocol/messages/api_versions.ts";
import { Reader } from "../../lib/protocol/reader.ts";
import { Writer } from "../../lib/protocol/writer.ts";
import { assertProtocolError } from "../support/assert_protocol_error.ts";
import { hex, unhex } from "../support/bytes.ts";
import { java } from "../support/java_vectors.ts";

const REQ = { clientSoftwareName: "kafka-ts", clientSoftwareVersion: "0.1.0" };
const KEYS = [
  { apiKey: 0, minVersion: 0, maxVersion: 13 },
  { apiKey: 18, minVersion: 0, maxVersion: 4 },
];

function decode(bytes: Uint8Array, version: number): ApiVersionsResponse {
  return ApiVersions.decodeResponse(new Reader(bytes), version);
}

Deno.test("ApiVersions requests: empty before v3, software name and version from v3", () => {
  for (const v of [0, 1, 2]) {
    const w = new Writer();
    ApiVersions.encodeRequest(w, REQ, v);
    assert.equal(hex(w.finish()), hex(java("api_versions_request_v0")), `v${v}`);
  }
  for (const v of [3, 4]) {
    const w = new Writer();
    ApiVersions.encodeRequest(w, REQ, v);
    assert.equal(hex(w.finish()), hex(java("api_versions_request_v3")), `v${v}`);
  }
});

Deno.test("ApiVersions responses v0, v1, v3, v4 (feature tags skipped)", () => {
  assert.deepEqual(decode(java("api_versions_response_v0"), 0), {
    errorCode: 35,
    apiKeys: KEYS,
    throttleTimeMs: 0,
  });
  assert.deepEqual(decode(java("api_versions_response_v1"), 1), {
    errorCode: 0,
    apiKeys: KEYS,
    throttleTimeMs: 1,
  });
  for (const v of [3, 4]) {
    const r = new Reader(java(`api_versions_response_v${v}`));
    assert.deepEqual(ApiVersions.decodeResponse(r, v), {
      errorCode: 0,
      apiKeys: KEYS,
      throttleTimeMs: 1,
    });
    assert.equal(r.remaining, 0, "all four tagged fields consumed");
  }
});

Deno.test("UNSUPPORTED_VERSION answers come as a v0 body whatever version we asked", () => {
  const v0 = java("api_versions_response_v0");
  for (const v of [1, 2, 3, 4]) {
    const res = decode(v0, v);
    assert.equal(res.errorCode, 35, `asked v${v}`);
    assert.deepEqual(res.apiKeys, KEYS);
  }
});

Deno.test("malformed ApiVersions responses are ProtocolErrors", () => {
  assertProtocolError(() => decode(unhex("0000"), 0), /truncated int32/);
  assertProtocolError(
    () => decode(unhex("00007fffffff"), 0),
    /^apiKeys: count 2147483647 exceeds the 0 bytes left$/,
  );
  // At v3 the error from the requested version is reported, not the fallback's.
  assertProtocolError(
    () => decode(unhex("0000ffffffff0f"), 3),
    /^apiKeys: count 4294967294 exceeds/,
  );
  const full = java("api_versions_response_v3");
  for (let cut = 0; cut < full.length; cut += 3) {
    assertProtocolError(() => decode(full.subarray(0, cut), 3));
  }
});
