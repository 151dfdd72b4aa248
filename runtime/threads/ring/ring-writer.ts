import { SystemStoppedError } from '../../errors.ts';
import type { Doorbell } from './doorbell.ts';
import { OverflowBlocks } from './overflow-blocks.ts';
import type { SpscRing } from './spsc-ring.ts';

/** Bytes of records queued between two attempts of `send` to move the overflow into the ring. */
const FLUSH_EVERY_MAX = 16 * 1024;
/** Unpublished bytes after which a burst publishes without waiting for the end of the task. */
const PUBLISH_EVERY_MAX = 8 * 1024;
/**
 * Every this many unpublished bytes, a burst looks whether the consumer has read all it was given;
 * if so it publishes at once, so that a consumer with nothing to do is not kept waiting.
 */
const EAGER_STEP = 256;

/**
 * The producer end of one ring: writes frames straight into the ring while they fit, and spills
 * the rest into an unbounded overflow of pooled blocks that drains in order as the consumer frees
 * space.
 *
 *   send(f) ─▶ overflow empty? ─yes─▶ ring.put(f) ─ rest of f ─┐
 *                  │ no                                        ▼
 *                  └──────────────────▶ [overflow: records in 64 KiB blocks] ─ flush() ─▶ ring
 *
 * Back-pressure, never loss, never reordering: once anything is queued, later frames queue behind
 * it, and the ring is asked (`requestSpace`) to ring the producer's bell when space frees, so the
 * producer's pump calls `flush`. Queued frames are copies, so callers may reuse their buffers as
 * soon as `send` returns. A long synchronous burst also flushes every few KiB by itself, so the
 * consumer keeps working while the producer is still sending.
 *
 * Publication: the first frame of a task is published at once (a lone message reaches, or wakes,
 * its consumer without delay); later frames of the same task are published every few KiB, or
 * every few hundred bytes while the consumer has caught up (it would idle otherwise), and at the
 * end of the task, in a microtask. A burst to a busy consumer thus pays for one store per few
 * hundred frames, a consumer keeping pace still gets work in small batches, and nothing written
 * stays unpublished once the thread's event loop moves on. Every publication rings the consumer's
 * bell, so a sleeping consumer is woken by the one that concerns it.
 *
 * @example
 * const writer = new RingWriter(new SpscRing(buffer), consumerBell);
 * writer.send(encoded);
 * if (writer.queuedFrames > 0) pump.kick(); // or wait: the consumer rings when space frees
 */
export class RingWriter {
  private readonly ring: SpscRing;
  private readonly consumerBell: Doorbell;
  private readonly overflow: OverflowBlocks;
  private readonly flushEvery: number;
  private readonly publishEvery: number;
  /** Record bytes queued since `send` last tried to flush. */
  private sinceFlush = 0;
  /** Whether the end-of-task publication is queued. */
  private publishQueued = false;
  private retired = false;
  /** Unpublished bytes at which `send` next looks whether the consumer waits for them. */
  private nextLook = EAGER_STEP;
  private readonly endOfTask = (): void => {
    this.publishQueued = false;
    this.nextLook = EAGER_STEP;
    if (this.ring.publish()) this.consumerBell.ring();
  };

  constructor(ring: SpscRing, consumerBell: Doorbell) {
    this.ring = ring;
    this.consumerBell = consumerBell;
    this.overflow = new OverflowBlocks(ring.maxPayload);
    this.flushEvery = Math.min(FLUSH_EVERY_MAX, ring.capacity >>> 3);
    this.publishEvery = Math.min(PUBLISH_EVERY_MAX, ring.capacity >>> 3);
  }

  /** Frames (or unsent rests of frames) waiting in the overflow. */
  get queuedFrames(): number {
    return this.overflow.frames;
  }

  /** Payload bytes waiting in the overflow. */
  get queuedBytes(): number {
    return this.overflow.payload;
  }

  /**
   * Sends `frame[0..length)` (`length` at most `frame.length`): into the ring now if nothing is
   * queued and it fits, otherwise (the part that does not fit) into the overflow. Returns true
   * when the whole frame is in the ring. `words`, a word view of `frame`'s memory from `frame[0]`
   * on (`ByteWriter.words`), lets small frames be copied four bytes at a time.
   */
  send(frame: Uint8Array, length = frame.length, words?: Int32Array): boolean {
    if (this.retired)
      throw new SystemStoppedError('send to a thread whose ring writer was dropped');
    const overflow = this.overflow;
    if (overflow.frames === 0) {
      const ring = this.ring;
      const offset = ring.put(frame, 0, length, words);
      if (offset === length) {
        if (!this.publishQueued) {
          this.publishQueued = true;
          queueMicrotask(this.endOfTask);
          if (ring.publish()) this.consumerBell.ring();
        } else {
          const unpublished = ring.unpublished;
          if (
            unpublished >= this.publishEvery ||
            (unpublished >= this.nextLook && this.consumerWaits(unpublished))
          ) {
            this.nextLook = EAGER_STEP;
            if (ring.publish()) this.consumerBell.ring();
          }
        }
        return true;
      }
      // The start of a frame that is only partly in is still worth waking the consumer for.
      if (ring.publish()) this.consumerBell.ring();
      overflow.append(frame, words, offset > 0 ? offset : 0, length, offset > 0);
      this.flush();
      return false;
    }
    this.sinceFlush += overflow.append(frame, words, 0, length, false);
    if (this.sinceFlush >= this.flushEvery) this.flush();
    return false;
  }

  /** Whether the consumer has read all that was published; looks again `EAGER_STEP` bytes on. */
  private consumerWaits(unpublished: number): boolean {
    this.nextLook = unpublished + EAGER_STEP;
    return this.ring.consumerCaughtUp();
  }

  /**
   * Writes queued frames as space allows, oldest first, and publishes everything in the ring (it
   * need not wait for the end of the task); returns true when nothing is queued.
   */
  flush(): boolean {
    const overflow = this.overflow;
    const ring = this.ring;
    this.sinceFlush = 0;
    let requested = false;
    while (overflow.frames > 0) {
      if (overflow.drainInto(ring)) continue;
      if (requested) break;
      // Ask before the final re-check, so space freed in between is either seen now or rung.
      ring.requestSpace();
      requested = true;
    }
    if (ring.publish()) this.consumerBell.ring();
    if (overflow.frames > 0) return false;
    ring.clearSpaceRequest();
    return true;
  }

  /**
   * Retires the writer because its consumer is gone, and returns the frames never started, in
   * order. A frame already partly in the ring is discarded: its start cannot be recalled. Any
   * later `send` throws `SystemStoppedError`.
   */
  drop(): Uint8Array[] {
    this.retired = true;
    return this.overflow.drain();
  }
}
