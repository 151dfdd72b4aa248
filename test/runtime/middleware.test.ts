import { describe, expect, it } from 'vitest';
import {
  MessageEnvelope,
  PID,
  PoisonPill,
  Props,
  Restarting,
  Started,
  Stopped,
  Stopping,
  Terminated,
  composeMiddleware,
  type ReceiveMiddleware,
  type SenderMiddleware,
  type SpawnMiddleware,
} from '../../runtime/index.ts';
import { Latch, TestProbe } from '../../testkit/index.ts';
import { flushPromises } from './helpers.ts';
import { systemFixture } from './system-fixture.ts';

const systems = systemFixture();

/** A short name for lifecycle messages and strings, for readable logs. */
function label(message: unknown): string {
  if (message === Started) return 'Started';
  if (message === Stopping) return 'Stopping';
  if (message === Stopped) return 'Stopped';
  if (message === Restarting) return 'Restarting';
  if (message === PoisonPill) return 'PoisonPill';
  if (message instanceof Terminated) return 'Terminated';
  return String(message);
}

/** Logs entry and exit around the rest of the chain. */
function tracing(name: string, log: string[]): ReceiveMiddleware {
  return (next) => (context) => {
    log.push(`${name} in ${label(context.message)}`);
    const result = next(context);
    log.push(`${name} out`);
    return result;
  };
}

/** Adds one header to every outbound envelope. */
function stamp(key: string, value: string): SenderMiddleware {
  return (next) => (context, target, envelope) =>
    next(
      context,
      target,
      new MessageEnvelope(envelope.message, envelope.sender, {
        ...envelope.headers,
        [key]: value,
      }),
    );
}

