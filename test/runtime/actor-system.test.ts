import { describe, expect, it } from 'vitest';
import {
  ActorSystem,
  DeadLetterEvent,
  InvalidConfigError,
  ManualScheduler,
  OneForOneStrategy,
  PID,
  Props,
  RUNTIME_DEFAULTS,
  Restarting,
  Started,
  Stopped,
  Stopping,
  SupervisionEvent,
  SystemStoppedError,
  Terminated,
  type ActorSystemOptions,
  type Context,
} from '../../runtime/index.ts';
import { Latch } from '../../testkit/index.ts';
import { collect, flushPromises, thrown } from './helpers.ts';
import { systemFixture } from './system-fixture.ts';

const systems = systemFixture();

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
    const defaults = systems.live().config;
    expect(defaults).toEqual({
      throughput: RUNTIME_DEFAULTS.throughput,
      requestTimeoutMs: RUNTIME_DEFAULTS.requestTimeoutMs,
      deadLetterLogLimit: RUNTIME_DEFAULTS.deadLetterLogLimit,
      deadLetterLogIntervalMs: RUNTIME_DEFAULTS.deadLetterLogIntervalMs,
    });
    const custom = systems.live({ throughput: 10, requestTimeoutMs: 250, deadLetterLogLimit: 0 });
    expect(custom.config).toMatchObject({
      throughput: 10,
      requestTimeoutMs: 250,
      deadLetterLogLimit: 0,
    });
    expect(Object.isFrozen(custom.config)).toBe(true);
  });

  it('actor system: shutdown stops every top-level actor and all their children, then resolves', async () => {
    const system = systems.live();
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
    const system = systems.live();
    await system.shutdown();
    expect(system.isStopping).toBe(true);
  });

  it('actor system: a top-level actor stopped before shutdown is no longer listed', async () => {
    const system = systems.live();
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
    await flushPromises();
    scheduler.runUntilIdle();
    await first;
    expect(await aliveWhenSecondResolved).toBe(0);
  });

  it('actor system: spawning after shutdown throws SystemStoppedError', async () => {
    const system = systems.live();
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
    const system = systems.live();
    system.root.spawn(lifecycle([], 0));
    const done = system.shutdown();
    expect(thrown(() => system.root.spawn(lifecycle([], 0)))).toBeInstanceOf(SystemStoppedError);
    await done;
  });

  it('actor system: two systems in one process are independent', async () => {
    const a = systems.live();
    const b = systems.live();
    expect(a.id).not.toBe(b.id);
    const logA: string[] = [];
    const logB: string[] = [];
    const inA = a.root.spawnNamed(lifecycle(logA, 0), 'same-name');
    const inB = b.root.spawnNamed(lifecycle(logB, 0), 'same-name');
    expect(inA.id).toBe(inB.id);
    const deadA = collect(a, DeadLetterEvent);
    const deadB = collect(b, DeadLetterEvent);
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
    const ids = new Set(Array.from({ length: 5 }, () => systems.live().id));
    expect(ids.size).toBe(5);
  });
});

