import { afterEach, describe, expect, it } from 'vitest';
import {
  AllForOneStrategy,
  OneForOneStrategy,
  SupervisionEvent,
  type Directive,
  type PID,
  type RestartStatistics,
  type Supervisor,
  type SupervisorStrategy,
} from '../../../runtime/index.ts';
import {
  Boom,
  collect,
  countingWorker,
  isAlive,
  parentProps,
  pidOf,
  shutdownVirtual,
  virtualSystem,
  type VirtualSystem,
} from '../helpers.ts';

let v: VirtualSystem;
afterEach(async () => {
  await shutdownVirtual(v);
});

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
    v = virtualSystem();
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
    v = virtualSystem();
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
    v = virtualSystem();
    const log: string[] = [];
    supervise(log, allForOne('resume'));
    send('c', new Boom());
    send('c', 'inc');
    v.scheduler.runUntilIdle();
    expect(log).toEqual([]);
    expect(reportAll(log)).toEqual(['a#1:count=1', 'b#1:count=1', 'c#1:count=2']);
  });

  it('all-for-one: exceeding the retries stops every sibling', () => {
    v = virtualSystem();
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
    v = virtualSystem();
    const log: string[] = [];
    const children = NAMES.map((name) => [name, countingWorker(log, name)] as const);
    const parent = parentProps(log, 'p', children, allForOne('escalate'));
    v.system.root.spawnNamed(
      parentProps(log, 'g', [['p', parent]], new OneForOneStrategy(() => 'restart')),
      'g',
    );
    v.scheduler.runUntilIdle();
    log.length = 0;
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
  it('all-for-one: recording a failure forgets the failures older than the window', () => {
    v = virtualSystem();
    const strategy = new CountingStrategy(new AllForOneStrategy(undefined, 3, 1_000));
    v.system.root.spawnNamed(parentProps([], 'p', [['c', countingWorker([], 'c')]], strategy), 'p');
    v.scheduler.runUntilIdle();
    for (let i = 0; i < 6; i++) {
      if (i > 0) v.scheduler.advance(600);
      v.system.root.send(pidOf(v.system, 'p/c'), new Boom(`failure ${i + 1}`));
      v.scheduler.runUntilIdle();
    }
    // Failures 600 ms apart with a 1 s window: never more than two are worth remembering.
    expect(strategy.recorded).toEqual([1, 2, 2, 2, 2, 2]);
    expect(strategy.directives).toEqual(Array(6).fill('restart'));
    expect(isAlive(v.system, 'p/c')).toBe(true);
  });
});

/** Delegates to a strategy and records the failure count its statistics hold afterwards. */
class CountingStrategy implements SupervisorStrategy {
  readonly recorded: number[] = [];
  readonly directives: Directive[] = [];

  constructor(private readonly inner: SupervisorStrategy) {}

  handleFailure(
    supervisor: Supervisor,
    child: PID,
    stats: RestartStatistics,
    reason: unknown,
    message: unknown,
  ): Directive {
    const directive = this.inner.handleFailure(supervisor, child, stats, reason, message);
    this.recorded.push(stats.failureCount);
    this.directives.push(directive);
    return directive;
  }
}
