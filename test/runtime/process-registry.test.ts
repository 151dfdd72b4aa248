import { describe, expect, it } from 'vitest';
import {
  DeadLetterEvent,
  InvalidNameError,
  NameExistsError,
  PID,
  ProcessRegistry,
  Props,
  Started,
  type ActorSystem,
  type Context,
  type Process,
} from '../../runtime/index.ts';
import { TestProbe } from '../../testkit/index.ts';
import { collect, thrown } from './helpers.ts';
import { systemFixture } from './system-fixture.ts';

const systems = systemFixture();

/** A process that records what it is sent. */
class FakeProcess implements Process {
  dead = false;
  readonly received: unknown[] = [];
  sendUser(_pid: PID, message: unknown): void {
    this.received.push(message);
  }
  sendSystem(_pid: PID, message: unknown): void {
    this.received.push(message);
  }
  sendStop(): void {}
}

const echo = Props.fromFunc((ctx) => {
  if (typeof ctx.message === 'string') ctx.respond(`${ctx.self.id}:${ctx.message}`);
});

/** An actor that spawns the children it is asked for and answers with their PIDs. */
const parentProps = Props.fromFunc((ctx: Context) => {
  const m = ctx.message;
  if (typeof m === 'object' && m !== null && 'spawn' in m) {
    const name = (m as { spawn: string | undefined }).spawn;
    try {
      ctx.respond(name === undefined ? ctx.spawn(echo) : ctx.spawnNamed(parentProps, name));
    } catch (error) {
      ctx.respond(error);
    }
  }
});

/** Asks a parent actor to spawn a child and returns the child's PID or the error thrown. */
function spawnChild(system: ActorSystem, parent: PID, name?: string): Promise<unknown> {
  return system.root.request(parent, { spawn: name }, 1_000);
}

/** The id segment the registry will generate next (the sequence is shared by every kind of id). */
function upcomingId(system: ActorSystem): string {
  const taken = system.registry.nextId();
  return '$' + (Number.parseInt(taken.slice(1), 36) + 1).toString(36);
}

