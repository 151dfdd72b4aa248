/**
 * Failure times of one actor, used by strategies to decide whether a restart is still within the
 * allowed number of retries for the window. Times come from the actor system's scheduler clock.
 */
export class RestartStatistics {
  private readonly failures: number[] = [];

  /** Total failures recorded since the last reset. */
  get failureCount(): number {
    return this.failures.length;
  }

  /** The recorded failure times, oldest first (a copy of this history travels with `Failure`). */
  get failureTimes(): readonly number[] {
    return this.failures;
  }

  /** Records one failure at `now`. */
  fail(now: number): void {
    this.failures.push(now);
  }

  /** Forgets failures recorded at or before `time`. */
  forgetUntil(time: number): void {
    let stale = 0;
    while (stale < this.failures.length && this.failures[stale]! <= time) stale++; // < length
    if (stale > 0) this.failures.splice(0, stale);
  }

  /** Forgets every recorded failure. */
  reset(): void {
    this.failures.length = 0;
  }

  /** Failures recorded within the last `windowMs` before `now` (every failure if `windowMs` is 0). */
  numberOfFailures(windowMs: number, now: number): number {
    if (windowMs <= 0) return this.failures.length;
    let count = 0;
    for (const t of this.failures) if (now - t < windowMs) count++;
    return count;
  }

  /** Time of the latest failure, or undefined. */
  get lastFailureTime(): number | undefined {
    return this.failures[this.failures.length - 1];
  }
}
