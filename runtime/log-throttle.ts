import type { Scheduler, TimerHandle } from './scheduler.ts';

/**
 * Lets `limit` events through per interval and counts the rest; when an interval with suppressed
 * events ends, `onSummary` is called once with their number. Keeps a flood of dead letters from
 * drowning the log while still saying how many there were.
 */
export class LogThrottle {
  private windowStart = Number.NEGATIVE_INFINITY;
  private passed = 0;
  private suppressed = 0;
  private timer: TimerHandle | undefined;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly limit: number,
    private readonly intervalMs: number,
    private readonly onSummary: (suppressed: number) => void,
  ) {}

  /** True when this event may be logged; otherwise it is counted for the summary. */
  allow(): boolean {
    const now = this.scheduler.now();
    if (now - this.windowStart >= this.intervalMs) {
      this.flush();
      this.windowStart = now;
      this.passed = 0;
    }
    if (this.passed < this.limit) {
      this.passed++;
      return true;
    }
    if (this.suppressed++ === 0) {
      this.timer = this.scheduler.setTimer(this.intervalMs - (now - this.windowStart), () => {
        this.timer = undefined;
        this.flush();
      });
    }
    return false;
  }

  /** Reports any suppressed count now and cancels the pending summary. */
  flush(): void {
    this.timer?.cancel();
    this.timer = undefined;
    if (this.suppressed === 0) return;
    const count = this.suppressed;
    this.suppressed = 0;
    this.onSummary(count);
  }
}