describe('Receive middleware', () => {
  it('receive middleware: the first listed runs first and outermost', () => {
    const { system, scheduler } = systems.virtual();
    const log: string[] = [];
    const pid = system.root.spawn(
      Props.fromFunc((context) => {
        if (context.message === 'hello') log.push('actor');
      }).withReceiveMiddleware(tracing('one', log), tracing('two', log)),
    );
    scheduler.runUntilIdle();
    log.length = 0;
    system.root.send(pid, 'hello');
    scheduler.runUntilIdle();
    expect(log).toEqual(['one in hello', 'two in hello', 'actor', 'two out', 'one out']);
  });

  it('receive middleware: sees a PoisonPill, and the actor still stops after it', () => {
    const { system, scheduler } = systems.virtual();
    const log: string[] = [];
    const pid = system.root.spawn(
      Props.fromFunc((context) => {
        if (typeof context.message === 'string') log.push(`actor ${context.message}`);
      }).withReceiveMiddleware(tracing('mw', log)),
    );
    scheduler.runUntilIdle();
    log.length = 0;
    system.root.send(pid, 'before');
    system.root.poison(pid);
    scheduler.runUntilIdle();
    expect(log).toEqual([
      'mw in before',
      'actor before',
      'mw out',
      'mw in PoisonPill',
      'mw in Stopping',
      'mw out',
      'mw in Stopped',
      'mw out',
      'mw out',
    ]);
    expect(system.registry.getLocal(pid.id)).toBeUndefined();
  });

  it('receive middleware: successive withReceiveMiddleware calls append to the chain', () => {
    const { system, scheduler } = systems.virtual();
    const log: string[] = [];
    const pid = system.root.spawn(
      Props.fromFunc(() => {})
        .withReceiveMiddleware(tracing('one', log))
        .withReceiveMiddleware(tracing('two', log)),
    );
    system.root.send(pid, 'x');
    scheduler.runUntilIdle();
    expect(log.filter((l) => l.endsWith(' x'))).toEqual(['one in x', 'two in x']);
  });

  it('receive middleware: sees every message, lifecycle included', () => {
    const { system, scheduler } = systems.virtual();
    const seen: string[] = [];
    const observe: ReceiveMiddleware = (next) => (context) => {
      seen.push(label(context.message));
      return next(context);
    };
    let first = true;
    const pid = system.root.spawn(
      Props.fromFunc((context) => {
        if (context.message === Started && first) {
          first = false;
          context.spawn(Props.fromFunc(() => {}));
        }
        if (context.message === 'stop child') for (const c of context.children) context.stop(c);
        if (context.message === 'fail') throw new Error('fail');
      }).withReceiveMiddleware(observe),
    );
    for (const m of ['user', 'stop child']) system.root.send(pid, m);
    scheduler.runUntilIdle(); // the child stops and its Terminated reaches the parent
    for (const m of ['fail', 'after']) system.root.send(pid, m);
    scheduler.runUntilIdle();
    system.root.stop(pid);
    scheduler.runUntilIdle();
    expect(seen).toEqual([
      'Started',
      'user',
      'stop child',
      'Terminated',
      'fail',
      'Restarting',
      'Started',
      'after',
      'Stopping',
      'Stopped',
    ]);
  });

  it('receive middleware: a middleware that does not call next filters the message out', () => {
    const { system, scheduler } = systems.virtual();
    const received: unknown[] = [];
    const dropSecrets: ReceiveMiddleware = (next) => (context) =>
      context.message === 'secret' ? undefined : next(context);
    const pid = system.root.spawn(
      Props.fromFunc((context) => {
        if (typeof context.message === 'string') received.push(context.message);
      }).withReceiveMiddleware(dropSecrets),
    );
    for (const m of ['a', 'secret', 'b']) system.root.send(pid, m);
    scheduler.runUntilIdle();
    expect(received).toEqual(['a', 'b']);
  });

  it('receive middleware: sees the sender and headers of the current message', async () => {
    const system = systems.live();
    const seen: { headers: unknown; sender: PID | undefined }[] = [];
    const observe: ReceiveMiddleware = (next) => (context) => {
      if (context.message === 'ping')
        seen.push({ headers: context.headers, sender: context.sender });
      return next(context);
    };
    const pid = system.root.spawn(
      Props.fromFunc((context) => {
        if (context.message === 'ping') context.respond('pong');
      }).withReceiveMiddleware(observe),
    );
    await system.root.request(pid, 'ping', { timeoutMs: 1_000, headers: { trace: 'abc' } });
    expect(seen).toHaveLength(1);
    expect(seen[0]!.headers).toEqual({ trace: 'abc' });
    expect(seen[0]!.sender).toBeDefined();
  });

  it('receive middleware: a middleware that returns the async result keeps the mailbox suspended', async () => {
    const system = systems.live();
    const log: string[] = [];
    const done = new Latch(3);
    const timing: ReceiveMiddleware = (next) => async (context) => {
      await next(context);
      if (typeof context.message === 'number') log.push(`measured ${context.message}`);
    };
    const pid = system.root.spawn(
      Props.fromFunc(async (context) => {
        const n = context.message;
        if (typeof n !== 'number') return;
        log.push(`start ${n}`);
        await new Promise((resolve) => setImmediate(resolve));
        log.push(`end ${n}`);
        done.countDown();
      }).withReceiveMiddleware(timing),
    );
    for (let i = 0; i < 3; i++) system.root.send(pid, i);
    await done.wait();
    await flushPromises();
    expect(log).toEqual([0, 1, 2].flatMap((n) => [`start ${n}`, `end ${n}`, `measured ${n}`]));
  });

  it('composeMiddleware: composes right to left so the first wrapper runs first', () => {
    const log: string[] = [];
    type Fn = (x: string) => string;
    const wrap =
      (name: string) =>
      (next: Fn): Fn =>
      (x) => {
        log.push(name);
        return next(`${x}>${name}`);
      };
    const chain = composeMiddleware([wrap('a'), wrap('b'), wrap('c')], (x: string) => x);
    expect(chain('in')).toBe('in>a>b>c');
    expect(log).toEqual(['a', 'b', 'c']);
    expect(composeMiddleware([], (x: string) => `${x}!`)('bare')).toBe('bare!');
  });
});