describe('ProcessRegistry', () => {
  it('registry: spawn gives every actor a unique generated id on the system address', () => {
    const system = systems.live({ address: '127.0.0.1:4000' });
    const ids = new Set<string>();
    for (let i = 0; i < 50; i++) {
      const pid = system.root.spawn(echo);
      expect(pid.id).toMatch(/^\$[0-9a-z]+$/);
      expect(pid.address).toBe('127.0.0.1:4000');
      ids.add(pid.id);
    }
    expect(ids.size).toBe(50);
  });

  it('registry: spawnNamed uses the name as the id', async () => {
    const system = systems.live();
    const pid = system.root.spawnNamed(echo, 'greeter');
    expect(pid.id).toBe('greeter');
    await expect(system.root.request(pid, 'hi', 1_000)).resolves.toBe('greeter:hi');
  });

  it('registry: spawnNamed with a live duplicate name throws NameExistsError', async () => {
    const system = systems.live();
    const first = system.root.spawnNamed(echo, 'unique');
    const error = thrown(() => system.root.spawnNamed(echo, 'unique'));
    expect(error).toBeInstanceOf(NameExistsError);
    expect(error).toMatchObject({ code: 'ERR_NAME_EXISTS', id: 'unique' });
    // The holder of the name is untouched by the failed attempt.
    await expect(system.root.request(first, 'still here', 1_000)).resolves.toBe(
      'unique:still here',
    );
    expect(system.topLevelActors).toHaveLength(1);
  });

  it('registry: a name is reusable once its actor has stopped, and old PIDs reach the new actor', async () => {
    const system = systems.live();
    const old = system.root.spawnNamed(echo, 'reusable');
    await system.root.request(old, 'warm the cache', 1_000);
    await system.root.stopAsync(old);
    const fresh = system.root.spawnNamed(
      Props.fromFunc((ctx) => {
        if (ctx.message === 'who') ctx.respond('fresh');
      }),
      'reusable',
    );
    expect(fresh.equals(old)).toBe(true);
    await expect(system.root.request(old, 'who', 1_000)).resolves.toBe('fresh');
  });

  it.each([
    ['an empty name', ''],
    ["a name containing '/'", 'a/b'],
    ["a lone '/'", '/'],
    ["a name starting with '$'", '$1'],
    ["a name starting with '@'", '@1/x'],
  ])(
    'naming: %s is an InvalidNameError for spawnNamed, spawnPrefix and child names',
    async (_, name) => {
      const system = systems.live();
      for (const attempt of [
        () => system.root.spawnNamed(echo, name),
        () => system.root.spawnPrefix(echo, name),
      ]) {
        const error = thrown(attempt);
        expect(error).toBeInstanceOf(InvalidNameError);
        expect(error).toMatchObject({ code: 'ERR_INVALID_NAME', actorName: name });
      }
      const parent = system.root.spawn(parentProps);
      expect(await spawnChild(system, parent, name)).toBeInstanceOf(InvalidNameError);
      expect(system.registry.size).toBe(1);
    },
  );

  it("naming: '@', dots and dashes are allowed after the first character", () => {
    const system = systems.live();
    expect(system.root.spawnNamed(echo, 'user@host').id).toBe('user@host');
    expect(system.root.spawnNamed(echo, 'orders.eu-west-1').id).toBe('orders.eu-west-1');
  });

  it('registry: spawnPrefix ids start with the prefix and are unique', () => {
    const system = systems.live();
    const ids = new Set<string>();
    for (let i = 0; i < 100; i++) {
      const pid = system.root.spawnPrefix(echo, 'worker-');
      expect(pid.id.startsWith('worker-$')).toBe(true);
      ids.add(pid.id);
    }
    expect(ids.size).toBe(100);
  });

  it('registry: named child ids are parentId/childName at any depth; generated ids are flat', async () => {
    const system = systems.live();
    const parent = system.root.spawnNamed(parentProps, 'parent');
    const child = (await spawnChild(system, parent, 'kid')) as PID;
    expect(child.id).toBe('parent/kid');
    const grandchild = (await spawnChild(system, child, 'grandkid')) as PID;
    expect(grandchild.id).toBe('parent/kid/grandkid');
    const generated = (await spawnChild(system, parent)) as PID;
    expect(generated.id).toMatch(/^\$[0-9a-z]+$/);
    await expect(system.root.request(generated, 'hi', 1_000)).resolves.toBe(`${generated.id}:hi`);
  });

  it('registry: a child name is unique per parent, not across parents', async () => {
    const system = systems.live();
    const a = system.root.spawnNamed(parentProps, 'a');
    const b = system.root.spawnNamed(parentProps, 'b');
    expect(((await spawnChild(system, a, 'kid')) as PID).id).toBe('a/kid');
    expect(((await spawnChild(system, b, 'kid')) as PID).id).toBe('b/kid');
    const duplicate = await spawnChild(system, a, 'kid');
    expect(duplicate).toBeInstanceOf(NameExistsError);
    expect(duplicate).toMatchObject({ code: 'ERR_NAME_EXISTS', id: 'a/kid' });
  });

  it('registry: a PID resolved to dead letters before its actor exists reaches it once spawned', async () => {
    const system = systems.live();
    const deadLetters = collect(system, DeadLetterEvent);
    const early = new PID(system.address, 'late-comer');
    system.root.send(early, 'too early');
    expect(deadLetters).toHaveLength(1);
    const probe = TestProbe.spawn(system);
    system.root.spawnNamed(
      Props.fromFunc((ctx) => {
        if (ctx.message !== Started) ctx.send(probe.pid, ctx.message);
      }),
      'late-comer',
    );
    system.root.send(early, 'on time');
    expect(await probe.expectMessage()).toBe('on time');
    expect(deadLetters).toHaveLength(1);
  });

  it('registry: size returns to its baseline after actors and their children stop', async () => {
    const system = systems.live();
    const baseline = system.registry.size;
    const parent = system.root.spawn(parentProps);
    const child = (await spawnChild(system, parent, 'c1')) as PID;
    await spawnChild(system, child, 'c2');
    await spawnChild(system, parent);
    const loners = Array.from({ length: 10 }, () => system.root.spawn(echo));
    expect(system.registry.size).toBe(baseline + 4 + 10);
    await Promise.all([parent, ...loners].map((pid) => system.root.stopAsync(pid)));
    expect(system.registry.size).toBe(baseline);
  });

  it('registry: a user name can never collide with the id of a future the runtime generates', async () => {
    const system = systems.live();
    const target = system.root.spawn(echo);
    const upcoming = upcomingId(system);
    try {
      system.root.spawnNamed(echo, `future${upcoming}`);
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidNameError);
    }
    const reply = await Promise.resolve()
      .then(() => system.root.request(target, 'ping', 1_000))
      .catch((error: unknown) => error);
    expect(reply).toBe(`${target.id}:ping`);
  });

  it('registry: spawnPrefix never collides with a name a user chose', () => {
    const system = systems.live();
    const upcoming = upcomingId(system);
    try {
      system.root.spawnNamed(echo, `job${upcoming}`);
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidNameError);
    }
    const spawned = (() => {
      try {
        return system.root.spawnPrefix(echo, 'job');
      } catch (error) {
        return error;
      }
    })();
    expect(spawned).toBeInstanceOf(PID);
  });

  it('registry: a system on worker thread k prefixes every id with @k/', async () => {
    const system = systems.live({ thread: 3 });
    const generated = system.root.spawn(echo);
    const named = system.root.spawnNamed(parentProps, 'named');
    const prefixed = system.root.spawnPrefix(echo, 'p');
    const child = (await spawnChild(system, named, 'kid')) as PID;
    expect(generated.id).toMatch(/^@3\/\$/);
    expect(named.id).toBe('@3/named');
    expect(prefixed.id).toMatch(/^@3\/p\$/);
    expect(child.id).toBe('@3/named/kid');
    for (const pid of [generated, named, prefixed, child]) expect(pid.thread).toBe(3);
    await expect(system.root.request(generated, 'hi', 1_000)).resolves.toBe(`${generated.id}:hi`);
  });

  it('registry: only PIDs of its own address and thread are local', () => {
    const registry = new ProcessRegistry('node-a:1', 2, () => new FakeProcess());
    expect(registry.isLocal(new PID('node-a:1', '@2/x'))).toBe(true);
    expect(registry.isLocal(new PID('node-a:1', 'x'))).toBe(false);
    expect(registry.isLocal(new PID('node-a:1', '@1/x'))).toBe(false);
    expect(registry.isLocal(new PID('node-b:1', '@2/x'))).toBe(false);
  });

  it('registry: foreign PIDs go to the first resolver that answers, else to dead letters', () => {
    const deadLetter = new FakeProcess();
    const registry = new ProcessRegistry('node-a:1', 0, () => deadLetter);
    const remote = new FakeProcess();
    const declines = registry.addResolver(() => undefined);
    const removeRemote = registry.addResolver((pid) =>
      pid.address === 'node-b:1' ? remote : undefined,
    );
    registry.addResolver(() => {
      throw new Error('never consulted once an earlier resolver answered');
    });
    const onB = new PID('node-b:1', 'x');
    registry.get(onB).sendUser(onB, 'to b');
    expect(remote.received).toEqual(['to b']);
    removeRemote();
    declines();
    removeRemote();
    const fresh = new PID('node-b:1', 'y');
    expect(() => registry.get(fresh)).toThrow('never consulted');
  });

  it('registry: resolution is cached on the PID until the process is dead', () => {
    const deadLetter = new FakeProcess();
    const registry = new ProcessRegistry('local', 0, () => deadLetter);
    const first = new FakeProcess();
    const pid = registry.add('svc', first);
    expect(pid.process).toBe(first);
    const lookup = new PID('local', 'svc');
    expect(registry.get(lookup)).toBe(first);
    expect(lookup.process).toBe(first);
    first.dead = true;
    const second = new FakeProcess();
    registry.add('svc', second);
    expect(registry.get(lookup)).toBe(second);
    registry.remove(lookup);
    second.dead = true;
    expect(registry.get(lookup)).toBe(deadLetter);
    expect(lookup.process).not.toBe(deadLetter);
    expect(registry.getLocal('svc')).toBeUndefined();
  });

  it('registry: add refuses a live id but takes over the id of a dead process', () => {
    const registry = new ProcessRegistry('local', 0, () => new FakeProcess());
    const live = new FakeProcess();
    registry.add('x', live);
    expect(() => registry.add('x', new FakeProcess())).toThrow(NameExistsError);
    live.dead = true;
    const next = new FakeProcess();
    expect(registry.add('x', next).process).toBe(next);
    expect(registry.size).toBe(1);
  });

  it('registry: nextId never repeats', () => {
    const registry = new ProcessRegistry('local', 0, () => new FakeProcess());
    const ids = new Set(Array.from({ length: 5_000 }, () => registry.nextId()));
    expect(ids.size).toBe(5_000);
  });
});

