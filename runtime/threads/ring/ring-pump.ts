import { performance } from 'node:perf_hooks';
import type { Doorbell } from './doorbell.ts';
import type { RingReader } from './ring-reader.ts';
import type { RingWriter } from './ring-writer.ts';

/** Settings of a `RingPump`. */
export interface RingPumpOptions {
  /** This thread's doorbell: producers ring it after writing, consumers when space frees. */
  readonly bell: Doorbell;
  /** Receives every inbound frame with the slot of the thread that sent it; must not keep it. */
  readonly onFrame: (source: number, frame: Uint8Array) => void;
  /** How long an idle pump keeps polling before it sleeps, in microseconds. */
  readonly spinMicros?: number;
  /** Frames read from one ring per turn, so one busy producer cannot starve the others. */
  readonly batch?: number;
  /** Receives an error thrown by `onFrame`; by default it is rethrown as an uncaught error. */
  readonly onError?: (error: unknown) => void;
  /** Whether a started pump keeps its thread alive (a pending waitAsync does not). */
  readonly keepAlive?: boolean;
  /**
   * After a pass that delivered frames, how long the pump keeps polling on microtasks (after the
   * actors that received have run) before it yields to the event loop, in microseconds. A reply
   * that comes back within it is seen without waiting for the next event-loop turn.
   */
  readonly hotMicros?: number;
}

/** Defaults of `RingPumpOptions`. */
export const RING_PUMP_DEFAULTS = Object.freeze({
  spinMicros: 50,
  batch: 256,
  keepAlive: true,
  hotMicros: 10,
});

/** Most microtask polls in one hot stretch, whatever the clock says. */
const HOT_POLLS_MAX = 1024;

/** Longest interval Node accepts: the keep-alive timer never fires in practice. */
const KEEP_ALIVE_MS = 0x7fff_ffff;
const noop = (): void => {};

/**
 * Moves one thread's ring traffic on its event loop: drains every inbound ring, flushes every
 * outbound overflow queue, and sleeps on the thread's doorbell when there is nothing to do.
 *
 *   turn: drain readers (≤ batch each) + flush writers
 *     ├─ work done ──▶ hot: poll again on microtasks ≤ hotMicros, then setImmediate(turn)
 *     ├─ idle < spinMicros ──────▶ setImmediate(turn)      bounded spin
 *     └─ idle longer ─▶ prepareSleep ─▶ re-check ─┬─ work ─▶ cancelSleep, setImmediate(turn)
 *                                                 └─ none ─▶ await bell.wait() ─▶ turn
 *
 * The loop never blocks for longer than a hot stretch (at most `hotMicros`, and never longer than
 * `spinMicros`), and delivering a frame allocates nothing: one bound callback reads the current
 * source from a field.
 *
 * @example
 * const pump = new RingPump({ bell, onFrame: (source, frame) => dispatch(source, frame) });
 * pump.addReader(1, new RingReader(new SpscRing(fromThread1), thread1Bell));
 * pump.addWriter(1, writerToThread1);
 * pump.start();
 * await pump.stop();
 */
export class RingPump {
  /** Frames delivered to `onFrame`. */
  framesIn = 0;
  /** Times a sleep ended because the bell rang. */
  wakeups = 0;
  /** Times the pump went to sleep. */
  sleeps = 0;

  private readonly bell: Doorbell;
  private readonly onFrame: (source: number, frame: Uint8Array) => void;
  private readonly onError: ((error: unknown) => void) | undefined;
  private readonly spinMs: number;
  private readonly hotMs: number;
  private readonly batch: number;
  private readonly keepAlive: boolean;
  private readonly readerSources: number[] = [];
  private readonly readers: RingReader[] = [];
  private readonly writerTargets: number[] = [];
  private readonly writers: RingWriter[] = [];
  /** Source of the ring being drained, read by `deliver`. */
  private source = -1;
  private running = false;
  /** True from `start` until the loop has exited. */
  private active = false;
  private idleSince = -1;
  /** When the current hot stretch must yield, and how many polls it has left. */
  private hotUntil = 0;
  private hotPolls = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private exited: Promise<void> = Promise.resolve();
  private resolveExit: () => void = noop;

  private readonly deliver = (frame: Uint8Array): void => this.onFrame(this.source, frame);
  private readonly turnLater = (): void => this.turn();
  private readonly hotTurn = (): void => this.pollHot();
  private readonly woken = (): void => {
    this.wakeups++;
    this.idleSince = -1;
    this.turn();
  };

  constructor(options: RingPumpOptions) {
    this.bell = options.bell;
    this.onFrame = options.onFrame;
    this.onError = options.onError;
    this.spinMs = (options.spinMicros ?? RING_PUMP_DEFAULTS.spinMicros) / 1000;
    // A hot stretch is a spin too: a pump told not to spin does not.
    this.hotMs =
      Math.min(options.hotMicros ?? RING_PUMP_DEFAULTS.hotMicros, this.spinMs * 1000) / 1000;
    this.batch = options.batch ?? RING_PUMP_DEFAULTS.batch;
    this.keepAlive = options.keepAlive ?? RING_PUMP_DEFAULTS.keepAlive;
  }

