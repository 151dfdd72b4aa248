import { describe, expect, it } from 'vitest';
import {
  DeadLetterEvent,
  PoisonPill,
  Props,
  Started,
  Stopped,
  Stopping,
  type PID,
} from '../../runtime/index.ts';
import { withTimeout } from '../../testkit/index.ts';
import {
  Boom,
  collect,
  flushPromises,
  isAlive,
  leaf,
  parentProps,
  recording,
  spawnStarted,
  settle,
} from './helpers.ts';
import { systemFixture, type VirtualSystem } from './system-fixture.ts';

const systems = systemFixture();
let v: VirtualSystem;

/** Spawns a recording leaf actor and lets it process Started. */
const startedLeaf = (log: string[], name: string): PID =>
  spawnStarted(v, leaf(log, name), name, log);

describe('stop', () => {
  it('stop: overtakes queued user messages, which become dead letters of a stopped actor', () => {
    v = systems.virtual();
    const log: string[] = [];
    const deadLetters = collect(v.system, DeadLetterEvent);
    const pid = startedLeaf(log, 'a');
    for (const message of [1, 2, 3]) v.system.root.send(pid, message);
    v.system.root.stop(pid);
    v.scheduler.runUntilIdle();
    expect(log).toEqual(['a:Stopping', 'a:Stopped']);
    expect(deadLetters.map((event) => [event.message, event.reason])).toEqual([
      [1, 'stopped'],
      [2, 'stopped'],
      [3, 'stopped'],
    ]);
    expect(deadLetters.every((event) => event.pid?.equals(pid) === true)).toBe(true);
  });

  it('stop: messages sent after an actor stopped are dead letters addressed to its PID', () => {
    v = systems.virtual();
    const log: string[] = [];
    const deadLetters = collect(v.system, DeadLetterEvent);
    const pid = startedLeaf(log, 'a');
    v.system.root.stop(pid);
    v.scheduler.runUntilIdle();
    v.system.root.send(pid, 'late');
    v.scheduler.runUntilIdle();
    expect(log).toEqual(['a:Stopping', 'a:Stopped']);
    expect(deadLetters).toHaveLength(1);
    expect(deadLetters[0]?.message).toBe('late');
    expect(deadLetters[0]?.pid?.equals(pid)).toBe(true);
  });

  it('stop: a parent waiting for its children processes none of the messages queued before the stop', () => {
    v = systems.virtual();
    const log: string[] = [];
    const deadLetters = collect(v.system, DeadLetterEvent);
    const parent = spawnStarted(v, parentProps(log, 'p', [['c', leaf(log, 'c')]]), 'p', log);
    v.system.root.send(parent, 'queued-1');
    v.system.root.send(parent, 'queued-2');
    v.system.root.stop(parent);
    v.scheduler.runUntilIdle();
    expect(log).toEqual([
      'p:Stopping',
      'c:Stopping',
      'c:Stopped',
      'p:Terminated(p/c,Stopped)',
      'p:Stopped',
    ]);
    expect(deadLetters.map((event) => event.message)).toEqual(['queued-1', 'queued-2']);
  });

  it('stop: stopping an actor that already stopped is harmless', async () => {
    v = systems.virtual();
    const log: string[] = [];
    const pid = startedLeaf(log, 'a');
    v.system.root.stop(pid);
    v.system.root.stop(pid);
    v.scheduler.runUntilIdle();
    v.system.root.stop(pid);
    v.system.root.poison(pid);
    const again = v.system.root.stopAsync(pid);
    v.scheduler.runUntilIdle();
    await expect(again).resolves.toBeUndefined();
    expect(log).toEqual(['a:Stopping', 'a:Stopped']);
  });

  it('stopAsync: resolves only once the actor has terminated', async () => {
    v = systems.virtual();
    const log: string[] = [];
    const pid = startedLeaf(log, 'a');
    let resolved = false;
    const done = v.system.root.stopAsync(pid).then(() => {
      resolved = true;
    });
    await flushPromises();
    expect(resolved).toBe(false);
    v.scheduler.runUntilIdle();
    await done;
    expect(log).toEqual(['a:Stopping', 'a:Stopped']);
    expect(isAlive(v.system, 'a')).toBe(false);
  });

  it('stopAsync: on a parent, resolves only after the whole subtree has stopped', async () => {
    v = systems.virtual();
    const log: string[] = [];
    const tree = parentProps(log, 'p', [['c', parentProps(log, 'c', [['g', leaf(log, 'g')]])]]);
    const parent = v.system.root.spawnNamed(tree, 'p');
    v.scheduler.runUntilIdle();
    const done = v.system.root.stopAsync(parent).then(() => [...log]);
    v.scheduler.runUntilIdle();
    const seen = await done;
    expect(seen).toContain('g:Stopped');
    expect(seen).toContain('c:Stopped');
    expect(seen.at(-1)).toBe('p:Stopped');
  });

  it('stopAsync: a second call made while the first is under way resolves only after termination', async () => {
    v = systems.virtual();
    const log: string[] = [];
    const parent = v.system.root.spawnNamed(parentProps(log, 'p', [['c', leaf(log, 'c')]]), 'p');
    v.scheduler.runUntilIdle();
    const seenBy: string[][] = [];
    const first = v.system.root.stopAsync(parent).then(() => void seenBy.push([...log]));
    const second = v.system.root.stopAsync(parent).then(() => void seenBy.push([...log]));
    // Run one mailbox at a time so that a promise resolved too early is caught.
    while (v.scheduler.step()) await flushPromises();
    await Promise.all([first, second]);
    expect(seenBy).toHaveLength(2);
    for (const seen of seenBy) expect(seen).toContain('p:Stopped');
  });

  it('stop: an actor whose Stopping handler throws still stops, and stopAsync resolves', async () => {
    v = systems.virtual();
    const log: string[] = [];
    const props = Props.fromFunc(
      recording(log, 'a', (context) => {
        if (context.message === Stopping) throw new Boom('in Stopping');
      }),
    );
    const pid = v.system.root.spawnNamed(props, 'a');
    v.scheduler.runUntilIdle();
    const done = v.system.root.stopAsync(pid);
    await settle(v.scheduler);
    expect(log).toEqual(['a:Started', 'a:Stopping', 'a:Stopped']);
    expect(isAlive(v.system, 'a')).toBe(false);
    await expect(withTimeout(done, 200, () => 'stopAsync never resolved')).resolves.toBeUndefined();
  });

  it('stop: a child whose Stopped handler throws still lets its parent stop', async () => {
    v = systems.virtual();
    const log: string[] = [];
    const child = Props.fromFunc(
      recording(log, 'c', (context) => {
        if (context.message === Stopped) throw new Boom('in Stopped');
      }),
    );
    const parent = v.system.root.spawnNamed(parentProps(log, 'p', [['c', child]]), 'p');
    v.scheduler.runUntilIdle();
    const done = v.system.root.stopAsync(parent);
    await settle(v.scheduler);
    expect(log).toContain('p:Terminated(p/c,Stopped)');
    expect(log.at(-1)).toBe('p:Stopped');
    await expect(withTimeout(done, 200, () => 'stopAsync never resolved')).resolves.toBeUndefined();
  });
});

