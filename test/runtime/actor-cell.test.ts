import { afterEach, describe, expect, it } from 'vitest';
import {
  OneForOneStrategy,
  Props,
  Restarting,
  Started,
  Stopped,
  type Context,
  type PID,
} from '../../runtime/index.ts';
import {
  Boom,
  countingWorker,
  isAlive,
  parentProps,
  pidOf,
  recording,
  shutdownVirtual,
  virtualSystem,
  type VirtualSystem,
} from './helpers.ts';

let v: VirtualSystem;
afterEach(async () => {
  await shutdownVirtual(v);
});

const leaf = (log: string[], name: string): Props => Props.fromFunc(recording(log, name));

describe('ActorCell lifecycle', () => {
  it('lifecycle: Started is the first message, before messages sent right after spawn', () => {
    v = virtualSystem();
    const log: string[] = [];
    const pid = v.system.root.spawnNamed(leaf(log, 'a'), 'a');
    v.system.root.send(pid, 'one');
    v.system.root.send(pid, 'two');
    v.scheduler.runUntilIdle();
    expect(log).toEqual(['a:Started', 'a:one', 'a:two']);
  });

  it('lifecycle: an actor stopped before it ever ran still receives Started before Stopping', () => {
    v = virtualSystem();
    const log: string[] = [];
    const pid = v.system.root.spawnNamed(leaf(log, 'a'), 'a');
    v.system.root.stop(pid);
    v.scheduler.runUntilIdle();
    expect(log).toEqual(['a:Started', 'a:Stopping', 'a:Stopped']);
  });

  it('lifecycle: stopping delivers Stopping, stops the children, then delivers Stopped', () => {
    v = virtualSystem();
    const log: string[] = [];
    const parent = v.system.root.spawnNamed(parentProps(log, 'p', [['c', leaf(log, 'c')]]), 'p');
    v.scheduler.runUntilIdle();
    log.length = 0;
    v.system.root.stop(parent);
    v.scheduler.runUntilIdle();
    expect(log).toEqual([
      'p:Stopping',
      'c:Stopping',
      'c:Stopped',
      'p:Terminated(p/c,Stopped)',
      'p:Stopped',
    ]);
    expect(isAlive(v.system, 'p')).toBe(false);
    expect(isAlive(v.system, 'p/c')).toBe(false);
  });

  it('lifecycle: a parent receives Terminated for a child that stops and forgets it', () => {
    v = virtualSystem();
    const log: string[] = [];
    let parentContext: Context | undefined;
    const props = parentProps(log, 'p', [
      ['c1', leaf(log, 'c1')],
      ['c2', leaf(log, 'c2')],
    ]).withReceiveMiddleware((next) => (context) => {
      parentContext = context;
      return next(context);
    });
    v.system.root.spawnNamed(props, 'p');
    v.scheduler.runUntilIdle();
    expect(parentContext?.children.map((pid) => pid.id)).toEqual(['p/c1', 'p/c2']);

    v.system.root.stop(pidOf(v.system, 'p/c1'));
    v.scheduler.runUntilIdle();
    expect(log).toContain('p:Terminated(p/c1,Stopped)');
    expect(parentContext?.children.map((pid) => pid.id)).toEqual(['p/c2']);
  });

  it('lifecycle: stopping a parent stops the whole subtree, every child before its parent', () => {
    v = virtualSystem();
    const log: string[] = [];
    const tree = parentProps(log, 'root', [
      ['a', parentProps(log, 'a', [['x', leaf(log, 'x')]])],
      [
        'b',
        parentProps(log, 'b', [
          ['y', parentProps(log, 'y', [['z', leaf(log, 'z')]])],
          ['w', leaf(log, 'w')],
        ]),
      ],
    ]);
    const root = v.system.root.spawnNamed(tree, 'root');
    v.scheduler.runUntilIdle();
    log.length = 0;
    v.system.root.stop(root);
    v.scheduler.runUntilIdle();

    const parentOf: Record<string, string> = {
      a: 'root',
      b: 'root',
      x: 'a',
      y: 'b',
      w: 'b',
      z: 'y',
    };
    for (const [child, parent] of Object.entries(parentOf)) {
      // A parent hears Stopping first, its child stops, and only then does the parent stop.
      expect(log.indexOf(`${parent}:Stopping`)).toBeLessThan(log.indexOf(`${child}:Stopping`));
      expect(log.indexOf(`${child}:Stopped`)).toBeGreaterThan(-1);
      expect(log.indexOf(`${child}:Stopped`)).toBeLessThan(log.indexOf(`${parent}:Stopped`));
    }
    expect(log.at(-1)).toBe('root:Stopped');
    expect(log.filter((entry) => entry.endsWith(':Stopped'))).toHaveLength(7);
    expect(v.system.topLevelActors).toEqual([]);
  });

  it('lifecycle: when Stopped is delivered the actor has no children left', () => {
    v = virtualSystem();
    let childrenAtStopped = -1;
    const props = Props.fromFunc((context) => {
      if (context.message === Started) {
        for (let i = 0; i < 10; i++) context.spawn(Props.fromFunc(() => {}));
      } else if (context.message === Stopped) {
        childrenAtStopped = context.children.length;
      }
    });
    const pid = v.system.root.spawn(props);
    v.scheduler.runUntilIdle();
    v.system.root.stop(pid);
    v.scheduler.runUntilIdle();
    expect(childrenAtStopped).toBe(0);
  });

  it('lifecycle: a child is named under its parent and knows its parent', () => {
    v = virtualSystem();
    let seenParent: PID | undefined;
    const child = Props.fromFunc((context) => {
      if (context.message === Started) seenParent = context.parent;
    });
    const parent = v.system.root.spawnNamed(parentProps([], 'p', [['kid', child]]), 'p');
    v.scheduler.runUntilIdle();
    expect(isAlive(v.system, 'p/kid')).toBe(true);
    expect(seenParent?.equals(parent)).toBe(true);
  });
});

