import { describe, expect, it } from 'vitest';
import {
  AllForOneStrategy,
  DeadLetterEvent,
  OneForOneStrategy,
  Props,
  Restarting,
  Started,
  Stopped,
  SupervisionEvent,
  Terminated,
  type Context,
  type PID,
} from '../../runtime/index.ts';
import {
  Boom,
  collect,
  countingWorker,
  deferred,
  deliver,
  flushPromises,
  isAlive,
  leaf,
  nameOf,
  parentProps,
  pidOf,
  recording,
  spawnStarted,
  watching,
  settle,
} from './helpers.ts';
import { systemFixture, type VirtualSystem } from './system-fixture.ts';

const systems = systemFixture();
let v: VirtualSystem;

describe('ActorCell lifecycle', () => {
  it('lifecycle: Started is the first message, before messages sent right after spawn', () => {
    v = systems.virtual();
    const log: string[] = [];
    const pid = v.system.root.spawnNamed(leaf(log, 'a'), 'a');
    v.system.root.send(pid, 'one');
    v.system.root.send(pid, 'two');
    v.scheduler.runUntilIdle();
    expect(log).toEqual(['a:Started', 'a:one', 'a:two']);
  });

  it('lifecycle: an actor stopped before it ever ran still receives Started before Stopping', () => {
    v = systems.virtual();
    const log: string[] = [];
    const pid = v.system.root.spawnNamed(leaf(log, 'a'), 'a');
    v.system.root.stop(pid);
    v.scheduler.runUntilIdle();
    expect(log).toEqual(['a:Started', 'a:Stopping', 'a:Stopped']);
  });

  it('lifecycle: stopping delivers Stopping, stops the children, then delivers Stopped', () => {
    v = systems.virtual();
    const log: string[] = [];
    const parent = spawnStarted(v, parentProps(log, 'p', [['c', leaf(log, 'c')]]), 'p', log);
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
    v = systems.virtual();
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
    v = systems.virtual();
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
    const root = spawnStarted(v, tree, 'root', log);
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
    v = systems.virtual();
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
    v = systems.virtual();
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
    v = systems.virtual();
    const log: string[] = [];
    const pid = v.system.root.spawnNamed(countingWorker(log, 'w'), 'w');
    v.system.root.send(pid, new Boom());
    v.scheduler.runUntilIdle();
    expect(log).toEqual(['w#1:Started', 'w#1:Restarting', 'w#2:Started']);
  });

  it('restart: the fresh instance starts from its initial state', () => {
    v = systems.virtual();
    const log: string[] = [];
    const pid = v.system.root.spawnNamed(countingWorker(log, 'w'), 'w');
    deliver(v.system, v.scheduler, pid, 'inc', 'inc', 'report', new Boom(), 'inc', 'report');
    expect(log).toEqual([
      'w#1:Started',
      'w#1:count=2',
      'w#1:Restarting',
      'w#2:Started',
      'w#2:count=1',
    ]);
  });

  it('restart: the failed message is not redelivered and the messages behind it are processed', () => {
    v = systems.virtual();
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
    deliver(v.system, v.scheduler, pid, 'one', 'poison-ish', 'two', 'three');
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
    v = systems.virtual({ guardianStrategy: new OneForOneStrategy(() => 'resume') });
    const log: string[] = [];
    const pid = v.system.root.spawnNamed(countingWorker(log, 'w'), 'w');
    deliver(v.system, v.scheduler, pid, 'inc', new Boom(), 'inc', 'report');
    expect(log).toEqual(['w#1:Started', 'w#1:count=2']);
  });

  it('restart: the children of a failed actor stop before its fresh instance starts', () => {
    v = systems.virtual();
    const log: string[] = [];
    const failing = Props.fromFunc(
      recording(log, 'p', (context) => {
        if (context.message === Started) context.spawnNamed(leaf(log, 'c'), 'c');
        if (context.message === 'fail') throw new Boom();
      }),
    );
    const pid = spawnStarted(v, failing, 'p', log);
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
    v = systems.virtual();
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
    v = systems.virtual();
    const log: string[] = [];
    const watcherLog: string[] = [];
    const pid = v.system.root.spawnNamed(countingWorker(log, 'w'), 'w');
    v.system.root.spawnNamed(watching(watcherLog, 'watcher', pid), 'watcher');
    v.system.root.send(pid, new Boom());
    v.scheduler.runUntilIdle();
    v.system.root.send(pid, 'report');
    v.scheduler.runUntilIdle();
    expect(log.at(-1)).toBe('w#2:count=0');
    // A restart is not a termination: the watcher hears nothing.
    expect(watcherLog).toEqual(['watcher:Started']);
  });

  it('restart: a Restarting handler that throws does not prevent the restart', () => {
    v = systems.virtual();
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

describe('ActorCell failure paths', () => {
  /** Stops `pid` and runs the system; returns whether `stopAsync` resolved. */
  async function stopAndRun(pid: PID, steps = 10_000): Promise<boolean> {
    let stopped = false;
    void v.system.root.stopAsync(pid).then(() => (stopped = true));
    v.scheduler.runUntilIdle(steps);
    await flushPromises();
    return stopped;
  }

  /** An actor that spawns a child named `name` when it starts. */
  const withChild = (name: string): Props =>
    Props.fromFunc((context) => {
      if (context.message === Started)
        context.spawnNamed(
          Props.fromFunc(() => {}),
          name,
        );
    });

  /** A parent that spawns a child on Started and another on every Terminated it receives. */
  const respawning = (log: string[]): Props =>
    Props.fromFunc(
      recording(log, 'p', (context) => {
        if (context.message === Started || context.message instanceof Terminated)
          context.spawn(leaf(log, 'c'));
      }),
    );

  it('spawn while stopping: a child spawned by a Terminated handler is stopped and the parent terminates', async () => {
    v = systems.virtual();
    const log: string[] = [];
    const baseline = v.system.registry.size;
    const parent = v.system.root.spawnNamed(
      Props.fromFunc(
        recording(log, 'p', (context) => {
          const m = context.message;
          if (m === Started) context.spawnNamed(leaf(log, 'c'), 'c');
          // A replacement born after the parent began stopping its children.
          if (m instanceof Terminated && m.who.id === 'p/c')
            context.spawnNamed(leaf(log, 'late'), 'late');
        }),
      ),
      'p',
    );
    v.scheduler.runUntilIdle();
    expect(await stopAndRun(parent)).toBe(true);
    expect(log.at(-1)).toBe('p:Stopped');
    expect(isAlive(v.system, 'p/late')).toBe(false);
    expect(v.system.registry.size).toBe(baseline);
  });

  it('spawn while stopping: shutdown resolves although a parent respawns a child on every Terminated', async () => {
    v = systems.virtual();
    const log: string[] = [];
    const baseline = v.system.registry.size;
    v.system.root.spawnNamed(respawning(log), 'p');
    v.scheduler.runUntilIdle();
    let stopped = false;
    void v.system.shutdown().then(() => (stopped = true));
    v.scheduler.runUntilIdle(10_000);
    await flushPromises();
    expect(stopped).toBe(true);
    expect(log).toContain('p:Stopped');
    expect(v.system.registry.size).toBe(baseline);
  });

  it('spawn while stopping: stopAsync resolves although a parent respawns a child on every Terminated', async () => {
    v = systems.virtual();
    const log: string[] = [];
    const baseline = v.system.registry.size;
    const parent = v.system.root.spawnNamed(respawning(log), 'p');
    v.scheduler.runUntilIdle();
    expect(await stopAndRun(parent)).toBe(true);
    expect(log).toContain('p:Stopped');
    expect(v.system.registry.size).toBe(baseline);
  });

  it('spawn while restarting: a child spawned by a Terminated handler does not hold up the restart', () => {
    v = systems.virtual();
    const log: string[] = [];
    const pid = v.system.root.spawnNamed(
      Props.fromFunc(
        recording(log, 'a', (context) => {
          const m = context.message;
          if (m === Started) context.spawnNamed(leaf(log, 'c'), 'c');
          if (m instanceof Terminated && m.who.id === 'a/c')
            context.spawnNamed(leaf(log, 'late'), 'late');
          if (m === 'fail') throw new Boom();
        }),
      ),
      'a',
    );
    v.system.root.send(pid, 'fail');
    v.system.root.send(pid, 'after');
    v.scheduler.runUntilIdle();
    const own = log.filter((entry) => entry.startsWith('a:') && !entry.includes('a/late'));
    expect(own).toEqual([
      'a:Started',
      'a:fail',
      'a:Restarting',
      'a:Terminated(a/c,Stopped)',
      'a:Started',
      'a:after',
    ]);
    expect(isAlive(v.system, 'a/late')).toBe(false);
    expect(isAlive(v.system, 'a/c')).toBe(true);
  });

  it('terminated: a Terminated handler that throws while the parent stops does not keep it from terminating', async () => {
    v = systems.virtual();
    const log: string[] = [];
    const baseline = v.system.registry.size;
    const parent = spawnStarted(
      v,
      Props.fromFunc(
        recording(log, 'p', (context) => {
          if (context.message === Started) context.spawnNamed(leaf(log, 'c'), 'c');
          if (context.message instanceof Terminated) throw new Boom('bookkeeping bug');
        }),
      ),
      'p',
      log,
    );
    expect(await stopAndRun(parent)).toBe(true);
    expect(log).toEqual([
      'p:Stopping',
      'c:Stopping',
      'c:Stopped',
      'p:Terminated(p/c,Stopped)',
      'p:Stopped',
    ]);
    expect(v.system.registry.size).toBe(baseline);
  });

  /**
   * Parent `p` (all-for-one) with `p/slow`, whose async receive of `long` waits for `gate` and then
   * throws, and `p/flaky`, which throws any Boom it is sent. Everything has started when it returns.
   */
  async function slowAndFlaky(log: string[], gate: Promise<void>): Promise<void> {
    let instances = 0;
    const slow = Props.fromProducer(() => {
      const instance = ++instances;
      return {
        async receive(context) {
          log.push(`slow#${instance}:${nameOf(context.message)}`);
          if (context.message === 'long') {
            await gate;
            throw new Boom(`late failure of instance ${instance}`);
          }
        },
      };
    });
    const flaky = Props.fromFunc((context) => {
      if (context.message instanceof Boom) throw context.message;
    });
    const children = [['slow', slow] as const, ['flaky', flaky] as const];
    v.system.root.spawnNamed(parentProps([], 'p', children, new AllForOneStrategy()), 'p');
    await settle(v.scheduler);
  }

  it('restart while awaiting: the fresh instance starts without waiting for the old async receive', async () => {
    v = systems.virtual();
    const log: string[] = [];
    const gate = deferred();
    await slowAndFlaky(log, gate.promise);
    v.system.root.send(pidOf(v.system, 'p/slow'), 'long');
    await settle(v.scheduler);
    v.system.root.send(pidOf(v.system, 'p/flaky'), new Boom('sibling failed'));
    v.system.root.send(pidOf(v.system, 'p/slow'), 'after');
    await settle(v.scheduler);
    // The old instance's receive is still pending, yet the new one has started and works.
    expect(log).toEqual([
      'slow#1:Started',
      'slow#1:long',
      'slow#1:Restarting',
      'slow#2:Started',
      'slow#2:after',
    ]);
    gate.resolve();
    await settle(v.scheduler);
  });

  it('restart while awaiting: the old async receive failing late is not held against the fresh instance', async () => {
    v = systems.virtual();
    const log: string[] = [];
    const events = collect(v.system, SupervisionEvent);
    const gate = deferred();
    await slowAndFlaky(log, gate.promise);
    v.system.root.send(pidOf(v.system, 'p/slow'), 'long');
    await settle(v.scheduler);
    const sibling = new Boom('sibling failed');
    v.system.root.send(pidOf(v.system, 'p/flaky'), sibling);
    await settle(v.scheduler);
    gate.resolve();
    await settle(v.scheduler);
    v.system.root.send(pidOf(v.system, 'p/slow'), 'after');
    await settle(v.scheduler);
    expect(events.map((event) => [event.child.id, event.reason])).toEqual([['p/flaky', sibling]]);
    expect(log.filter((entry) => entry.startsWith('slow#2:'))).toEqual([
      'slow#2:Started',
      'slow#2:after',
    ]);
    expect(log.some((entry) => entry.startsWith('slow#3:'))).toBe(false);
  });

  it('stop while awaiting: an async receive that fails after its actor stopped is not reported', async () => {
    v = systems.virtual();
    const events = collect(v.system, SupervisionEvent);
    const gate = deferred();
    const pid = v.system.root.spawnNamed(
      Props.fromFunc(async (context) => {
        if (context.message === 'long') {
          await gate.promise;
          throw new Boom('late failure');
        }
      }),
      'a',
    );
    v.system.root.send(pid, 'long');
    await settle(v.scheduler);
    v.system.root.stop(pid);
    await settle(v.scheduler);
    expect(isAlive(v.system, 'a')).toBe(false);
    gate.resolve();
    await settle(v.scheduler);
    expect(events).toEqual([]);
  });

  it('resume while stopping: a resume that arrives after Stopping lets no user message run', () => {
    v = systems.virtual();
    const log: string[] = [];
    const deadLetters = collect(v.system, DeadLetterEvent);
    const child = Props.fromFunc(
      recording(log, 'c', (context) => {
        // Two levels below make stopping take a few turns, so the resume arrives meanwhile.
        if (context.message === Started) context.spawnNamed(withChild('gg'), 'g');
        if (context.message === 'boom') {
          context.stop(context.self);
          throw new Boom();
        }
      }),
    );
    const strategy = new OneForOneStrategy(() => 'resume');
    spawnStarted(v, parentProps([], 'p', [['c', child]], strategy), 'p', log);
    const c = pidOf(v.system, 'p/c');
    v.system.root.send(c, 'boom');
    v.system.root.send(c, 'queued behind the stop');
    v.scheduler.runUntilIdle();
    expect(log).toEqual(['c:boom', 'c:Stopping', 'c:Terminated(p/c/g,Stopped)', 'c:Stopped']);
    expect(isAlive(v.system, 'p/c/g/gg')).toBe(false);
    expect(deadLetters.map((event) => [event.message, event.reason])).toEqual([
      ['queued behind the stop', 'stopped'],
    ]);
  });
});