describe('Sender middleware', () => {
  it('sender middleware: sees every outbound envelope with the sending actor as context', async () => {
    const system = systems.live();
    const probe = TestProbe.spawn(system);
    const outbound: { from: PID | undefined; to: PID; message: unknown }[] = [];
    const record: SenderMiddleware = (next) => (context, target, envelope) => {
      outbound.push({ from: context.self, to: target, message: envelope.message });
      next(context, target, envelope);
    };
    const pid = system.root.spawn(
      Props.fromFunc((context) => {
        if (context.message === 'go') {
          context.send(probe.pid, 'one');
          context.send(probe.pid, 'two');
        }
      }).withSenderMiddleware(record),
    );
    system.root.send(pid, 'go');
    expect(await probe.receive(2)).toEqual(['one', 'two']);
    expect(outbound.map((o) => o.message)).toEqual(['one', 'two']);
    expect(outbound.every((o) => o.from?.equals(pid) === true && o.to.equals(probe.pid))).toBe(
      true,
    );
  });

  it('sender middleware: headers it adds reach the receiver’s context.headers', async () => {
    const system = systems.live();
    const probe = TestProbe.spawn(system);
    const pid = system.root.spawn(
      Props.fromFunc((context) => {
        if (context.message === 'go')
          context.send(probe.pid, 'traced', { headers: { own: 'yes' } });
      }).withSenderMiddleware(stamp('trace-id', 't-42')),
    );
    system.root.send(pid, 'go');
    expect(await probe.expectMessage()).toBe('traced');
    expect(probe.lastHeaders).toEqual({ own: 'yes', 'trace-id': 't-42' });
  });

  it('sender middleware: applies to respond and request, and runs in the order listed', async () => {
    const system = systems.live();
    const order: string[] = [];
    const named =
      (name: string): SenderMiddleware =>
      (next) =>
      (context, target, envelope) => {
        order.push(`${name} ${label(envelope.message)}`);
        next(context, target, envelope);
      };
    const echo = system.root.spawn(
      Props.fromFunc((context) => {
        if (typeof context.message === 'string') context.respond(`echo ${context.message}`);
      }),
    );
    const pid = system.root.spawn(
      Props.fromFunc(async (context) => {
        if (context.message !== 'ask') return;
        const answer = await context.request<string>(echo, 'hi', 1_000);
        context.respond(answer);
      }).withSenderMiddleware(named('first'), named('second')),
    );
    expect(await system.root.request(pid, 'ask', 1_000)).toBe('echo hi');
    expect(order).toEqual(['first hi', 'second hi', 'first echo hi', 'second echo hi']);
  });

  it('sender middleware: can swallow a message so it is never delivered', async () => {
    const system = systems.live();
    const probe = TestProbe.spawn(system);
    const censor: SenderMiddleware = (next) => (context, target, envelope) => {
      if (envelope.message !== 'forbidden') next(context, target, envelope);
    };
    const pid = system.root.spawn(
      Props.fromFunc((context) => {
        if (context.message === 'go') {
          context.send(probe.pid, 'forbidden');
          context.send(probe.pid, 'allowed');
        }
      }).withSenderMiddleware(censor),
    );
    system.root.send(pid, 'go');
    expect(await probe.expectMessage()).toBe('allowed');
    await probe.expectNoMessage(20);
  });
});

describe('Root context headers and sender middleware', () => {
  it('root context: withHeaders stamps every message it sends', async () => {
    const system = systems.live();
    const probe = TestProbe.spawn(system);
    const root = system.root.withHeaders({ tenant: 'acme' });
    root.send(probe.pid, 'one');
    expect(await probe.expectMessage()).toBe('one');
    expect(probe.lastHeaders).toEqual({ tenant: 'acme' });
  });

  it('root context: a per-message header wins over withHeaders, and the base root is unchanged', async () => {
    const system = systems.live();
    const probe = TestProbe.spawn(system);
    const root = system.root.withHeaders({ tenant: 'acme', region: 'eu' });
    root.send(probe.pid, 'override', { headers: { tenant: 'globex' } });
    await probe.expectMessage();
    expect(probe.lastHeaders).toEqual({ tenant: 'globex', region: 'eu' });
    system.root.send(probe.pid, 'plain');
    await probe.expectMessage();
    expect(probe.lastHeaders).toEqual({});
  });

  it('root context: withHeaders calls merge, the later value winning', async () => {
    const system = systems.live();
    const probe = TestProbe.spawn(system);
    const root = system.root.withHeaders({ a: '1', b: '1' }).withHeaders({ b: '2' });
    root.send(probe.pid, 'x');
    await probe.expectMessage();
    expect(probe.lastHeaders).toEqual({ a: '1', b: '2' });
  });

  it('root context: withHeaders also applies to request', async () => {
    const system = systems.live();
    const pid = system.root.spawn(
      Props.fromFunc((context) => {
        if (context.message === 'who') context.respond(context.headers['user'] ?? 'anonymous');
      }),
    );
    const root = system.root.withHeaders({ user: 'ada' });
    expect(await root.request(pid, 'who', 1_000)).toBe('ada');
  });

  it('root context: withSenderMiddleware sees outbound envelopes and sees withHeaders first', async () => {
    const system = systems.live();
    const probe = TestProbe.spawn(system);
    const seen: { self: PID | undefined; headers: unknown; message: unknown }[] = [];
    const record: SenderMiddleware = (next) => (context, target, envelope) => {
      seen.push({ self: context.self, headers: envelope.headers, message: envelope.message });
      next(context, target, envelope);
    };
    const root = system.root
      .withSenderMiddleware(record)
      .withHeaders({ tenant: 'acme' })
      .withSenderMiddleware(stamp('via', 'root'));
    root.send(probe.pid, 'hello');
    expect(await probe.expectMessage()).toBe('hello');
    expect(seen).toEqual([{ self: undefined, headers: { tenant: 'acme' }, message: 'hello' }]);
    expect(probe.lastHeaders).toEqual({ tenant: 'acme', via: 'root' });
  });
});

