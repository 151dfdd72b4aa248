import { performance } from 'node:perf_hooks';
import type { LatencyRecorder } from '../threads/latency.ts';

/**
 * An open-loop schedule: `count` requests at `ratePerSecond`, request `i` due at
 * `start + i / rate`, whether or not earlier ones were answered. Each answer's latency is taken
 * from its request's due time, so a request issued late, or queued behind a slow one, counts its
 * wait; nothing is hidden by the sender slowing down (coordinated omission).
 *
 * The loop checks the clock once per event-loop turn (`setImmediate`), issuing every request that
 * has come due, so it keeps one core busy; a timer would add up to a millisecond to each due time.
 */
export class OpenLoop {
  /** `performance.now()` at which each request is due. */
  readonly dueAt: Float64Array;
  /** The longest a request was issued after its due time, in microseconds. */
  maxLateUs = 0;

  constructor(
    readonly count: number,
    readonly ratePerSecond: number,
  ) {
    this.dueAt = new Float64Array(count);
  }

  /**
   * Issues every request on schedule: `issue(i)` for each, then `afterTurn()` once per turn in
   * which any was issued (to write what `issue` queued). Resolves once the last is issued.
   */
  run(issue: (index: number) => void, afterTurn: () => void = () => {}): Promise<void> {
    const { count, dueAt } = this;
    const interval = 1000 / this.ratePerSecond;
    const start = performance.now();
    for (let i = 0; i < count; i++) dueAt[i] = start + i * interval;
    let next = 0;
    return new Promise((resolve) => {
      const turn = (): void => {
        const now = performance.now();
        const first = next;
        while (next < count && dueAt[next]! <= now) issue(next++); // next < count
        if (next > first) {
          this.maxLateUs = Math.max(this.maxLateUs, (now - dueAt[first]!) * 1000); // first < next
          afterTurn();
        }
        if (next < count) setImmediate(turn);
        else resolve();
      };
      turn();
    });
  }

  /** Records the latency of request `index`, answered now, from its due time. */
  answered(index: number, recorder: LatencyRecorder): void {
    recorder.startedAt = this.dueAt[index]!; // index < count: only issued requests are answered
    recorder.end();
  }
}
