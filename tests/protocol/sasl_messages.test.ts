/**
 * SaslHandshake (v0–1, never flexible) and SaslAuthenticate (v0–2, flexible
 * from 2) byte for byte, as apache/kafka's schemas define them
 * (clients/src/main/resources/common/message/Sasl*.json):
 *
 * - SaslHandshakeRequest: Mechanism string.
 * - SaslHandshakeResponse: ErrorCode int16, Mechanisms []string.
 * - SaslAuthenticateRequest: AuthBytes bytes.
 * - SaslAuthenticateResponse: ErrorCode int16, ErrorMessage nullable string,
 *   AuthBytes bytes, SessionLifetimeMs int64 (v1+, default 0).
 *
 * Non-flexible versions: int16-length strings (-1 null), int32-length bytes
 * and arrays; flexible: unsigned-varint length + 1 (0 null), a tagged-field
 * section after every struct, and header v2 / v1 around the body. Plus the
 * codec fix these needed: `flexibleVersions: "none"` used to make bodies
 * flexible from v0.
 */
import assert from "node:assert/strict";
import { isFlexible } from "../../lib/protocol/api.ts";
import { message } from "../../lib/protocol/codec.ts";
import { decodeResponse, encodeRequest } from "../../lib/protocol/envelope.ts";
import { SaslAuthenticate } from "../../lib/protocol/messages/sasl_authenticate.ts";
import { SaslHandshake } from "../../lib/protocol/messages/sasl_handshake.ts";
import { Reader } from "../../lib/protocol/reader.ts";
import { array, bytes, int16, string, struct } from "../../lib/protocol/schema.ts";
import { Writer } from "../../lib/protocol/writer.ts";
import { assertProtocolError } from "../support/assert_protocol_error.ts";
import { hex, unhex, utf8 } from "../support/bytes.ts";

/** Hex of the UTF-8 bytes of `s`. */
const ascii = (s: string) => hex(utf8(s));

function encodeBody<Req>(
  codec: { encodeRequest(w: Writer, req: Req, version: number): void },
  req: Req,
  version: number,
): string {
  const w = new Writer();
  codec.encodeRequest(w, req, version);
  return hex(w.finish());
}

/** Asserts every proper prefix of `body` fails to decode with a ProtocolError. */
function assertTruncationsFail(decode: (r: Reader) => unknown, body: Uint8Array): void {
  for (let cut = 0; cut < body.length; cut++) {
    assertProtocolError(() => decode(new Reader(body.subarray(0, cut))));
  }
}

Deno.test("SaslHandshake: the codec's versions and flexibility follow the schema", () => {
  assert.equal(SaslHandshake.apiKey, 17);
  assert.equal(SaslHandshake.minVersion, 0);
  assert.equal(SaslHandshake.maxVersion, 1);
  assert.equal(SaslHandshake.flexibleFrom, Infinity, "flexibleVersions none");
  assert.equal(isFlexible(SaslHandshake, 0), false);
  assert.equal(isFlexible(SaslHandshake, 1), false);
  assert.equal(SaslAuthenticate.apiKey, 36);
  assert.equal(SaslAuthenticate.minVersion, 0);
  assert.equal(SaslAuthenticate.maxVersion, 2);
  assert.equal(SaslAuthenticate.flexibleFrom, 2);
});

Deno.test("SaslHandshake request v0 and v1: the mechanism as an int16-length string", () => {
  for (const v of [0, 1]) {
    assert.equal(encodeBody(SaslHandshake, { mechanism: "PLAIN" }, v), "0005" + "504c41494e");
    assert.equal(
      encodeBody(SaslHandshake, { mechanism: "SCRAM-SHA-512" }, v),
      "000d" + ascii("SCRAM-SHA-512"),
    );
    const decoded = SaslHandshake.request.decode(new Reader(unhex("0005504c41494e")), v);
    assert.deepEqual(decoded, { mechanism: "PLAIN" });
  }
});

Deno.test("SaslHandshake request v1 frame: request header v1, no tagged fields anywhere", () => {
  const frame = encodeRequest(SaslHandshake, 1, 7, "c", { mechanism: "PLAIN" });
  assert.equal(
    hex(frame),
    "00000012" + // size: 18
      "0011" + "0001" + "00000007" + // api key 17, version 1, correlation id 7
      "0001" + "63" + // client id "c" (int16 length)
      "0005" + "504c41494e", // mechanism "PLAIN"
  );
});

