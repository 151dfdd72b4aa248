import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ActorSystem,
  DeadLetterEvent,
  MailboxFullError,
  ManualScheduler,
  Props,
  SupervisionEvent,
  TimeoutError,
  type Context,
  type PID,
} from '../../runtime/index.ts';
import { TestProbe } from '../../testkit/index.ts';
import { collect, flushPromises, settle } from './helpers.ts';
import { systemFixture } from './system-fixture.ts';

const systems = systemFixture();

/** Tracks a promise's outcome without awaiting it. */
function track<T>(promise: Promise<T>): {
  state: 'pending' | 'resolved' | 'rejected';
  value?: unknown;
} {
  const outcome: { state: 'pending' | 'resolved' | 'rejected'; value?: unknown } = {
    state: 'pending',
  };
  promise.then(
    (value) => Object.assign(outcome, { state: 'resolved', value }),
    (error: unknown) => Object.assign(outcome, { state: 'rejected', value: error }),
  );
  return outcome;
}

const echo = Props.fromFunc((ctx) => {
  if (typeof ctx.message === 'string') ctx.respond(`echo:${ctx.message}`);
});

const blackHole = Props.fromFunc(() => {});

/** An actor that keeps the sender of every request so the test can answer whenever it likes. */
function holder(): { props: Props; senders: PID[] } {
  const senders: PID[] = [];
  const props = Props.fromFunc((ctx) => {
    if (ctx.sender !== undefined) senders.push(ctx.sender);
  });
  return { props, senders };
}

