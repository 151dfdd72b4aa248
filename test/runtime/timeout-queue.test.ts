import { describe, expect, it } from 'vitest';
import {
  ActorSystem,
  ManualScheduler,
  Props,
  type Runnable,
  type Scheduler,
  type TimerHandle,
} from '../../runtime/index.ts';
import { TimeoutQueue, Timeouts, type Expirable } from '../../runtime/timeout-queue.ts';

/** A ManualScheduler that counts the timers armed, cancelled, still live, and holding the process. */
class CountingScheduler implements Scheduler {
  readonly inner = new ManualScheduler();
  armed = 0;
  cancelled = 0;
  live = 0;
  held = 0;

  get pending(): number {
    return this.inner.pending;
  }

  schedule(task: Runnable): void {
    this.inner.schedule(task);
  }

  now(): number {
    return this.inner.now();
  }

  setTimer(delayMs: number, callback: () => void): TimerHandle {
    this.armed++;
    this.live++;
    this.held++;
    let settled = false;
    let holding = true;
    const release = (): void => {
      if (holding) this.held--;
      holding = false;
    };
    const handle = this.inner.setTimer(delayMs, () => {
      settled = true;
      this.live--;
      release();
      callback();
    });
    return {
      cancel: () => {
        if (settled) return;
        settled = true;
        this.cancelled++;
        this.live--;
        release();
        handle.cancel();
      },
      keepAlive: (active) => {
        if (settled || active === holding) return;
        holding = active;
        this.held += active ? 1 : -1;
      },
    };
  }

  advance(ms: number): void {
    this.inner.advance(ms);
  }
}

/** An entry that writes `name@time` to a shared log when it expires. */
class Entry implements Expirable {
  deadline = 0;
  prevExpirable: Expirable | undefined = undefined;
  nextExpirable: Expirable | undefined = undefined;
  expiryQueue: TimeoutQueue | undefined = undefined;

  constructor(
    readonly name: string,
    private readonly log: string[],
    private readonly clock: Scheduler,
    private readonly onExpire: () => void = () => {},
  ) {}

  expire(): void {
    this.log.push(`${this.name}@${this.clock.now()}`);
    this.onExpire();
  }
}

function setup(durationMs = 10) {
  const scheduler = new CountingScheduler();
  const log: string[] = [];
  const queue = new TimeoutQueue(scheduler, durationMs);
  const entry = (name: string, onExpire?: () => void): Entry =>
    new Entry(name, log, scheduler, onExpire);
  return { scheduler, log, queue, entry };
}

