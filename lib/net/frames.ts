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
 * stream before anything is allocated.
 */
export class FrameSplitter extends TransformStream<Uint8Array, Uint8Array> {
  /** Creates a splitter that rejects frames larger than `maxFrameSize` bytes. */
  constructor(maxFrameSize: number) {
    const sizeBytes = new Uint8Array(4);
    let sizeFilled = 0;
    let frame: Uint8Array | null = null;
    let frameFilled = 0;

    const startFrame = (size: number): Uint8Array => {
      if (size < 4 || size > maxFrameSize) {
        throw new ProtocolError(
          `response frame size ${size} is outside 4..${maxFrameSize} bytes`,
        );
      }
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
