import type { Socket } from 'node:net';

/**
 * Length-prefixed frames over a bare `node:net` socket, for the baselines of the remoting
 * benchmarks: `u32 big-endian length + bytes`, as the TCP transport frames its batches, but one
 * frame per message and nothing else on top.
 *
 *   data frame      [ 00 00 00 20 ][ 32 bytes: u32 sequence number, filler ]
 *   control frame   [ 00 00 00 04 ][ u32 count ]    "expect count" one way, "counted" the other
 *
 * A frame of `CONTROL_BYTES` is a control frame; every message frame is longer.
 */

/** Bytes of a frame's length prefix. */
export const PREFIX_BYTES = 4;
/** Payload bytes of one raw message frame. */
export const PAYLOAD_BYTES = 32;
/** Payload bytes of a control frame: one u32. */
export const CONTROL_BYTES = 4;
/** Bytes a writer gathers before it writes, when it is not flushed sooner. */
export const CHUNK_BYTES = 64 * 1024;

/** A flush smaller than this writes a copy and keeps its buffer. */
const COPY_LIMIT_BYTES = 4 * 1024;

/** Called for each whole frame: the payload is `buffer[start, start + length)`. */
export type FrameHandler = (buffer: Buffer, start: number, length: number) => void;

/**
 * Cuts a byte stream into frames. A frame split across chunks is completed by joining the rest
 * of the previous chunk with the next one: at most one frame's bytes are carried, though the
 * join copies the new chunk too.
 */
export class FrameReader {
  private carry: Buffer | undefined = undefined;
  /** The buffer the last `push` scanned (the chunk, or the carry joined with it). */
  lastBuffer: Buffer = Buffer.alloc(0);
  /** Where the whole frames of `lastBuffer` end. */
  lastEnd = 0;

  constructor(private readonly onFrame: FrameHandler) {}

  /** Consumes one chunk, calling the handler for every frame it completes, in order. */
  push(chunk: Buffer): void {
    const carry = this.carry;
    const buffer = carry === undefined ? chunk : Buffer.concat([carry, chunk]);
    const end = buffer.length;
    let at = 0;
    while (end - at >= PREFIX_BYTES) {
      const length = buffer.readUInt32BE(at);
      const start = at + PREFIX_BYTES;
      if (end - start < length) break;
      at = start + length;
      this.onFrame(buffer, start, length);
    }
    this.carry = at < end ? buffer.subarray(at) : undefined;
    this.lastBuffer = buffer;
    this.lastEnd = at;
  }
}

/**
 * Gathers frames into one buffer and writes them with one `socket.write` (write coalescing). A
 * small flush writes a copy (from Node's buffer pool) and keeps the buffer, so that a rally of
 * single frames allocates next to nothing; a large one hands the buffer to the socket and starts
 * a new one. Payload bytes the caller does not write hold whatever the buffer held.
 */
export class FrameWriter {
  private chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  private at = 0;

  constructor(private readonly socket: Socket) {}

  /** The buffer `reserve` offsets point into, until the next flush. */
  get buffer(): Buffer {
    return this.chunk;
  }

  /** Bytes still free in the current buffer. */
  get room(): number {
    return this.chunk.length - this.at;
  }

  /**
   * Appends the prefix of a frame of `length` payload bytes and returns the payload's offset in
   * `buffer`; the caller writes the payload there. A frame that does not fit flushes first.
   */
  reserve(length: number): number {
    if (this.room < PREFIX_BYTES + length) {
      this.flush();
      if (this.room < PREFIX_BYTES + length) this.chunk = Buffer.allocUnsafe(PREFIX_BYTES + length);
    }
    const at = this.at;
    this.chunk.writeUInt32BE(length, at);
    this.at = at + PREFIX_BYTES + length;
    return at + PREFIX_BYTES;
  }

  /** Appends a control frame carrying `count`. */
  control(count: number): void {
    const at = this.reserve(CONTROL_BYTES);
    this.chunk.writeUInt32BE(count, at);
  }

  /** Writes the gathered frames, if any; false when the socket asks to wait for 'drain'. */
  flush(): boolean {
    const bytes = this.at;
    if (bytes === 0) return true;
    this.at = 0;
    if (bytes < COPY_LIMIT_BYTES)
      return this.socket.write(Buffer.from(this.chunk.subarray(0, bytes)));
    const out = this.chunk.subarray(0, bytes);
    this.chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    return this.socket.write(out);
  }
}

/**
 * A block of `frames` message frames, prefixes written and payloads zeroed: a sender copies it
 * with one `memcpy` and writes only the sequence numbers.
 */
export function frameBlock(frames: number): Buffer {
  const block = Buffer.alloc(frames * (PREFIX_BYTES + PAYLOAD_BYTES));
  for (let f = 0; f < frames; f++)
    block.writeUInt32BE(PAYLOAD_BYTES, f * (PREFIX_BYTES + PAYLOAD_BYTES));
  return block;
}
