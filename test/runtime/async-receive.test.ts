import { describe, expect, it } from 'vitest';
import {
  DeadLetterEvent,
  OneForOneStrategy,
  Props,
  Started,
  Stopping,
  SupervisionEvent,
  Terminated,
  type PID,
} from '../../runtime/index.ts';
import { Latch, TestProbe } from '../../testkit/index.ts';
import { collect, deferred, flushPromises } from './helpers.ts';
import { systemFixture } from './system-fixture.ts';

const systems = systemFixture();

describe('Async receive', () => {
  it('async receive: user messages are processed strictly one after another, never interleaved', async () => {
    const system = systems.live();
    const log: string[] = [];
    const done = new Latch(5);
    const pid = system.root.spawn(
      Props.fromFunc(async (context) => {
        const n = context.message;
        if (typeof n !== 'number') return;
        log.push(`start ${n}`);
        // Yield to the event loop twice, so an interleaving mailbox would start the next one.
        await new Promise((resolve) => setImmediate(resolve));
        await new Promise((resolve) => setTimeout(resolve, 0));
        log.push(`end ${n}`);
        done.countDown();
      }),
    );
    for (let i = 0; i < 5; i++) system.root.send(pid, i);
    await done.wait(5_000);
    expect(log).toEqual([0, 1, 2, 3, 4].flatMap((n) => [`start ${n}`, `end ${n}`]));
  });

  it('async receive: the next user message waits until the returned promise settles', async () => {
    const { system, scheduler } = systems.virtual();
    const gate = deferred();
    const log: unknown[] = [];
    const pid = system.root.spawn(
      Props.fromFunc(async (context) => {
        if (context.message === 'slow') {
          log.push('slow begins');
          await gate.promise;
          log.push('slow ends');
        } else if (context.message === 'next') log.push('next');
      }),
    );
    system.root.send(pid, 'slow');
    system.root.send(pid, 'next');
    scheduler.runUntilIdle();
    await flushPromises();
    scheduler.runUntilIdle();
    expect(log).toEqual(['slow begins']);
    expect(scheduler.pending).toBe(0);

    gate.resolve();
    await flushPromises();
    scheduler.runUntilIdle();
    expect(log).toEqual(['slow begins', 'slow ends', 'next']);
  });

  it('async receive: an async Started handler completes before the first user message', async () => {
    const system = systems.live();
    const log: string[] = [];
    const done = new Latch(1);
    const pid = system.root.spawn(
      Props.fromFunc(async (context) => {
        if (context.message === Started) {
          await new Promise((resolve) => setImmediate(resolve));
          log.push('initialised');
        } else if (context.message === 'work') {
          log.push('work');
          done.countDown();
        }
      }),
    );
    system.root.send(pid, 'work');
    await done.wait(5_000);
    expect(log).toEqual(['initialised', 'work']);
  });

  it('async receive: a stop is processed while a receive is pending, and queued messages become dead letters', async () => {
    const { system, scheduler } = systems.virtual();
    const gate = deferred();
    const log: unknown[] = [];
    const dead: unknown[] = [];
    system.eventStream.subscribe(DeadLetterEvent, (e) => dead.push(e.message));
    const pid = system.root.spawn(
      Props.fromFunc(async (context) => {
        const m = context.message;
        if (m === Stopping) log.push('stopping');
        else if (m === 'slow') await gate.promise;
        else if (m === 'queued') log.push('queued');
      }),
    );
    system.root.send(pid, 'slow');
    system.root.send(pid, 'queued');
    scheduler.runUntilIdle(); // Started (async: settles in a microtask)
    await flushPromises();
    scheduler.runUntilIdle(); // 'slow' begins and suspends the mailbox

    const stopped = system.root.stopAsync(pid);
    scheduler.runUntilIdle();
    await stopped;
    expect(log).toEqual(['stopping']);
    expect(dead).toEqual(['queued']);

    gate.resolve();
    await flushPromises();
    scheduler.runUntilIdle();
    expect(log).toEqual(['stopping']);
  });

  it('async receive: a rejected promise is supervised like a throw, and later messages reach the restarted actor', async () => {
    const system = systems.live();
    const failures = collect(system, SupervisionEvent);
    let instances = 0;
    const boom = new Error('async boom');
    const pid = system.root.spawn(
      Props.fromProducer(() => {
        instances++;
        let handled = 0;
        return {
          async receive(context) {
            if (context.message === 'fail') {
              await Promise.resolve();
              throw boom;
            }
            if (context.message === 'count') context.respond(++handled);
          },
        };
      }),
    );
    system.root.send(pid, 'count');
    system.root.send(pid, 'fail');
    const reply = await system.root.request<number>(pid, 'count', 2_000);
    expect(reply).toBe(1);
    expect(instances).toBe(2);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.reason).toBe(boom);
    expect(failures[0]!.message).toBe('fail');
    expect(failures[0]!.directive).toBe('restart');
    expect(failures[0]!.child.equals(pid)).toBe(true);
  });

  it('async receive: a rejection under a resume directive keeps the actor state and goes on', async () => {
    const system = systems.live();
    const probe = TestProbe.spawn(system);
    await probe.ready();
    let child: PID | undefined;
    const ready = new Latch(1);
    system.root.spawn(
      Props.fromFunc((context) => {
        if (context.message !== Started) return;
        child = context.spawn(
          Props.fromProducer(() => {
            let total = 0;
            return {
              async receive(ctx) {
                const m = ctx.message;
                if (m === 'fail') throw new Error('rejected');
                if (typeof m === 'number') {
                  await Promise.resolve();
                  total += m;
                  ctx.send(probe.pid, total);
                }
              },
            };
          }),
        );
        ready.countDown();
      }).withSupervisor(new OneForOneStrategy(() => 'resume')),
    );
    await ready.wait();
    system.root.send(child!, 1);
    system.root.send(child!, 'fail');
    system.root.send(child!, 2);
    expect(await probe.receive(2)).toEqual([1, 3]);
  });

  it('async receive: context.message and sender survive a Terminated delivered while the receive awaits', async () => {
    // A watched actor may terminate while an async receive is suspended; the handler must still
    // see (and answer) the message it is processing when it resumes.
    const system = systems.live();
    const gate = deferred();
    const awaiting = new Latch(1);
    const seen = new Latch(1);
    const watched = system.root.spawn(Props.fromFunc(() => {}));
    const pid = system.root.spawn(
      Props.fromFunc(async (context) => {
        const m = context.message;
        if (m === Started) context.watch(watched);
        else if (m instanceof Terminated) seen.countDown();
        else if (m === 'question') {
          awaiting.countDown();
          await gate.promise;
          context.respond(`answer to ${String(context.message)}`);
        }
      }),
    );
    const reply = system.root.request<string>(pid, 'question', 500);
    await awaiting.wait();
    await system.root.stopAsync(watched);
    await seen.wait();
    gate.resolve();
    expect(await reply).toBe('answer to question');
  });
});
