/**
 * Frame scanning for the chaos proxy: just enough of the Kafka framing to
 * tell which response answers which request. Requests (client → broker) are
 * scanned as they stream past without being held: only the first bytes of
 * each frame (size, request header, Produce's `acks`) are copied aside.
 * Responses (broker → client) are cut into whole frames so the proxy can
 * drop or hold one of them.
 *
 * @module
 */

/** What the proxy learns of a request from its header. */
export interface RequestHead {
  /** `api_key` of the request header. */
  readonly apiKey: number;
  /** `api_version` of the request header. */
  readonly apiVersion: number;
  /** `correlation_id` of the request header. */
  readonly correlationId: number;
  /** False only for Produce with `acks=0`, which the broker never answers. */
  readonly expectsResponse: boolean;
}

/** Bytes of a request frame copied aside: size, header, and Produce's `acks`. */
const HEAD_CAPACITY = 1024;
/** size int32 + api_key int16 + api_version int16 + correlation_id int32. */
const FIXED_HEAD = 12;
const PRODUCE = 0;
/** First flexible Produce version (compact strings, tagged fields). */
const PRODUCE_FLEXIBLE = 9;

/**
 * Scans a client → broker byte stream for request headers. Call
 * {@link RequestScanner.scan} with each chunk before forwarding it; the chunk
 * is only read, never kept.
 */
export class RequestScanner {
  #onRequest: (head: RequestHead) => void;
  #head = new Uint8Array(HEAD_CAPACITY);
  #headLength = 0;
  /** Bytes of the current frame to copy aside: 4 until the size is known. */
  #headWanted = 4;
  /** 4 + size of the current frame, or -1 before its size prefix is read. */
  #frameLength = -1;
  /** Bytes of the current frame still to pass without looking. */
  #skip = 0;
  #lostSync = false;

  /** Calls `onRequest` once per request, as soon as its header has gone past. */
  constructor(onRequest: (head: RequestHead) => void) {
    this.#onRequest = onRequest;
  }

  /** Whether a size prefix made no sense: scanning stopped, bytes still flow. */
  get lostSync(): boolean {
    return this.#lostSync;
  }

