import { describe, expect, it } from 'vitest';
import {
  DeadLetterEvent,
  OneForOneStrategy,
  Props,
  RUNTIME_DEFAULTS,
  SupervisionEvent,
  type Directive,
} from '../../../runtime/index.ts';
import {
  Boom,
  collect,
  countingWorker,
  failRepeatedly,
  isAlive,
  parentProps,
  pidOf,
  recording,
  spawnStarted,
  settle,
} from '../helpers.ts';
import { systemFixture, type VirtualSystem } from '../system-fixture.ts';
import { restartWindowSuite } from './restart-window.suite.ts';

const systems = systemFixture();
let v: VirtualSystem;

class Transient extends Error {}
class Fatal extends Error {}

/** Spawns parent `p` supervising workers `p/<name>` with `strategy`, and lets them all start. */
function supervise(log: string[], strategy: OneForOneStrategy | undefined, names = ['c']): void {
  const children = names.map((name) => [name, countingWorker(log, name)] as const);
  spawnStarted(v, parentProps(log, 'p', children, strategy), 'p', log);
}

function send(id: string, ...messages: unknown[]): void {
  const pid = pidOf(v.system, id);
  for (const message of messages) v.system.root.send(pid, message);
}

/** A child that throws every Error it is sent and logs everything else as `name:message`. */
const thrower = (log: string[], name: string): Props =>
  Props.fromFunc(
    recording(log, name, (context) => {
      if (context.message instanceof Error) throw context.message;
    }),
  );

const starts = (log: readonly string[], name: string): number =>
  log.filter((entry) => entry.startsWith(`${name}#`) && entry.endsWith(':Started')).length;

