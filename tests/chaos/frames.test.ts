/**
 * The chaos proxy's frame scanning, without a broker: request headers (and
 * Produce's acks, flexible or not) found in a stream cut anywhere, and
 * response frames reassembled across chunks.
 */
import assert from "node:assert/strict";
import { encodeRequest } from "../../lib/protocol/envelope.ts";
import { Metadata } from "../../lib/protocol/messages/metadata.ts";
import { Produce, type ProduceRequest } from "../../lib/protocol/messages/produce.ts";
import {
  type RequestHead,
  RequestScanner,
  responseCorrelationId,
  ResponseFramer,
} from "../support/chaos_frames.ts";

function produce(acks: number, version: number, correlationId: number, clientId: string) {
  const request: ProduceRequest = {
    transactionalId: version % 2 === 0 ? null : "tx-id",
    acks,
    timeoutMs: 30000,
    topics: [{
      name: "t",
      topicId: new Uint8Array(16).fill(1),
      partitions: [{ index: 0, records: new Uint8Array(300).fill(7) }],
    }],
  };
  return encodeRequest(Produce, version, correlationId, clientId, request);
}

function concat(frames: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
  let at = 0;
  for (const f of frames) {
    out.set(f, at);
    at += f.length;
  }
  return out;
}

/** Feeds `bytes` to a scanner in chunks of `size` bytes. */
function scanInChunks(bytes: Uint8Array, size: number): RequestHead[] {
  const heads: RequestHead[] = [];
  const scanner = new RequestScanner((head) => heads.push(head));
  for (let i = 0; i < bytes.length; i += size) scanner.scan(bytes.subarray(i, i + size));
  assert.equal(scanner.lostSync, false);
  return heads;
}

Deno.test("request scanner: headers and Produce acks, whole or cut anywhere", () => {
  const stream = concat([
    produce(-1, 8, 1, "kafkats-producer-1"), // non-flexible, transactional id set
    produce(0, 9, 2, "c"), // flexible, acks=0
    encodeRequest(Metadata, 12, 3, "client-ü", {
      topics: null,
      allowAutoTopicCreation: true,
      includeTopicAuthorizedOperations: false,
    }),
    produce(1, 13, 4, ""), // flexible, acks=1
    produce(0, 3, 5, "x".repeat(2000)), // client id past the copied head: acks unknown
  ]);
  const expected = [
    { apiKey: 0, apiVersion: 8, correlationId: 1, expectsResponse: true },
    { apiKey: 0, apiVersion: 9, correlationId: 2, expectsResponse: false },
    { apiKey: 3, apiVersion: 12, correlationId: 3, expectsResponse: true },
    { apiKey: 0, apiVersion: 13, correlationId: 4, expectsResponse: true },
    { apiKey: 0, apiVersion: 3, correlationId: 5, expectsResponse: true },
  ];
  for (const size of [stream.length, 1, 3, 7, 64, 1000]) {
    assert.deepEqual(scanInChunks(stream, size), expected, `chunks of ${size} bytes`);
  }
});

Deno.test("response framer: frames within a chunk, across chunks, byte by byte", () => {
  const frame = (correlationId: number, bodyBytes: number) => {
    const f = new Uint8Array(8 + bodyBytes).fill(9);
    new DataView(f.buffer).setInt32(0, 4 + bodyBytes);
    new DataView(f.buffer).setInt32(4, correlationId);
    return f;
  };
  const frames = [frame(1, 0), frame(2, 10), frame(3, 5000), frame(4, 1)];
  const stream = concat(frames);
  for (const size of [stream.length, 1, 5, 100, 4096]) {
    const framer = new ResponseFramer(1 << 20);
    const got: Uint8Array[] = [];
    for (let i = 0; i < stream.length; i += size) {
      framer.push(stream.subarray(i, i + size), (f) => got.push(f.slice()));
    }
    assert.equal(framer.partial, false);
    assert.deepEqual(got.map(responseCorrelationId), [1, 2, 3, 4], `chunks of ${size} bytes`);
    assert.deepEqual(got, frames);
  }
  const framer = new ResponseFramer(100);
  assert.throws(() => framer.push(frame(1, 200), () => {}), RangeError);
});
