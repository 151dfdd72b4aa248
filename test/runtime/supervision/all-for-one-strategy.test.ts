import { describe, expect, it } from 'vitest';
import {
  AllForOneStrategy,
  OneForOneStrategy,
  SupervisionEvent,
  type Directive,
} from '../../../runtime/index.ts';
import {
  Boom,
  collect,
  countingWorker,
  isAlive,
  parentProps,
  pidOf,
  spawnStarted,
} from '../helpers.ts';
import { systemFixture, type VirtualSystem } from '../system-fixture.ts';
import { restartWindowSuite } from './restart-window.suite.ts';

const systems = systemFixture();
let v: VirtualSystem;

const NAMES = ['a', 'b', 'c'];

/** Spawns parent `p` with workers a, b, c under `strategy`, lets them start, gives each state. */
function supervise(log: string[], strategy: AllForOneStrategy): void {
  const children = NAMES.map((name) => [name, countingWorker(log, name)] as const);
  v.system.root.spawnNamed(parentProps(log, 'p', children, strategy), 'p');
  v.scheduler.runUntilIdle();
  for (const name of NAMES) v.system.root.send(pidOf(v.system, `p/${name}`), 'inc');
  v.scheduler.runUntilIdle();
  log.length = 0;
}

function send(name: string, message: unknown): void {
  v.system.root.send(pidOf(v.system, `p/${name}`), message);
}

function reportAll(log: string[]): string[] {
  log.length = 0;
  for (const name of NAMES) send(name, 'report');
  v.scheduler.runUntilIdle();
  return [...log].sort();
}

const allForOne = (directive: Directive, maxRetries?: number): AllForOneStrategy =>
  new AllForOneStrategy(() => directive, maxRetries);

describe('AllForOneStrategy', () => {
  it('all-for-one: restart restarts every sibling with a fresh state', () => {
    v = systems.virtual();
    const log: string[] = [];
    supervise(log, allForOne('restart'));
    send('b', new Boom());
    v.scheduler.runUntilIdle();
    expect([...log].sort()).toEqual([
      'a#1:Restarting',
      'a#2:Started',
      'b#1:Restarting',
      'b#2:Started',
      'c#1:Restarting',
      'c#2:Started',
    ]);
    expect(reportAll(log)).toEqual(['a#2:count=0', 'b#2:count=0', 'c#2:count=0']);
  });

  it('all-for-one: stop stops every sibling', () => {
    v = systems.virtual();
    const log: string[] = [];
    supervise(log, allForOne('stop'));
    send('a', new Boom());
    v.scheduler.runUntilIdle();
    for (const name of NAMES) {
      expect(log).toContain(`${name}#1:Stopped`);
      expect(log).toContain(`p:Terminated(p/${name},Stopped)`);
      expect(isAlive(v.system, `p/${name}`)).toBe(false);
    }
    expect(isAlive(v.system, 'p')).toBe(true);
  });

  it('all-for-one: resume resumes only the failed child and leaves its siblings untouched', () => {
    v = systems.virtual();
    const log: string[] = [];
    supervise(log, allForOne('resume'));
    send('c', new Boom());
    send('c', 'inc');
    v.scheduler.runUntilIdle();
    expect(log).toEqual([]);
    expect(reportAll(log)).toEqual(['a#1:count=1', 'b#1:count=1', 'c#1:count=2']);
  });

  it('all-for-one: exceeding the retries stops every sibling', () => {
    v = systems.virtual();
    const log: string[] = [];
    const events = collect(v.system, SupervisionEvent);
    supervise(log, allForOne('restart', 1));
    send('a', new Boom());
    v.scheduler.runUntilIdle();
    expect(NAMES.every((name) => isAlive(v.system, `p/${name}`))).toBe(true);
    send('a', new Boom());
    v.scheduler.runUntilIdle();
    expect(NAMES.some((name) => isAlive(v.system, `p/${name}`))).toBe(false);
    expect(events.map((event) => event.directive)).toEqual(['restart', 'stop']);
  });

  it('all-for-one: escalate hands the failure to the grandparent, which restarts the parent', () => {
    v = systems.virtual();
    const log: string[] = [];
    const children = NAMES.map((name) => [name, countingWorker(log, name)] as const);
    const parent = parentProps(log, 'p', children, allForOne('escalate'));
    spawnStarted(
      v,
      parentProps(log, 'g', [['p', parent]], new OneForOneStrategy(() => 'restart')),
      'g',
      log,
    );
    v.system.root.send(pidOf(v.system, 'g/p/b'), new Boom());
    v.scheduler.runUntilIdle();
    expect(log[0]).toBe('p:Restarting');
    // The parent's restart stopped its children, and its fresh instance spawned new ones.
    for (const name of NAMES) {
      expect(log).toContain(`${name}#1:Stopped`);
      expect(log.indexOf(`${name}#2:Started`)).toBeGreaterThan(log.indexOf('p:Started'));
    }
    expect(log.indexOf('p:Started')).toBeGreaterThan(log.indexOf('p:Restarting'));
    expect(log).not.toContain('g:Terminated(g/p,Stopped)');
  });
});

describe('AllForOneStrategy restart statistics', () => {
  restartWindowSuite(
    'all-for-one',
    (maxRetries, withinMs) => new AllForOneStrategy(undefined, maxRetries, withinMs),
  );
});
