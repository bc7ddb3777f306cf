import assert from "node:assert/strict";
import { formatAddress, parseAddress } from "../../lib/net/address.ts";

Deno.test("parseAddress reads host:port and [ipv6]:port", () => {
  assert.deepEqual(parseAddress("broker-1.example:9092"), { host: "broker-1.example", port: 9092 });
  assert.deepEqual(parseAddress("127.0.0.1:1"), { host: "127.0.0.1", port: 1 });
  assert.deepEqual(parseAddress("[::1]:9092"), { host: "::1", port: 9092 });
  assert.deepEqual(parseAddress("[2001:db8::7]:65535"), { host: "2001:db8::7", port: 65535 });
});

Deno.test("parseAddress refuses what is not host:port", () => {
  for (
    const text of [
      "",
      "broker",
      "broker:",
      ":9092",
      "broker:0",
      "broker:65536",
      "broker:123456",
      "broker:90x",
      "::1:9092",
      "[::1]",
      "[broker]:9092",
      "two words:9092",
      "a/b:9092",
    ]
  ) {
    assert.equal(parseAddress(text), null, text);
  }
});

Deno.test("formatAddress brackets IPv6 hosts; parseAddress reads it back", () => {
  for (const address of [{ host: "::1", port: 9092 }, { host: "10.0.0.2", port: 19092 }]) {
    assert.deepEqual(parseAddress(formatAddress(address)), address);
  }
  assert.equal(formatAddress({ host: "::1", port: 9092 }), "[::1]:9092");
  assert.equal(formatAddress({ host: "kafka", port: 9092 }), "kafka:9092");
});
