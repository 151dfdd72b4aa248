import { describe, expect, it } from 'vitest';
import {
  InvalidConfigError,
  Props,
  ReceiveTimeout,
  Started,
  type Context,
  type NotInfluenceReceiveTimeout,
} from '../../runtime/index.ts';
import { Boom, deferred, nameOf, settle } from './helpers.ts';
import { systemFixture, type VirtualSystem } from './system-fixture.ts';

const systems = systemFixture();
let v: VirtualSystem;

class Heartbeat implements NotInfluenceReceiveTimeout {
  readonly notInfluenceReceiveTimeout = true;
}

/**
 * An actor that sets a receive timeout of `ms` when it starts and logs `message@time` for
 * everything it receives; `cancel` cancels the timeout and `set:n` sets a new one.
 */
function timed(log: string[], ms: number, onMessage?: (context: Context) => void): Props {
  return Props.fromFunc((context) => {
    const message = context.message;
    log.push(`${nameOf(message)}@${v.scheduler.now()}`);
    if (message === Started) context.setReceiveTimeout(ms);
    else if (message === 'cancel') context.cancelReceiveTimeout();
    else if (typeof message === 'string' && message.startsWith('set:'))
      context.setReceiveTimeout(Number(message.slice(4)));
    onMessage?.(context);
  });
}

const timeouts = (log: readonly string[]): string[] =>
  log.filter((entry) => entry.startsWith('ReceiveTimeout'));