describe('ActorCell restart', () => {
  it('restart: Restarting goes to the failed instance and Started to a fresh one', () => {
    v = virtualSystem();
    const log: string[] = [];
    const pid = v.system.root.spawnNamed(countingWorker(log, 'w'), 'w');
    v.system.root.send(pid, new Boom());
    v.scheduler.runUntilIdle();
    expect(log).toEqual(['w#1:Started', 'w#1:Restarting', 'w#2:Started']);
  });

  it('restart: the fresh instance starts from its initial state', () => {
    v = virtualSystem();
    const log: string[] = [];
    const pid = v.system.root.spawnNamed(countingWorker(log, 'w'), 'w');
    for (const message of ['inc', 'inc', 'report', new Boom(), 'inc', 'report'])
      v.system.root.send(pid, message);
    v.scheduler.runUntilIdle();
    expect(log).toEqual([
      'w#1:Started',
      'w#1:count=2',
      'w#1:Restarting',
      'w#2:Started',
      'w#2:count=1',
    ]);
  });

  it('restart: the failed message is not redelivered and the messages behind it are processed', () => {
    v = virtualSystem();
    const log: string[] = [];
    let failures = 0;
    const props = Props.fromFunc(
      recording(log, 'a', (context) => {
        if (context.message === 'poison-ish') {
          failures++;
          throw new Boom();
        }
      }),
    );
    const pid = v.system.root.spawnNamed(props, 'a');
    for (const message of ['one', 'poison-ish', 'two', 'three']) v.system.root.send(pid, message);
    v.scheduler.runUntilIdle();
    expect(failures).toBe(1);
    expect(log).toEqual([
      'a:Started',
      'a:one',
      'a:poison-ish',
      'a:Restarting',
      'a:Started',
      'a:two',
      'a:three',
    ]);
  });

  it('resume: the same instance processes the messages queued behind the failure', () => {
    v = virtualSystem({ guardianStrategy: new OneForOneStrategy(() => 'resume') });
    const log: string[] = [];
    const pid = v.system.root.spawnNamed(countingWorker(log, 'w'), 'w');
    for (const message of ['inc', new Boom(), 'inc', 'report']) v.system.root.send(pid, message);
    v.scheduler.runUntilIdle();
    expect(log).toEqual(['w#1:Started', 'w#1:count=2']);
  });

  it('restart: the children of a failed actor stop before its fresh instance starts', () => {
    v = virtualSystem();
    const log: string[] = [];
    const failing = Props.fromFunc(
      recording(log, 'p', (context) => {
        if (context.message === Started)
          context.spawnNamed(Props.fromFunc(recording(log, 'c')), 'c');
        if (context.message === 'fail') throw new Boom();
      }),
    );
    const pid = v.system.root.spawnNamed(failing, 'p');
    v.scheduler.runUntilIdle();
    log.length = 0;
    v.system.root.send(pid, 'fail');
    v.scheduler.runUntilIdle();
    expect(log).toEqual([
      'p:fail',
      'p:Restarting',
      'c:Stopping',
      'c:Stopped',
      'p:Terminated(p/c,Stopped)',
      'p:Started',
      // The fresh instance spawned a fresh child under the same name.
      'c:Started',
    ]);
  });

  it('restart: a failure inside Started is supervised and the actor starts again', () => {
    v = virtualSystem();
    const log: string[] = [];
    let starts = 0;
    const props = Props.fromFunc(
      recording(log, 'a', (context) => {
        if (context.message === Started && ++starts === 1) throw new Boom('in Started');
      }),
    );
    const pid = v.system.root.spawnNamed(props, 'a');
    v.system.root.send(pid, 'after');
    v.scheduler.runUntilIdle();
    expect(log).toEqual(['a:Started', 'a:Restarting', 'a:Started', 'a:after']);
  });

  it('restart: the PID stays the same, so senders need not know about the restart', () => {
    v = virtualSystem();
    const log: string[] = [];
    const watcherLog: string[] = [];
    const pid = v.system.root.spawnNamed(countingWorker(log, 'w'), 'w');
    v.system.root.spawnNamed(
      Props.fromFunc(
        recording(watcherLog, 'watcher', (context) => {
          if (context.message === Started) context.watch(pid);
        }),
      ),
      'watcher',
    );
    v.system.root.send(pid, new Boom());
    v.scheduler.runUntilIdle();
    v.system.root.send(pid, 'report');
    v.scheduler.runUntilIdle();
    expect(log.at(-1)).toBe('w#2:count=0');
    // A restart is not a termination: the watcher hears nothing.
    expect(watcherLog).toEqual(['watcher:Started']);
  });

  it('restart: a Restarting handler that throws does not prevent the restart', () => {
    v = virtualSystem();
    const log: string[] = [];
    const props = Props.fromFunc(
      recording(log, 'a', (context) => {
        if (context.message === Restarting) throw new Boom('in Restarting');
        if (context.message === 'fail') throw new Boom();
      }),
    );
    const pid = v.system.root.spawnNamed(props, 'a');
    v.system.root.send(pid, 'fail');
    v.system.root.send(pid, 'after');
    v.scheduler.runUntilIdle();
    expect(log.slice(0, 4)).toEqual(['a:Started', 'a:fail', 'a:Restarting', 'a:Started']);
    expect(log).toContain('a:after');
  });
});
