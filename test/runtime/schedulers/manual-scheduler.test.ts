import { describe, expect, it } from 'vitest';
import {
  ActorSystem,
  ManualScheduler,
  Props,
  ReceiveTimeout,
  Started,
  type PID,
  type Runnable,
} from '../../../runtime/index.ts';
import { task } from '../helpers.ts';

describe('ManualScheduler', () => {
  it('manual scheduler: nothing runs until step or runUntilIdle is called', () => {
    const scheduler = new ManualScheduler();
    const log: string[] = [];
    scheduler.schedule(task(log, 'a'));
    scheduler.schedule(task(log, 'b'));
    expect(log).toEqual([]);
    expect(scheduler.pending).toBe(2);
  });

  it('manual scheduler: step runs exactly one task, in scheduling order, and reports when idle', () => {
    const scheduler = new ManualScheduler();
    const log: string[] = [];
    scheduler.schedule(task(log, 'a'));
    scheduler.schedule(task(log, 'b'));
    expect(scheduler.step()).toBe(true);
    expect(log).toEqual(['a']);
    expect(scheduler.step()).toBe(true);
    expect(log).toEqual(['a', 'b']);
    expect(scheduler.step()).toBe(false);
  });

  it('manual scheduler: runUntilIdle also runs tasks scheduled by tasks and counts them', () => {
    const scheduler = new ManualScheduler();
    const log: string[] = [];
    scheduler.schedule(
      task(log, 'a', () =>
        scheduler.schedule(task(log, 'c', () => scheduler.schedule(task(log, 'd')))),
      ),
    );
    scheduler.schedule(task(log, 'b'));
    expect(scheduler.runUntilIdle()).toBe(4);
    expect(log).toEqual(['a', 'b', 'c', 'd']);
    expect(scheduler.pending).toBe(0);
  });

  it('manual scheduler: runUntilIdle stops at its limit, leaving the rest pending', () => {
    const scheduler = new ManualScheduler();
    let runs = 0;
    const forever: Runnable = {
      run: () => {
        runs++;
        scheduler.schedule(forever);
      },
    };
    scheduler.schedule(forever);
    expect(scheduler.runUntilIdle(10)).toBe(10);
    expect(runs).toBe(10);
    expect(scheduler.pending).toBe(1);
  });

  it('manual scheduler: an actor does nothing until the scheduler is stepped', () => {
    const scheduler = new ManualScheduler();
    const system = new ActorSystem({ scheduler });
    const received: unknown[] = [];
    const pid = system.root.spawn(Props.fromFunc((context) => void received.push(context.message)));
    system.root.send(pid, 'hello');
    expect(received).toEqual([]);
    scheduler.runUntilIdle();
    expect(received).toEqual([Started, 'hello']);
  });

  it('manual scheduler: the clock starts at zero and moves only with advance', () => {
    const scheduler = new ManualScheduler();
    expect(scheduler.now()).toBe(0);
    scheduler.runUntilIdle();
    expect(scheduler.now()).toBe(0);
    scheduler.advance(250);
    expect(scheduler.now()).toBe(250);
    scheduler.advance(0);
    expect(scheduler.now()).toBe(250);
  });

  it('manual scheduler: advance fires due timers in due order, ties in creation order', () => {
    const scheduler = new ManualScheduler();
    const fired: string[] = [];
    const at = (name: string) => () => void fired.push(`${name}@${scheduler.now()}`);
    scheduler.setTimer(30, at('c'));
    scheduler.setTimer(10, at('a1'));
    scheduler.setTimer(20, at('b'));
    scheduler.setTimer(10, at('a2'));
    scheduler.setTimer(31, at('late'));
    scheduler.advance(30);
    expect(fired).toEqual(['a1@10', 'a2@10', 'b@20', 'c@30']);
    scheduler.advance(1);
    expect(fired).toEqual(['a1@10', 'a2@10', 'b@20', 'c@30', 'late@31']);
  });

  it('manual scheduler: timers set during advance fire in the same advance when due within it', () => {
    const scheduler = new ManualScheduler();
    const fired: string[] = [];
    scheduler.setTimer(10, () => {
      fired.push(`first@${scheduler.now()}`);
      scheduler.setTimer(5, () => void fired.push(`second@${scheduler.now()}`));
      scheduler.setTimer(50, () => void fired.push(`third@${scheduler.now()}`));
    });
    scheduler.advance(20);
    expect(fired).toEqual(['first@10', 'second@15']);
    expect(scheduler.now()).toBe(20);
    scheduler.advance(40);
    expect(fired).toEqual(['first@10', 'second@15', 'third@60']);
  });

  it('manual scheduler: advance runs pending tasks first and the work each timer causes', () => {
    const scheduler = new ManualScheduler();
    const log: string[] = [];
    scheduler.schedule(task(log, `pending@${scheduler.now()}`));
    scheduler.setTimer(5, () => {
      log.push(`timer@${scheduler.now()}`);
      scheduler.schedule(task(log, 'caused by timer'));
    });
    scheduler.setTimer(6, () => void log.push(`next timer@${scheduler.now()}`));
    scheduler.advance(10);
    expect(log).toEqual(['pending@0', 'timer@5', 'caused by timer', 'next timer@6']);
    expect(scheduler.pending).toBe(0);
  });

  it('manual scheduler: a cancelled timer never fires, and cancelling again is harmless', () => {
    const scheduler = new ManualScheduler();
    const fired: string[] = [];
    const cancelled = scheduler.setTimer(5, () => void fired.push('cancelled'));
    const kept = scheduler.setTimer(5, () => void fired.push('kept'));
    cancelled.cancel();
    cancelled.cancel();
    scheduler.advance(10);
    kept.cancel();
    expect(fired).toEqual(['kept']);
  });

  it('manual scheduler: a negative delay is due immediately', () => {
    const scheduler = new ManualScheduler();
    scheduler.advance(100);
    const fired: number[] = [];
    scheduler.setTimer(-50, () => void fired.push(scheduler.now()));
    scheduler.advance(0);
    expect(fired).toEqual([100]);
  });

  it('manual scheduler: an actor receive timeout fires on virtual time', () => {
    const scheduler = new ManualScheduler();
    const system = new ActorSystem({ scheduler });
    const timeouts: number[] = [];
    system.root.spawn(
      Props.fromFunc((context) => {
        if (context.message === Started) context.setReceiveTimeout(100);
        if (context.message === ReceiveTimeout) timeouts.push(scheduler.now());
      }),
    );
    scheduler.runUntilIdle();
    scheduler.advance(99);
    expect(timeouts).toEqual([]);
    scheduler.advance(1);
    expect(timeouts).toEqual([100]);
  });

  it('manual scheduler: two identical runs produce identical logs', () => {
    const run = (): string[] => {
      const scheduler = new ManualScheduler();
      const system = new ActorSystem({ scheduler });
      const log: string[] = [];
      const ponger = system.root.spawnNamed(
        Props.fromFunc((context) => {
          const m = context.message;
          if (typeof m === 'number') {
            log.push(`pong ${m} @${scheduler.now()}`);
            context.respond(m + 1);
          }
        }),
        'ponger',
      );
      const pinger = (name: string, delay: number): PID =>
        system.root.spawnNamed(
          Props.fromFunc((context) => {
            const m = context.message;
            if (m === Started) context.setReceiveTimeout(delay);
            else if (m === ReceiveTimeout) {
              log.push(`${name} timeout @${scheduler.now()}`);
              context.send(ponger, 0, { sender: context.self });
            } else if (typeof m === 'number' && m < 5) {
              log.push(`${name} got ${m}`);
              context.send(ponger, m, { sender: context.self });
            }
          }).withThroughput(1),
          name,
        );
      pinger('left', 30);
      pinger('right', 20);
      for (let t = 0; t < 10; t++) scheduler.advance(10);
      return log;
    };
    const first = run();
    const second = run();
    expect(first.length).toBeGreaterThan(10);
    expect(second).toEqual(first);
  });
});