describe('ProcessRegistry and stopped actors', () => {
  it('registry: a second PID that cached a stopped actor drops it on the next lookup', async () => {
    const system = systems.live();
    const pid = system.root.spawnNamed(echo, 'short-lived');
    // Another PID for the same actor, resolved (and so cached) while the actor was alive.
    const alias = new PID(system.address, 'short-lived');
    await system.root.request(alias, 'warm the cache', 1_000);
    const actorProcess = alias.process;
    expect(actorProcess).toBeDefined();
    await system.root.stopAsync(pid);
    expect(actorProcess?.dead).toBe(true);
    expect(system.registry.get(alias)).toBe(system.deadLetter);
    // A PID held anywhere must not keep the stopped actor's mailbox and state reachable.
    expect(alias.process).toBeUndefined();
  });

  it('registry: get forgets a cached process that died once its id resolves to dead letters', () => {
    const deadLetter = new FakeProcess();
    const registry = new ProcessRegistry('local', 0, () => deadLetter);
    const process = new FakeProcess();
    const pid = registry.add('gone', process);
    process.dead = true;
    registry.remove(pid);
    expect(registry.get(pid)).toBe(deadLetter);
    expect(pid.process).toBeUndefined();
  });

  it('registry: one PID object used by two registries resolves in each through its own', () => {
    const first = new ProcessRegistry('10.0.0.1:1', 0, () => new FakeProcess());
    const second = new ProcessRegistry('10.0.0.2:1', 0, () => new FakeProcess());
    const remoteOfSecond = new FakeProcess();
    second.addResolver(() => remoteOfSecond);
    const here = new FakeProcess();
    const pid = first.add('shared', here);
    expect(first.get(pid)).toBe(here);
    // The second registry must not take the first one's cached local process.
    expect(second.get(pid)).toBe(remoteOfSecond);
    expect(first.get(pid)).toBe(here);
    expect(first.localProcesses()).toEqual([here]);
  });
});
