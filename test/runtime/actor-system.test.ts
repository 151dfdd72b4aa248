import { afterEach, describe, expect, it } from 'vitest';
import {
  ActorSystem,
  DeadLetterEvent,
  InvalidConfigError,
  ManualScheduler,
  PID,
  Props,
  RUNTIME_DEFAULTS,
  Started,
  Stopped,
  Stopping,
  SystemStoppedError,
  type ActorSystemOptions,
  type Context,
} from '../../runtime/index.ts';

const systems: ActorSystem[] = [];

function newSystem(options: ActorSystemOptions = {}): ActorSystem {
  const system = new ActorSystem(options);
  systems.push(system);
  return system;
}

afterEach(async () => {
  await Promise.all(systems.splice(0).map((s) => s.shutdown()));
});

/** Lets promise callbacks run. */
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Props of an actor that logs its lifecycle as `id:Stopping` / `id:Stopped` and spawns `kids`. */
function lifecycle(log: string[], kids: number, depth = 1): Props {
  return Props.fromFunc((ctx: Context) => {
    if (ctx.message === Started && depth > 0) {
      for (let i = 0; i < kids; i++) ctx.spawnNamed(lifecycle(log, kids, depth - 1), `k${i}`);
    } else if (ctx.message === Stopping) log.push(`${ctx.self.id}:Stopping`);
    else if (ctx.message === Stopped) log.push(`${ctx.self.id}:Stopped`);
    else if (ctx.message === 'ready?') ctx.respond(ctx.children.length);
  });
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('ActorSystem', () => {
  it.each<[string, ActorSystemOptions]>([
    ['a negative request timeout', { requestTimeoutMs: -1 }],
    ['a NaN request timeout', { requestTimeoutMs: Number.NaN }],
    ['an infinite request timeout', { requestTimeoutMs: Number.POSITIVE_INFINITY }],
    ['zero throughput', { throughput: 0 }],
    ['negative throughput', { throughput: -5 }],
    ['fractional throughput', { throughput: 1.5 }],
    ['a negative dead-letter log limit', { deadLetterLogLimit: -1 }],
    ['a negative dead-letter log interval', { deadLetterLogIntervalMs: -10 }],
  ])('actor system: %s is refused with ERR_INVALID_CONFIG', (_, options) => {
    const error = thrown(() => new ActorSystem(options));
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect(error).toMatchObject({ code: 'ERR_INVALID_CONFIG' });
  });

  it('actor system: options override the defaults, and the resolved config is frozen', () => {
    const defaults = newSystem().config;
    expect(defaults).toEqual({
      throughput: RUNTIME_DEFAULTS.throughput,
      requestTimeoutMs: RUNTIME_DEFAULTS.requestTimeoutMs,
      deadLetterLogLimit: RUNTIME_DEFAULTS.deadLetterLogLimit,
      deadLetterLogIntervalMs: RUNTIME_DEFAULTS.deadLetterLogIntervalMs,
    });
    const custom = newSystem({ throughput: 10, requestTimeoutMs: 250, deadLetterLogLimit: 0 });
    expect(custom.config).toMatchObject({
      throughput: 10,
      requestTimeoutMs: 250,
      deadLetterLogLimit: 0,
    });
    expect(Object.isFrozen(custom.config)).toBe(true);
  });

  it('actor system: shutdown stops every top-level actor and all their children, then resolves', async () => {
    const system = newSystem();
    const log: string[] = [];
    const parents = [0, 1, 2].map((i) => system.root.spawnNamed(lifecycle(log, 2, 2), `p${i}`));
    const loner = system.root.spawn(lifecycle(log, 0));
    for (const p of parents) await system.root.request(p, 'ready?', 1_000);
    expect(system.registry.size).toBe(3 * (1 + 2 + 4) + 1);
    await system.shutdown();
    expect(system.isStopping).toBe(true);
    expect(system.topLevelActors).toEqual([]);
    expect(system.registry.size).toBe(0);
    const stopped = log
      .filter((l) => l.endsWith(':Stopped'))
      .map((l) => l.slice(0, l.lastIndexOf(':')));
    expect([...stopped].sort()).toEqual(
      [
        ...parents.flatMap((p) => [
          p.id,
          `${p.id}/k0`,
          `${p.id}/k1`,
          `${p.id}/k0/k0`,
          `${p.id}/k0/k1`,
          `${p.id}/k1/k0`,
          `${p.id}/k1/k1`,
        ]),
        loner.id,
      ].sort(),
    );
    // Children stop before their parents.
    for (const id of stopped) {
      const childStopped = stopped.filter((other) => other.startsWith(`${id}/`));
      for (const child of childStopped)
        expect(stopped.indexOf(child)).toBeLessThan(stopped.indexOf(id));
    }
    // Every actor is told it is stopping before it is stopped.
    for (const id of stopped)
      expect(log.indexOf(`${id}:Stopping`)).toBeLessThan(log.indexOf(`${id}:Stopped`));
  });

  it('actor system: shutdown of an empty system resolves', async () => {
    const system = newSystem();
    await system.shutdown();
    expect(system.isStopping).toBe(true);
  });

  it('actor system: a top-level actor stopped before shutdown is no longer listed', async () => {
    const system = newSystem();
    const a = system.root.spawn(lifecycle([], 0));
    const b = system.root.spawn(lifecycle([], 0));
    expect(system.topLevelActors.map(String).sort()).toEqual([a, b].map(String).sort());
    await system.root.stopAsync(a);
    expect(system.topLevelActors.map(String)).toEqual([b.toString()]);
  });

  it('actor system: a second shutdown call resolves only once the system has stopped', async () => {
    const scheduler = new ManualScheduler();
    const system = new ActorSystem({ scheduler });
    system.root.spawn(lifecycle([], 2));
    scheduler.runUntilIdle();
    const first = system.shutdown();
    const aliveWhenSecondResolved = system.shutdown().then(() => system.topLevelActors.length);
    // Give a wrongly early promise the chance to resolve before any actor has run.
    await flush();
    scheduler.runUntilIdle();
    await first;
    expect(await aliveWhenSecondResolved).toBe(0);
  });

  it('actor system: spawning after shutdown throws SystemStoppedError', async () => {
    const system = newSystem();
    await system.shutdown();
    const props = lifecycle([], 0);
    for (const spawn of [
      () => system.root.spawn(props),
      () => system.root.spawnNamed(props, 'late'),
      () => system.root.spawnPrefix(props, 'late'),
    ]) {
      const error = thrown(spawn);
      expect(error).toBeInstanceOf(SystemStoppedError);
      expect(error).toMatchObject({ code: 'ERR_SYSTEM_STOPPED' });
    }
    expect(system.registry.size).toBe(0);
  });

  it('actor system: spawns are refused from the moment shutdown is called', async () => {
    const system = newSystem();
    system.root.spawn(lifecycle([], 0));
    const done = system.shutdown();
    expect(thrown(() => system.root.spawn(lifecycle([], 0)))).toBeInstanceOf(SystemStoppedError);
    await done;
  });

  it('actor system: two systems in one process are independent', async () => {
    const a = newSystem();
    const b = newSystem();
    expect(a.id).not.toBe(b.id);
    const logA: string[] = [];
    const logB: string[] = [];
    const inA = a.root.spawnNamed(lifecycle(logA, 0), 'same-name');
    const inB = b.root.spawnNamed(lifecycle(logB, 0), 'same-name');
    expect(inA.id).toBe(inB.id);
    const deadA: DeadLetterEvent[] = [];
    const deadB: DeadLetterEvent[] = [];
    a.eventStream.subscribe(DeadLetterEvent, (e) => deadA.push(e));
    b.eventStream.subscribe(DeadLetterEvent, (e) => deadB.push(e));
    a.root.send(new PID(a.address, 'nobody'), 'lost in a');
    expect(deadA).toHaveLength(1);
    expect(deadB).toHaveLength(0);
    await a.shutdown();
    expect(logA).toContain('same-name:Stopped');
    expect(logB).toEqual([]);
    expect(b.isStopping).toBe(false);
    expect(b.registry.getLocal('same-name')).toBeDefined();
    await expect(b.root.request(inB, 'ready?', 1_000)).resolves.toBe(0);
    expect(thrown(() => a.root.spawn(lifecycle([], 0)))).toBeInstanceOf(SystemStoppedError);
    expect(b.root.spawn(lifecycle([], 0))).toBeInstanceOf(PID);
  });

  it('actor system: every system has its own id', () => {
    const ids = new Set(Array.from({ length: 5 }, () => newSystem().id));
    expect(ids.size).toBe(5);
  });
});
