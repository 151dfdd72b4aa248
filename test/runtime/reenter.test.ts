import { describe, expect, it } from 'vitest';
import { Props, Started, SupervisionEvent, type Settled } from '../../runtime/index.ts';
import { Latch } from '../../testkit/index.ts';
import { collect, deferred, flushPromises } from './helpers.ts';
import { systemFixture } from './system-fixture.ts';

const systems = systemFixture();

describe('reenterAfter', () => {
  it('reenter: the mailbox keeps processing other messages while the promise is pending', async () => {
    const { system, scheduler } = systems.virtual();
    const gate = deferred<number>();
    const log: string[] = [];
    const pid = system.root.spawn(
      Props.fromFunc((context) => {
        const m = context.message;
        if (m === 'slow') {
          log.push('slow');
          context.reenterAfter(gate.promise, (result) => {
            log.push(`continued ${result.ok ? result.value : 'failed'}`);
          });
        } else if (typeof m === 'string') log.push(m);
      }),
    );
    system.root.send(pid, 'slow');
    system.root.send(pid, 'fast 1');
    system.root.send(pid, 'fast 2');
    scheduler.runUntilIdle();
    expect(log).toEqual(['slow', 'fast 1', 'fast 2']);

    gate.resolve(7);
    await flushPromises();
    scheduler.runUntilIdle();
    expect(log).toEqual(['slow', 'fast 1', 'fast 2', 'continued 7']);
  });

  it('reenter: the continuation runs with the original message, sender and headers restored', async () => {
    const system = systems.live();
    const gate = deferred<number>();
    const otherDone = new Latch(1);
    const pid = system.root.spawn(
      Props.fromFunc((context) => {
        const m = context.message;
        if (m === 'question') {
          context.reenterAfter(gate.promise, (result) => {
            const trace = context.headers['trace'] ?? 'none';
            context.respond(`${String(context.message)} ${result.ok ? result.value : -1} ${trace}`);
          });
        } else if (m === 'other') otherDone.countDown();
      }),
    );
    const reply = system.root.request<string>(pid, 'question', {
      timeoutMs: 2_000,
      headers: { trace: 't-1' },
    });
    system.root.send(pid, 'other');
    await otherDone.wait();
    gate.resolve(42);
    expect(await reply).toBe('question 42 t-1');
  });

  it('reenter: a rejected promise is passed to the continuation as { ok: false, error }', async () => {
    const system = systems.live();
    const error = new Error('lookup failed');
    const settled = new Latch(1);
    let outcome: Settled<number> | undefined;
    const pid = system.root.spawn(
      Props.fromFunc((context) => {
        if (context.message !== 'go') return;
        context.reenterAfter(Promise.reject<number>(error), (result) => {
          outcome = result;
          settled.countDown();
        });
      }),
    );
    system.root.send(pid, 'go');
    await settled.wait();
    expect(outcome).toEqual({ ok: false, error });
  });

  it('reenter: continuations run in the order their promises settle, each with its own message', async () => {
    const { system, scheduler } = systems.virtual();
    const gates = new Map([
      ['a', deferred()],
      ['b', deferred()],
      ['c', deferred()],
    ]);
    const log: string[] = [];
    const pid = system.root.spawn(
      Props.fromFunc((context) => {
        const gate = gates.get(context.message as string);
        if (gate === undefined) return;
        context.reenterAfter(gate.promise, () => void log.push(String(context.message)));
      }),
    );
    for (const name of gates.keys()) system.root.send(pid, name);
    scheduler.runUntilIdle();
    for (const name of ['c', 'a', 'b']) {
      gates.get(name)!.resolve();
      await flushPromises();
      scheduler.runUntilIdle();
    }
    expect(log).toEqual(['c', 'a', 'b']);
  });

  it('reenter: a continuation that throws is supervised, and the restarted actor goes on', async () => {
    const system = systems.live();
    const failures = collect(system, SupervisionEvent);
    const boom = new Error('continuation failed');
    let instances = 0;
    const pid = system.root.spawn(
      Props.fromProducer(() => {
        instances++;
        return {
          receive(context) {
            if (context.message === 'go') {
              context.reenterAfter(Promise.resolve(), () => {
                throw boom;
              });
            } else if (context.message === 'ping') context.respond('pong');
          },
        };
      }),
    );
    system.root.send(pid, 'go');
    const restarted = new Latch(1);
    const sub = system.eventStream.subscribe(SupervisionEvent, () => restarted.countDown());
    await restarted.wait();
    sub.unsubscribe();
    expect(await system.root.request(pid, 'ping', 1_000)).toBe('pong');
    expect(failures).toHaveLength(1);
    expect(failures[0]!.reason).toBe(boom);
    expect(failures[0]!.directive).toBe('restart');
    expect(instances).toBe(2);
  });

  it('reenter: an async continuation that rejects is supervised', async () => {
    const system = systems.live();
    const failed = new Latch(1);
    const reasons: unknown[] = [];
    system.eventStream.subscribe(SupervisionEvent, (e) => {
      reasons.push(e.reason);
      failed.countDown();
    });
    const boom = new Error('async continuation failed');
    const pid = system.root.spawn(
      Props.fromFunc((context) => {
        if (context.message !== 'go') return;
        context.reenterAfter(Promise.resolve(), async () => {
          await Promise.resolve();
          throw boom;
        });
      }),
    );
    system.root.send(pid, 'go');
    await failed.wait();
    expect(reasons).toEqual([boom]);
  });

  it('reenter: a failing continuation is reported with the message it resumed', async () => {
    const system = systems.live();
    const failed = new Latch(1);
    let reported: unknown;
    system.eventStream.subscribe(SupervisionEvent, (e) => {
      reported = e.message;
      failed.countDown();
    });
    const pid = system.root.spawn(
      Props.fromFunc((context) => {
        if (context.message !== 'go') return;
        context.reenterAfter(Promise.resolve(), () => {
          throw new Error('continuation failed');
        });
      }),
    );
    system.root.send(pid, 'go');
    await failed.wait();
    expect(reported).toBe('go');
  });

  it('reenter: a continuation does not run once its actor has stopped', async () => {
    const { system, scheduler } = systems.virtual();
    const gate = deferred();
    let continued = false;
    const pid = system.root.spawn(
      Props.fromFunc((context) => {
        if (context.message === 'go')
          context.reenterAfter(gate.promise, () => void (continued = true));
      }),
    );
    system.root.send(pid, 'go');
    scheduler.runUntilIdle();
    const stopped = system.root.stopAsync(pid);
    scheduler.runUntilIdle();
    await stopped;
    gate.resolve();
    await flushPromises();
    scheduler.runUntilIdle();
    expect(continued).toBe(false);
  });

  it('reenter: a continuation that runs while an async receive awaits leaves that receive its message', async () => {
    const system = systems.live();
    const first = deferred();
    const second = deferred();
    const continued = new Latch(1);
    const awaiting = new Latch(1);
    const pid = system.root.spawn(
      Props.fromFunc(async (context) => {
        const m = context.message;
        if (m === Started) return;
        if (m === 'reenter') context.reenterAfter(first.promise, () => continued.countDown());
        else if (m === 'question') {
          awaiting.countDown();
          await second.promise;
          context.respond(`answer to ${String(context.message)}`);
        }
      }),
    );
    system.root.send(pid, 'reenter');
    const reply = system.root.request<string>(pid, 'question', 500);
    await awaiting.wait();
    first.resolve();
    await continued.wait();
    second.resolve();
    expect(await reply).toBe('answer to question');
  });
});