  /** Drains the ring from thread `source`, replacing any reader of that source. */
  addReader(source: number, reader: RingReader): void {
    this.removeReader(source);
    this.readerSources.push(source);
    this.readers.push(reader);
    this.kick();
  }

  /** Stops draining the ring from thread `source`. */
  removeReader(source: number): void {
    const at = this.readerSources.indexOf(source);
    if (at < 0) return;
    this.readerSources.splice(at, 1);
    this.readers.splice(at, 1);
  }

  /** Flushes the overflow of the writer to thread `target`, replacing any writer of that target. */
  addWriter(target: number, writer: RingWriter): void {
    this.removeWriter(target);
    this.writerTargets.push(target);
    this.writers.push(writer);
    this.kick();
  }

  /** Stops flushing the writer to thread `target`. */
  removeWriter(target: number): void {
    const at = this.writerTargets.indexOf(target);
    if (at < 0) return;
    this.writerTargets.splice(at, 1);
    this.writers.splice(at, 1);
  }

  /** Starts the loop; a call while running, or while a stop is still finishing, does nothing. */
  start(): void {
    if (this.active) return;
    this.active = true;
    this.running = true;
    this.idleSince = -1;
    this.exited = new Promise((resolve) => (this.resolveExit = resolve));
    if (this.keepAlive) this.timer = setInterval(noop, KEEP_ALIVE_MS);
    setImmediate(this.turnLater);
  }

  /** Stops the loop, waking it if it sleeps; resolves once it has exited. */
  stop(): Promise<void> {
    if (this.running) {
      this.running = false;
      this.bell.ring();
    }
    return this.exited;
  }

  /** Wakes the loop if it sleeps, e.g. after work arrived that no ring announced. */
  kick(): void {
    this.bell.ring();
  }

  /**
   * Drains every inbound ring once (a batch each) and flushes every writer, synchronously, and
   * returns the frames delivered. Called from inside `onFrame`, it skips the ring being drained.
   */
  pollNow(): number {
    const before = this.framesIn;
    this.poll();
    return this.framesIn - before;
  }

  /** One pass over readers and writers; returns frames delivered plus writers that progressed. */
  private poll(): number {
    let work = 0;
    const readers = this.readers;
    const sources = this.readerSources;
    const previous = this.source;
    try {
      for (let i = 0; i < readers.length; i++) {
        this.source = sources[i]!; // same length as readers
        const frames = readers[i]!.read(this.deliver, this.batch);
        this.framesIn += frames;
        work += frames;
      }
    } finally {
      this.source = previous;
    }
    const writers = this.writers;
    for (let i = 0; i < writers.length; i++) {
      const writer = writers[i]!; // i < length
      if (writer.queuedFrames === 0) continue;
      const queued = writer.queuedFrames + writer.queuedBytes;
      writer.flush();
      if (writer.queuedFrames + writer.queuedBytes < queued) work++;
    }
    return work;
  }

  private turn(): void {
    if (!this.running) {
      this.exit();
      return;
    }
    if (this.pollSafely() > 0) {
      this.idleSince = -1;
      this.startHot();
      return;
    }
    const now = performance.now();
    if (this.idleSince < 0) this.idleSince = now;
    if (now - this.idleSince < this.spinMs) {
      setImmediate(this.turnLater);
      return;
    }
    // Announce the sleep, then look once more: a frame published before the announcement is
    // found here, one published after it finds SLEEPING and rings.
    this.bell.prepareSleep();
    if (this.pollSafely() > 0 || !this.running) {
      this.bell.cancelSleep();
      this.idleSince = -1;
      setImmediate(this.turnLater);
      return;
    }
    this.sleeps++;
    void this.bell.wait().then(this.woken);
  }

  /**
   * Starts a hot stretch after a pass that delivered frames: the next polls run on microtasks,
   * queued behind the mailboxes those frames scheduled, so the actors run first and their sends
   * are out before the next look. The stretch is bounded in time and polls, then the pump goes
   * back to event-loop turns, so timers and I/O wait at most `hotMicros`.
   */
  private startHot(): void {
    if (this.hotMs <= 0) {
      setImmediate(this.turnLater);
      return;
    }
    this.hotUntil = performance.now() + this.hotMs;
    this.hotPolls = HOT_POLLS_MAX;
    queueMicrotask(this.hotTurn);
  }

  private pollHot(): void {
    if (this.running) {
      this.pollSafely();
      if (--this.hotPolls > 0 && performance.now() < this.hotUntil) {
        queueMicrotask(this.hotTurn);
        return;
      }
    }
    setImmediate(this.turnLater);
  }

  /** `poll`, with an error from `onFrame` reported instead of ending the loop. */
  private pollSafely(): number {
    try {
      return this.poll();
    } catch (error) {
      this.report(error);
      return 1;
    }
  }

  private report(error: unknown): void {
    if (this.onError !== undefined) {
      this.onError(error);
      return;
    }
    queueMicrotask(() => {
      throw error;
    });
  }

  private exit(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.active = false;
    this.resolveExit();
  }
}
