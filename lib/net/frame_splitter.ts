/**
 * Size-prefixed framing: turns the byte stream from a broker into whole
 * response frames (each without its 4-byte size prefix).
 *
 * @module
 */
import { ProtocolError } from "../errors.ts";

/**
 * A `TransformStream` from socket chunks to Kafka frames. A frame that fits
 * inside one chunk is passed on as a view of that chunk (no copy); a frame
 * spread over chunks is assembled into a buffer of exactly its size. A size
 * prefix above `maxFrameSize` (or below 4, the correlation id) errors the
 * stream before anything is allocated. When that prefix is the first thing
 * the peer sent and reads as a TLS record header, the error says the
 * listener speaks TLS and is not retriable.
 */
export class FrameSplitter extends TransformStream<Uint8Array, Uint8Array> {
  /**
   * Creates a splitter that rejects frames larger than `maxFrameSize` bytes;
   * `peer` (e.g. `host:port`) names the other end in its errors.
   */
  constructor(maxFrameSize: number, peer = "the peer") {
    const sizeBytes = new Uint8Array(4);
    let sizeFilled = 0;
    let frame: Uint8Array | null = null;
    let frameFilled = 0;
    let accepted = false;

    const startFrame = (size: number): Uint8Array => {
      if (size < 4 || size > maxFrameSize) {
        if (!accepted && isTlsRecordHeader(size)) {
          throw new ProtocolError(
            `${peer} speaks TLS: it answered with a TLS ${
              size >>> 24 === TLS_ALERT ? "alert" : "handshake"
            } record, not a Kafka response; this client connects in plaintext: set the producer's tls option (or use a PLAINTEXT listener)`,
            { retriable: false },
          );
        }
        throw new ProtocolError(
          `response frame size ${size} is outside 4..${maxFrameSize} bytes`,
        );
      }
      accepted = true;
      return new Uint8Array(size);
    };

    super({
      transform(chunk, controller) {
        let pos = 0;
        const end = chunk.length;
        while (pos < end) {
          if (frame === null) {
            if (sizeFilled === 0 && end - pos >= 4) {
              const size = ((chunk[pos] << 24) | (chunk[pos + 1] << 16) |
                (chunk[pos + 2] << 8) | chunk[pos + 3]) >>> 0;
              if (size >= 4 && size <= maxFrameSize && end - pos - 4 >= size) {
                accepted = true;
                controller.enqueue(chunk.subarray(pos + 4, pos + 4 + size));
                pos += 4 + size;
                continue;
              }
              frame = startFrame(size);
              pos += 4;
            } else {
              sizeBytes[sizeFilled++] = chunk[pos++];
              if (sizeFilled < 4) continue;
              sizeFilled = 0;
              frame = startFrame(
                ((sizeBytes[0] << 24) | (sizeBytes[1] << 16) |
                  (sizeBytes[2] << 8) | sizeBytes[3]) >>> 0,
              );
            }
            frameFilled = 0;
          }
          const n = Math.min(frame.length - frameFilled, end - pos);
          frame.set(chunk.subarray(pos, pos + n), frameFilled);
          frameFilled += n;
          pos += n;
          if (frameFilled === frame.length) {
            controller.enqueue(frame);
            frame = null;
          }
        }
      },
      flush() {
        if (frame !== null || sizeFilled !== 0) {
          throw new ProtocolError("connection closed in the middle of a frame");
        }
      },
    });
  }
}

/** TLS record content types a TLS server answers a plaintext client with. */
const TLS_ALERT = 0x15;
const TLS_HANDSHAKE = 0x16;

/**
 * Whether a size prefix is really a TLS record header: content type alert or
 * handshake, then protocol version 3.0–3.4 (SSL 3.0 to TLS 1.3 on the wire).
 */
function isTlsRecordHeader(size: number): boolean {
  const type = size >>> 24;
  const major = (size >>> 16) & 0xff;
  const minor = (size >>> 8) & 0xff;
  return (type === TLS_ALERT || type === TLS_HANDSHAKE) && major === 3 && minor <= 4;
}