describe('request and FutureProcess', () => {
  it('request: a respond resolves the request with the reply', async () => {
    const system = systems.live();
    const pid = system.root.spawn(echo);
    await expect(system.root.request(pid, 'hi', 1_000)).resolves.toBe('echo:hi');
  });

  it('request: the receiver sees a future PID as the sender, unregistered once settled', async () => {
    const { system, scheduler } = systems.virtual();
    const { props, senders } = holder();
    const pid = system.root.spawn(props);
    const baseline = system.registry.size;
    const reply = track(system.root.request(pid, 'ping', 1_000));
    expect(system.registry.size).toBe(baseline + 1);
    scheduler.runUntilIdle();
    const future = senders[0]!;
    expect(future.id).toMatch(/^\$[0-9a-z]+$/); // generated, like an actor id
    expect(future.equals(pid)).toBe(false);
    expect(system.registry.getLocal(future.id)).toBeDefined();
    system.root.send(future, 'pong');
    await flushPromises();
    expect(reply).toEqual({ state: 'resolved', value: 'pong' });
    expect(system.registry.getLocal(future.id)).toBeUndefined();
    expect(system.registry.size).toBe(baseline);
  });

  it('request: a timeout rejects with TimeoutError and unregisters the future', async () => {
    const { system, scheduler } = systems.virtual();
    const pid = system.root.spawn(blackHole);
    scheduler.runUntilIdle();
    const baseline = system.registry.size;
    const reply = track(system.root.request(pid, 'ping', 100));
    scheduler.advance(99);
    await flushPromises();
    expect(reply.state).toBe('pending');
    scheduler.advance(1);
    await flushPromises();
    expect(reply.state).toBe('rejected');
    expect(reply.value).toBeInstanceOf(TimeoutError);
    expect(reply.value).toMatchObject({ code: 'ERR_TIMEOUT', name: 'TimeoutError' });
    expect((reply.value as Error).message).toContain('100 ms');
    expect(system.registry.size).toBe(baseline);
  });

  it('request: a numeric timeout and { timeoutMs } behave the same', async () => {
    const { system, scheduler } = systems.virtual();
    const pid = system.root.spawn(blackHole);
    const bare = track(system.root.request(pid, 'a', 50));
    const options = track(system.root.request(pid, 'b', { timeoutMs: 50 }));
    scheduler.advance(49);
    await flushPromises();
    expect([bare.state, options.state]).toEqual(['pending', 'pending']);
    scheduler.advance(1);
    await flushPromises();
    expect(bare.value).toBeInstanceOf(TimeoutError);
    expect(options.value).toBeInstanceOf(TimeoutError);

    const live = systems.live();
    const echoPid = live.root.spawn(echo);
    await expect(live.root.request(echoPid, 'x', 50)).resolves.toBe('echo:x');
    await expect(live.root.request(echoPid, 'y', { timeoutMs: 50 })).resolves.toBe('echo:y');
  });

  it('request: without a timeout the system requestTimeoutMs applies', async () => {
    const { system, scheduler } = systems.virtual({ requestTimeoutMs: 300 });
    const pid = system.root.spawn(blackHole);
    const implicit = track(system.root.request(pid, 'a'));
    const headersOnly = track(system.root.request(pid, 'b', { headers: { k: 'v' } }));
    scheduler.advance(299);
    await flushPromises();
    expect([implicit.state, headersOnly.state]).toEqual(['pending', 'pending']);
    scheduler.advance(1);
    await flushPromises();
    expect([implicit.state, headersOnly.state]).toEqual(['rejected', 'rejected']);
  });

  it('request: a late reply after the timeout becomes a dead letter and throws nothing', async () => {
    const { system, scheduler } = systems.virtual();
    const seen = collect(system, DeadLetterEvent);
    let late: PID | undefined;
    const slow = system.root.spawn(
      Props.fromFunc((ctx) => {
        if (ctx.message === 'slow') late = ctx.sender;
        if (ctx.message === 'answer now' && late !== undefined) ctx.send(late, 'too late');
      }),
    );
    const reply = track(system.root.request(slow, 'slow', 20));
    scheduler.advance(20);
    await flushPromises();
    expect(reply.value).toBeInstanceOf(TimeoutError);
    system.root.send(slow, 'answer now');
    expect(() => scheduler.runUntilIdle()).not.toThrow();
    await flushPromises();
    expect(seen).toHaveLength(1);
    expect(seen[0]?.pid?.equals(late)).toBe(true);
    expect(seen[0]?.message).toBe('too late');
    expect(reply.value).toBeInstanceOf(TimeoutError);
  });

  it('request: only the first reply settles the request; a second one is a dead letter', async () => {
    const { system, scheduler } = systems.virtual();
    const seen = collect(system, DeadLetterEvent);
    const twice = system.root.spawn(
      Props.fromFunc((ctx) => {
        if (ctx.message !== 'twice') return;
        ctx.respond('first');
        ctx.respond('second');
      }),
    );
    const reply = track(system.root.request(twice, 'twice', 1_000));
    scheduler.runUntilIdle();
    await flushPromises();
    expect(reply).toEqual({ state: 'resolved', value: 'first' });
    expect(seen.map((e) => e.message)).toEqual(['second']);
  });

  it('request: replies of any value settle the request exactly as sent', async () => {
    const system = systems.live();
    const instance = new Date(0);
    const replies: unknown[] = [undefined, null, 0, '', false, instance, { a: [1] }];
    const replier = system.root.spawn(
      Props.fromFunc((ctx) => {
        if (typeof ctx.message === 'number') ctx.respond(replies[ctx.message]);
      }),
    );
    for (let i = 0; i < replies.length; i++) {
      expect(await system.root.request(replier, i, 1_000)).toBe(replies[i]);
    }
  });

  it('request: many concurrent requests with equal and different timeouts all settle correctly', async () => {
    const spec = fc.record({
      start: fc.integer({ min: 0, max: 20 }),
      timeout: fc.constantFrom(5, 10, 10, 17, 25),
      replyAfter: fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(spec, { minLength: 1, maxLength: 30 }), async (specs) => {
        const scheduler = new ManualScheduler();
        const system = new ActorSystem({ scheduler });
        const senders = new Map<number, PID>();
        const responder = system.root.spawn(
          Props.fromFunc((ctx) => {
            if (typeof ctx.message === 'number' && ctx.sender !== undefined)
              senders.set(ctx.message, ctx.sender);
          }),
        );
        scheduler.runUntilIdle();
        const baseline = system.registry.size;
        const settled: { at: number; ok: boolean; value: unknown }[] = [];
        let lateReplies = 0;
        let deadLetters = 0;
        system.eventStream.subscribe(DeadLetterEvent, () => deadLetters++);
        for (let t = 0; t <= 60; t++) {
          specs.forEach((s, id) => {
            if (s.start !== t) return;
            system.root.request(responder, id, s.timeout).then(
              (value) => (settled[id] = { at: scheduler.now(), ok: true, value }),
              (error: unknown) => (settled[id] = { at: scheduler.now(), ok: false, value: error }),
            );
          });
          scheduler.runUntilIdle();
          specs.forEach((s, id) => {
            if (s.replyAfter === undefined || s.start + s.replyAfter !== t) return;
            if (s.replyAfter >= s.timeout) lateReplies++;
            system.root.send(senders.get(id)!, `reply ${id}`);
          });
          await flushPromises();
          scheduler.advance(1);
          await flushPromises();
        }
        specs.forEach((s, id) => {
          const outcome = settled[id];
          expect(outcome).toBeDefined();
          const replied = s.replyAfter !== undefined;
          // Expiry may come up to 1 ms early (timer granularity); skip that boundary case.
          if (replied && s.replyAfter === s.timeout - 1) return;
          if (replied && s.replyAfter! < s.timeout) {
            expect(outcome).toEqual({
              at: s.start + s.replyAfter!,
              ok: true,
              value: `reply ${id}`,
            });
          } else {
            expect(outcome?.ok).toBe(false);
            expect(outcome?.value).toBeInstanceOf(TimeoutError);
            expect(outcome!.at).toBeGreaterThanOrEqual(s.start + s.timeout - 1);
            expect(outcome!.at).toBeLessThanOrEqual(s.start + s.timeout);
          }
        });
        expect(deadLetters).toBeGreaterThanOrEqual(lateReplies);
        expect(system.registry.size).toBe(baseline);
        const done = system.shutdown();
        scheduler.runUntilIdle();
        await done;
      }),
      { numRuns: 30 },
    );
  });

  it('request: a thousand concurrent requests with one timeout expire together and unregister', async () => {
    const { system, scheduler } = systems.virtual();
    const pid = system.root.spawn(blackHole);
    scheduler.runUntilIdle();
    const baseline = system.registry.size;
    const replies = Array.from({ length: 1_000 }, (_, i) => track(system.root.request(pid, i, 40)));
    expect(system.registry.size).toBe(baseline + 1_000);
    scheduler.advance(40);
    await flushPromises();
    expect(replies.every((r) => r.value instanceof TimeoutError)).toBe(true);
    expect(system.registry.size).toBe(baseline);
  });

  it('request: forward keeps the original sender, so the last actor answers the requester', async () => {
    const system = systems.live();
    const last = system.root.spawn(
      Props.fromFunc((ctx) => {
        if (typeof ctx.message === 'string')
          ctx.respond({ from: 'last', message: ctx.message, trace: ctx.headers['trace'] });
      }),
    );
    const middle = system.root.spawn(
      Props.fromFunc((ctx) => {
        if (typeof ctx.message === 'string') ctx.forward(last);
      }),
    );
    const first = system.root.spawn(
      Props.fromFunc((ctx) => {
        if (typeof ctx.message === 'string') ctx.forward(middle);
      }),
    );
    const reply = await system.root.request(first, 'hop', {
      timeoutMs: 1_000,
      headers: { trace: 't1' },
    });
    expect(reply).toEqual({ from: 'last', message: 'hop', trace: 't1' });
  });

  it('request: forward of a message sent with a sender reaches that sender', async () => {
    const system = systems.live();
    const probe = TestProbe.spawn(system);
    const target = system.root.spawn(echo);
    const forwarder = system.root.spawn(
      Props.fromFunc((ctx) => {
        if (ctx.message === 'fwd') ctx.forward(target);
      }),
    );
    system.root.send(forwarder, 'fwd', { sender: probe.pid });
    expect(await probe.expectMessage()).toBe('echo:fwd');
    expect(probe.lastSender).toBeUndefined();
  });

  it('request: headers given to request reach the receiver', async () => {
    const system = systems.live();
    const headerEcho = system.root.spawn(
      Props.fromFunc((ctx) => {
        if (ctx.message === 'headers?') ctx.respond({ ...ctx.headers });
      }),
    );
    await expect(
      system.root.request(headerEcho, 'headers?', { headers: { trace: 'abc', user: 'u1' } }),
    ).resolves.toEqual({ trace: 'abc', user: 'u1' });
    await expect(
      system.root.withHeaders({ trace: 'root', tenant: 't' }).request(headerEcho, 'headers?', {
        headers: { trace: 'call' },
      }),
    ).resolves.toEqual({ trace: 'call', tenant: 't' });
    await expect(system.root.request(headerEcho, 'headers?', 1_000)).resolves.toEqual({});
  });

  it('request: an actor can request another actor and continue with the reply', async () => {
    const system = systems.live();
    const target = system.root.spawn(echo);
    const asker = system.root.spawn(
      Props.fromFunc((ctx: Context) => {
        if (ctx.message !== 'go') return;
        ctx.reenterAfter(ctx.request<string>(target, 'inner', 1_000), (result) => {
          ctx.respond(result.ok ? `got ${result.value}` : 'failed');
        });
      }),
    );
    await expect(system.root.request(asker, 'go', 1_000)).resolves.toBe('got echo:inner');
  });

  it('request: a full bounded mailbox rejects the request and leaves no future behind', async () => {
    const { system, scheduler } = systems.virtual();
    const pid = system.root.spawn(blackHole.withMailbox({ capacity: 1 }));
    scheduler.runUntilIdle();
    system.root.send(pid, 'fills the mailbox');
    const baseline = system.registry.size;
    const outcome = await Promise.resolve()
      .then(() => system.root.request(pid, 'no room', 10_000))
      .then(
        () => 'resolved',
        (error: unknown) => error,
      );
    expect(outcome).toBeInstanceOf(MailboxFullError);
    expect(outcome).toMatchObject({ code: 'ERR_MAILBOX_FULL' });
    expect(system.registry.size).toBe(baseline);
  });

  it('request: a negative or NaN timeout is refused instead of waiting forever', async () => {
    const { system, scheduler } = systems.virtual();
    const pid = system.root.spawn(blackHole);
    scheduler.runUntilIdle();
    const baseline = system.registry.size;
    for (const timeoutMs of [-1, Number.NaN]) {
      let outcome: unknown = 'pending';
      try {
        system.root.request(pid, 'x', timeoutMs).then(
          () => (outcome = 'resolved'),
          (error: unknown) => (outcome = error),
        );
      } catch (error) {
        outcome = error;
      }
      scheduler.advance(60_000);
      await flushPromises();
      expect(outcome).toMatchObject({ code: 'ERR_INVALID_CONFIG' });
    }
    expect(system.registry.size).toBe(baseline);
  });
});

