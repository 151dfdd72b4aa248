import { describe, expect, it } from 'vitest';
import { OneForOneStrategy, SupervisionEvent, type Directive } from '../../../runtime/index.ts';
import {
  Boom,
  collect,
  countingWorker,
  deliver,
  isAlive,
  parentProps,
  pidOf,
  spawnStarted,
  watching,
} from '../helpers.ts';
import { systemFixture, type VirtualSystem } from '../system-fixture.ts';

const systems = systemFixture();
let v: VirtualSystem;

const decide = (directive: Directive): OneForOneStrategy => new OneForOneStrategy(() => directive);

/** g supervises p with `grandparent`; p escalates every failure of its worker c. */
function threeLevels(log: string[], grandparent: Directive): void {
  const parent = parentProps(log, 'p', [['c', countingWorker(log, 'c')]], decide('escalate'));
  v.system.root.spawnNamed(parentProps(log, 'g', [['p', parent]], decide(grandparent)), 'g');
  v.scheduler.runUntilIdle();
  deliverTo('g/p/c', 'inc');
  log.length = 0;
}

/** Top-level p escalates every failure of its worker c to the guardian. */
function escalatingTopLevel(log: string[]): void {
  spawnStarted(
    v,
    parentProps(log, 'p', [['c', countingWorker(log, 'c')]], decide('escalate')),
    'p',
    log,
  );
}

/** Sends each message to the actor with `id` and runs the system until it is idle. */
function deliverTo(id: string, ...messages: unknown[]): void {
  deliver(v.system, v.scheduler, pidOf(v.system, id), ...messages);
}

describe('escalation', () => {
  it('escalation: the grandparent decides for the parent, whose restart replaces the child', () => {
    v = systems.virtual();
    const log: string[] = [];
    const events = collect(v.system, SupervisionEvent);
    threeLevels(log, 'restart');
    const failure = new Boom();
    deliverTo('g/p/c', failure);
    expect(events.map((event) => [event.child.id, event.reason, event.directive])).toEqual([
      ['g/p/c', failure, 'escalate'],
      ['g/p', failure, 'restart'],
    ]);
    expect(log).toEqual([
      'p:Restarting',
      'c#1:Stopping',
      'c#1:Stopped',
      'p:Terminated(g/p/c,Stopped)',
      'p:Started',
      'c#2:Started',
    ]);
    deliverTo('g/p/c', 'report');
    expect(log.at(-1)).toBe('c#2:count=0');
  });

  it('escalation: a grandparent that stops the parent stops its whole subtree', () => {
    v = systems.virtual();
    const log: string[] = [];
    threeLevels(log, 'stop');
    deliverTo('g/p/c', new Boom());
    expect(log).toEqual([
      'p:Stopping',
      'c#1:Stopping',
      'c#1:Stopped',
      'p:Terminated(g/p/c,Stopped)',
      'p:Stopped',
      'g:Terminated(g/p,Stopped)',
    ]);
    expect(isAlive(v.system, 'g')).toBe(true);
  });

  it('escalation: when the grandparent resumes the parent, the failed child resumes too', () => {
    v = systems.virtual();
    const log: string[] = [];
    threeLevels(log, 'resume');
    deliverTo('g/p/c', new Boom(), 'report');
    // Nobody restarted or stopped anything, so the child must carry on with its state.
    expect(log).toEqual(['c#1:count=1']);
  });

  it('escalation: an escalating parent processes no user message until its supervisor decided', () => {
    v = systems.virtual();
    const log: string[] = [];
    threeLevels(log, 'restart');
    // The child's failure reaches the parent (a system message) ahead of 'hello'.
    v.system.root.send(pidOf(v.system, 'g/p/c'), new Boom());
    v.system.root.send(pidOf(v.system, 'g/p'), 'hello');
    v.scheduler.runUntilIdle();
    expect(log.filter((entry) => entry === 'p:hello')).toHaveLength(1);
    expect(log.indexOf('p:hello')).toBeGreaterThan(log.indexOf('p:Started'));
    expect(log.indexOf('p:Started')).toBeGreaterThan(log.indexOf('p:Restarting'));
  });
});

