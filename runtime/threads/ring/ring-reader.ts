import type { Doorbell } from './doorbell.ts';
import type { FrameHandler, SpscRing } from './spsc-ring.ts';

/**
 * The consumer end of one ring: reads frames and, when the producer is waiting for space that a
 * read just freed, rings the producer's bell so its pump flushes its overflow queue.
 *
 * @example
 * const reader = new RingReader(new SpscRing(buffer), producerBell);
 * reader.read((frame) => dispatch(decode(frame)), 256);
 */
export class RingReader {
  private readonly ring: SpscRing;
  private readonly producerBell: Doorbell;
  private reading = false;

  constructor(ring: SpscRing, producerBell: Doorbell) {
    this.ring = ring;
    this.producerBell = producerBell;
  }

  /**
   * Delivers up to `maxFrames` frames in order (see `SpscRing.read`) and returns how many. A call
   * from inside `onFrame` returns 0: the frame being delivered still occupies the read buffer, and
   * the frames behind it come after it anyway.
   */
  read(onFrame: FrameHandler, maxFrames: number): number {
    if (this.reading) return 0;
    this.reading = true;
    try {
      return this.ring.read(onFrame, maxFrames);
    } finally {
      this.reading = false;
      if (this.ring.takeSpaceRequest()) this.producerBell.ring();
    }
  }

  /** Whether the ring holds no unread bytes. */
  isEmpty(): boolean {
    return this.ring.isEmpty();
  }
}
