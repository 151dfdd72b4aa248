import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RestartStatistics } from '../../../runtime/index.ts';

function statsAt(...times: number[]): RestartStatistics {
  const stats = new RestartStatistics();
  for (const t of times) stats.fail(t);
  return stats;
}

describe('RestartStatistics', () => {
  it('restart statistics: start empty', () => {
    const stats = new RestartStatistics();
    expect(stats.failureCount).toBe(0);
    expect(stats.lastFailureTime).toBeUndefined();
    expect(stats.numberOfFailures(10_000, 0)).toBe(0);
  });

  it('restart statistics: count failures and remember the latest time', () => {
    const stats = statsAt(10, 20, 35);
    expect(stats.failureCount).toBe(3);
    expect(stats.lastFailureTime).toBe(35);
  });

  it('restart statistics: reset forgets every failure', () => {
    const stats = statsAt(10, 20);
    stats.reset();
    expect(stats.failureCount).toBe(0);
    expect(stats.lastFailureTime).toBeUndefined();
    stats.fail(30);
    expect(stats.failureCount).toBe(1);
  });

  it('restart statistics: only failures strictly younger than the window count', () => {
    const stats = statsAt(0, 500, 999, 1_000);
    // At t=1000 with a 1000 ms window, the failure at t=0 is exactly one window old: out.
    expect(stats.numberOfFailures(1_000, 1_000)).toBe(3);
    expect(stats.numberOfFailures(1_000, 1_500)).toBe(2);
    expect(stats.numberOfFailures(1_000, 5_000)).toBe(0);
    // The total is unaffected by the window.
    expect(stats.failureCount).toBe(4);
  });

  it('restart statistics: a window of 0 counts every failure ever recorded', () => {
    const stats = statsAt(0, 10_000, 20_000);
    expect(stats.numberOfFailures(0, 1_000_000)).toBe(3);
  });

  it('restart statistics: the windowed count equals the failures in (now - window, now]', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 100_000 }), { maxLength: 50 }),
        fc.integer({ min: 1, max: 50_000 }),
        fc.integer({ min: 0, max: 50_000 }),
        (offsets, windowMs, after) => {
          const times = [...offsets].sort((a, b) => a - b);
          const now = (times.at(-1) ?? 0) + after;
          const stats = statsAt(...times);
          const expected = times.filter((t) => now - t < windowMs).length;
          expect(stats.numberOfFailures(windowMs, now)).toBe(expected);
          expect(stats.failureCount).toBe(times.length);
        },
      ),
    );
  });
});

describe('RestartStatistics forgetting', () => {
  it('restart statistics: forgetUntil drops the failures at or before the given time', () => {
    const stats = statsAt(0, 100, 200, 300);
    stats.forgetUntil(-1);
    expect(stats.failureCount).toBe(4);
    stats.forgetUntil(200);
    expect(stats.failureCount).toBe(1);
    expect(stats.lastFailureTime).toBe(300);
    expect(stats.numberOfFailures(0, 300)).toBe(1);
    stats.forgetUntil(1_000);
    expect(stats.failureCount).toBe(0);
    expect(stats.lastFailureTime).toBeUndefined();
  });
});
