import { describe, expect, it } from 'vitest';
import { DeadLetterEvent, Props, Started, type Context } from '../../runtime/index.ts';
import { Latch } from '../../testkit/index.ts';
import { collect, deliver } from './helpers.ts';
import { systemFixture } from './system-fixture.ts';

const systems = systemFixture();

/**
 * An actor that stashes every string while closed and logs it while open. `open` unstashes
 * everything; `close` starts stashing again; `retry` unstashes without opening.
 */
function gatekeeper(log: unknown[], onOpen: (context: Context) => void = () => {}): Props {
  return Props.fromProducer(() => {
    let open = false;
    return {
      receive(context) {
        const m = context.message;
        if (m === 'open') {
          open = true;
          context.unstashAll();
          onOpen(context);
        } else if (m === 'close') open = false;
        else if (m === 'retry') context.unstashAll();
        else if (typeof m === 'string') {
          if (open) log.push(m);
          else context.stash();
        }
      },
    };
  });
}

describe('Stash', () => {
  it('stash: unstashAll re-delivers stashed messages in their original order', () => {
    const { system, scheduler } = systems.virtual();
    const log: unknown[] = [];
    const pid = system.root.spawn(gatekeeper(log));
    deliver(system, scheduler, pid, 'a', 'b', 'c');
    expect(log).toEqual([]);
    deliver(system, scheduler, pid, 'open');
    expect(log).toEqual(['a', 'b', 'c']);
  });

  it('stash: unstashed messages come ahead of messages queued later, even those already queued', () => {
    const { system, scheduler } = systems.virtual();
    const log: unknown[] = [];
    const pid = system.root.spawn(gatekeeper(log));
    deliver(system, scheduler, pid, 'a', 'b');
    // 'open' and 'later' are queued together: the stash must go between them.
    deliver(system, scheduler, pid, 'open', 'later');
    deliver(system, scheduler, pid, 'last');
    expect(log).toEqual(['a', 'b', 'later', 'last']);
  });

  it('stash: messages sent by the actor while unstashing still come after the stash', () => {
    const { system, scheduler } = systems.virtual();
    const log: unknown[] = [];
    const pid = system.root.spawn(gatekeeper(log, (ctx) => ctx.send(ctx.self, 'from self')));
    deliver(system, scheduler, pid, 'a', 'b', 'open');
    expect(log).toEqual(['a', 'b', 'from self']);
  });

  it('stash: unstashed messages can be stashed again and keep their order', () => {
    const { system, scheduler } = systems.virtual();
    const log: unknown[] = [];
    const pid = system.root.spawn(gatekeeper(log));
    deliver(system, scheduler, pid, 'a', 'b', 'retry', 'retry', 'c');
    expect(log).toEqual([]);
    deliver(system, scheduler, pid, 'open');
    expect(log).toEqual(['a', 'b', 'c']);
  });

  it('stash: stashing works again after the stash was emptied', () => {
    const { system, scheduler } = systems.virtual();
    const log: unknown[] = [];
    const pid = system.root.spawn(gatekeeper(log));
    deliver(system, scheduler, pid, 'a', 'open', 'close', 'b', 'c');
    expect(log).toEqual(['a']);
    deliver(system, scheduler, pid, 'open');
    expect(log).toEqual(['a', 'b', 'c']);
  });

  it('stash: unstashAll with nothing stashed changes nothing', () => {
    const { system, scheduler } = systems.virtual();
    const log: unknown[] = [];
    const pid = system.root.spawn(gatekeeper(log));
    deliver(system, scheduler, pid, 'open', 'x', 'open', 'y');
    expect(log).toEqual(['x', 'y']);
  });

  it('stash: a stashed request keeps its sender and headers, so it can be answered later', async () => {
    const system = systems.live();
    const pid = system.root.spawn(
      Props.fromProducer(() => {
        let ready = false;
        return {
          receive(context) {
            if (context.message === 'ready') {
              ready = true;
              context.unstashAll();
            } else if (context.message === 'question') {
              if (!ready) context.stash();
              else context.respond(`answer for ${context.headers['user'] ?? 'nobody'}`);
            }
          },
        };
      }),
    );
    const reply = system.root.request<string>(pid, 'question', {
      timeoutMs: 1_000,
      headers: { user: 'ada' },
    });
    system.root.send(pid, 'ready');
    expect(await reply).toBe('answer for ada');
  });

  it('stash: stashed messages become dead letters, with their sender, when the actor stops', () => {
    const { system, scheduler } = systems.virtual();
    const log: unknown[] = [];
    const dead = collect(system, DeadLetterEvent);
    const pid = system.root.spawn(gatekeeper(log));
    const witness = system.root.spawn(Props.fromFunc(() => {}));
    deliver(system, scheduler, pid, 'a');
    system.root.send(pid, 'b', { sender: witness });
    scheduler.runUntilIdle();
    system.root.stop(pid);
    scheduler.runUntilIdle();
    expect(log).toEqual([]);
    expect(dead.map((e) => [e.message, e.reason])).toEqual([
      ['a', 'stopped'],
      ['b', 'stopped'],
    ]);
    expect(dead.every((e) => e.pid?.equals(pid))).toBe(true);
    expect(dead[1]!.sender?.equals(witness)).toBe(true);
  });

  it('stash: a stashed request fails fast with ERR_DEAD_LETTER when the actor stops', async () => {
    const system = systems.live();
    const stashed = new Latch(1);
    const pid = system.root.spawn(
      Props.fromFunc((context) => {
        if (context.message !== 'question') return;
        context.stash();
        stashed.countDown();
      }),
    );
    const reply = system.root.request(pid, 'question', 1_000);
    await stashed.wait();
    system.root.stop(pid);
    await expect(reply).rejects.toMatchObject({ code: 'ERR_DEAD_LETTER' });
  });

  it('stash: a restart re-delivers stashed messages to the new instance, after Started', () => {
    const { system, scheduler } = systems.virtual();
    const log: string[] = [];
    let instance = 0;
    const pid = system.root.spawn(
      Props.fromProducer(() => {
        const name = `i${++instance}`;
        return {
          receive(context) {
            const m = context.message;
            if (m === Started) log.push(`${name} Started`);
            else if (m === 'fail') throw new Error('fail');
            else if (typeof m === 'string') {
              if (instance === 1) context.stash();
              else log.push(`${name} ${m}`);
            }
          },
        };
      }),
    );
    deliver(system, scheduler, pid, 'a', 'b', 'fail', 'c');
    expect(log).toEqual(['i1 Started', 'i2 Started', 'i2 a', 'i2 b', 'i2 c']);
  });
});
