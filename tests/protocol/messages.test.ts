/**
 * Every message description round-trips at every version of its codec:
 * requests decode (with the same description) to what was encoded, and the
 * broker's real responses (`fixtures/captured_responses.json`) and Kafka's
 * Java client's (`fixtures/java_vectors.json`) encode back to their bytes.
 */
import assert from "node:assert/strict";
import type { MessageCodec } from "../../lib/protocol/codec.ts";
import { ApiVersions } from "../../lib/protocol/messages/api_versions.ts";
import { InitProducerId } from "../../lib/protocol/messages/init_producer_id.ts";
import { Metadata } from "../../lib/protocol/messages/metadata.ts";
import { Produce } from "../../lib/protocol/messages/produce.ts";
import { Reader } from "../../lib/protocol/reader.ts";
import { Writer } from "../../lib/protocol/writer.ts";
import { CreateTopics } from "../support/create_topics.ts";
import captured from "./fixtures/captured_responses.json" with { type: "json" };
import { hex, unhex } from "../support/bytes.ts";
import { java } from "../support/java_vectors.ts";

const ID = unhex("0102030405060708090a0b0c0d0e0f10");
const RECORDS = unhex("00000000000000000000003dffffffff02");

/** A request of each API with every field set, and what decoding it at the last version gives. */
interface Case<Req> {
  readonly codec: MessageCodec<Req, unknown, unknown, never>;
  readonly request: Req;
  readonly atMax: unknown;
}

function cases(): Case<never>[] {
  const metadata = {
    topics: [{ name: "a", topicId: ID }, { name: "b" }],
    allowAutoTopicCreation: false,
    includeClusterAuthorizedOperations: true,
    includeTopicAuthorizedOperations: true,
  };
  const produce = {
    transactionalId: "tx",
    acks: -1,
    timeoutMs: 30000,
    topics: [{ name: "t", topicId: ID, partitions: [{ index: 2, records: RECORDS }] }],
  };
  const createTopics = {
    topics: [{
      name: "t",
      numPartitions: 3,
      replicationFactor: 1,
      assignments: [{ partitionIndex: 0, brokerIds: [1, 2] }],
      configs: [{ name: "cleanup.policy", value: null }],
    }],
    timeoutMs: 15000,
    validateOnly: true,
  };
  const all: Case<unknown>[] = [
    {
      codec: ApiVersions,
      request: { clientSoftwareName: "kafkats", clientSoftwareVersion: "0.1.0" },
      atMax: { clientSoftwareName: "kafkats", clientSoftwareVersion: "0.1.0" },
    },
    {
      codec: Metadata,
      request: metadata,
      atMax: {
        ...metadata,
        topics: [{ name: "a", topicId: ID }, { name: "b", topicId: null }],
        includeClusterAuthorizedOperations: false, // v8–10 only
      },
    },
    {
      codec: Produce,
      request: produce,
      atMax: { ...produce, topics: [{ ...produce.topics[0], name: "" }] }, // names end at v12
    },
    {
      codec: InitProducerId,
      request: {
        transactionalId: null,
        transactionTimeoutMs: 60000,
        producerId: 5n,
        producerEpoch: 2,
      },
      atMax: {
        transactionalId: null,
        transactionTimeoutMs: 60000,
        producerId: 5n,
        producerEpoch: 2,
      },
    },
    { codec: CreateTopics, request: createTopics, atMax: createTopics },
  ];
  return all as Case<never>[];
}

Deno.test("messages: requests decode to what was encoded, at every version of every API", () => {
  for (const { codec, request, atMax } of cases()) {
    for (let v = codec.minVersion; v <= codec.maxVersion; v++) {
      const w = new Writer();
      codec.encodeRequest(w, request, v);
      const bytes = w.finish().slice();
      assert.ok(codec.sizeHint!(request, v) >= bytes.length, `${codec.name} v${v}: size hint`);
      const r = new Reader(bytes);
      const decoded = codec.request.decode(r, v);
      assert.equal(r.remaining, 0, `${codec.name} v${v}: every byte read`);
      const again = new Writer();
      codec.request.encode(again, decoded as never, v);
      assert.equal(
        hex(again.finish()),
        hex(bytes),
        `${codec.name} v${v}: decoded encodes the same`,
      );
      if (v === codec.maxVersion) assert.deepEqual(decoded, atMax, `${codec.name} v${v}`);
    }
  }
});

/** Any codec: what it takes is unknown here (never), what it gives is unknown. */
type AnyCodec = MessageCodec<never, unknown, unknown, never>;

const CODECS = new Map<number, AnyCodec>(
  [ApiVersions, Metadata, Produce, InitProducerId].map((c) => [c.apiKey, c]),
);

Deno.test("messages: the broker's responses encode back to its bytes, at every version", () => {
  const seen = new Map<string, Set<number>>();
  for (const c of captured) {
    const codec = CODECS.get(c.apiKey)!;
    const frame = Uint8Array.from(atob(c.frame), (ch) => ch.charCodeAt(0));
    const header = new Reader(frame, 4); // correlation id
    const flexible = c.version >= codec.flexibleFrom;
    if (flexible && codec !== ApiVersions) header.taggedFields();
    const body = frame.subarray(header.offset);
    const decoded = codec.decodeResponse(new Reader(body), c.version);
    // An UNSUPPORTED_VERSION ApiVersions answer has a v0 body.
    const v = codec === ApiVersions && (decoded as { errorCode: number }).errorCode === 35
      ? 0
      : c.version;
    const w = new Writer();
    codec.response.encode(w, decoded as never, v);
    const name = `${c.api} v${c.version} (${c.note})`;
    // Where not every field is kept (Metadata v8+: authorized operations,
    // ignored), compare what was read. ApiVersions v3+ keeps its feature tags
    // (brokers never send the one skipped, the controllers' ZK migration flag).
    const lossy = codec === Metadata && v >= 8;
    if (lossy) {
      assert.deepEqual(codec.response.decode(new Reader(w.finish()), v), decoded, name);
    } else {
      assert.equal(hex(w.finish()), hex(body), name);
    }
    if (!seen.has(c.api)) seen.set(c.api, new Set());
    seen.get(c.api)!.add(c.version);
  }
  for (const codec of CODECS.values()) {
    assert.equal(seen.get(codec.name)?.size, codec.maxVersion - codec.minVersion + 1, codec.name);
  }
});

Deno.test("messages: Kafka's CreateTopics responses (v2, v5 with a tag, v7) encode back to their bytes", () => {
  for (const v of [2, 5, 7]) {
    const bytes = java(`create_topics_response_v${v}`);
    const w = new Writer();
    CreateTopics.response.encode(w, CreateTopics.decodeResponse(new Reader(bytes), v), v);
    assert.equal(hex(w.finish()), hex(bytes), `v${v}`);
  }
});
