import { performance } from 'node:perf_hooks';

/** A run did not deliver what it sent, or did not finish: an error, never a figure. */
export class VerificationError extends Error {
  override readonly name = 'VerificationError';
}

/**
 * Counts deliveries until an expected number is reached and records when that happened, so the
 * timed window ends at the last delivery, not when the awaiting code resumes. `tick` is one
 * increment and one comparison: cheap enough to call per message in subject and baseline alike.
 */
export class Completion {
  /** Deliveries counted so far (it keeps counting past `expected`, so extras are caught). */
  delivered = 0;
  // NaN, not 0, so the fields hold doubles from the start and never change representation.
  /** `performance.now()` at `start`. */
  startedAt = Number.NaN;
  /** `performance.now()` at the delivery that reached `expected`. */
  finishedAt = Number.NaN;
  private readonly done: Promise<void>;
  private resolve!: () => void; // assigned synchronously by the Promise executor

  constructor(readonly expected: number) {
    this.done = new Promise<void>((resolve) => {
      this.resolve = resolve;
    });
  }

  /** Starts the clock. */
  start(): void {
    this.startedAt = performance.now();
  }

  /** Counts one delivery. */
  tick(): void {
    if (++this.delivered === this.expected) this.finish();
  }

  /** Counts `n` deliveries at once. */
  add(n: number): void {
    const before = this.delivered;
    this.delivered += n;
    if (before < this.expected && this.delivered >= this.expected) this.finish();
  }

  /** Milliseconds from `start` to the delivery that completed the count. */
  get elapsedMs(): number {
    return this.finishedAt - this.startedAt;
  }

  /**
   * Resolves once `expected` deliveries were counted and one more macrotask turn has passed (so a
   * stray extra delivery is counted too); rejects with a `VerificationError` after `timeoutMs`.
   */
  async wait(timeoutMs: number, what: string): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(
          new VerificationError(
            `${what}: ${this.delivered} of ${this.expected} delivered after ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
    });
    try {
      await Promise.race([this.done, timeout]);
    } finally {
      clearTimeout(timer);
    }
    await settle();
  }

  private finish(): void {
    this.finishedAt = performance.now();
    this.resolve();
  }
}

/** Waits one macrotask turn, so that every queued microtask and mailbox slice has run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