Deno.test("SaslHandshake response v0 and v1: error code and the enabled mechanisms", () => {
  const ok = unhex(
    "0000" + "00000002" + "000d" + ascii("SCRAM-SHA-512") + "0005" + ascii("PLAIN"),
  );
  const refused = unhex("0021" + "00000001" + "000b" + ascii("OAUTHBEARER"));
  for (const v of [0, 1]) {
    assert.deepEqual(SaslHandshake.decodeResponse(new Reader(ok), v), {
      errorCode: 0,
      mechanisms: ["SCRAM-SHA-512", "PLAIN"],
    });
    assert.deepEqual(SaslHandshake.decodeResponse(new Reader(refused), v), {
      errorCode: 33,
      mechanisms: ["OAUTHBEARER"],
    });
    assert.deepEqual(SaslHandshake.decodeResponse(new Reader(unhex("002200000000")), v), {
      errorCode: 34,
      mechanisms: [],
    });
    // The fakes' direction writes the same bytes.
    const w = new Writer();
    SaslHandshake.response.encode(w, { errorCode: 33, mechanisms: ["OAUTHBEARER"] }, v);
    assert.equal(hex(w.finish()), hex(refused));
    assertTruncationsFail((r) => SaslHandshake.decodeResponse(r, v), ok);
  }
  // Through the envelope: response header v0 (the correlation id), nothing else.
  const frame = unhex("0000002a" + hex(ok));
  assert.deepEqual(decodeResponse(SaslHandshake, 1, frame), {
    errorCode: 0,
    mechanisms: ["SCRAM-SHA-512", "PLAIN"],
  });
});

Deno.test("SaslAuthenticate request v0 and v1: int32-length bytes; v2: compact bytes and tagged fields", () => {
  const plain = utf8("\0alice\0pw");
  const plainHex = "00616c69636500" + "7077";
  for (const v of [0, 1]) {
    assert.equal(encodeBody(SaslAuthenticate, { authBytes: plain }, v), "00000009" + plainHex);
    assert.equal(encodeBody(SaslAuthenticate, { authBytes: new Uint8Array(0) }, v), "00000000");
    const decoded = SaslAuthenticate.request.decode(new Reader(unhex("00000009" + plainHex)), v);
    assert.deepEqual(decoded, { authBytes: plain });
  }
  assert.equal(encodeBody(SaslAuthenticate, { authBytes: plain }, 2), "0a" + plainHex + "00");
  assert.equal(encodeBody(SaslAuthenticate, { authBytes: new Uint8Array(0) }, 2), "0100");
  // A message of 200 bytes: the length + 1 takes two varint bytes (201 = 0xc9 0x01).
  const long = new Uint8Array(200).fill(0x61);
  assert.equal(encodeBody(SaslAuthenticate, { authBytes: long }, 2), "c901" + hex(long) + "00");
  assert.deepEqual(
    SaslAuthenticate.request.decode(new Reader(unhex("0a" + plainHex + "00")), 2),
    { authBytes: plain },
  );
});

Deno.test("SaslAuthenticate request frames: header v1 for v0/v1, header v2 (tagged fields) for v2", () => {
  const req = { authBytes: utf8("ab") };
  assert.equal(
    hex(encodeRequest(SaslAuthenticate, 1, 3, "c", req)),
    "00000011" + "0024" + "0001" + "00000003" + "0001" + "63" + "00000002" + "6162",
  );
  assert.equal(
    hex(encodeRequest(SaslAuthenticate, 2, 3, "c", req)),
    "00000010" + "0024" + "0002" + "00000003" + "0001" + "63" + "00" + // header v2
      "03" + "6162" + "00",
  );
});

Deno.test("SaslAuthenticate response v0: error code, nullable message, bytes; no session lifetime", () => {
  const ok = unhex("0000" + "ffff" + "00000000");
  assert.deepEqual(SaslAuthenticate.decodeResponse(new Reader(ok), 0), {
    errorCode: 0,
    errorMessage: null,
    authBytes: new Uint8Array(0),
    sessionLifetimeMs: 0n,
  });
  const failed = unhex("003a" + "0013" + ascii("invalid credentials") + "00000000");
  assert.deepEqual(SaslAuthenticate.decodeResponse(new Reader(failed), 0), {
    errorCode: 58,
    errorMessage: "invalid credentials",
    authBytes: new Uint8Array(0),
    sessionLifetimeMs: 0n,
  });
  // v0 has no lifetime field: one given is not written.
  const w = new Writer();
  SaslAuthenticate.response.encode(w, {
    errorCode: 0,
    errorMessage: null,
    authBytes: new Uint8Array(0),
    sessionLifetimeMs: 5n,
  }, 0);
  assert.equal(hex(w.finish()), hex(ok));
  assertTruncationsFail((r) => SaslAuthenticate.decodeResponse(r, 0), failed);
});

Deno.test("SaslAuthenticate response v1: the session lifetime follows the bytes as an int64", () => {
  const body = unhex(
    "0000" + "ffff" + "00000005" + ascii("v=xyz") + "000000000036ee80", // 3 600 000 ms
  );
  const expected = {
    errorCode: 0,
    errorMessage: null,
    authBytes: utf8("v=xyz"),
    sessionLifetimeMs: 3_600_000n,
  };
  assert.deepEqual(SaslAuthenticate.decodeResponse(new Reader(body), 1), expected);
  const w = new Writer();
  SaslAuthenticate.response.encode(w, expected, 1);
  assert.equal(hex(w.finish()), hex(body));
  assertTruncationsFail((r) => SaslAuthenticate.decodeResponse(r, 1), body);
  // Through the envelope: response header v0.
  assert.deepEqual(decodeResponse(SaslAuthenticate, 1, unhex("00000009" + hex(body))), expected);
});