describe('poison', () => {
  it('poison: processes every message queued before the pill, then stops', () => {
    v = systems.virtual();
    const log: string[] = [];
    const deadLetters = collect(v.system, DeadLetterEvent);
    const pid = startedLeaf(log, 'a');
    v.system.root.send(pid, 1);
    v.system.root.send(pid, 2);
    v.system.root.poison(pid);
    v.system.root.send(pid, 3);
    v.scheduler.runUntilIdle();
    expect(log).toEqual(['a:1', 'a:2', 'a:Stopping', 'a:Stopped']);
    expect(deadLetters.map((event) => event.message)).toEqual([3]);
  });

  it('poison: the pill is handled by the runtime and never reaches receive', () => {
    v = systems.virtual();
    const seen: unknown[] = [];
    const pid = v.system.root.spawn(Props.fromFunc((context) => void seen.push(context.message)));
    v.system.root.send(pid, PoisonPill);
    v.scheduler.runUntilIdle();
    expect(seen).not.toContain(PoisonPill);
    expect(seen[0]).toBe(Started);
  });

  it('poisonAsync: resolves after the queued messages were processed and the actor stopped', async () => {
    v = systems.virtual();
    const log: string[] = [];
    const pid = startedLeaf(log, 'a');
    v.system.root.send(pid, 'before');
    const done = v.system.root.poisonAsync(pid).then(() => [...log]);
    v.scheduler.runUntilIdle();
    expect(await done).toEqual(['a:before', 'a:Stopping', 'a:Stopped']);
  });

  it('poison: a poisoned parent stops its children before it stops', () => {
    v = systems.virtual();
    const log: string[] = [];
    const parent = spawnStarted(v, parentProps(log, 'p', [['c', leaf(log, 'c')]]), 'p', log);
    v.system.root.send(parent, 'work');
    v.system.root.poison(parent);
    v.scheduler.runUntilIdle();
    expect(log).toEqual([
      'p:work',
      'p:Stopping',
      'c:Stopping',
      'c:Stopped',
      'p:Terminated(p/c,Stopped)',
      'p:Stopped',
    ]);
  });
});

describe('poison on a full bounded mailbox', () => {
  it.each(['reject', 'drop'] as const)(
    'poisonAsync: a full bounded mailbox (%s) still takes the pill, resolves and leaves no future',
    async (overflow) => {
      v = systems.virtual();
      const log: string[] = [];
      const deadLetters = collect(v.system, DeadLetterEvent);
      const pid = spawnStarted(v, leaf(log, 'a').withMailbox({ capacity: 1, overflow }), 'a', log);
      v.system.root.send(pid, 'fills the only slot');
      const withActor = v.system.registry.size;
      let outcome: unknown = 'pending';
      try {
        v.system.root.poisonAsync(pid).then(
          () => (outcome = 'resolved'),
          (error: unknown) => (outcome = error),
        );
      } catch (error) {
        outcome = error;
      }
      v.scheduler.runUntilIdle();
      await flushPromises();
      expect(outcome).toBe('resolved');
      expect(log).toEqual(['a:fills the only slot', 'a:Stopping', 'a:Stopped']);
      expect(deadLetters).toEqual([]);
      // The actor is gone and so is the future that waited for it.
      expect(v.system.registry.size).toBe(withActor - 1);
    },
  );
});
