import { describe, expect, it } from 'vitest';
import {
  ExponentialBackoffStrategy,
  Props,
  Started,
  SupervisionEvent,
  type BackoffOptions,
} from '../../../runtime/index.ts';
import { advanceUntil, Boom, collect, nameOf, parentProps, pidOf } from '../helpers.ts';
import { systemFixture, type VirtualSystem } from '../system-fixture.ts';

const systems = systemFixture();
let v: VirtualSystem;

/**
 * A child that logs `#instance:message@time`. It throws on `Boom`, and instances 2..`failUntil`
 * also throw as soon as they start, so one Boom produces a run of consecutive failures.
 */
function flaky(log: string[], failUntil = 1): Props {
  let instances = 0;
  return Props.fromProducer(() => {
    const instance = ++instances;
    return {
      receive(context) {
        const message = context.message;
        log.push(`#${instance}:${nameOf(message)}@${v.scheduler.now()}`);
        if (message instanceof Boom) throw message;
        if (message === Started && instance > 1 && instance <= failUntil)
          throw new Boom(`start ${instance}`);
      },
    };
  });
}

function superviseWithBackoff(log: string[], options: BackoffOptions, failUntil?: number): void {
  const strategy = new ExponentialBackoffStrategy(options);
  v.system.root.spawnNamed(parentProps([], 'p', [['c', flaky(log, failUntil)]], strategy), 'p');
  v.scheduler.runUntilIdle();
}

const startTimes = (log: readonly string[]): number[] =>
  log.filter((entry) => entry.includes(':Started@')).map((entry) => Number(entry.split('@')[1]));

const startCount = (log: readonly string[]): number => startTimes(log).length;

/** Doubles from 100 ms up to 10 s, and forgets failures after a minute without one. */
const BACKOFF: BackoffOptions = {
  initialBackoffMs: 100,
  maxBackoffMs: 10_000,
  backoffWindowMs: 60_000,
};

/** Sends the worker p/c a Boom and runs the system until it is idle. */
function failChild(): void {
  v.system.root.send(pidOf(v.system, 'p/c'), new Boom());
  v.scheduler.runUntilIdle();
}

describe('ExponentialBackoffStrategy', () => {
  it('backoff: the first restart happens after initialBackoffMs and not before', () => {
    v = systems.virtual();
    const log: string[] = [];
    superviseWithBackoff(log, BACKOFF);
    v.scheduler.advance(1_000);
    failChild();
    v.scheduler.advance(99);
    expect(startTimes(log)).toEqual([0]);
    v.scheduler.advance(1);
    expect(startTimes(log)).toEqual([0, 1_100]);
  });

  it('backoff: the n-th consecutive failure waits initial × 2^(n-1) before the restart', () => {
    v = systems.virtual();
    const log: string[] = [];
    superviseWithBackoff(log, { ...BACKOFF, maxBackoffMs: 100_000 }, 5);
    failChild();
    const waits: number[] = [];
    for (let restart = 1; restart <= 5; restart++) {
      waits.push(advanceUntil(v.scheduler, () => startCount(log) === restart + 1));
    }
    expect(waits).toEqual([100, 200, 400, 800, 1_600]);
    expect(startTimes(log)).toEqual([0, 100, 300, 700, 1_500, 3_100]);
  });

  it('backoff: the delay is capped at maxBackoffMs', () => {
    v = systems.virtual();
    const log: string[] = [];
    superviseWithBackoff(log, { ...BACKOFF, maxBackoffMs: 300 }, 5);
    failChild();
    v.scheduler.advance(10_000);
    expect(startTimes(log)).toEqual([0, 100, 300, 600, 900, 1_200]);
  });

  it('backoff: a failure after a quiet period longer than the window starts again at the initial delay', () => {
    v = systems.virtual();
    const log: string[] = [];
    superviseWithBackoff(log, { ...BACKOFF, backoffWindowMs: 1_000 });
    const child = pidOf(v.system, 'p/c');
    v.system.root.send(child, new Boom());
    v.scheduler.advance(150);
    v.system.root.send(child, new Boom());
    v.scheduler.runUntilIdle();
    // Second failure 150 ms after the first: within the window, so it waits twice as long.
    expect(advanceUntil(v.scheduler, () => startCount(log) === 3)).toBe(200);
    v.scheduler.advance(5_000);
    v.system.root.send(child, new Boom());
    v.scheduler.runUntilIdle();
    expect(advanceUntil(v.scheduler, () => startCount(log) === 4)).toBe(100);
  });

  it('backoff: jitter adds random() × jitterMs to the delay', () => {
    v = systems.virtual();
    const log: string[] = [];
    superviseWithBackoff(log, { ...BACKOFF, jitterMs: 40, random: () => 0.5 });
    failChild();
    expect(advanceUntil(v.scheduler, () => startCount(log) === 2)).toBe(120);
  });

  it('backoff: the failed child processes nothing until its restart, then its queued messages', () => {
    v = systems.virtual();
    const log: string[] = [];
    superviseWithBackoff(log, BACKOFF);
    const child = pidOf(v.system, 'p/c');
    v.system.root.send(child, new Boom());
    v.system.root.send(child, 'queued');
    v.scheduler.advance(50);
    v.system.root.send(child, 'later');
    v.scheduler.advance(49);
    expect(log).toEqual(['#1:Started@0', '#1:Boom(boom)@0']);
    v.scheduler.advance(1);
    expect(log).toEqual([
      '#1:Started@0',
      '#1:Boom(boom)@0',
      '#1:Restarting@100',
      '#2:Started@100',
      '#2:queued@100',
      '#2:later@100',
    ]);
  });

  it('backoff: the failure is published as a restart when it happens', () => {
    v = systems.virtual();
    const log: string[] = [];
    const events = collect(v.system, SupervisionEvent);
    superviseWithBackoff(log, BACKOFF);
    failChild();
    expect(events.map((event) => [event.child.id, event.directive])).toEqual([['p/c', 'restart']]);
  });

  it('backoff: after maxRetries consecutive failures the child is stopped instead', () => {
    v = systems.virtual();
    const log: string[] = [];
    const events = collect(v.system, SupervisionEvent);
    // Instances 2 and 3 fail as they start: failures 1, 2 and 3 in a row, then a stop.
    superviseWithBackoff(log, { ...BACKOFF, maxRetries: 2 }, 3);
    failChild();
    v.scheduler.advance(10_000);
    expect(startCount(log)).toBe(3);
    expect(events.map((event) => event.directive)).toEqual(['restart', 'restart', 'stop']);
    expect(log.at(-1)).toMatch(/^#3:Stopped@/);
  });

  it('backoff: a decider applies resume, stop and escalate at once and delays only restart', () => {
    v = systems.virtual();
    const log: string[] = [];
    const events = collect(v.system, SupervisionEvent);
    superviseWithBackoff(log, { ...BACKOFF, decider: () => 'resume' });
    failChild();
    v.system.root.send(pidOf(v.system, 'p/c'), 'after');
    v.scheduler.runUntilIdle();
    expect(startCount(log)).toBe(1);
    expect(log.at(-1)).toBe('#1:after@0');
    expect(events.map((event) => event.directive)).toEqual(['resume']);
  });

  it('backoff: delayFor gives the delay of the n-th consecutive failure without jitter', () => {
    const strategy = new ExponentialBackoffStrategy({
      initialBackoffMs: 50,
      maxBackoffMs: 1_000,
      backoffWindowMs: 10_000,
    });
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => strategy.delayFor(n))).toEqual([
      50, 100, 200, 400, 800, 1_000, 1_000,
    ]);
  });
});
