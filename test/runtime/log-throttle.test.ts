import { describe, expect, it } from 'vitest';
import { ManualScheduler, type Scheduler, type TimerHandle } from '../../runtime/index.ts';
import { LogThrottle } from '../../runtime/log-throttle.ts';

/** A ManualScheduler that counts live timers. */
class CountingScheduler extends ManualScheduler {
  live = 0;

  override setTimer(delayMs: number, callback: () => void): TimerHandle {
    this.live++;
    let done = false;
    const finish = (): boolean => {
      if (done) return false;
      done = true;
      this.live--;
      return true;
    };
    const handle = super.setTimer(delayMs, () => {
      if (finish()) callback();
    });
    return {
      cancel: () => {
        finish();
        handle.cancel();
      },
      keepAlive: () => {},
    };
  }
}

/** A clock whose timers never fire, as when the event loop is late. */
class LateTimers implements Scheduler {
  time = 0;
  readonly pending = 0;
  schedule(): void {}
  now(): number {
    return this.time;
  }
  setTimer(): TimerHandle {
    return { cancel: () => {}, keepAlive: () => {} };
  }
}

function setup(limit: number, intervalMs: number) {
  const scheduler = new CountingScheduler();
  const summaries: { at: number; count: number }[] = [];
  const throttle = new LogThrottle(scheduler, limit, intervalMs, (count) =>
    summaries.push({ at: scheduler.now(), count }),
  );
  const burst = (n: number): boolean[] => Array.from({ length: n }, () => throttle.allow());
  return { scheduler, summaries, throttle, burst };
}

describe('LogThrottle', () => {
  it('log throttle: lets the first `limit` events of an interval through and holds back the rest', () => {
    const { burst } = setup(3, 1_000);
    expect(burst(6)).toEqual([true, true, true, false, false, false]);
  });

  it('log throttle: reports the suppressed count once, when the interval ends', () => {
    const { scheduler, summaries, burst } = setup(2, 1_000);
    burst(7);
    scheduler.advance(999);
    expect(summaries).toEqual([]);
    scheduler.advance(1);
    expect(summaries).toEqual([{ at: 1_000, count: 5 }]);
    scheduler.advance(10_000);
    expect(summaries).toHaveLength(1);
  });

  it('log throttle: the interval starts at its first event, not on a fixed grid', () => {
    const { scheduler, summaries, throttle } = setup(1, 1_000);
    scheduler.advance(500);
    expect(throttle.allow()).toBe(true);
    scheduler.advance(900);
    expect(throttle.allow()).toBe(false);
    scheduler.advance(99);
    expect(summaries).toEqual([]);
    scheduler.advance(1);
    expect(summaries).toEqual([{ at: 1_500, count: 1 }]);
    expect(throttle.allow()).toBe(true);
  });

  it('log throttle: each interval gets a fresh allowance and its own summary', () => {
    const { scheduler, summaries, burst } = setup(2, 100);
    expect(burst(5)).toEqual([true, true, false, false, false]);
    scheduler.advance(100);
    expect(burst(3)).toEqual([true, true, false]);
    scheduler.advance(100);
    expect(summaries.map((s) => s.count)).toEqual([3, 1]);
  });

  it('log throttle: an interval within the limit arms no timer and reports nothing', () => {
    const { scheduler, summaries, burst } = setup(5, 1_000);
    expect(burst(5).every(Boolean)).toBe(true);
    expect(scheduler.live).toBe(0);
    scheduler.advance(5_000);
    expect(summaries).toEqual([]);
  });

  it('log throttle: one timer per interval however many events are held back', () => {
    const { scheduler, burst } = setup(1, 1_000);
    burst(1_000);
    expect(scheduler.live).toBe(1);
    scheduler.advance(1_000);
    expect(scheduler.live).toBe(0);
  });

  it('log throttle: flush reports at once and cancels the pending summary', () => {
    const { scheduler, summaries, throttle, burst } = setup(1, 1_000);
    burst(4);
    scheduler.advance(10);
    throttle.flush();
    expect(summaries).toEqual([{ at: 10, count: 3 }]);
    expect(scheduler.live).toBe(0);
    scheduler.advance(5_000);
    expect(summaries).toHaveLength(1);
    throttle.flush();
    expect(summaries).toHaveLength(1);
  });

  it('log throttle: a limit of 0 holds back everything and counts it', () => {
    const { scheduler, summaries, burst } = setup(0, 1_000);
    expect(burst(4)).toEqual([false, false, false, false]);
    scheduler.advance(1_000);
    expect(summaries).toEqual([{ at: 1_000, count: 4 }]);
  });

  it('log throttle: when the summary timer is late, the next interval reports the old count first, once', () => {
    const clock = new LateTimers();
    const events: string[] = [];
    const throttle = new LogThrottle(clock, 1, 1_000, (n) => events.push(`summary ${n}`));
    for (let i = 0; i < 3; i++) if (throttle.allow()) events.push('line');
    clock.time = 1_500;
    if (throttle.allow()) events.push('line');
    if (throttle.allow()) events.push('line');
    expect(events).toEqual(['line', 'summary 2', 'line']);
  });
});