describe('receive timeout', () => {
  it('receive timeout: fires after the duration of inactivity and not a millisecond before', () => {
    v = systems.virtual();
    const log: string[] = [];
    v.system.root.spawn(timed(log, 100));
    v.scheduler.runUntilIdle();
    v.scheduler.advance(99);
    expect(timeouts(log)).toEqual([]);
    v.scheduler.advance(1);
    expect(timeouts(log)).toEqual(['ReceiveTimeout@100']);
  });

  it('receive timeout: fires once per idle period and again after the next influencing message', () => {
    v = systems.virtual();
    const log: string[] = [];
    const pid = v.system.root.spawn(timed(log, 100));
    v.scheduler.runUntilIdle();
    v.scheduler.advance(1_000);
    expect(timeouts(log)).toEqual(['ReceiveTimeout@100']);
    v.system.root.send(pid, 'wake');
    v.scheduler.advance(1_000);
    expect(timeouts(log)).toEqual(['ReceiveTimeout@100', 'ReceiveTimeout@1100']);
  });

  it('receive timeout: an influencing message restarts the countdown', () => {
    v = systems.virtual();
    const log: string[] = [];
    const pid = v.system.root.spawn(timed(log, 100));
    v.scheduler.runUntilIdle();
    v.scheduler.advance(60);
    v.system.root.send(pid, 'activity');
    v.scheduler.advance(99);
    expect(timeouts(log)).toEqual([]);
    v.scheduler.advance(1);
    expect(timeouts(log)).toEqual(['ReceiveTimeout@160']);
  });

  it('receive timeout: a NotInfluenceReceiveTimeout message is processed but does not restart it', () => {
    v = systems.virtual();
    const log: string[] = [];
    const pid = v.system.root.spawn(timed(log, 100));
    v.scheduler.runUntilIdle();
    v.scheduler.advance(60);
    v.system.root.send(pid, new Heartbeat());
    // Wrapped in an envelope (it has a sender) it must not count either.
    v.system.root.send(pid, new Heartbeat(), { sender: pid });
    v.scheduler.advance(40);
    expect(log).toEqual(['Started@0', 'Heartbeat@60', 'Heartbeat@60', 'ReceiveTimeout@100']);
  });

  it('receive timeout: cancelReceiveTimeout stops it for good', () => {
    v = systems.virtual();
    const log: string[] = [];
    let reported = -1;
    const pid = v.system.root.spawn(
      timed(log, 100, (context) => {
        if (context.message === 'cancel') reported = context.receiveTimeout;
      }),
    );
    v.scheduler.runUntilIdle();
    v.scheduler.advance(50);
    v.system.root.send(pid, 'cancel');
    v.scheduler.advance(1_000);
    v.system.root.send(pid, 'more');
    v.scheduler.advance(1_000);
    expect(timeouts(log)).toEqual([]);
    expect(reported).toBe(0);
  });

  it('receive timeout: setting a new duration replaces the old one', () => {
    v = systems.virtual();
    const log: string[] = [];
    let reported = 0;
    const pid = v.system.root.spawn(
      timed(log, 100, (context) => {
        if (context.message === 'set:500') reported = context.receiveTimeout;
      }),
    );
    v.scheduler.runUntilIdle();
    v.scheduler.advance(10);
    v.system.root.send(pid, 'set:500');
    v.scheduler.advance(499);
    expect(timeouts(log)).toEqual([]);
    v.scheduler.advance(1);
    expect(timeouts(log)).toEqual(['ReceiveTimeout@510']);
    expect(reported).toBe(500);
  });

  it('receive timeout: invalid durations throw InvalidConfigError with code ERR_INVALID_CONFIG', () => {
    v = systems.virtual();
    const errors: unknown[] = [];
    const pid = v.system.root.spawn(
      Props.fromFunc((context) => {
        if (typeof context.message !== 'number') return;
        try {
          context.setReceiveTimeout(context.message);
        } catch (error) {
          errors.push(error);
        }
      }),
    );
    const invalid = [0, -1, Number.NaN, Number.POSITIVE_INFINITY];
    for (const ms of invalid) v.system.root.send(pid, ms);
    v.scheduler.runUntilIdle();
    expect(errors).toHaveLength(invalid.length);
    for (const error of errors) {
      expect(error).toBeInstanceOf(InvalidConfigError);
      expect(error).toMatchObject({ code: 'ERR_INVALID_CONFIG' });
    }
  });

  it('receive timeout: a stopped actor receives no ReceiveTimeout', () => {
    v = systems.virtual();
    const log: string[] = [];
    const pid = v.system.root.spawn(timed(log, 100));
    v.scheduler.runUntilIdle();
    v.scheduler.advance(50);
    v.system.root.stop(pid);
    v.scheduler.advance(1_000);
    expect(log).toEqual(['Started@0', 'Stopping@50', 'Stopped@50']);
  });

  it('receive timeout: a restart clears it, so the fresh instance must set its own', () => {
    v = systems.virtual();
    const log: string[] = [];
    let instances = 0;
    const props = Props.fromProducer(() => {
      const instance = ++instances;
      return {
        receive(context) {
          log.push(`#${instance}:${nameOf(context.message)}@${v.scheduler.now()}`);
          if (context.message === Started && instance === 1) context.setReceiveTimeout(100);
          if (context.message instanceof Boom) throw context.message;
        },
      };
    });
    const pid = v.system.root.spawn(props);
    v.scheduler.runUntilIdle();
    v.scheduler.advance(50);
    v.system.root.send(pid, new Boom());
    v.scheduler.advance(1_000);
    expect(log).toEqual(['#1:Started@0', '#1:Boom(boom)@50', '#1:Restarting@50', '#2:Started@50']);
  });

  it('receive timeout: the handler can set the next timeout, making it periodic', () => {
    v = systems.virtual();
    const log: string[] = [];
    v.system.root.spawn(
      timed(log, 100, (context) => {
        if (context.message === ReceiveTimeout) context.setReceiveTimeout(100);
      }),
    );
    v.scheduler.runUntilIdle();
    v.scheduler.advance(350);
    expect(timeouts(log)).toEqual([
      'ReceiveTimeout@100',
      'ReceiveTimeout@200',
      'ReceiveTimeout@300',
    ]);
  });

  it('receive timeout: is not delivered while an async receive is still pending', async () => {
    v = systems.virtual();
    const gate = deferred();
    let pending = false;
    const seen: string[] = [];
    const actor = Props.fromFunc(async (context: Context) => {
      const message = context.message;
      if (message === Started) {
        context.setReceiveTimeout(100);
        return;
      }
      if (message === ReceiveTimeout) {
        seen.push(pending ? 'ReceiveTimeout during work' : 'ReceiveTimeout');
        return;
      }
      pending = true;
      await gate.promise;
      pending = false;
      seen.push(`finished ${nameOf(context.message)}`);
    });
    const pid = v.system.root.spawn(actor);
    await settle(v.scheduler);
    v.system.root.send(pid, 'work');
    await settle(v.scheduler);
    // The actor is busy with 'work' long past its receive timeout.
    v.scheduler.advance(500);
    gate.resolve();
    await settle(v.scheduler);
    expect(seen[0]).toBe('finished work');
    expect(seen).not.toContain('ReceiveTimeout during work');
  });
});
