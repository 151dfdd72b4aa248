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

/** Mask of the payload length in a record's header word. */
export const RECORD_LENGTH = LENGTH;
/** Header flag of a record whose frame continues in the next record. */
export const RECORD_MORE = MORE;

const MIN_CAPACITY = 1024;
const MAX_CAPACITY = 2 ** 30;
/** Payloads up to this size are copied word by word: `set` costs a call and a `subarray`. */
const WORD_LOOP_MAX = 128;
/** Payloads up to this size without a word view are copied byte by byte. */
const BYTE_LOOP_MAX = 16;
/** Frames up to this size are handed to the consumer as a cached view of the scratch buffer. */
const CACHED_VIEWS = 256;

/** What `read` hands each frame to; the view is valid only during the call. */
export type FrameHandler = (frame: Uint8Array) => void;

/**
 * A single-producer single-consumer byte ring in a SharedArrayBuffer, carrying opaque frames.
 *
 * Each side wraps the same buffer in its own `SpscRing` on its own thread; the producer only
 * calls `write`, `put`, `putRecords`, `publish`, `requestSpace` and `clearSpaceRequest`, the
 * consumer only `read` and `takeSpaceRequest`. Frames travel as records that never wrap around
 * the end:
 *
 *   [len|flags][payload, padded to 4][len|flags][payload] … [PAD ── to the end ──]
 *
 * A record holds at most `maxPayload` bytes; a longer frame is split into records flagged MORE
 * and reassembled by the consumer, so a frame larger than the whole ring streams through as the
 * consumer frees space. The producer publishes `head` with `Atomics.store` after the bytes are
 * written, and the consumer reads records only below the `head` it loaded, so it never sees a
 * half-written record. `write` publishes each frame; `put` and `putRecords` leave publication to
 * a later `publish`, so a burst of frames costs one store (and one cache-line transfer) in all.
 * A producer short of space asks to be told when it frees (`requestSpace`); the consumer tells it
 * once half the ring is free, so the producer refills in large runs rather than frame by frame.
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
  /** The head last stored for the consumer to see; `head` runs ahead of it until `publish`. */
  private headPublished: number;
  /** The consumer's tail as last loaded: reloaded only when the ring looks full. */
  private tailSeen: number;
  /** Complete frames in what the last `putRecords` wrote. */
  putFrames = 0;
  /** Payload bytes in what the last `putRecords` wrote. */
  putPayload = 0;
  /** Whether the last record the last `putRecords` wrote was flagged MORE (a frame is open). */
  putOpen = false;

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
  /** `views[n]` is `scratch.subarray(0, n)`, made once: delivering a small frame allocates nothing. */
  private views: (Uint8Array | undefined)[] = [];
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
    this.headPublished = this.head;
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
   * Producer: writes as much of `frame[offset..]` as fits now, in whole records, publishes it, and
   * returns the offset to resume from; `frame.length` means the frame is complete. An empty frame
   * that does not fit returns -1, which `write` accepts as the start of the frame.
   */
  write(frame: Uint8Array, offset = 0): number {
    const pos = this.put(frame, offset, frame.length);
    this.publish();
    return pos;
  }

  /**
   * Producer: like `write` for `frame[offset..end)`, without publishing: the records stay
   * invisible to the consumer until `publish`. `words`, if given, views the memory of `frame` as
   * 32-bit words from `frame[0]` on (a `ByteWriter`'s `words`): small payloads are then copied
   * four bytes at a time.
   */
  put(frame: Uint8Array, offset: number, end: number, words?: Int32Array): number {
    const capacity = this.capacity;
    const maxPayload = this.maxPayload;
    const ringWords = this.words;
    const start = this.head;
    let head = start;
    let pos = offset < 0 ? 0 : offset;
    do {
      const remaining = end - pos;
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
        ringWords[index >>> 2] = PAD | (toEnd - 4);
        at = 0;
      }
      ringWords[at >>> 2] = more ? size | MORE : size;
      copyRecord(frame, words, pos, size, this.bytes, ringWords, at + 4);
      head = (head + needed) | 0;
      pos += size;
    } while (pos < end);
    if (head === start) return pos === end ? -1 : pos; // nothing written: -1 for an empty frame
    this.head = head;
    return pos;
  }

  /**
   * Producer: copies whole records from `records[from..to)` (laid out as in the ring: a header
   * word, then the payload padded to 4; `from` 4-aligned) as far as they fit, inserting PAD
   * records at the end of the ring, without publishing. Returns where copying stopped, always a
   * record boundary, and sets `putFrames`, `putPayload` and `putOpen` for what it copied. One
   * copy moves a whole run of records, so a backlog drains for a few operations per run.
   */
  putRecords(records: Uint8Array, recordWords: Int32Array, from: number, to: number): number {
    const capacity = this.capacity;
    const mask = this.mask;
    const words = this.words;
    let head = this.head;
    let pos = from;
    let reloaded = false;
    let frames = 0;
    let payload = 0;
    let open = false;
    while (pos < to) {
      const index = head & mask;
      const toEnd = capacity - index;
      const free = capacity - ((head - this.tailSeen) | 0);
      const first = recordWords[pos >>> 2]!; // pos < to, a record boundary
      const firstRecord = 4 + (((first & LENGTH) + 3) & ~3);
      if (free < (firstRecord <= toEnd ? firstRecord : toEnd + firstRecord)) {
        if (reloaded) break;
        reloaded = true;
        this.tailSeen = Atomics.load(this.header, TAIL);
        continue;
      }
      if (firstRecord > toEnd) {
        words[index >>> 2] = PAD | (toEnd - 4);
        head = (head + toEnd) | 0;
        continue;
      }
      // The run: whole records that fit both before the end of the ring and in the free space.
      let room = free < toEnd ? free : toEnd;
      let end = pos;
      do {
        const word = recordWords[end >>> 2]!; // end < to, a record boundary
        const size = word & LENGTH;
        const record = 4 + ((size + 3) & ~3);
        if (record > room) break;
        room -= record;
        end += record;
        payload += size;
        open = (word & MORE) !== 0;
        if (!open) frames++;
      } while (end < to);
      const length = end - pos;
      if (length <= WORD_LOOP_MAX) {
        for (let i = 0, d = index >>> 2, s = pos >>> 2, n = length >>> 2; i < n; i++) {
          words[d + i] = recordWords[s + i]!; // s + n <= to / 4
        }
      } else {
        this.bytes.set(records.subarray(pos, end), index);
      }
      head = (head + length) | 0;
      pos = end;
    }
    this.head = head;
    this.putFrames = frames;
    this.putPayload = payload;
    this.putOpen = open;
    return pos;
  }

  /** Producer: makes every record written so far visible; returns whether any was new. */
  publish(): boolean {
    const head = this.head;
    if (head === this.headPublished) return false;
    this.headPublished = head;
    Atomics.store(this.header, HEAD, head);
    return true;
  }

  /**
   * Producer: whether the consumer has read everything published so far, and may be waiting for
   * more. Costs an atomic load of the consumer's counter, so callers ask now and then.
   */
  consumerCaughtUp(): boolean {
    const tail = Atomics.load(this.header, TAIL);
    this.tailSeen = tail;
    return tail === this.headPublished;
  }

  /** Producer: bytes written and not yet published. */
  get unpublished(): number {
    return (this.head - this.headPublished) | 0;
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
            if (((tail - this.tailPublished) | 0) >= this.publishEvery) this.release(tail);
            continue;
          }
          length = this.partial;
          this.partial = 0;
        } else if (size <= WORD_LOOP_MAX) {
          const words = this.words;
          const out = this.scratchWords;
          for (let i = 0, from = (index + 4) >>> 2, n = (size + 3) >>> 2; i < n; i++) {
            out[i] = words[from + i]!; // the record holds n words
          }
        } else {
          this.scratch.set(this.bytes.subarray(index + 4, index + 4 + size));
        }
        if (((tail - this.tailPublished) | 0) >= this.publishEvery) this.release(tail);
        delivered++;
        onFrame(length < CACHED_VIEWS ? this.view(length) : this.scratch.subarray(0, length));
      }
    } finally {
      this.tail = tail;
      if (tail !== this.tailPublished) this.release(tail);
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

  /**
   * Consumer: true once when the producer asked for space and reads have freed at least half the
   * ring: woken then, the producer refills it in one go rather than a few records per wake-up.
   */
  takeSpaceRequest(): boolean {
    if (!this.freed || ((this.headSeen - this.tail) | 0) > this.capacity >>> 1) return false;
    this.freed = false;
    return Atomics.load(this.header, SPACE) !== 0 && Atomics.exchange(this.header, SPACE, 0) !== 0;
  }

  /** The cached view of the first `length` bytes of `scratch`. */
  private view(length: number): Uint8Array {
    return (this.views[length] ??= this.scratch.subarray(0, length));
  }

  /** Consumer: hands the bytes below `tail` back to the producer. */
  private release(tail: number): void {
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
      this.views = [];
    }
    this.scratch.set(this.bytes.subarray(from, from + size), this.partial);
    this.partial = end;
  }

  /** Gives back the memory of a very large frame once it has been delivered. */
  private resetScratch(): void {
    this.scratch = new Uint8Array(this.baseScratchBytes());
    this.scratchWords = new Int32Array(this.scratch.buffer);
    this.views = [];
  }

  /** Scratch bytes that hold any single record's payload, rounded up to whole words. */
  private baseScratchBytes(): number {
    return this.maxPayload + 4;
  }
}

/**
 * Copies `frame[pos..pos+size)` into `bytes` (whose word view is `words`) at `at`, 4-aligned, as
 * the payload of one record. With `frameWords`, a word view of `frame`'s memory, a small payload at
 * an aligned `pos` moves four bytes at a time; its last word may carry up to three bytes past the
 * payload, which land in the record's padding.
 */
export function copyRecord(
  frame: Uint8Array,
  frameWords: Int32Array | undefined,
  pos: number,
  size: number,
  bytes: Uint8Array,
  words: Int32Array,
  at: number,
): void {
  if (frameWords !== undefined && size <= WORD_LOOP_MAX && (pos & 3) === 0) {
    for (let i = 0, s = pos >>> 2, d = at >>> 2, n = (size + 3) >>> 2; i < n; i++) {
      words[d + i] = frameWords[s + i]!; // the view covers the frame: whole words of its buffer
    }
  } else if (size <= BYTE_LOOP_MAX) {
    for (let i = 0; i < size; i++) bytes[at + i] = frame[pos + i]!; // pos + size <= frame.length
  } else {
    bytes.set(pos === 0 && size === frame.length ? frame : frame.subarray(pos, pos + size), at);
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
