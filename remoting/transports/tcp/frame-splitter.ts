import { FrameTooLargeError } from '../../../runtime/index.ts';

/** Bytes of the length prefix in front of every frame: an unsigned 32-bit big-endian integer. */
export const FRAME_HEADER_BYTES = 4;

/**
 * Cuts a byte stream into length-prefixed frames, one chunk at a time.
 *
 *   chunk 1                chunk 2
 *   [len|frame][len|fra]   [me][len|frame][le]   ...
 *    view         piece     piece view      header bytes kept
 *
 * A frame that lies wholly inside one chunk is handed out as a view of that chunk (no copy). A
 * frame split across chunks is kept as a list of pieces and copied once, when its last byte has
 * arrived, so every byte is copied at most once whatever the chunking. The declared length is
 * checked against the maximum as soon as the prefix is complete and nothing of that size is
 * allocated ahead: memory held for a partial frame is what the peer actually sent.
 *
 * @example
 * const splitter = new FrameSplitter(16 * 1024 * 1024, (frame) => handle(frame));
 * socket.on('data', (chunk: Buffer) => splitter.push(chunk)); // throws FrameTooLargeError
 */
export class FrameSplitter {
  /** True while a frame (or its prefix) has begun and not yet been completed. */
  private partial = false;
  private readonly header = Buffer.alloc(FRAME_HEADER_BYTES);
  private headerFill = 0;
  /** Declared length of the partial frame, or -1 while its prefix is incomplete. */
  private bodyLength = -1;
  private bodyFill = 0;
  private pieces: Buffer[] = [];
  private failed: FrameTooLargeError | undefined = undefined;

  constructor(
    private readonly maxFrameBytes: number,
    private readonly onFrame: (frame: Buffer) => void,
  ) {}

  /** Bytes of an incomplete frame held until the rest arrives (prefix included). */
  get bufferedBytes(): number {
    return this.partial ? this.headerFill + this.bodyFill : 0;
  }

  /**
   * Consumes one chunk and calls `onFrame` for each frame it completes, in order. A declared
   * length over the maximum throws `FrameTooLargeError`, after the frames before it were
   * delivered; the stream is unusable from then on and later calls throw the same error.
   */
  push(chunk: Buffer): void {
    if (this.failed !== undefined) throw this.failed;
    const end = chunk.length;
    let at = this.partial ? this.continueFrame(chunk, 0) : 0;
    while (end - at >= FRAME_HEADER_BYTES) {
      const length = chunk.readUInt32BE(at);
      if (length > this.maxFrameBytes) throw this.fail(length);
      const start = at + FRAME_HEADER_BYTES;
      if (end - start < length) break;
      at = start + length;
      this.onFrame(chunk.subarray(start, at));
    }
    if (at < end) {
      this.partial = true;
      this.continueFrame(chunk, at);
    }
  }

  /** Feeds the partial frame from `chunk[at..]`; returns where the frame ended, or the chunk end. */
  private continueFrame(chunk: Buffer, at: number): number {
    const end = chunk.length;
    if (this.bodyLength < 0) {
      while (this.headerFill < FRAME_HEADER_BYTES && at < end) {
        this.header[this.headerFill++] = chunk[at++]!; // at < end
      }
      if (this.headerFill < FRAME_HEADER_BYTES) return end;
      const length = this.header.readUInt32BE(0);
      if (length > this.maxFrameBytes) throw this.fail(length);
      this.bodyLength = length;
    }
    const take = Math.min(this.bodyLength - this.bodyFill, end - at);
    if (take > 0) {
      this.pieces.push(chunk.subarray(at, at + take));
      this.bodyFill += take;
      at += take;
    }
    if (this.bodyFill === this.bodyLength) this.completeFrame();
    return at;
  }

  private completeFrame(): void {
    const pieces = this.pieces;
    const frame = pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces, this.bodyLength); // 1 piece: a view
    this.partial = false;
    this.headerFill = 0;
    this.bodyLength = -1;
    this.bodyFill = 0;
    this.pieces = [];
    this.onFrame(frame);
  }

  private fail(length: number): FrameTooLargeError {
    this.failed = new FrameTooLargeError(length, this.maxFrameBytes);
    this.pieces = [];
    return this.failed;
  }
}
