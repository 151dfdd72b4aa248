import { describe, expect, it } from 'vitest';
import {
  DeadLetterResponse,
  PID,
  PoisonPill,
  PoisonPillMessage,
  Props,
  ReceiveTimeout,
  ReceiveTimeoutMessage,
  Restarting,
  RestartingMessage,
  Started,
  StartedMessage,
  Stopped,
  StoppedMessage,
  Stopping,
  StoppingMessage,
  Terminated,
  type Context,
} from '../../runtime/index.ts';
import { isNotInfluenceReceiveTimeout } from '../../runtime/messages.ts';
import { TestProbe } from '../../testkit/index.ts';
import { systemFixture } from './system-fixture.ts';

const systems = systemFixture();

class Order {
  constructor(
    readonly id: number,
    private readonly lines: string[],
  ) {}
  get size(): number {
    return this.lines.length;
  }
}

/** Values that are easy to lose or coerce on the way: falsy, NaN, -0, symbols, bigints. */
const PRIMITIVES: readonly unknown[] = [
  null,
  undefined,
  0,
  -0,
  '',
  false,
  Number.NaN,
  Symbol('tag'),
  0n,
  true,
  'text',
  42,
];

/** A probe's messages compared with what was sent, by identity (`Object.is`). */
function sameValues(received: readonly unknown[], sent: readonly unknown[]): boolean {
  return received.length === sent.length && sent.every((m, i) => Object.is(received[i], m));
}

