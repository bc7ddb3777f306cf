/**
 * The fake broker's Metadata v12: the topics a request asks for, and an
 * answer naming node 1 leader of every partition listed.
 *
 * @module
 */
import type { Reader } from "../../../lib/protocol/reader.ts";
import { uuidToString } from "../../../lib/protocol/uuid.ts";
import type { Writer } from "../../../lib/protocol/writer.ts";
import type { KafkaState } from "./kafka.ts";

/** Topic names of a Metadata v12 request. */
export function readMetadataTopics(r: Reader): string[] {
  const topics = r.array(true, (r) => {
    r.uuid();
    const name = r.compactString();
    r.taggedFields();
    return name;
  }) ?? [];
  return topics.filter((t): t is string => t !== null);
}

/** Metadata v12 response body for `topics`: node 1 leads every partition (epoch 0). */
export function writeMetadata(w: Writer, state: KafkaState, topics: string[]): void {
  w.int32(0); // throttle
  w.uvarint(2).int32(1).compactString(state.host).int32(state.port).compactString(null)
    .taggedFields();
  w.compactString("fake-cluster").int32(1);
  w.array(topics, true, (w, name) => {
    const errorCode = state.topicErrorCode?.(name) ?? 0;
    const id = state.topicId(name);
    state.topicNames.set(uuidToString(id), name);
    w.int16(errorCode).compactString(name).uuid(id).bool(false);
    w.array(errorCode === 0 ? state.partitionIndexes : [], true, (w, p) => {
      w.int16(0).int32(p).int32(1).int32(0);
      w.uvarint(2).int32(1); // replicas
      w.uvarint(2).int32(1); // isr
      w.uvarint(1); // offline
      w.taggedFields();
    });
    w.int32(-2147483648).taggedFields(); // authorized operations: not asked
  });
  w.taggedFields();
}

/** A topic id derived from the name: stable, never the zero UUID. */
export function defaultTopicId(name: string): Uint8Array {
  const id = new Uint8Array(16);
  for (let i = 0; i < name.length; i++) id[i % 16] = (id[i % 16] * 31 + name.charCodeAt(i)) & 255;
  id[0] |= 1; // never the zero UUID
  return id;
}
