import { InvalidConfigError } from '../../errors.ts';

/**
 * Header layout, in Int32 cells. Each side's hot field sits on its own 64-byte cache line, so a
 * producer publishing `head` does not invalidate the line the consumer writes `tail` on.
 *
 *   byte 0    HEAD   write counter (producer)      ┐ line 0
 *   byte 64   TAIL   read counter (consumer)       ┐ line 1
 *   byte 128  SPACE  producer waits for space      ┐ line 2
 *   byte 192  data region: `capacity` bytes, a power of two
 *
 * Counters are byte counts modulo 2^32 (Int32 with wrap-around); `head - tail` is the backlog and
 * never exceeds the capacity, so the wrap is harmless.
 */
const HEAD = 0;
const TAIL = 16;
const SPACE = 32;
const HEADER_BYTES = 192;

/** Record header bits: payload length in the low 29 bits, then the two flags. */
const LENGTH = 0x1fff_ffff;
const PAD = 0x2000_0000;
const MORE = 0x4000_0000;

const MIN_CAPACITY = 1024;
const MAX_CAPACITY = 2 ** 30;
/** Frames up to this size are written byte by byte, cheaper than a call to `set`. */
const WRITE_LOOP_MAX = 8;
/** Payloads up to this size are read word by word: `set` needs a `subarray`, an allocation. */
const READ_LOOP_MAX = 128;

/** What `read` hands each frame to; the view is valid only during the call. */
export type FrameHandler = (frame: Uint8Array) => void;

/**
 * A single-producer single-consumer byte ring in a SharedArrayBuffer, carrying opaque frames.
 *
 * Each side wraps the same buffer in its own `SpscRing` on its own thread; the producer only
 * calls `write`, `requestSpace` and `clearSpaceRequest`, the consumer only `read` and
 * `takeSpaceRequest`. Frames travel as records that never wrap around the end:
 *
 *   [len|flags][payload, padded to 4][len|flags][payload] … [PAD ── to the end ──]
 *
 * A record holds at most `maxPayload` bytes; a longer frame is split into records flagged MORE
 * and reassembled by the consumer, so a frame larger than the whole ring streams through as the
 * consumer frees space. The producer publishes `head` with `Atomics.store` after the bytes are
 * written, and the consumer reads records only below the `head` it loaded, so it never sees a
 * half-written record.
 *
 * @example
 * const buffer = SpscRing.allocate(64 * 1024); // pass it to the other thread in workerData
 * const producer = new SpscRing(buffer);
 * producer.write(new Uint8Array([1, 2, 3])); // 3: the whole frame is in the ring
 * new SpscRing(buffer).read((frame) => console.log(frame), 100);
 */
export class SpscRing {
  /** Size of the data region in bytes. */
  readonly capacity: number;
  /** Largest payload of one record; longer frames are split. */
  readonly maxPayload: number;
  readonly buffer: SharedArrayBuffer;
  private readonly mask: number;
  private readonly header: Int32Array;
  private readonly bytes: Uint8Array;
  private readonly words: Int32Array;

  // Producer side.
  private head: number;
  /** The consumer's tail as last loaded: reloaded only when the ring looks full. */
  private tailSeen: number;

  // Consumer side.
  private tail: number;
  /** The tail last stored for the producer to see. */
  private tailPublished: number;
  /** The producer's head as last loaded: reloaded only when the ring looks empty. */
  private headSeen: number;
  /** Bytes read before the tail is published mid-batch, so a long batch frees space early. */
  private readonly publishEvery: number;
  /** Non-shared copy of the frame being delivered or reassembled. */
  private scratch: Uint8Array;
  private scratchWords: Int32Array;
  /** Bytes of an incomplete fragmented frame held in `scratch`. */
  private partial = 0;
  /** Whether the last `read` freed space, for `takeSpaceRequest`. */
  private freed = false;