  /** Looks at the next chunk of the stream. */
  scan(chunk: Uint8Array): void {
    let pos = 0;
    const end = chunk.length;
    while (pos < end && !this.#lostSync) {
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, end - pos);
        this.#skip -= n;
        pos += n;
        continue;
      }
      const n = Math.min(this.#headWanted - this.#headLength, end - pos);
      this.#head.set(chunk.subarray(pos, pos + n), this.#headLength);
      this.#headLength += n;
      pos += n;
      if (this.#headLength < this.#headWanted) return;
      if (this.#frameLength < 0) {
        const size = readInt32(this.#head, 0);
        if (size < FIXED_HEAD - 4) {
          this.#lostSync = true;
          return;
        }
        this.#frameLength = 4 + size;
        this.#headWanted = Math.min(this.#frameLength, HEAD_CAPACITY);
        if (this.#headLength < this.#headWanted) continue;
      }
      this.#onRequest(parseRequestHead(this.#head, this.#headLength));
      this.#skip = this.#frameLength - this.#headLength;
      this.#headLength = 0;
      this.#headWanted = 4;
      this.#frameLength = -1;
    }
  }
}

/** Reads the request header (and `acks` of a Produce request) from a frame's first bytes. */
export function parseRequestHead(head: Uint8Array, length: number): RequestHead {
  const apiKey = readInt16(head, 4);
  const apiVersion = readInt16(head, 6);
  const correlationId = readInt32(head, 8);
  return {
    apiKey,
    apiVersion,
    correlationId,
    expectsResponse: apiKey !== PRODUCE || produceAcks(head, length, apiVersion) !== 0,
  };
}

/**
 * `acks` of a Produce request, or -2 when the copied bytes end before it.
 * Layout: header (client_id with an int16 length; tagged fields from v9),
 * then transactional_id (int16 length, compact from v9), then acks int16.
 */
function produceAcks(head: Uint8Array, length: number, version: number): number {
  const flexible = version >= PRODUCE_FLEXIBLE;
  let pos = FIXED_HEAD;
  if (pos + 2 > length) return -2;
  pos += 2 + Math.max(readInt16(head, pos), 0);
  const cursor = { pos };
  if (flexible) {
    const tags = readUnsignedVarint(head, length, cursor);
    for (let i = 0; i < tags && cursor.pos >= 0; i++) {
      readUnsignedVarint(head, length, cursor);
      const size = readUnsignedVarint(head, length, cursor);
      if (cursor.pos >= 0) cursor.pos += size;
    }
    const n = readUnsignedVarint(head, length, cursor);
    if (cursor.pos >= 0) cursor.pos += Math.max(n - 1, 0);
  } else {
    if (cursor.pos + 2 > length) return -2;
    cursor.pos += 2 + Math.max(readInt16(head, cursor.pos), 0);
  }
  if (cursor.pos < 0 || cursor.pos + 2 > length) return -2;
  return readInt16(head, cursor.pos);
}

/** Reads an unsigned varint at `cursor.pos`; sets `cursor.pos` to -1 if it runs past `length`. */
function readUnsignedVarint(bytes: Uint8Array, length: number, cursor: { pos: number }): number {
  let value = 0;
  let shift = 0;
  while (cursor.pos >= 0 && cursor.pos < length && shift <= 28) {
    const b = bytes[cursor.pos++];
    value |= (b & 0x7f) << shift;
    if ((b & 0x80) === 0) return value >>> 0;
    shift += 7;
  }
  cursor.pos = -1;
  return 0;
}

/**
 * Cuts a broker → client byte stream into whole frames, size prefix
 * included. A frame inside one chunk is handed out as a view of that chunk
 * (valid only during the callback); a frame spread over chunks is assembled
 * into a buffer of its own.
 */
export class ResponseFramer {
  #maxFrameSize: number;
  #sizeBytes = new Uint8Array(4);
  #sizeFilled = 0;
  #frame: Uint8Array | null = null;
  #frameFilled = 0;

  /** Creates a framer that throws on a size prefix above `maxFrameSize`. */
  constructor(maxFrameSize: number) {
    this.#maxFrameSize = maxFrameSize;
  }

  /** Whether the stream stopped in the middle of a frame. */
  get partial(): boolean {
    return this.#frame !== null || this.#sizeFilled > 0;
  }

  /** Feeds a chunk; calls `onFrame` for each frame it completes. */
  push(chunk: Uint8Array, onFrame: (frame: Uint8Array) => void): void {
    let pos = 0;
    const end = chunk.length;
    while (pos < end) {
      if (this.#frame === null) {
        if (this.#sizeFilled === 0 && end - pos >= 4) {
          const size = this.#checkSize(readInt32(chunk, pos));
          if (end - pos >= 4 + size) {
            onFrame(chunk.subarray(pos, pos + 4 + size));
            pos += 4 + size;
            continue;
          }
          this.#frame = new Uint8Array(4 + size);
          this.#frame.set(chunk.subarray(pos, pos + 4));
          pos += 4;
        } else {
          this.#sizeBytes[this.#sizeFilled++] = chunk[pos++];
          if (this.#sizeFilled < 4) continue;
          this.#sizeFilled = 0;
          const size = this.#checkSize(readInt32(this.#sizeBytes, 0));
          this.#frame = new Uint8Array(4 + size);
          this.#frame.set(this.#sizeBytes);
        }
        this.#frameFilled = 4;
      }
      const n = Math.min(this.#frame.length - this.#frameFilled, end - pos);
      this.#frame.set(chunk.subarray(pos, pos + n), this.#frameFilled);
      this.#frameFilled += n;
      pos += n;
      if (this.#frameFilled === this.#frame.length) {
        const frame = this.#frame;
        this.#frame = null;
        onFrame(frame);
      }
    }
  }

  #checkSize(size: number): number {
    if (size < 4 || size > this.#maxFrameSize) {
      throw new RangeError(`response frame size ${size} is outside 4..${this.#maxFrameSize}`);
    }
    return size;
  }
}

/** The correlation id of a response frame (size prefix included). */
export function responseCorrelationId(frame: Uint8Array): number {
  return readInt32(frame, 4);
}

function readInt32(bytes: Uint8Array, at: number): number {
  return (bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3];
}

function readInt16(bytes: Uint8Array, at: number): number {
  return ((bytes[at] << 8) | bytes[at + 1]) << 16 >> 16;
}