describe('request to a full mailbox', () => {
  it('request: a full bounded mailbox makes request return a rejected promise, never throw', async () => {
    const { system, scheduler } = systems.virtual();
    const pid = system.root.spawn(blackHole.withMailbox({ capacity: 1 }));
    scheduler.runUntilIdle();
    system.root.send(pid, 'fills the mailbox');
    const baseline = system.registry.size;
    let thrown: unknown;
    let reply: Promise<unknown> | undefined;
    try {
      reply = system.root.request(pid, 'no room', 10_000);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeUndefined();
    // Nothing is left waiting: no future in the registry, no timer to fire later.
    expect(system.registry.size).toBe(baseline);
    await expect(reply).rejects.toMatchObject({ code: 'ERR_MAILBOX_FULL' });
  });

  it('request: an actor requesting from a full mailbox gets the rejection and does not fail', async () => {
    const { system, scheduler } = systems.virtual();
    const failures = collect(system, SupervisionEvent);
    // Stuck in an async receive, so the one message behind it keeps the mailbox full.
    const full = system.root.spawn(
      Props.fromFunc(async (ctx: Context) => {
        if (ctx.message === 'block') await new Promise(() => {});
      }).withMailbox({ capacity: 1 }),
    );
    system.root.send(full, 'block');
    await settle(scheduler);
    system.root.send(full, 'fills the mailbox');
    const asker = system.root.spawn(
      Props.fromFunc((ctx: Context) => {
        if (ctx.message !== 'ask') return;
        ctx.reenterAfter(ctx.request(full, 'no room', 10_000), (result) => {
          ctx.respond(result.ok ? 'answered' : (result.error as { code: string }).code);
        });
      }),
    );
    const reply = track(system.root.request(asker, 'ask', 1_000));
    await settle(scheduler);
    expect(reply).toEqual({ state: 'resolved', value: 'ERR_MAILBOX_FULL' });
    expect(failures).toEqual([]);
  });
});
