import { describe, expect, it } from 'vitest';
import { Props, Started, Stopping, type Context, type Receive } from '../../runtime/index.ts';
import { deferred, deliver, flushPromises } from './helpers.ts';
import { systemFixture } from './system-fixture.ts';

const systems = systemFixture();

/** A behaviour that logs `name:message` for string messages and runs `commands` on them. */
function behaviour(
  name: string,
  log: string[],
  commands: Record<string, (context: Context) => void> = {},
): (context: Context) => void {
  return (context) => {
    const m = context.message;
    if (typeof m !== 'string') return;
    log.push(`${name}:${m}`);
    commands[m]?.(context);
  };
}

describe('Behaviours', () => {
  it('behaviour: become replaces the behaviour from the next message on', () => {
    const { system, scheduler } = systems.virtual();
    const log: string[] = [];
    const b = behaviour('B', log);
    const pid = system.root.spawn(
      Props.fromFunc(behaviour('A', log, { switch: (ctx) => ctx.become(b) })),
    );
    deliver(system, scheduler, pid, 'one', 'switch', 'two', 'three');
    expect(log).toEqual(['A:one', 'A:switch', 'B:two', 'B:three']);
  });

  it('behaviour: become discards stacked behaviours, so unbecomeStacked returns to the actor', () => {
    const { system, scheduler } = systems.virtual();
    const log: string[] = [];
    const c = behaviour('C', log, { pop: (ctx) => ctx.unbecomeStacked() });
    const b = behaviour('B', log, { replace: (ctx) => ctx.become(c) });
    const pid = system.root.spawn(
      Props.fromFunc(behaviour('A', log, { push: (ctx) => ctx.becomeStacked(b) })),
    );
    deliver(system, scheduler, pid, 'push', 'replace', 'x', 'pop', 'y');
    expect(log).toEqual(['A:push', 'B:replace', 'C:x', 'C:pop', 'A:y']);
  });

  it('behaviour: becomeStacked pushes and unbecomeStacked pops back to the previous one', () => {
    const { system, scheduler } = systems.virtual();
    const log: string[] = [];
    const pop = { pop: (ctx: Context) => ctx.unbecomeStacked() };
    const c = behaviour('C', log, pop);
    const b = behaviour('B', log, { ...pop, push: (ctx) => ctx.becomeStacked(c) });
    const pid = system.root.spawn(
      Props.fromFunc(behaviour('A', log, { push: (ctx) => ctx.becomeStacked(b) })),
    );
    deliver(system, scheduler, pid, 'push', 'push', 'm1', 'pop', 'm2', 'pop', 'm3');
    expect(log).toEqual(['A:push', 'B:push', 'C:m1', 'C:pop', 'B:m2', 'B:pop', 'A:m3']);
  });

  it('behaviour: unbecomeStacked with nothing stacked keeps the actor’s own receive', () => {
    const { system, scheduler } = systems.virtual();
    const log: string[] = [];
    const pid = system.root.spawn(
      Props.fromFunc(behaviour('A', log, { pop: (ctx) => ctx.unbecomeStacked() })),
    );
    deliver(system, scheduler, pid, 'pop', 'pop', 'after');
    expect(log).toEqual(['A:pop', 'A:pop', 'A:after']);
  });

  it('behaviour: lifecycle messages go to the current behaviour', () => {
    const { system, scheduler } = systems.virtual();
    const seen: unknown[] = [];
    const stopping: Receive = (context) => {
      if (context.message === Stopping) seen.push('B saw Stopping');
    };
    const pid = system.root.spawn(
      Props.fromFunc((context) => {
        if (context.message === 'switch') context.become(stopping);
        if (context.message === Stopping) seen.push('A saw Stopping');
      }),
    );
    deliver(system, scheduler, pid, 'switch');
    system.root.stop(pid);
    scheduler.runUntilIdle();
    expect(seen).toEqual(['B saw Stopping']);
  });

  it('behaviour: a restart resets the behaviour to the fresh instance’s receive', () => {
    const { system, scheduler } = systems.virtual();
    const log: string[] = [];
    let instance = 0;
    const pid = system.root.spawn(
      Props.fromProducer(() => {
        const name = `A${++instance}`;
        const failing = behaviour('B', log, {
          fail: () => {
            throw new Error('fail in B');
          },
        });
        return {
          receive: (context) => {
            if (context.message === Started) log.push(`${name}:Started`);
            behaviour(name, log, { switch: (ctx) => ctx.become(failing) })(context);
          },
        };
      }),
    );
    deliver(system, scheduler, pid, 'switch', 'fail', 'after');
    expect(log).toEqual(['A1:Started', 'A1:switch', 'B:fail', 'A2:Started', 'A2:after']);
  });

  it('behaviour: a restart also drops behaviours pushed with becomeStacked', () => {
    const { system, scheduler } = systems.virtual();
    const log: string[] = [];
    const b = behaviour('B', log, {
      fail: () => {
        throw new Error('fail in B');
      },
    });
    const pid = system.root.spawn(
      Props.fromFunc(behaviour('A', log, { push: (ctx) => ctx.becomeStacked(b) })),
    );
    deliver(system, scheduler, pid, 'push', 'push', 'fail', 'after', 'push', 'x');
    expect(log).toEqual(['A:push', 'B:push', 'B:fail', 'A:after', 'A:push', 'B:x']);
  });

  it('behaviour: an async behaviour suspends the mailbox like an async receive', async () => {
    const system = systems.live();
    const log: string[] = [];
    const gate = deferred();
    const slow: Receive = async (context) => {
      if (context.message !== 'wait') {
        log.push(`slow:${String(context.message)}`);
        if (context.message === 'ping') context.respond('pong');
        return;
      }
      log.push('waiting');
      await gate.promise;
      log.push('released');
    };
    const pid = system.root.spawn(
      Props.fromFunc((context) => {
        if (context.message === 'switch') context.become(slow);
      }),
    );
    system.root.send(pid, 'switch');
    system.root.send(pid, 'wait');
    system.root.send(pid, 'next');
    const reply = system.root.request(pid, 'ping', 1_000);
    await flushPromises();
    expect(log).toEqual(['waiting']);
    gate.resolve();
    expect(await reply).toBe('pong');
    expect(log).toEqual(['waiting', 'released', 'slow:next', 'slow:ping']);
  });
});