  /** Wraps a buffer made by `allocate`, on either side. */
  constructor(buffer: SharedArrayBuffer) {
    if (!(buffer instanceof SharedArrayBuffer)) {
      throw new InvalidConfigError('an SpscRing needs a SharedArrayBuffer');
    }
    const capacity = buffer.byteLength - HEADER_BYTES;
    validateCapacity(capacity);
    this.buffer = buffer;
    this.capacity = capacity;
    this.mask = capacity - 1;
    this.maxPayload = (capacity >>> 2) - 4;
    this.publishEvery = capacity >>> 2;
    this.header = new Int32Array(buffer, 0, HEADER_BYTES >>> 2);
    this.bytes = new Uint8Array(buffer, HEADER_BYTES, capacity);
    this.words = new Int32Array(buffer, HEADER_BYTES, capacity >>> 2);
    this.head = Atomics.load(this.header, HEAD);
    this.tail = Atomics.load(this.header, TAIL);
    this.tailSeen = this.tail;
    this.tailPublished = this.tail;
    this.headSeen = this.head;
    this.scratch = new Uint8Array(this.baseScratchBytes());
    this.scratchWords = new Int32Array(this.scratch.buffer);
  }

  /** Allocates the shared buffer of a ring whose data region holds `capacityBytes`. */
  static allocate(capacityBytes: number): SharedArrayBuffer {
    validateCapacity(capacityBytes);
    return new SharedArrayBuffer(HEADER_BYTES + capacityBytes);
  }

  /**
   * Producer: writes as much of `frame[offset..]` as fits now, in whole records, and returns the
   * offset to resume from; `frame.length` means the frame is complete. An empty frame that does
   * not fit returns -1, which `write` accepts as the start of the frame.
   */
  write(frame: Uint8Array, offset = 0): number {
    const length = frame.length;
    const capacity = this.capacity;
    const maxPayload = this.maxPayload;
    const start = this.head;
    let head = start;
    let pos = offset < 0 ? 0 : offset;
    do {
      const remaining = length - pos;
      const more = remaining > maxPayload;
      const size = more ? maxPayload : remaining;
      const record = 4 + ((size + 3) & ~3);
      const index = head & this.mask;
      const toEnd = capacity - index;
      const needed = record <= toEnd ? record : toEnd + record;
      if (capacity - ((head - this.tailSeen) | 0) < needed) {
        this.tailSeen = Atomics.load(this.header, TAIL);
        if (capacity - ((head - this.tailSeen) | 0) < needed) break;
      }
      let at = index;
      if (record > toEnd) {
        this.words[index >>> 2] = PAD | (toEnd - 4);
        at = 0;
      }
      this.words[at >>> 2] = more ? size | MORE : size;
      const bytes = this.bytes;
      at += 4;
      if (size <= WRITE_LOOP_MAX) {
        for (let i = 0; i < size; i++) bytes[at + i] = frame[pos + i]!; // i < size <= remaining
      } else {
        bytes.set(size === length ? frame : frame.subarray(pos, pos + size), at);
      }
      head = (head + needed) | 0;
      pos += size;
    } while (pos < length);
    if (head === start) return length === 0 ? -1 : pos;
    this.head = head;
    Atomics.store(this.header, HEAD, head);
    return pos;
  }

