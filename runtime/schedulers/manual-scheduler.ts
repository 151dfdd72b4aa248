import { RingQueue } from '../ring-queue.ts';
import type { Runnable, Scheduler, TimerHandle } from '../scheduler.ts';

interface ManualTimer {
  readonly due: number;
  readonly seq: number;
  readonly callback: () => void;
  cancelled: boolean;
}

/**
 * A scheduler you drive by hand: nothing runs until `step`, `runUntilIdle` or `advance` is called,
 * and time is virtual. Runs are deterministic, which makes tests and samples reproducible.
 *
 * @example
 * const scheduler = new ManualScheduler();
 * const system = new ActorSystem({ scheduler });
 * system.root.send(pid, 'hello');
 * scheduler.runUntilIdle();
 */
export class ManualScheduler implements Scheduler {
  private readonly queue = new RingQueue<Runnable>();
  private timers: ManualTimer[] = [];
  private clock = 0;
  private timerSeq = 0;

  schedule(task: Runnable): void {
    this.queue.push(task);
  }

  now(): number {
    return this.clock;
  }

  setTimer(delayMs: number, callback: () => void): TimerHandle {
    const timer: ManualTimer = {
      due: this.clock + Math.max(0, delayMs),
      seq: this.timerSeq++,
      callback,
      cancelled: false,
    };
    this.timers.push(timer);
    // Nothing here keeps a process alive: keepAlive has nothing to change.
    return { cancel: () => void (timer.cancelled = true), keepAlive: () => {} };
  }

  /** Number of tasks waiting to run. */
  get pending(): number {
    return this.queue.length;
  }

  /** Runs one scheduled task; returns false when there was none. */
  step(): boolean {
    if (this.queue.length === 0) return false;
    this.queue.shift().run();
    return true;
  }

  /** Runs tasks until none is left (tasks may schedule more); returns how many ran. */
  runUntilIdle(limit = 1_000_000): number {
    let ran = 0;
    while (ran < limit && this.step()) ran++;
    return ran;
  }

  /** Moves the virtual clock forward, firing due timers in order and running the work they cause. */
  advance(ms: number): void {
    const target = this.clock + ms;
    this.runUntilIdle();
    for (;;) {
      const next = this.nextDue(target);
      if (next === undefined) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.clock = next.due;
      next.callback();
      this.runUntilIdle();
    }
    this.clock = target;
  }

  private nextDue(limit: number): ManualTimer | undefined {
    this.timers = this.timers.filter((t) => !t.cancelled);
    let best: ManualTimer | undefined;
    for (const t of this.timers) {
      if (t.due > limit) continue;
      if (best === undefined || t.due < best.due || (t.due === best.due && t.seq < best.seq))
        best = t;
    }
    return best;
  }
}