describe('Spawn middleware', () => {
  it('spawn middleware: wraps spawning and observes the id and parent', () => {
    const { system, scheduler } = systems.virtual();
    const log: string[] = [];
    const observe: SpawnMiddleware = (next) => (sys, id, props, parent) => {
      log.push(`before ${id} parent=${parent?.id ?? 'none'}`);
      const pid = next(sys, id, props, parent);
      log.push(`after ${pid.id}`);
      return pid;
    };
    const child = Props.fromFunc(() => {}).withSpawnMiddleware(observe);
    const parentPid = system.root.spawnNamed(
      Props.fromFunc((context) => {
        if (context.message === Started) context.spawnNamed(child, 'kid');
      }).withSpawnMiddleware(observe),
      'boss',
    );
    expect(log).toEqual(['before boss parent=none', 'after boss']);
    scheduler.runUntilIdle();
    expect(log).toEqual([
      'before boss parent=none',
      'after boss',
      `before boss/kid parent=${parentPid.id}`,
      'after boss/kid',
    ]);
  });

  it('spawn middleware: the first listed runs outermost', () => {
    const { system } = systems.virtual();
    const log: string[] = [];
    const named =
      (name: string): SpawnMiddleware =>
      (next) =>
      (...args) => {
        log.push(`${name} in`);
        const pid = next(...args);
        log.push(`${name} out`);
        return pid;
      };
    system.root.spawn(Props.fromFunc(() => {}).withSpawnMiddleware(named('a'), named('b')));
    expect(log).toEqual(['a in', 'b in', 'b out', 'a out']);
  });

  it('spawn middleware: can decorate the props of the actor it spawns', () => {
    const { system, scheduler } = systems.virtual();
    const seen: string[] = [];
    const decorate: SpawnMiddleware = (next) => (sys, id, props, parent) =>
      next(
        sys,
        id,
        props.withReceiveMiddleware((inner) => (context) => {
          seen.push(label(context.message));
          return inner(context);
        }),
        parent,
      );
    const pid = system.root.spawn(Props.fromFunc(() => {}).withSpawnMiddleware(decorate));
    system.root.send(pid, 'hello');
    scheduler.runUntilIdle();
    expect(seen).toEqual(['Started', 'hello']);
  });
});

describe('Sender middleware and forward', () => {
  it('sender middleware: forward goes through the forwarding actor’s sender middleware', () => {
    const { system, scheduler } = systems.virtual();
    const received: { message: unknown; sender: string | undefined; headers: object }[] = [];
    const target = system.root.spawn(
      Props.fromFunc((context) => {
        if (context.message === Started) return;
        received.push({
          message: context.message,
          sender: context.sender?.id,
          headers: context.headers,
        });
      }),
    );
    const outbound: string[] = [];
    const record: SenderMiddleware = (next) => (context, to, envelope) => {
      outbound.push(`${label(envelope.message)} -> ${to.id}`);
      next(context, to, envelope);
    };
    const forwarder = system.root.spawn(
      Props.fromFunc((context) => {
        if (context.message !== Started) context.forward(target);
      }).withSenderMiddleware(record, stamp('via', 'forwarder')),
    );
    const original = new PID(system.address, 'original-sender');
    system.root.send(forwarder, 'bare');
    system.root.send(forwarder, 'wrapped', { sender: original, headers: { trace: 't-1' } });
    scheduler.runUntilIdle();
    expect(outbound).toEqual([`bare -> ${target.id}`, `wrapped -> ${target.id}`]);
    // The original sender and headers travel on; the middleware adds its own.
    expect(received).toEqual([
      { message: 'bare', sender: undefined, headers: { via: 'forwarder' } },
      {
        message: 'wrapped',
        sender: 'original-sender',
        headers: { trace: 't-1', via: 'forwarder' },
      },
    ]);
  });
});
