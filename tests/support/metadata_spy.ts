/**
 * A pass-through transport that logs the Metadata requests a producer writes
 * to the real broker: which topics it asks for and whether it lets the
 * broker create them. It changes no byte; it only reads what goes out.
 *
 * @module
 */
import { denoTransport } from "../../lib/net/deno.ts";
import type { Socket, Transport } from "../../lib/net/transport.ts";
import { ApiKey } from "../../lib/protocol/api.ts";
import { Reader } from "../../lib/protocol/reader.ts";

/** One Metadata request as written. */
export interface LoggedMetadataRequest {
  /** When it was written (epoch ms). */
  readonly atMs: number;
  /** Topic names asked for (null: all topics). */
  readonly topics: readonly string[] | null;
  /** Its `allow_auto_topic_creation` (true before v4, as the broker reads it). */
  readonly allowAutoTopicCreation: boolean;
}

/** A transport to the real broker and the Metadata requests written through it. */
export interface MetadataSpy {
  /** Pass as `ProducerOptions.transport`. */
  readonly transport: Transport;
  /** Every Metadata request written so far, in order. */
  readonly requests: LoggedMetadataRequest[];
}

/** Wraps `inner` (Deno's TCP by default) so that every Metadata request is logged. */
export function metadataSpy(inner: Transport = denoTransport): MetadataSpy {
  const requests: LoggedMetadataRequest[] = [];
  return {
    requests,
    transport: {
      async connect(host, port): Promise<Socket> {
        const socket = await inner.connect(host, port);
        const writer = socket.writable.getWriter();
        let pending: Uint8Array = new Uint8Array(0);
        const writable = new WritableStream<Uint8Array>({
          async write(chunk) {
            pending = concat(pending, chunk);
            while (pending.length >= 4) {
              const size = new DataView(pending.buffer, pending.byteOffset).getInt32(0);
              if (pending.length < 4 + size) break;
              const request = readMetadataRequest(pending.subarray(4, 4 + size));
              if (request !== null) requests.push(request);
              pending = pending.slice(4 + size);
            }
            await writer.write(chunk);
          },
          close: () => writer.close(),
          abort: (reason) => writer.abort(reason),
        });
        return { readable: socket.readable, writable, close: () => socket.close() };
      },
    },
  };
}

/** The topics and creation flag of a Metadata request frame; null for other requests. */
function readMetadataRequest(frame: Uint8Array): LoggedMetadataRequest | null {
  const r = new Reader(frame);
  if (r.int16() !== ApiKey.Metadata) return null;
  const version = r.int16();
  r.int32(); // correlation id
  r.string(); // client id
  const flexible = version >= 9;
  if (flexible) r.taggedFields();
  const topics = r.array(flexible, (r) => {
    if (version >= 10) r.uuid();
    const name = flexible ? r.compactString() : r.string();
    if (flexible) r.taggedFields();
    return name ?? "";
  });
  const allowAutoTopicCreation = version >= 4 ? r.bool() : true;
  return { atMs: Date.now(), topics, allowAutoTopicCreation };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
