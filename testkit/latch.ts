import { TimeoutError } from '../runtime/index.ts';

/**
 * An awaitable countdown: `wait` resolves once `countDown` has been called `count` times, or
 * rejects with `TimeoutError`. Tests wait on latches, never on sleeps.
 *
 * @example
 * const latch = new Latch(3);
 * // ... each actor calls latch.countDown()
 * await latch.wait(1000);
 */
export class Latch {
  private remaining: number;
  private readonly done: Promise<void>;
  private release!: () => void; // assigned synchronously by the Promise executor

  constructor(count = 1) {
    this.remaining = count;
    this.done = new Promise((resolve) => (this.release = resolve));
    if (count <= 0) this.release();
  }

  /** How many count-downs are still missing. */
  get count(): number {
    return Math.max(0, this.remaining);
  }

  /** True once the count reached zero. */
  get isOpen(): boolean {
    return this.remaining <= 0;
  }

  /** Decrements the count; the latch opens at zero. */
  countDown(by = 1): void {
    this.remaining -= by;
    if (this.remaining <= 0) this.release();
  }

  /** Resolves when the latch opens; rejects with `TimeoutError` after `timeoutMs`. */
  wait(timeoutMs = 5_000): Promise<void> {
    return withTimeout(
      this.done,
      timeoutMs,
      () => `latch still at ${this.count} after ${timeoutMs} ms`,
    );
  }
}

/** Races `promise` against a timer; the timer never keeps the process alive on its own. */
export function withTimeout<T>(
  promise: Promise<T>,
  timeoutMs: number,
  describe: () => string,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new TimeoutError(describe())), timeoutMs);
    timer.unref();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
