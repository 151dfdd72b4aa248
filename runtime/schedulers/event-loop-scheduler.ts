import { performance } from 'node:perf_hooks';
import { RingQueue } from '../ring-queue.ts';
import type { Runnable, Scheduler, TimerHandle } from '../scheduler.ts';

/** How long one drain may run before it yields to I/O with `setImmediate`. */
const SLICE_MS = 4;
/** How many messages are processed between clock reads. */
const CLOCK_EVERY = 32;

/**
 * Runs scheduled mailboxes on the Node event loop. One run queue per scheduler: a drain starts in
 * a microtask when the queue goes from empty to busy, runs tasks for at most `SLICE_MS`, then
 * continues in `setImmediate`, so timers and sockets always get their turn.
 */
export class EventLoopScheduler implements Scheduler {
  private readonly queue = new RingQueue<Runnable>();
  private armed = false;
  private readonly drain = (): void => this.runSlice();
  private readonly drainLater = (): void => this.runSlice();

  schedule(task: Runnable): void {
    this.queue.push(task);
    if (!this.armed) {
      this.armed = true;
      queueMicrotask(this.drain);
    }
  }

  get pending(): number {
    return this.queue.length;
  }

  now(): number {
    return performance.now();
  }

  setTimer(delayMs: number, callback: () => void): TimerHandle {
    const timer = setTimeout(callback, delayMs);
    return {
      cancel: () => clearTimeout(timer),
      keepAlive: (active) => void (active ? timer.ref() : timer.unref()),
    };
  }

  private runSlice(): void {
    const queue = this.queue;
    const deadline = performance.now() + SLICE_MS;
    let work = 0;
    try {
      while (queue.length > 0) {
        // A mailbox turn can be `throughput` messages long: count messages, not tasks.
        work += queue.shift().run() ?? 1;
        if (work >= CLOCK_EVERY) {
          work = 0;
          if (performance.now() >= deadline) break;
        }
      }
    } finally {
      // Even if a task threw, the queue keeps draining on a later turn.
      if (queue.length > 0) setImmediate(this.drainLater);
      else this.armed = false;
    }
  }
}
