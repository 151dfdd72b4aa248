import { SystemStoppedError } from '../../errors.ts';
import { RingQueue } from '../../ring-queue.ts';
import type { Doorbell } from './doorbell.ts';
import type { SpscRing } from './spsc-ring.ts';

/**
 * The producer end of one ring: writes frames straight into the ring while they fit, and spills
 * the rest into an unbounded overflow queue that drains in order as the consumer frees space.
 *
 *   send(f) ─▶ queue empty? ─yes─▶ ring.write(f) ─ rest of f ─┐
 *                  │ no                                       ▼
 *                  └────────────────────────▶ [overflow: copies, oldest first] ─ flush() ─▶ ring
 *
 * Back-pressure, never loss, never reordering: once anything is queued, later frames queue behind
 * it, and the ring is asked (`requestSpace`) to ring the producer's bell when space frees, so the
 * producer's pump calls `flush`. Queued frames are copies, so callers may reuse their buffers as
 * soon as `send` returns.
 *
 * @example
 * const writer = new RingWriter(new SpscRing(buffer), consumerBell);
 * writer.send(encoded);
 * if (writer.queuedFrames > 0) pump.kick(); // or wait: the consumer rings when space frees
 */
export class RingWriter {
  private readonly ring: SpscRing;
  private readonly consumerBell: Doorbell;
  /** Unsent frames, or unsent tails of frames; only the oldest can be partly in the ring. */
  private readonly overflow = new RingQueue<Uint8Array>();
  /** Where writing resumes in the oldest queued frame. */
  private resumeAt = 0;
  /** Whether the oldest queued frame is the rest of a frame whose start is already in the ring. */
  private oldestStarted = false;
  private overflowBytes = 0;
  private retired = false;

  constructor(ring: SpscRing, consumerBell: Doorbell) {
    this.ring = ring;
    this.consumerBell = consumerBell;
  }

  /** Frames (or unsent rests of frames) waiting in the overflow queue. */
  get queuedFrames(): number {
    return this.overflow.length;
  }

  /** Bytes waiting in the overflow queue. */
  get queuedBytes(): number {
    return this.overflowBytes - this.resumeAt;
  }

  /**
   * Sends one frame: into the ring now if nothing is queued and it fits, otherwise (the part that
   * does not fit) into the overflow queue. Returns true when the whole frame is in the ring.
   */
  send(frame: Uint8Array): boolean {
    if (this.retired)
      throw new SystemStoppedError('send to a thread whose ring writer was dropped');
    if (this.overflow.length === 0) {
      const offset = this.ring.write(frame, 0);
      if (offset > 0 || offset === frame.length) this.consumerBell.ring();
      if (offset === frame.length) return true;
      this.enqueue(offset > 0 ? frame.slice(offset) : frame.slice(), offset > 0);
      this.flush();
      return false;
    }
    this.enqueue(frame.slice(), false);
    return false;
  }

  /** Writes queued frames as space allows, oldest first; returns true when nothing is queued. */
  flush(): boolean {
    const overflow = this.overflow;
    let progressed = false;
    let requested = false;
    while (overflow.length > 0) {
      const frame = overflow.peek()!; // length > 0
      const before = this.resumeAt;
      const offset = this.ring.write(frame, before);
      if (offset === frame.length) {
        overflow.shift();
        this.overflowBytes -= frame.length;
        this.resumeAt = 0;
        this.oldestStarted = false;
        progressed = true;
        continue;
      }
      if (offset > before) {
        this.resumeAt = offset;
        this.oldestStarted = true;
        progressed = true;
      }
      if (requested) break;
      // Ask before the final re-check, so space freed in between is either seen now or rung.
      this.ring.requestSpace();
      requested = true;
    }
    if (progressed) this.consumerBell.ring();
    if (overflow.length > 0) return false;
    this.ring.clearSpaceRequest();
    return true;
  }

  /**
   * Retires the writer because its consumer is gone, and returns the frames never started, in
   * order. A frame already partly in the ring is discarded: its start cannot be recalled. Any
   * later `send` throws `SystemStoppedError`.
   */
  drop(): Uint8Array[] {
    this.retired = true;
    if (this.oldestStarted && this.overflow.length > 0) this.overflow.shift();
    const frames = this.overflow.drain();
    this.overflowBytes = 0;
    this.resumeAt = 0;
    this.oldestStarted = false;
    return frames;
  }

  private enqueue(frame: Uint8Array, started: boolean): void {
    if (this.overflow.length === 0) {
      this.resumeAt = 0;
      this.oldestStarted = started;
    }
    this.overflow.push(frame);
    this.overflowBytes += frame.length;
  }
}