  /**
   * Consumer: delivers up to `maxFrames` complete frames in order and returns how many. Each
   * frame is a non-shared copy valid only during the call (the next frame reuses its memory).
   * Fragments of a frame that is not complete yet are consumed and kept for a later call. If
   * `onFrame` throws, that frame counts as consumed: the tail is published and the error
   * propagates.
   */
  read(onFrame: FrameHandler, maxFrames: number): number {
    if (this.partial === 0 && this.scratch.length > this.capacity) this.resetScratch();
    let delivered = 0;
    let tail = this.tail;
    try {
      while (delivered < maxFrames) {
        if (tail === this.headSeen) {
          this.headSeen = Atomics.load(this.header, HEAD);
          if (tail === this.headSeen) break;
        }
        const index = tail & this.mask;
        const word = this.words[index >>> 2]!; // index < capacity and 4-aligned
        if ((word & PAD) !== 0) {
          tail = (tail + this.capacity - index) | 0;
          continue;
        }
        const size = word & LENGTH;
        tail = (tail + 4 + ((size + 3) & ~3)) | 0;
        this.tail = tail;
        let length = size;
        if ((word & MORE) !== 0 || this.partial !== 0) {
          this.append(index + 4, size);
          if ((word & MORE) !== 0) {
            if (((tail - this.tailPublished) | 0) >= this.publishEvery) this.publish(tail);
            continue;
          }
          length = this.partial;
          this.partial = 0;
        } else if (size <= READ_LOOP_MAX) {
          const words = this.words;
          const out = this.scratchWords;
          for (let i = 0, from = (index + 4) >>> 2, n = (size + 3) >>> 2; i < n; i++) {
            out[i] = words[from + i]!; // the record holds n words
          }
        } else {
          this.scratch.set(this.bytes.subarray(index + 4, index + 4 + size));
        }
        if (((tail - this.tailPublished) | 0) >= this.publishEvery) this.publish(tail);
        delivered++;
        onFrame(this.scratch.subarray(0, length));
      }
    } finally {
      this.tail = tail;
      if (tail !== this.tailPublished) this.publish(tail);
    }
    return delivered;
  }

  /** Bytes written and not yet read, records' headers and padding included; any thread. */
  get backlog(): number {
    return (Atomics.load(this.header, HEAD) - Atomics.load(this.header, TAIL)) | 0;
  }

  /** Whether every written byte has been read; any thread. */
  isEmpty(): boolean {
    return Atomics.load(this.header, HEAD) === Atomics.load(this.header, TAIL);
  }

  /**
   * Producer: asks the consumer to report freed space. Re-check with `write` afterwards: space
   * freed just before the request is visible then, so no wake-up is lost.
   */
  requestSpace(): void {
    Atomics.store(this.header, SPACE, 1);
  }

  /** Producer: withdraws a space request once nothing waits any more. */
  clearSpaceRequest(): void {
    if (Atomics.load(this.header, SPACE) !== 0) Atomics.store(this.header, SPACE, 0);
  }

  /** Consumer: true once when the producer asked for space and the last `read` freed some. */
  takeSpaceRequest(): boolean {
    if (!this.freed) return false;
    this.freed = false;
    return Atomics.load(this.header, SPACE) !== 0 && Atomics.exchange(this.header, SPACE, 0) !== 0;
  }

  private publish(tail: number): void {
    this.tailPublished = tail;
    this.freed = true;
    Atomics.store(this.header, TAIL, tail);
  }

  /** Appends one fragment's payload to the frame being reassembled. */
  private append(from: number, size: number): void {
    const end = this.partial + size;
    if (end > this.scratch.length) {
      let grown = this.scratch.length * 2;
      while (grown < end) grown *= 2;
      const next = new Uint8Array(grown);
      next.set(this.scratch.subarray(0, this.partial));
      this.scratch = next;
      this.scratchWords = new Int32Array(next.buffer);
    }
    this.scratch.set(this.bytes.subarray(from, from + size), this.partial);
    this.partial = end;
  }

  /** Gives back the memory of a very large frame once it has been delivered. */
  private resetScratch(): void {
    this.scratch = new Uint8Array(this.baseScratchBytes());
    this.scratchWords = new Int32Array(this.scratch.buffer);
  }

  /** Scratch bytes that hold any single record's payload, rounded up to whole words. */
  private baseScratchBytes(): number {
    return this.maxPayload + 4;
  }
}

function validateCapacity(capacity: number): void {
  if (
    !Number.isInteger(capacity) ||
    capacity < MIN_CAPACITY ||
    capacity > MAX_CAPACITY ||
    (capacity & (capacity - 1)) !== 0
  ) {
    throw new InvalidConfigError(
      `ring capacity must be a power of two from ${MIN_CAPACITY} to ${MAX_CAPACITY} bytes, got ${capacity}`,
    );
  }
}