describe('messages', () => {
  it('messages: primitives, null and undefined are delivered exactly as sent', async () => {
    const system = systems.live();
    const probe = TestProbe.spawn(system);
    for (const m of PRIMITIVES) system.root.send(probe.pid, m);
    const received = await probe.receive(PRIMITIVES.length);
    expect(sameValues(received, PRIMITIVES)).toBe(true);
  });

  it('messages: primitives sent with a sender and headers arrive unchanged too', async () => {
    const system = systems.live();
    const probe = TestProbe.spawn(system);
    const sender = new PID(system.address, 'someone');
    for (const m of PRIMITIVES) system.root.send(probe.pid, m, { sender, headers: { h: '1' } });
    const received: unknown[] = [];
    for (let i = 0; i < PRIMITIVES.length; i++) {
      received.push(await probe.expectMessage());
      expect(probe.lastSender?.equals(sender)).toBe(true);
      expect(probe.lastHeaders).toEqual({ h: '1' });
    }
    expect(sameValues(received, PRIMITIVES)).toBe(true);
  });

  it('messages: plain objects and arrays arrive as the same object, not a copy', async () => {
    const system = systems.live();
    const probe = TestProbe.spawn(system);
    const plain = { nested: { list: [1, 2] } };
    const frozen = Object.freeze({ id: 1 });
    const list = [plain, frozen];
    const map = new Map([['k', 'v']]);
    const sent = [plain, frozen, list, map];
    for (const m of sent) system.root.send(probe.pid, m);
    expect(sameValues(await probe.receive(sent.length), sent)).toBe(true);
  });

  it('messages: class instances keep their identity, prototype and behaviour', async () => {
    const system = systems.live();
    const probe = TestProbe.spawn(system);
    const order = new Order(7, ['a', 'b']);
    system.root.send(probe.pid, order);
    const received = await probe.expectInstance(Order);
    expect(received).toBe(order);
    expect(Object.getPrototypeOf(received)).toBe(Order.prototype);
    expect(received.size).toBe(2);
  });

  it('messages: every value survives a request and its reply unchanged', async () => {
    const system = systems.live();
    const mirror = system.root.spawn(
      Props.fromFunc((ctx) => {
        if (ctx.message !== Started) ctx.respond(ctx.message);
      }),
    );
    const instance = new Order(1, []);
    for (const m of [...PRIMITIVES, instance, { plain: true }]) {
      const reply = await system.root.request(mirror, m, 1_000);
      expect(Object.is(reply, m)).toBe(true);
    }
  });

  it('messages: sends between actors deliver the value as sent, in order', async () => {
    const system = systems.live();
    const probe = TestProbe.spawn(system);
    const sent = [0, '', null, undefined, false, new Order(2, ['x'])];
    system.root.spawn(
      Props.fromFunc((ctx: Context) => {
        if (ctx.message === Started) for (const m of sent) ctx.send(probe.pid, m);
      }),
    );
    expect(sameValues(await probe.receive(sent.length), sent)).toBe(true);
  });

  it('messages: a plain object that looks like a lifecycle message is an ordinary message', async () => {
    const system = systems.live();
    const seen: unknown[] = [];
    const pid = system.root.spawn(
      Props.fromFunc((ctx) => {
        if (ctx.message === 'done?') ctx.respond(seen.length);
        else seen.push(ctx.message);
      }),
    );
    const lookalikes = [{ kind: 'Started' }, { kind: 'PoisonPill' }, { kind: 'Stopped' }];
    for (const m of lookalikes) system.root.send(pid, m);
    await expect(system.root.request(pid, 'done?', 1_000)).resolves.toBe(4);
    expect(seen.slice(1)).toEqual(lookalikes);
    expect(seen[0]).toBe(Started);
  });

  it('messages: lifecycle messages are singletons of their own classes', () => {
    const pairs: [unknown, abstract new () => { kind: string }, string][] = [
      [Started, StartedMessage, 'Started'],
      [Stopping, StoppingMessage, 'Stopping'],
      [Stopped, StoppedMessage, 'Stopped'],
      [Restarting, RestartingMessage, 'Restarting'],
      [ReceiveTimeout, ReceiveTimeoutMessage, 'ReceiveTimeout'],
      [PoisonPill, PoisonPillMessage, 'PoisonPill'],
    ];
    for (const [singleton, type, kind] of pairs) {
      expect(singleton).toBeInstanceOf(type);
      expect(singleton).toMatchObject({ kind });
    }
    expect(new Set(pairs.map(([s]) => s)).size).toBe(pairs.length);
  });

  it('messages: Terminated and DeadLetterResponse carry the PID they are about', () => {
    const pid = new PID('local', 'x');
    expect(new Terminated(pid, 'NotFound')).toMatchObject({ who: pid, why: 'NotFound' });
    expect(new DeadLetterResponse(pid).target).toBe(pid);
  });

  it('messages: only messages marked notInfluenceReceiveTimeout: true opt out', () => {
    class Heartbeat {
      readonly notInfluenceReceiveTimeout = true as const;
    }
    expect(isNotInfluenceReceiveTimeout(new Heartbeat())).toBe(true);
    expect(isNotInfluenceReceiveTimeout({ notInfluenceReceiveTimeout: true })).toBe(true);
    for (const m of [{ notInfluenceReceiveTimeout: 'yes' }, {}, null, undefined, 1, 'x']) {
      expect(isNotInfluenceReceiveTimeout(m)).toBe(false);
    }
  });

  it('messages: a PoisonPill stops the actor after the messages queued before it', async () => {
    const system = systems.live();
    const seen: unknown[] = [];
    const pid = system.root.spawn(
      Props.fromFunc((ctx) => {
        if (ctx.message !== Started && ctx.message !== Stopping && ctx.message !== Stopped)
          seen.push(ctx.message);
      }),
    );
    system.root.send(pid, 1);
    system.root.send(pid, 2);
    await system.root.poisonAsync(pid);
    expect(seen).toEqual([1, 2]);
    expect(system.registry.getLocal(pid.id)).toBeUndefined();
  });

  it('messages: a PoisonPill sent with headers or a sender still stops the actor', async () => {
    const system = systems.live();
    const received: unknown[] = [];
    const probe = TestProbe.spawn(system);
    const pid = system.root.spawn(
      Props.fromFunc((ctx) => {
        if (ctx.message === PoisonPill) received.push(ctx.message);
      }),
    );
    probe.watch(pid);
    system.root.send(pid, PoisonPill, { headers: { trace: 't' }, sender: probe.pid });
    const terminated = await probe.expectInstance(Terminated, 500);
    expect(terminated.who.equals(pid)).toBe(true);
    expect(received).toEqual([]);
  });
});
