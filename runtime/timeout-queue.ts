import type { Scheduler, TimerHandle } from './scheduler.ts';

/** An entry that can expire; the queue links entries through these fields (no wrapper objects). */
export interface Expirable {
  deadline: number;
  prevExpirable: Expirable | undefined;
  nextExpirable: Expirable | undefined;
  expiryQueue: TimeoutQueue | undefined;
  expire(): void;
}

/**
 * Expires entries that share one duration, with one timer for all of them. Entries are appended
 * in deadline order (same duration, monotonic clock), so the head is always the next to expire;
 * removal is O(1) through the intrusive links. This replaces a `setTimeout` per request.
 *
 *   head ─▶ [d=10] ⇄ [d=12] ⇄ [d=15] ◀─ tail     timer armed for the head's deadline
 */
export class TimeoutQueue {
  private head: Expirable | undefined;
  private tail: Expirable | undefined;
  private timer: TimerHandle | undefined;
  private readonly onTimer = (): void => this.expireDue();

  constructor(
    private readonly scheduler: Scheduler,
    readonly durationMs: number,
    private readonly onEmpty: (queue: TimeoutQueue) => void = () => {},
  ) {}

  /** Adds `entry`, due `durationMs` from now. */
  add(entry: Expirable): void {
    entry.deadline = this.scheduler.now() + this.durationMs;
    entry.expiryQueue = this;
    entry.prevExpirable = this.tail;
    entry.nextExpirable = undefined;
    if (this.tail === undefined) this.head = entry;
    else this.tail.nextExpirable = entry;
    this.tail = entry;
    if (this.timer === undefined)
      this.timer = this.scheduler.setTimer(this.durationMs, this.onTimer);
    else if (this.head === entry) this.timer.keepAlive(true);
  }

  /** Unlinks `entry` without expiring it. */
  remove(entry: Expirable): void {
    if (entry.expiryQueue !== this) return;
    const { prevExpirable: prev, nextExpirable: next } = entry;
    if (prev === undefined) this.head = next;
    else prev.nextExpirable = next;
    if (next === undefined) this.tail = prev;
    else next.prevExpirable = prev;
    entry.prevExpirable = entry.nextExpirable = entry.expiryQueue = undefined;
    // Empty: the armed timer stays (one request after another would otherwise set and clear a
    // timer each) but no longer holds the process; if it fires with nothing due, the queue idles.
    if (this.head === undefined) this.timer?.keepAlive(false);
  }

  private expireDue(): void {
    this.timer = undefined;
    // Timers have millisecond granularity: treat anything due within the next 1 ms as due.
    const now = this.scheduler.now() + 1;
    let entry = this.head;
    while (entry !== undefined && entry.deadline <= now) {
      this.remove(entry);
      entry.expire();
      entry = this.head;
    }
    if (this.head === undefined) this.onEmpty(this);
    else if (this.timer === undefined) {
      this.timer = this.scheduler.setTimer(this.head.deadline - this.scheduler.now(), this.onTimer);
    }
  }
}

/** One `TimeoutQueue` per distinct duration. */
export class Timeouts {
  private readonly queues = new Map<number, TimeoutQueue>();
  /** A queue whose timer fired with nothing due is dropped: an unused duration keeps nothing. */
  private readonly dropIdle = (queue: TimeoutQueue): void => {
    if (this.queues.get(queue.durationMs) === queue) this.queues.delete(queue.durationMs);
  };

  constructor(private readonly scheduler: Scheduler) {}

  /** Arms `entry` to expire after `durationMs`. */
  add(entry: Expirable, durationMs: number): void {
    // Whole milliseconds, so that computed timeouts (`deadline - now`) share queues and timers.
    const ms = Math.ceil(durationMs);
    let queue = this.queues.get(ms);
    if (queue === undefined) {
      queue = new TimeoutQueue(this.scheduler, ms, this.dropIdle);
      this.queues.set(ms, queue);
    }
    queue.add(entry);
  }

  /** Disarms `entry` if it is armed. */
  remove(entry: Expirable): void {
    entry.expiryQueue?.remove(entry);
  }
}