describe('OneForOneStrategy', () => {
  it('one-for-one: resume keeps the failed child and its state', () => {
    v = systems.virtual();
    const log: string[] = [];
    supervise(log, new OneForOneStrategy(() => 'resume'));
    send('p/c', 'inc', 'inc', new Boom(), 'inc', 'report');
    v.scheduler.runUntilIdle();
    expect(log).toEqual(['c#1:count=3']);
  });

  it('one-for-one: restart replaces the child with a fresh instance', () => {
    v = systems.virtual();
    const log: string[] = [];
    supervise(log, new OneForOneStrategy(() => 'restart'));
    send('p/c', 'inc', 'inc', new Boom(), 'inc', 'report');
    v.scheduler.runUntilIdle();
    expect(log).toEqual(['c#1:Restarting', 'c#2:Started', 'c#2:count=1']);
  });

  it('one-for-one: stop stops the child, its parent hears Terminated and later messages are dead letters', () => {
    v = systems.virtual();
    const log: string[] = [];
    const deadLetters = collect(v.system, DeadLetterEvent);
    supervise(log, new OneForOneStrategy(() => 'stop'));
    send('p/c', new Boom(), 'after');
    v.scheduler.runUntilIdle();
    expect(log).toEqual(['c#1:Stopping', 'c#1:Stopped', 'p:Terminated(p/c,Stopped)']);
    expect(isAlive(v.system, 'p/c')).toBe(false);
    expect(deadLetters.map((event) => event.message)).toEqual(['after']);
  });

  it('one-for-one: only the failed child is affected, its siblings keep their state', () => {
    v = systems.virtual();
    const log: string[] = [];
    supervise(log, new OneForOneStrategy(() => 'restart'), ['a', 'b']);
    send('p/b', 'inc');
    send('p/a', new Boom());
    v.scheduler.runUntilIdle();
    send('p/b', 'report');
    v.scheduler.runUntilIdle();
    expect(log).toEqual(['a#1:Restarting', 'a#2:Started', 'b#1:count=1']);
  });

  it('one-for-one: the decider chooses the directive from the failure reason', () => {
    v = systems.virtual();
    const log: string[] = [];
    const decisions: string[] = [];
    const decider = (reason: unknown): Directive => {
      const directive =
        reason instanceof Transient ? 'resume' : reason instanceof Fatal ? 'stop' : 'restart';
      decisions.push(directive);
      return directive;
    };
    spawnStarted(
      v,
      parentProps(log, 'q', [['t', thrower(log, 't')]], new OneForOneStrategy(decider)),
      'q',
      log,
    );
    send('q/t', new Transient('blip'), new Error('odd'), new Fatal('dead'));
    v.scheduler.runUntilIdle();
    expect(decisions).toEqual(['resume', 'restart', 'stop']);
    expect(log).toEqual([
      't:Error(blip)',
      't:Error(odd)',
      't:Restarting',
      't:Started',
      't:Error(dead)',
      't:Stopping',
      't:Stopped',
      'q:Terminated(q/t,Stopped)',
    ]);
  });

  it('one-for-one: the default strategy allows 10 restarts within 10 s and stops the child at the 11th failure', () => {
    expect(RUNTIME_DEFAULTS.supervisorMaxRetries).toBe(10);
    expect(RUNTIME_DEFAULTS.supervisorWithinMs).toBe(10_000);
    v = systems.virtual();
    const log: string[] = [];
    supervise(log, undefined);
    failRepeatedly(v, 'p/c', 10, 900);
    expect(isAlive(v.system, 'p/c')).toBe(true);
    expect(starts(log, 'c')).toBe(10);
    v.scheduler.advance(900);
    failRepeatedly(v, 'p/c', 1, 0);
    expect(isAlive(v.system, 'p/c')).toBe(false);
    expect(log.at(-1)).toBe('p:Terminated(p/c,Stopped)');
  });

  it('one-for-one: failures spread wider than the window never stop the child', () => {
    v = systems.virtual();
    const log: string[] = [];
    supervise(log, undefined);
    // 1001 ms apart: at most 10 failures ever fall inside one 10 s window.
    failRepeatedly(v, 'p/c', 30, 1_001);
    expect(isAlive(v.system, 'p/c')).toBe(true);
    expect(starts(log, 'c')).toBe(30);
    expect(log).not.toContain('p:Terminated(p/c,Stopped)');
  });

  it('one-for-one: 11 failures 999 ms apart fall within 10 s, so the 11th stops the child', () => {
    v = systems.virtual();
    const log: string[] = [];
    supervise(log, undefined);
    failRepeatedly(v, 'p/c', 11, 999);
    expect(isAlive(v.system, 'p/c')).toBe(false);
    expect(starts(log, 'c')).toBe(10);
  });

  it('one-for-one: maxRetries and the window are configurable', () => {
    v = systems.virtual();
    const log: string[] = [];
    supervise(log, new OneForOneStrategy(undefined, 3, 1_000));
    failRepeatedly(v, 'p/c', 3, 10);
    // The window has passed: the count starts again.
    v.scheduler.advance(1_000);
    failRepeatedly(v, 'p/c', 3, 10);
    expect(isAlive(v.system, 'p/c')).toBe(true);
    failRepeatedly(v, 'p/c', 1, 0);
    expect(isAlive(v.system, 'p/c')).toBe(false);
  });

  it('one-for-one: maxRetries 0 stops the child at its first failure', () => {
    v = systems.virtual();
    const log: string[] = [];
    supervise(log, new OneForOneStrategy(undefined, 0));
    send('p/c', new Boom());
    v.scheduler.runUntilIdle();
    expect(log).toEqual(['c#1:Stopping', 'c#1:Stopped', 'p:Terminated(p/c,Stopped)']);
  });

  it('supervision: an async receive that rejects is supervised like a throw', async () => {
    v = systems.virtual();
    const log: string[] = [];
    const asyncChild = Props.fromFunc(
      recording(log, 'c', async (context) => {
        if (context.message !== 'fail') return;
        await Promise.resolve();
        throw new Boom('async');
      }),
    );
    v.system.root.spawnNamed(parentProps(log, 'p', [['c', asyncChild]]), 'p');
    await settle(v.scheduler);
    log.length = 0;
    send('p/c', 'fail', 'next');
    await settle(v.scheduler);
    expect(log).toEqual(['c:fail', 'c:Restarting', 'c:Started', 'c:next']);
  });

  it('supervision: a SupervisionEvent carrying the directive is published for every failure', () => {
    v = systems.virtual();
    const log: string[] = [];
    const events = collect(v.system, SupervisionEvent);
    const strategy = new OneForOneStrategy(
      (reason) => (reason instanceof Transient ? 'resume' : 'restart'),
      1,
    );
    v.system.root.spawnNamed(parentProps(log, 'p', [['t', thrower(log, 't')]], strategy), 'p');
    v.scheduler.runUntilIdle();
    const failures = [new Transient('first'), new Boom('second'), new Boom('third')];
    send('p/t', ...failures);
    v.scheduler.runUntilIdle();
    expect(events.map((event) => [event.child.id, event.reason, event.directive])).toEqual([
      ['p/t', failures[0], 'resume'],
      ['p/t', failures[1], 'restart'],
      // One retry allowed: the second restart is turned into a stop, and the event says so.
      ['p/t', failures[2], 'stop'],
    ]);
    expect(events.map((event) => event.message)).toEqual(failures);
  });
});

describe('OneForOneStrategy restart statistics', () => {
  restartWindowSuite(
    'one-for-one',
    (maxRetries, withinMs) => new OneForOneStrategy(undefined, maxRetries, withinMs),
  );
});
