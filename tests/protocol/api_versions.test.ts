import assert from "node:assert/strict";
import { ApiVersions, type ApiVersionsResponse } from "../../lib/protocol/messages/api_versions.ts";
import { Reader } from "../../lib/protocol/reader.ts";
import { Writer } from "../../lib/protocol/writer.ts";
import { assertProtocolError } from "../support/assert_protocol_error.ts";
import { hex, unhex, utf8 } from "../support/bytes.ts";
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

/** What a response before v3 (or without feature tags) says of features. */
const NO_FEATURES = { supportedFeatures: [], finalizedFeaturesEpoch: -1n, finalizedFeatures: [] };

Deno.test("ApiVersions responses v0, v1, v3, v4 (Kafka's own bytes, feature tags from v3)", () => {
  assert.deepEqual(decode(java("api_versions_response_v0"), 0), {
    errorCode: 35,
    apiKeys: KEYS,
    throttleTimeMs: 0,
    ...NO_FEATURES,
  });
  assert.deepEqual(decode(java("api_versions_response_v1"), 1), {
    errorCode: 0,
    apiKeys: KEYS,
    throttleTimeMs: 1,
    ...NO_FEATURES,
  });
  for (const v of [3, 4]) {
    const r = new Reader(java(`api_versions_response_v${v}`));
    assert.deepEqual(ApiVersions.decodeResponse(r, v), {
      errorCode: 0,
      apiKeys: KEYS,
      throttleTimeMs: 1,
      supportedFeatures: [{ name: "metadata.version", minVersion: 7, maxVersion: 27 }],
      finalizedFeaturesEpoch: 99n,
      finalizedFeatures: [{ name: "metadata.version", maxVersionLevel: 27, minVersionLevel: 27 }],
    });
    assert.equal(r.remaining, 0, "all four tagged fields consumed (ZK migration skipped)");
  }
});

// Built by hand from ApiVersionsResponse.json: after ThrottleTimeMs, v3+ ends
// with a tagged section holding SupportedFeatures (tag 0, [name, min, max]),
// FinalizedFeaturesEpoch (tag 1, int64) and FinalizedFeatures (tag 2, [name,
// maxVersionLevel, minVersionLevel]), each struct element closed by its own
// tagged section; ZkMigrationReady (tag 3, bool) is not described.
const TV = hex(utf8("transaction.version")); // 19 bytes: compact length 0x14
const GV = hex(utf8("group.version")); // 13 bytes: compact length 0x0e
const SUPPORTED = "03" + "14" + TV + "0000" + "0002" + "00" + "0e" + GV + "0000" + "0001" + "00";
const EPOCH = "0000000000000218"; // 536
const FINALIZED = "02" + "14" + TV + "0002" + "0000" + "00";
const RANGES = "03" + "0000" + "0000" + "000d" + "00" + "0012" + "0000" + "0004" + "00";
/** One tagged field: uvarint tag, uvarint size, the value. */
const tag = (n: number, value: string) =>
  n.toString(16).padStart(2, "0") + (value.length / 2).toString(16).padStart(2, "0") + value;

Deno.test("ApiVersions v3/v4 feature tags decode: supported and finalized features, epoch", () => {
  const body = "0000" + RANGES + "00000000" +
    "04" + tag(0, SUPPORTED) + tag(1, EPOCH) + tag(2, FINALIZED) + tag(3, "01");
  const expected: ApiVersionsResponse = {
    errorCode: 0,
    apiKeys: KEYS,
    throttleTimeMs: 0,
    supportedFeatures: [
      { name: "transaction.version", minVersion: 0, maxVersion: 2 },
      { name: "group.version", minVersion: 0, maxVersion: 1 },
    ],
    finalizedFeaturesEpoch: 536n,
    finalizedFeatures: [{ name: "transaction.version", maxVersionLevel: 2, minVersionLevel: 0 }],
  };
  for (const v of [3, 4]) {
    const r = new Reader(unhex(body));
    assert.deepEqual(ApiVersions.decodeResponse(r, v), expected, `v${v}`);
    assert.equal(r.remaining, 0);
    // The fakes' direction writes tags 0–2 in order; the skipped tag 3 is not kept.
    const w = new Writer();
    ApiVersions.response.encode(w, expected, v);
    assert.equal(
      hex(w.finish()),
      "0000" + RANGES + "00000000" + "03" + tag(0, SUPPORTED) + tag(1, EPOCH) + tag(2, FINALIZED),
    );
  }
  // Each tag alone; the others keep their defaults. Unknown tags (here 3 and 9) are skipped.
  const only = (tags: string) => decode(unhex("0000" + RANGES + "00000000" + tags), 3);
  assert.deepEqual(only("01" + tag(1, EPOCH)), {
    ...expected,
    supportedFeatures: [],
    finalizedFeatures: [],
  });
  assert.deepEqual(only("02" + tag(2, FINALIZED) + tag(9, "abcd")), {
    ...expected,
    supportedFeatures: [],
    finalizedFeaturesEpoch: -1n,
  });
  assert.deepEqual(only("01" + tag(3, "01")), { ...expected, ...NO_FEATURES });
  assert.deepEqual(only("00"), { ...expected, ...NO_FEATURES });
  // A finalized feature's own tagged section may hold unknown tags too.
  const extended = "02" + "14" + TV + "0002" + "0000" + "01" + tag(5, "ff");
  assert.deepEqual(only("01" + tag(2, extended)).finalizedFeatures, expected.finalizedFeatures);
  // Empty lists and the default epoch are not written.
  const w = new Writer();
  ApiVersions.response.encode(w, { ...expected, ...NO_FEATURES }, 3);
  assert.equal(hex(w.finish()), "0000" + RANGES + "00000000" + "00");
});

Deno.test("ApiVersions feature tags: a malformed value is a ProtocolError naming the field", () => {
  const at = (tags: string) => () => decode(unhex("0000" + RANGES + "00000000" + tags), 3);
  // The epoch's tag says 4 bytes: the int64 is cut at the tag's end.
  assertProtocolError(at("01" + tag(1, "00000218")), /^finalizedFeaturesEpoch: truncated int64/);
  // A finalized feature without its min level.
  assertProtocolError(
    at("01" + tag(2, "02" + "14" + TV + "0002")),
    /^finalizedFeatures\[0\]\.minVersionLevel: truncated int16/,
  );
  // A null name (not nullable).
  assertProtocolError(
    at("01" + tag(0, "02" + "00" + "0000" + "0001" + "00")),
    /^supportedFeatures\[0\]\.name: null in a non-nullable field$/,
  );
  // A tag claiming more bytes than are left.
  assertProtocolError(at("01" + "02" + "40" + "02"), /tagged field 2/);
});

Deno.test("UNSUPPORTED_VERSION answers come as a v0 body whatever version we asked", () => {
  const v0 = java("api_versions_response_v0");
  for (const v of [1, 2, 3, 4]) {
    const res = decode(v0, v);
    assert.equal(res.errorCode, 35, `asked v${v}`);
    assert.deepEqual(res.apiKeys, KEYS);
    assert.deepEqual(res.finalizedFeatures, [], "a v0 body has no features");
    assert.equal(res.finalizedFeaturesEpoch, -1n);
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