describe('TimeoutQueue', () => {
  it('timeout queue: entries expire in order, each at its own deadline', () => {
    const { scheduler, log, queue, entry } = setup(10);
    queue.add(entry('a'));
    scheduler.advance(3);
    queue.add(entry('b'));
    scheduler.advance(3);
    queue.add(entry('c'));
    scheduler.advance(3);
    expect(log).toEqual([]);
    scheduler.advance(1);
    expect(log).toEqual(['a@10']);
    scheduler.advance(2);
    expect(log).toEqual(['a@10']);
    scheduler.advance(1);
    expect(log).toEqual(['a@10', 'b@13']);
    scheduler.advance(100);
    expect(log).toEqual(['a@10', 'b@13', 'c@16']);
  });

  it('timeout queue: add stamps the deadline as now plus the duration', () => {
    const { scheduler, queue, entry } = setup(25);
    scheduler.advance(7);
    const e = entry('a');
    queue.add(e);
    expect(e.deadline).toBe(32);
    expect(e.expiryQueue).toBe(queue);
  });

  it('timeout queue: entries due within 1 ms of the head expire with it (timer granularity)', () => {
    const { scheduler, log, queue, entry } = setup(10);
    queue.add(entry('a'));
    scheduler.advance(1);
    queue.add(entry('b'));
    scheduler.advance(1);
    queue.add(entry('c'));
    scheduler.advance(8);
    expect(log).toEqual(['a@10', 'b@10']);
    scheduler.advance(2);
    expect(log).toEqual(['a@10', 'b@10', 'c@12']);
  });

  it('timeout queue: a removed entry never expires and its links are cleared', () => {
    const { scheduler, log, queue, entry } = setup(10);
    const a = entry('a');
    const b = entry('b');
    const c = entry('c');
    queue.add(a);
    scheduler.advance(2);
    queue.add(b);
    scheduler.advance(2);
    queue.add(c);
    queue.remove(b);
    expect([b.prevExpirable, b.nextExpirable, b.expiryQueue]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
    scheduler.advance(100);
    expect(log).toEqual(['a@10', 'c@14']);
  });

  it('timeout queue: removal relinks only the neighbours (no traversal)', () => {
    const { queue, entry } = setup(10);
    const entries = Array.from({ length: 5 }, (_, i) => entry(`e${i}`));
    for (const e of entries) queue.add(e);
    const [e0, e1, e2, e3, e4] = entries as [Entry, Entry, Entry, Entry, Entry];
    queue.remove(e2);
    expect(e1.nextExpirable).toBe(e3);
    expect(e3.prevExpirable).toBe(e1);
    queue.remove(e0);
    expect(e1.prevExpirable).toBeUndefined();
    queue.remove(e4);
    expect(e3.nextExpirable).toBeUndefined();
    expect(e1.nextExpirable).toBe(e3);
  });

  it('timeout queue: removing the head defers expiry to the next entry deadline', () => {
    const { scheduler, log, queue, entry } = setup(10);
    const a = entry('a');
    queue.add(a);
    scheduler.advance(5);
    queue.add(entry('b'));
    queue.remove(a);
    scheduler.advance(5);
    expect(log).toEqual([]);
    scheduler.advance(5);
    expect(log).toEqual(['b@15']);
  });

  it('timeout queue: removing an entry twice, or one that is not queued here, is a no-op', () => {
    const { scheduler, log, queue, entry } = setup(10);
    const other = new TimeoutQueue(scheduler, 10);
    const a = entry('a');
    const stranger = entry('stranger');
    queue.add(a);
    other.add(stranger);
    queue.remove(stranger);
    queue.remove(entry('never added'));
    expect(stranger.expiryQueue).toBe(other);
    scheduler.advance(10);
    expect(log.sort()).toEqual(['a@10', 'stranger@10']);
    queue.remove(a);
    queue.remove(a);
  });

  it('timeout queue: many entries share one timer', () => {
    const { scheduler, log, queue, entry } = setup(10);
    for (let i = 0; i < 100; i++) queue.add(entry(`e${i}`));
    expect(scheduler.armed).toBe(1);
    expect(scheduler.live).toBe(1);
    scheduler.advance(10);
    expect(log).toHaveLength(100);
    expect(scheduler.live).toBe(0);
  });

  it('timeout queue: once the last entry is removed the timer stops holding the process', () => {
    const { scheduler, log, queue, entry } = setup(10);
    const a = entry('a');
    const b = entry('b');
    queue.add(a);
    queue.add(b);
    queue.remove(a);
    expect(scheduler.held).toBe(1);
    queue.remove(b);
    // Still armed, so the next request reuses it, but it no longer keeps the process alive.
    expect(scheduler.live).toBe(1);
    expect(scheduler.held).toBe(0);
    scheduler.advance(100);
    expect(log).toEqual([]);
    expect(scheduler.live).toBe(0);
  });

  it('timeout queue: one entry after another reuses one timer instead of arming one each', () => {
    const { scheduler, log, queue, entry } = setup(10);
    for (let i = 0; i < 50; i++) {
      const e = entry(`e${i}`);
      queue.add(e);
      expect(scheduler.held).toBe(1);
      queue.remove(e);
      expect(scheduler.held).toBe(0);
    }
    expect(scheduler.armed).toBe(1);
    expect(scheduler.cancelled).toBe(0);
    const last = entry('last');
    queue.add(last);
    scheduler.advance(10);
    expect(log).toEqual(['last@10']);
  });

  it('timeout queue: no timer stays armed once every entry expired, and a new add re-arms', () => {
    const { scheduler, log, queue, entry } = setup(10);
    queue.add(entry('a'));
    scheduler.advance(5);
    queue.add(entry('b'));
    scheduler.advance(20);
    expect(scheduler.live).toBe(0);
    queue.add(entry('c'));
    expect(scheduler.live).toBe(1);
    scheduler.advance(10);
    expect(log).toEqual(['a@10', 'b@15', 'c@35']);
    expect(scheduler.live).toBe(0);
  });

  it('timeout queue: an entry added by an expiring entry is armed for its own deadline', () => {
    const { scheduler, log, queue, entry } = setup(10);
    queue.add(entry('first', () => queue.add(entry('second'))));
    scheduler.advance(10);
    expect(log).toEqual(['first@10']);
    expect(scheduler.live).toBe(1);
    scheduler.advance(10);
    expect(log).toEqual(['first@10', 'second@20']);
  });

  it('timeout queue: an expiring entry may remove a later one', () => {
    const { scheduler, log, queue, entry } = setup(10);
    const victim = entry('victim');
    queue.add(entry('killer', () => queue.remove(victim)));
    queue.add(victim);
    scheduler.advance(50);
    expect(log).toEqual(['killer@10']);
    expect(scheduler.live).toBe(0);
  });
});

describe('Timeouts', () => {
  it('timeouts: entries of different durations expire at their own deadlines, interleaved', () => {
    const scheduler = new CountingScheduler();
    const log: string[] = [];
    const timeouts = new Timeouts(scheduler);
    timeouts.add(new Entry('x30', log, scheduler), 30);
    timeouts.add(new Entry('y10', log, scheduler), 10);
    scheduler.advance(5);
    timeouts.add(new Entry('z20', log, scheduler), 20);
    timeouts.add(new Entry('w10', log, scheduler), 10);
    scheduler.advance(100);
    expect(log).toEqual(['y10@10', 'w10@15', 'z20@25', 'x30@30']);
  });

  it('timeouts: remove disarms an entry whatever its duration, and ignores unarmed ones', () => {
    const scheduler = new CountingScheduler();
    const log: string[] = [];
    const timeouts = new Timeouts(scheduler);
    const a = new Entry('a', log, scheduler);
    const b = new Entry('b', log, scheduler);
    timeouts.add(a, 10);
    timeouts.add(b, 20);
    timeouts.remove(a);
    timeouts.remove(new Entry('unarmed', log, scheduler));
    scheduler.advance(100);
    expect(log).toEqual(['b@20']);
    expect(scheduler.live).toBe(0);
  });

  it('timeouts: a duration that is no longer in use keeps no queue alive', () => {
    const scheduler = new CountingScheduler();
    const log: string[] = [];
    const timeouts = new Timeouts(scheduler);
    // Callers often pass a remaining time (deadline - now), so durations are rarely repeated.
    for (let i = 0; i < 100; i++) {
      const e = new Entry(`e${i}`, log, scheduler);
      timeouts.add(e, 1_000 + i / 7);
      if (i % 2 === 0) timeouts.remove(e);
    }
    scheduler.advance(2_000);
    expect(log).toHaveLength(50);
    expect(timeouts['queues'].size).toBe(0);
  });
});

describe('Timeouts with fractional durations', () => {
  it('timeouts: fractional durations within the same millisecond share one queue and one timer', () => {
    const scheduler = new CountingScheduler();
    const log: string[] = [];
    const timeouts = new Timeouts(scheduler);
    timeouts.add(new Entry('a', log, scheduler), 10.2);
    timeouts.add(new Entry('b', log, scheduler), 10.7);
    expect(scheduler.armed).toBe(1);
    expect(timeouts['queues'].size).toBe(1);
    scheduler.advance(10);
    expect(log).toEqual([]);
    scheduler.advance(1);
    expect(log).toEqual(['a@11', 'b@11']);
    expect(scheduler.live).toBe(0);
  });

  it('timeouts: two requests with timeouts 10.2 and 10.7 ms expire together on one timer', async () => {
    const scheduler = new CountingScheduler();
    const system = new ActorSystem({ scheduler });
    try {
      const silent = system.root.spawn(Props.fromFunc(() => {}));
      scheduler.inner.runUntilIdle();
      const armedBefore = scheduler.armed;
      const outcomes: string[] = [];
      const track = (name: string, reply: Promise<unknown>): void =>
        void reply.then(
          () => outcomes.push(`${name} answered`),
          (error: unknown) => outcomes.push(`${name} ${(error as { code: string }).code}`),
        );
      track('first', system.root.request(silent, 'q', 10.2));
      track('second', system.root.request(silent, 'q', 10.7));
      scheduler.inner.runUntilIdle();
      expect(scheduler.armed - armedBefore).toBe(1);
      scheduler.advance(10);
      await new Promise((resolve) => setImmediate(resolve));
      expect(outcomes).toEqual([]);
      scheduler.advance(1);
      await new Promise((resolve) => setImmediate(resolve));
      expect(outcomes).toEqual(['first ERR_TIMEOUT', 'second ERR_TIMEOUT']);
    } finally {
      const done = system.shutdown();
      scheduler.inner.runUntilIdle();
      await done;
    }
  });
});