describe('guardian (top-level actors)', () => {
  it('guardian: by default a failing top-level actor is restarted under the same PID', () => {
    v = systems.virtual();
    const log: string[] = [];
    const pid = v.system.root.spawnNamed(countingWorker(log, 'w'), 'w');
    deliver(v.system, v.scheduler, pid, 'inc', new Boom(), 'report');
    expect(log).toEqual(['w#1:Started', 'w#1:Restarting', 'w#2:Started', 'w#2:count=0']);
  });

  it('guardian: the guardianStrategy option decides for top-level actors', () => {
    v = systems.virtual({ guardianStrategy: decide('resume') });
    const log: string[] = [];
    const events = collect(v.system, SupervisionEvent);
    const pid = v.system.root.spawnNamed(countingWorker(log, 'w'), 'w');
    deliver(v.system, v.scheduler, pid, 'inc', new Boom(), 'report');
    expect(log).toEqual(['w#1:Started', 'w#1:count=1']);
    expect(events.map((event) => [event.child.id, event.directive])).toEqual([['w', 'resume']]);
  });

  it("guardian: the guardian strategy's retry limit stops a top-level actor that keeps failing", () => {
    v = systems.virtual({ guardianStrategy: new OneForOneStrategy(undefined, 2) });
    const log: string[] = [];
    const pid = v.system.root.spawnNamed(countingWorker(log, 'w'), 'w');
    for (let i = 0; i < 3; i++) v.system.root.send(pid, new Boom());
    v.scheduler.runUntilIdle();
    expect(log.at(-1)).toBe('w#3:Stopped');
    expect(isAlive(v.system, 'w')).toBe(false);
  });

  it('guardian: escalating past the root stops the failing top-level actor', () => {
    v = systems.virtual({ guardianStrategy: decide('escalate') });
    const log: string[] = [];
    const watcherLog: string[] = [];
    const events = collect(v.system, SupervisionEvent);
    const pid = v.system.root.spawnNamed(countingWorker(log, 'w'), 'w');
    v.system.root.spawnNamed(watching(watcherLog, 'watcher', pid), 'watcher');
    v.scheduler.runUntilIdle();
    v.system.root.send(pid, new Boom());
    v.scheduler.runUntilIdle();
    expect(log).toEqual(['w#1:Started', 'w#1:Stopping', 'w#1:Stopped']);
    expect(watcherLog).toEqual(['watcher:Started', 'watcher:Terminated(w,Stopped)']);
    expect(events.map((event) => event.directive)).toEqual(['escalate']);
    expect(v.system.topLevelActors.map((p) => p.id)).toEqual(['watcher']);
  });

  it("guardian: a top-level parent's escalation reaches the guardian strategy", () => {
    v = systems.virtual();
    const log: string[] = [];
    const events = collect(v.system, SupervisionEvent);
    escalatingTopLevel(log);
    deliverTo('p/c', new Boom());
    expect(events).toHaveLength(2);
    expect(events.map((event) => [event.child.id, event.directive])).toEqual(
      expect.arrayContaining([
        ['p/c', 'escalate'],
        ['p', 'restart'],
      ]),
    );
    expect(log[0]).toBe('p:Restarting');
    expect(log).toContain('p:Started');
    expect(log.at(-1)).toBe('c#2:Started');
  });

  it('guardian: a top-level parent escalating past the root is stopped with its subtree', () => {
    v = systems.virtual({ guardianStrategy: decide('escalate') });
    const log: string[] = [];
    escalatingTopLevel(log);
    deliverTo('p/c', new Boom());
    expect(log).toEqual([
      'p:Stopping',
      'c#1:Stopping',
      'c#1:Stopped',
      'p:Terminated(p/c,Stopped)',
      'p:Stopped',
    ]);
    expect(v.system.topLevelActors).toEqual([]);
  });

  it('guardian: supervision events of an escalation are published in causal order', () => {
    v = systems.virtual();
    const events = collect(v.system, SupervisionEvent);
    escalatingTopLevel([]);
    deliverTo('p/c', new Boom());
    // The child's failure was escalated before the guardian restarted the parent.
    expect(events.map((event) => [event.child.id, event.directive])).toEqual([
      ['p/c', 'escalate'],
      ['p', 'restart'],
    ]);
  });
});