describe('ActorSystem failure paths', () => {
  /** A strategy whose decider is user code with a bug: it throws instead of deciding. */
  const buggyDecider = (): OneForOneStrategy =>
    new OneForOneStrategy(() => {
      throw new Error('bug in the decider');
    });

  const workFailed = new Error('work failed');

  const failOn = (trigger: string): Props =>
    Props.fromFunc((ctx) => {
      if (ctx.message === trigger) throw workFailed;
      if (ctx.message === 'ping') ctx.respond('pong');
    });

  it('decider: a guardian decider that throws stops the top-level actor and publishes a stop', async () => {
    const { system, scheduler } = systems.virtual({ guardianStrategy: buggyDecider() });
    const events = collect(system, SupervisionEvent);
    const bad = system.root.spawnNamed(failOn('fail'), 'bad');
    const bystander = system.root.spawnNamed(failOn('never'), 'bystander');
    scheduler.runUntilIdle();
    system.root.send(bad, 'fail');
    expect(() => scheduler.runUntilIdle()).not.toThrow();
    expect(events.map((e) => [e.child.id, e.reason, e.directive])).toEqual([
      ['bad', workFailed, 'stop'],
    ]);
    expect(system.registry.getLocal('bad')).toBeUndefined();
    expect(system.topLevelActors.map((pid) => pid.id)).toEqual(['bystander']);
    // The scheduler is not wedged: other actors still answer.
    const reply = system.root.request(bystander, 'ping', 1_000);
    scheduler.runUntilIdle();
    await expect(reply).resolves.toBe('pong');
  });

  it('decider: on the event loop, a guardian decider that throws leaves the system running', async () => {
    const system = systems.live({ guardianStrategy: buggyDecider() });
    const decided = new Latch(1);
    const events: SupervisionEvent[] = [];
    system.eventStream.subscribe(SupervisionEvent, (event) => {
      events.push(event);
      decided.countDown();
    });
    const bad = system.root.spawn(failOn('fail'));
    const bystander = system.root.spawn(failOn('never'));
    system.root.send(bad, 'fail');
    await decided.wait(1_000);
    expect(events.map((e) => e.directive)).toEqual(['stop']);
    await expect(system.root.request(bystander, 'ping', 1_000)).resolves.toBe('pong');
    expect(system.registry.getLocal(bad.id)).toBeUndefined();
  });

  it('decider: a parent decider that throws stops the child, publishes a stop, and the parent lives on', async () => {
    const { system, scheduler } = systems.virtual();
    const events = collect(system, SupervisionEvent);
    const parentLog: string[] = [];
    const parent = system.root.spawnNamed(
      Props.fromFunc((ctx) => {
        const m = ctx.message;
        if (m === Started) ctx.spawnNamed(failOn('fail'), 'child');
        else if (m === Restarting) parentLog.push('Restarting');
        else if (m instanceof Terminated) parentLog.push(`Terminated ${m.who.id}`);
        else if (m === 'children?') ctx.respond(ctx.children.length);
      }).withSupervisor(buggyDecider()),
      'parent',
    );
    scheduler.runUntilIdle();
    system.root.send(new PID(system.address, 'parent/child'), 'fail');
    expect(() => scheduler.runUntilIdle()).not.toThrow();
    expect(events.map((e) => [e.child.id, e.reason, e.directive])).toEqual([
      ['parent/child', workFailed, 'stop'],
    ]);
    expect(system.registry.getLocal('parent/child')).toBeUndefined();
    expect(parentLog).toEqual(['Terminated parent/child']);
    const children = system.root.request(parent, 'children?', 1_000);
    scheduler.runUntilIdle();
    await expect(children).resolves.toBe(0);
  });

  it('producer: a throwing producer fails spawnNamed with its error and leaves the name free', async () => {
    const { system, scheduler } = systems.virtual();
    const deadLetters = collect(system, DeadLetterEvent);
    const failure = new Error('constructor failed');
    let failing = true;
    const props = Props.fromProducer(() => {
      if (failing) throw failure;
      return {
        receive: (ctx) => {
          if (ctx.message === 'ping') ctx.respond('pong');
        },
      };
    });
    const baseline = system.registry.size;
    expect(thrown(() => system.root.spawnNamed(props, 'svc'))).toBe(failure);
    expect(system.registry.size).toBe(baseline);
    expect(system.topLevelActors).toEqual([]);
    // A send to the name that never came to life is a dead letter, not a crash of the scheduler.
    system.root.send(new PID(system.address, 'svc'), 'hello');
    expect(() => scheduler.runUntilIdle()).not.toThrow();
    expect(deadLetters.map((e) => [e.pid?.id, e.message])).toEqual([['svc', 'hello']]);
    failing = false;
    const svc = system.root.spawnNamed(props, 'svc');
    const reply = system.root.request(svc, 'ping', 1_000);
    scheduler.runUntilIdle();
    await expect(reply).resolves.toBe('pong');
  });

  it('unregister: a PID held after its actor stopped no longer references the process', async () => {
    const { system, scheduler } = systems.virtual();
    const pid = system.root.spawn(Props.fromFunc(() => {}));
    scheduler.runUntilIdle();
    expect(pid.process).toBeDefined();
    const done = system.root.stopAsync(pid);
    scheduler.runUntilIdle();
    await done;
    // The cache is what would keep the mailbox, context and actor reachable from a stored PID.
    expect(pid.process).toBeUndefined();
    system.root.send(pid, 'late');
    expect(pid.process).toBeUndefined();
  });
});
