import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { ActorSystem, EventLoopScheduler, Props, Started } from '../../../runtime/index.ts';
import { Latch } from '../../../testkit/index.ts';
import { task } from '../helpers.ts';

/** Keeps the CPU busy until the clock has moved by `ms`, so a batch of tasks outlasts a slice. */
function busyFor(ms: number): void {
  const start = performance.now();
  while (performance.now() - start < ms) {
    // spin: the point is to hold the thread
  }
}

/**
 * Schedules `count` tasks on a fresh EventLoopScheduler, each holding the thread for a moment, so
 * the whole queue far outlasts one slice; `ran` counts the tasks that have run so far.
 */
function busyQueue(count: number): { ran: number; readonly done: Latch } {
  const scheduler = new EventLoopScheduler();
  const queue = { ran: 0, done: new Latch(count) };
  for (let i = 0; i < count; i++) {
    scheduler.schedule({
      run: () => {
        busyFor(0.25);
        queue.ran++;
        queue.done.countDown();
      },
    });
  }
  return queue;
}

describe('EventLoopScheduler', () => {
  it('event loop scheduler: tasks run in the order they were scheduled', async () => {
    const scheduler = new EventLoopScheduler();
    const log: string[] = [];
    const done = new Latch(5);
    for (const name of ['a', 'b', 'c', 'd', 'e'])
      scheduler.schedule(task(log, name, () => done.countDown()));
    await done.wait();
    expect(log).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('event loop scheduler: schedule never runs a task synchronously', async () => {
    const scheduler = new EventLoopScheduler();
    const log: string[] = [];
    const done = new Latch(1);
    scheduler.schedule(task(log, 'task', () => done.countDown()));
    log.push('after schedule');
    await done.wait();
    expect(log).toEqual(['after schedule', 'task']);
  });

  it('event loop scheduler: the first drain starts before the next macrotask', async () => {
    const scheduler = new EventLoopScheduler();
    const log: string[] = [];
    const done = new Latch(1);
    setImmediate(() => {
      log.push('immediate');
      done.countDown();
    });
    scheduler.schedule(task(log, 'task'));
    await done.wait();
    expect(log).toEqual(['task', 'immediate']);
  });

  it('event loop scheduler: tasks scheduled by a running task run after those already queued', async () => {
    const scheduler = new EventLoopScheduler();
    const log: string[] = [];
    const done = new Latch(4);
    const count = (): void => done.countDown();
    scheduler.schedule(
      task(log, 'a', () => {
        count();
        scheduler.schedule(task(log, 'a child', count));
      }),
    );
    scheduler.schedule(task(log, 'b', count));
    scheduler.schedule(task(log, 'c', count));
    await done.wait();
    expect(log).toEqual(['a', 'b', 'c', 'a child']);
  });

  it('event loop scheduler: scheduling again after the queue emptied starts a new drain', async () => {
    const scheduler = new EventLoopScheduler();
    const log: string[] = [];
    const first = new Latch(1);
    scheduler.schedule(task(log, 'first', () => first.countDown()));
    await first.wait();
    await new Promise((resolve) => setImmediate(resolve));
    const second = new Latch(1);
    scheduler.schedule(task(log, 'second', () => second.countDown()));
    await second.wait();
    expect(log).toEqual(['first', 'second']);
  });

  it('event loop scheduler: a long queue is processed across several macrotasks, so I/O gets a turn', async () => {
    const TASKS = 120;
    const queue = busyQueue(TASKS);
    // Counts the macrotask turns taken while the queue drains, and when the first one came.
    let turns = 0;
    let ranAtFirstTurn: number | undefined;
    const onTurn = (): void => {
      turns++;
      ranAtFirstTurn ??= queue.ran;
      if (!queue.done.isOpen) setImmediate(onTurn);
    };
    setImmediate(onTurn);
    await queue.done.wait(10_000);
    expect(ranAtFirstTurn).toBeGreaterThan(0);
    expect(ranAtFirstTurn).toBeLessThan(TASKS);
    expect(turns).toBeGreaterThan(1);
  });

  it('event loop scheduler: a timer fires between slices of a long queue', async () => {
    const TASKS = 120;
    const queue = busyQueue(TASKS);
    let ranWhenTimerFired: number | undefined;
    const timer = new Latch(1);
    setTimeout(() => {
      ranWhenTimerFired = queue.ran;
      timer.countDown();
    }, 0);
    await Promise.all([queue.done.wait(10_000), timer.wait(10_000)]);
    expect(ranWhenTimerFired).toBeLessThan(TASKS);
  });

  it('event loop scheduler: setTimer calls back once, and a cancelled timer never fires', async () => {
    const scheduler = new EventLoopScheduler();
    const fired: string[] = [];
    const done = new Latch(1);
    const cancelled = scheduler.setTimer(1, () => fired.push('cancelled'));
    cancelled.cancel();
    scheduler.setTimer(5, () => {
      fired.push('kept');
      done.countDown();
    });
    await done.wait();
    cancelled.cancel();
    expect(fired).toEqual(['kept']);
  });

  it('event loop scheduler: now() is a monotonic millisecond clock', () => {
    const scheduler = new EventLoopScheduler();
    let previous = scheduler.now();
    for (let i = 0; i < 1_000; i++) {
      const next = scheduler.now();
      expect(next).toBeGreaterThanOrEqual(previous);
      previous = next;
    }
    busyFor(2);
    expect(scheduler.now() - previous).toBeGreaterThanOrEqual(2);
  });
});

describe('EventLoopScheduler slices by messages', () => {
  it('event loop scheduler: a few long mailbox turns still yield before the queue is drained', async () => {
    const scheduler = new EventLoopScheduler();
    const TASKS = 20;
    const MESSAGES_PER_TURN = 300;
    let processed = 0;
    const done = new Latch(TASKS);
    // Fewer tasks than a clock check used to wait for, each standing for a full mailbox turn.
    for (let i = 0; i < TASKS; i++) {
      scheduler.schedule({
        run: () => {
          busyFor(1);
          processed += MESSAGES_PER_TURN;
          done.countDown();
          return MESSAGES_PER_TURN;
        },
      });
    }
    let processedAtImmediate: number | undefined;
    setImmediate(() => (processedAtImmediate = processed));
    await done.wait(10_000);
    expect(processedAtImmediate).toBeGreaterThan(0);
    expect(processedAtImmediate).toBeLessThan(TASKS * MESSAGES_PER_TURN);
  });

  it('event loop scheduler: busy actor mailboxes let a setImmediate callback run before all messages are processed', async () => {
    const ACTORS = 10;
    const MESSAGES = 300;
    const system = new ActorSystem({ throughput: MESSAGES });
    try {
      let processed = 0;
      const started = new Latch(ACTORS);
      const done = new Latch(ACTORS * MESSAGES);
      const props = Props.fromFunc((context) => {
        if (context.message === Started) {
          started.countDown();
          return;
        }
        busyFor(0.01);
        processed++;
        done.countDown();
      });
      const actors = Array.from({ length: ACTORS }, () => system.root.spawn(props));
      await started.wait();
      // Each mailbox drains all its messages in one turn: few tasks, many messages.
      for (const pid of actors) for (let i = 0; i < MESSAGES; i++) system.root.send(pid, i);
      let processedAtImmediate: number | undefined;
      setImmediate(() => (processedAtImmediate = processed));
      await done.wait(10_000);
      expect(processedAtImmediate).toBeGreaterThan(0);
      expect(processedAtImmediate).toBeLessThan(ACTORS * MESSAGES);
    } finally {
      await system.shutdown();
    }
  });
});