Deno.test("SaslAuthenticate response v2: compact string and bytes, tagged fields, response header v1", () => {
  const body = unhex(
    "0000" + "00" + // error code 0, error message null (compact: 0)
      "06" + ascii("v=xyz") + // auth bytes, length + 1
      "000000000036ee80" + "00", // lifetime, no tagged fields
  );
  const expected = {
    errorCode: 0,
    errorMessage: null,
    authBytes: utf8("v=xyz"),
    sessionLifetimeMs: 3_600_000n,
  };
  assert.deepEqual(SaslAuthenticate.decodeResponse(new Reader(body), 2), expected);
  const w = new Writer();
  SaslAuthenticate.response.encode(w, expected, 2);
  assert.equal(hex(w.finish()), hex(body));
  assertTruncationsFail((r) => SaslAuthenticate.decodeResponse(r, 2), body);

  const failed = unhex(
    "003a" + "14" + ascii("invalid credentials") + "01" + "0000000000000000" + "00",
  );
  assert.deepEqual(SaslAuthenticate.decodeResponse(new Reader(failed), 2), {
    errorCode: 58,
    errorMessage: "invalid credentials",
    authBytes: new Uint8Array(0),
    sessionLifetimeMs: 0n,
  });

  // An unknown tagged field (tag 5, 2 bytes) is skipped.
  const tagged = unhex(hex(body).slice(0, -2) + "01" + "05" + "02" + "abcd");
  assert.deepEqual(SaslAuthenticate.decodeResponse(new Reader(tagged), 2), expected);

  // Through the envelope: response header v1 = correlation id + its own tagged fields.
  assert.deepEqual(
    decodeResponse(SaslAuthenticate, 2, unhex("00000009" + "00" + hex(body))),
    expected,
  );
});

Deno.test("SaslAuthenticate response: null auth bytes are malformed (the field is not nullable)", () => {
  assertProtocolError(() =>
    SaslAuthenticate.decodeResponse(new Reader(unhex("0000" + "ffff" + "ffffffff")), 0)
  );
  assertProtocolError(() =>
    SaslAuthenticate.decodeResponse(
      new Reader(unhex("0000" + "00" + "00" + "0000000000000000" + "00")),
      2,
    )
  );
});

// The codec fix of 2ad0cc6: parseVersions("none") is the empty range 0..-1,
// whose `lo` (0) made every version of the bodies flexible; only the codec's
// `flexibleFrom` (hence the headers) said otherwise.
const NeverFlexible = message({
  name: "NeverFlexible",
  apiKey: 17,
  validVersions: "0-3",
  flexibleVersions: "none",
  request: struct({ name: string(), data: bytes() }),
  response: struct({ errorCode: int16(), names: array(string()) }),
});

Deno.test('codec: flexibleVersions "none" keeps every version\'s body non-flexible (v0 included)', () => {
  assert.equal(NeverFlexible.flexibleFrom, Infinity);
  for (let v = 0; v <= 3; v++) {
    assert.equal(isFlexible(NeverFlexible, v), false, `v${v}`);
    const w = new Writer();
    NeverFlexible.encodeRequest(w, { name: "ab", data: utf8("c") }, v);
    // Flexible would be "03 6162 02 63 00": compact lengths and a tagged-field section.
    assert.equal(hex(w.finish()), "0002" + "6162" + "00000001" + "63", `v${v} request`);
    const body = unhex("0000" + "00000001" + "0002" + "6162");
    const r = new Reader(body);
    assert.deepEqual(NeverFlexible.decodeResponse(r, v), { errorCode: 0, names: ["ab"] });
    assert.equal(r.remaining, 0, `v${v}: the response body read exactly, no tagged fields`);
  }
  // The whole frame: header v1, body non-flexible.
  assert.equal(
    hex(encodeRequest(NeverFlexible, 0, 1, null, { name: "ab", data: utf8("c") })),
    "00000013" + "0011" + "0000" + "00000001" + "ffff" + "0002" + "6162" + "00000001" + "63",
  );
  // For contrast, the same message flexible from v3.
  const FlexibleFrom3 = message({
    name: "FlexibleFrom3",
    apiKey: 17,
    validVersions: "0-3",
    flexibleVersions: "3+",
    request: struct({ name: string(), data: bytes() }),
    response: struct({ errorCode: int16(), names: array(string()) }),
  });
  const w = new Writer();
  FlexibleFrom3.encodeRequest(w, { name: "ab", data: utf8("c") }, 3);
  assert.equal(hex(w.finish()), "03" + "6162" + "02" + "63" + "00");
  const w0 = new Writer();
  FlexibleFrom3.encodeRequest(w0, { name: "ab", data: utf8("c") }, 0);
  assert.equal(hex(w0.finish()), "0002" + "6162" + "00000001" + "63");
});
