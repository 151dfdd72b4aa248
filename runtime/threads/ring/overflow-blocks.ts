import { RingQueue } from '../../ring-queue.ts';
import { copyRecord, RECORD_LENGTH, RECORD_MORE, type SpscRing } from './spsc-ring.ts';

/** Size of a pooled block; a record larger than this gets a block of its own. */
const BLOCK_BYTES = 64 * 1024;
/** Free blocks kept for reuse while the overflow drains; more are left to the garbage collector. */
const POOLED_BLOCKS = 4;

/** A block of records, written at `end` and drained from `start`. */
class Block {
  start = 0;
  end = 0;
  readonly bytes: Uint8Array;

  constructor(readonly words: Int32Array) {
    this.bytes = new Uint8Array(words.buffer);
  }
}

/**
 * A ring writer's overflow: frames that did not fit in the ring, appended as ring records (a
 * header word, then the payload padded to 4, frames longer than the ring's `maxPayload` split in
 * records flagged MORE) into 64 KiB blocks that are pooled and reused.
 *
 *   [block: rec rec rec … ] [block: rec rec … ] [block …]      oldest first
 *    ▲ start: next record for the ring                ▲ end: next record appended
 *
 * Because the records already have the ring's layout, draining copies whole runs of them into the
 * ring at once (`SpscRing.putRecords`), and queuing a frame allocates nothing but, every 64 KiB,
 * a block when the pool is empty.
 */
export class OverflowBlocks {
  /** Frames (or unsent rests of frames) queued. */
  frames = 0;
  /** Payload bytes queued. */
  payload = 0;
  private readonly maxPayload: number;
  private readonly blocks = new RingQueue<Block>();
  private newest: Block | undefined = undefined;
  private readonly pool: Block[] = [];
  /** Whether the oldest record continues a frame whose start is already in the ring. */
  private started = false;

  constructor(maxPayload: number) {
    this.maxPayload = maxPayload;
  }

  /**
   * Queues `frame[from..to)` as one frame; `started` says that `frame[0..from)` is already in the
   * ring. `words` is an optional word view of `frame` (see `SpscRing.put`). Returns the record
   * bytes appended.
   */
  append(
    frame: Uint8Array,
    words: Int32Array | undefined,
    from: number,
    to: number,
    started: boolean,
  ): number {
    if (this.frames === 0) this.started = started;
    const maxPayload = this.maxPayload;
    let pos = from;
    let appended = 0;
    do {
      const remaining = to - pos;
      const more = remaining > maxPayload;
      const size = more ? maxPayload : remaining;
      const record = 4 + ((size + 3) & ~3);
      let block = this.newest;
      if (block === undefined || block.end + record > block.bytes.length) block = this.grow(record);
      const at = block.end;
      block.words[at >>> 2] = more ? size | RECORD_MORE : size;
      copyRecord(frame, words, pos, size, block.bytes, block.words, at + 4);
      block.end = at + record;
      pos += size;
      appended += record;
    } while (pos < to);
    this.frames++;
    this.payload += to - from;
    return appended;
  }

  /** Moves as many records as fit into `ring` (unpublished); returns whether any moved. */
  drainInto(ring: SpscRing): boolean {
    const blocks = this.blocks;
    let moved = false;
    while (blocks.length > 0) {
      const block = blocks.peek()!; // length > 0
      const at = ring.putRecords(block.bytes, block.words, block.start, block.end);
      if (at === block.start) break;
      moved = true;
      this.frames -= ring.putFrames;
      this.payload -= ring.putPayload;
      this.started = ring.putOpen;
      block.start = at;
      if (at < block.end) break;
      blocks.shift();
      this.release(block);
    }
    // Drained: one block waits for the next burst, the rest of the pool goes back to the heap.
    if (blocks.length === 0 && this.pool.length > 1) this.pool.length = 1;
    return moved;
  }

  /**
   * Empties the overflow and returns its frames never started, in order: a frame whose start is
   * already in the ring is discarded, since its start cannot be recalled.
   */
  drain(): Uint8Array[] {
    const frames: Uint8Array[] = [];
    let parts: Uint8Array[] = [];
    let skipping = this.started;
    while (this.blocks.length > 0) {
      const block = this.blocks.shift();
      for (let at = block.start; at < block.end;) {
        const word = block.words[at >>> 2]!; // at < end, a record boundary
        const size = word & RECORD_LENGTH;
        if (!skipping) parts.push(block.bytes.slice(at + 4, at + 4 + size));
        if ((word & RECORD_MORE) === 0) {
          if (!skipping) frames.push(concat(parts));
          parts = [];
          skipping = false;
        }
        at += 4 + ((size + 3) & ~3);
      }
    }
    this.newest = undefined;
    this.frames = 0;
    this.payload = 0;
    this.started = false;
    return frames;
  }

  /** Starts a new block that holds at least `record` bytes. */
  private grow(record: number): Block {
    let block: Block;
    if (record <= BLOCK_BYTES && this.pool.length > 0) {
      block = this.pool.pop()!; // length > 0
      block.start = 0;
      block.end = 0;
    } else {
      block = new Block(new Int32Array((record <= BLOCK_BYTES ? BLOCK_BYTES : record) >>> 2));
    }
    this.blocks.push(block);
    this.newest = block;
    return block;
  }

  private release(block: Block): void {
    if (block === this.newest) this.newest = undefined;
    if (block.bytes.length === BLOCK_BYTES && this.pool.length < POOLED_BLOCKS) {
      this.pool.push(block);
    }
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!; // length checked
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
