import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import {
  DeadLetterError,
  DeadLetterEvent,
  DeadLetterResponse,
  PID,
  Props,
  Started,
  Terminated,
  type Context,
} from '../../runtime/index.ts';
import { TestProbe, withTimeout } from '../../testkit/index.ts';
import { collect } from './helpers.ts';
import { systemFixture } from './system-fixture.ts';

const systems = systemFixture();

const blackHole = Props.fromFunc(() => {});

describe('DeadLetterProcess', () => {
  it('dead letters: a send to an unknown PID publishes a DeadLetterEvent with pid and message', () => {
    const { system } = systems.virtual();
    const seen = collect(system, DeadLetterEvent);
    const nobody = new PID(system.address, 'nobody');
    system.root.send(nobody, 'hello');
    expect(seen).toHaveLength(1);
    expect(seen[0]?.pid?.equals(nobody)).toBe(true);
    expect(seen[0]?.message).toBe('hello');
    expect(seen[0]?.sender).toBeUndefined();
    expect(seen[0]?.reason).toBe('no-target');
  });

  it('dead letters: a send to a stopped PID carries the sender, which gets a DeadLetterResponse', async () => {
    const system = systems.live();
    const target = system.root.spawn(blackHole);
    await system.root.stopAsync(target);
    const seen = collect(system, DeadLetterEvent);
    const probe = TestProbe.spawn(system);
    const message = { order: 7 };
    system.root.send(target, message, { sender: probe.pid });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.pid?.equals(target)).toBe(true);
    expect(seen[0]?.message).toBe(message);
    expect(seen[0]?.sender?.equals(probe.pid)).toBe(true);
    const response = await probe.expectInstance(DeadLetterResponse);
    expect(response.target.equals(target)).toBe(true);
  });

  it('dead letters: user messages still queued when an actor stops become dead letters in order', () => {
    const { system, scheduler } = systems.virtual();
    const seen = collect(system, DeadLetterEvent);
    const received: unknown[] = [];
    const pid = system.root.spawn(Props.fromFunc((ctx) => void received.push(ctx.message)));
    scheduler.runUntilIdle();
    for (const m of ['a', 'b', 'c']) system.root.send(pid, m);
    system.root.stop(pid);
    scheduler.runUntilIdle();
    expect(received).not.toContain('a');
    expect(seen.map((e) => e.message)).toEqual(['a', 'b', 'c']);
    expect(seen.every((e) => e.reason === 'stopped' && e.pid?.equals(pid) === true)).toBe(true);
  });

  it('dead letters: stopping an actor before it ran does not dead-letter its Started message', () => {
    const { system, scheduler } = systems.virtual();
    const seen = collect(system, DeadLetterEvent);
    const pid = system.root.spawn(blackHole);
    system.root.send(pid, 'queued');
    system.root.stop(pid);
    scheduler.runUntilIdle();
    // Started is the runtime's own lifecycle signal, not a message anybody sent.
    expect(seen.map((e) => e.message)).toEqual(['queued']);
  });

  it('dead letters: a bounded mailbox with the drop policy dead-letters the overflow', () => {
    const { system, scheduler } = systems.virtual();
    const seen = collect(system, DeadLetterEvent);
    const pid = system.root.spawn(blackHole.withMailbox({ capacity: 2, overflow: 'drop' }));
    scheduler.runUntilIdle();
    for (let i = 0; i < 5; i++) system.root.send(pid, i);
    expect(seen.map((e) => [e.message, e.reason])).toEqual([
      [2, 'mailbox-full'],
      [3, 'mailbox-full'],
      [4, 'mailbox-full'],
    ]);
  });

  it('dead letters: request to an unknown PID rejects with DeadLetterError at once, not at its timeout', async () => {
    const { system, scheduler } = systems.virtual();
    const baseline = system.registry.size;
    const nobody = new PID(system.address, 'nobody');
    const error: unknown = await system.root.request(nobody, 'ping', 10_000).then(
      () => 'resolved',
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(DeadLetterError);
    expect(error).toMatchObject({ code: 'ERR_DEAD_LETTER', target: nobody.toString() });
    // No virtual time passed: the rejection did not come from the timeout.
    expect(scheduler.now()).toBe(0);
    expect(system.registry.size).toBe(baseline);
  });

  it('dead letters: request to a stopped actor fails fast on the event loop too', async () => {
    const system = systems.live();
    const target = system.root.spawn(blackHole);
    await system.root.stopAsync(target);
    const baseline = system.registry.size;
    // A 10 s request must settle well within the 1 s guard.
    const outcome = withTimeout(
      system.root.request(target, 'ping', { timeoutMs: 10_000 }),
      1_000,
      () => 'request to a dead PID waited for its timeout',
    );
    await expect(outcome).rejects.toMatchObject({ code: 'ERR_DEAD_LETTER' });
    expect(system.registry.size).toBe(baseline);
  });

  it('dead letters: a request from inside an actor to a dead PID rejects with DeadLetterError', async () => {
    const system = systems.live();
    const nobody = new PID(system.address, 'nobody');
    const asker = system.root.spawn(
      Props.fromFunc((ctx) => {
        if (ctx.message !== 'ask') return;
        ctx.reenterAfter(ctx.request(nobody, 'ping', 10_000), (result) => {
          ctx.respond(result.ok ? 'resolved' : result.error);
        });
      }),
    );
    const error = await system.root.request(asker, 'ask', 1_000);
    expect(error).toBeInstanceOf(DeadLetterError);
  });

  it('dead letters: a DeadLetterResponse is never answered with another one (no ping-pong)', () => {
    const { system, scheduler } = systems.virtual();
    const seen = collect(system, DeadLetterEvent);
    const goneA = new PID(system.address, 'gone-a');
    const goneB = new PID(system.address, 'gone-b');
    system.root.send(goneA, new DeadLetterResponse(goneA), { sender: goneB });
    scheduler.runUntilIdle();
    expect(seen).toHaveLength(1);
    expect(seen[0]?.message).toBeInstanceOf(DeadLetterResponse);
  });

  it('dead letters: a message with a dead sender yields exactly two dead letters', () => {
    const { system, scheduler } = systems.virtual();
    const seen = collect(system, DeadLetterEvent);
    const goneA = new PID(system.address, 'gone-a');
    const goneB = new PID(system.address, 'gone-b');
    system.root.send(goneA, 'hello', { sender: goneB });
    scheduler.runUntilIdle();
    expect(seen).toHaveLength(2);
    expect(seen[0]?.pid?.equals(goneA)).toBe(true);
    expect(seen[1]?.pid?.equals(goneB)).toBe(true);
    expect(seen[1]?.message).toBeInstanceOf(DeadLetterResponse);
    expect(seen[1]?.sender).toBeUndefined();
  });

  it('dead letters: an actor receiving a DeadLetterResponse does not bounce it back', async () => {
    const system = systems.live();
    const seen = collect(system, DeadLetterEvent);
    const nobody = new PID(system.address, 'nobody');
    const got = new Array<unknown>();
    const sender = system.root.spawn(
      Props.fromFunc((ctx) => {
        if (ctx.message === 'go') {
          ctx.send(nobody, 'hello', { sender: ctx.self });
          ctx.respond('sent');
        } else if (ctx.message instanceof DeadLetterResponse) {
          got.push(ctx.message);
          ctx.respond('ignored');
        } else if (ctx.message === 'count') ctx.respond(got.length);
      }),
    );
    await system.root.request(sender, 'go', 1_000);
    // The DeadLetterResponse was queued while 'go' ran, so 'count' is processed after it.
    await expect(system.root.request(sender, 'count', 1_000)).resolves.toBe(1);
    // 'hello' to nobody, then the reply to the DeadLetterResponse, which carries no sender.
    expect(seen.map((e) => e.message)).toEqual(['hello', 'ignored']);
    expect(seen[1]?.pid).toBeUndefined();
  });

  it('dead letters: respond with no sender publishes a dead letter with no target', async () => {
    const system = systems.live();
    const seen = collect(system, DeadLetterEvent);
    const probe = TestProbe.spawn(system);
    const responder = system.root.spawn(
      Props.fromFunc((ctx) => {
        if (ctx.message === 'reply') {
          ctx.respond('into the void');
          ctx.send(probe.pid, 'done');
        }
      }),
    );
    system.root.send(responder, 'reply');
    await probe.expectMessage((m) => m === 'done');
    expect(seen).toHaveLength(1);
    expect(seen[0]?.pid).toBeUndefined();
    expect(seen[0]?.message).toBe('into the void');
    expect(seen[0]?.sender).toBeUndefined();
  });

  it('dead letters: watching a stopped PID yields Terminated with reason NotFound', async () => {
    const system = systems.live();
    const target = system.root.spawn(blackHole);
    await system.root.stopAsync(target);
    const probe = TestProbe.spawn(system);
    probe.watch(target);
    const terminated = await probe.expectInstance(Terminated);
    expect(terminated.who.equals(target)).toBe(true);
    expect(terminated.why).toBe('NotFound');
  });

  it('dead letters: watching a PID that never existed yields Terminated NotFound from inside an actor', async () => {
    const system = systems.live();
    const nobody = new PID(system.address, 'never-spawned');
    const probe = TestProbe.spawn(system);
    system.root.spawn(
      Props.fromFunc((ctx: Context) => {
        if (ctx.message === Started) ctx.watch(nobody);
        else if (ctx.message instanceof Terminated) ctx.send(probe.pid, ctx.message);
      }),
    );
    const terminated = await probe.expectInstance(Terminated);
    expect(terminated.who.equals(nobody)).toBe(true);
    expect(terminated.why).toBe('NotFound');
  });

  it('dead letters: stopAsync of an already stopped PID resolves', async () => {
    const system = systems.live();
    const target = system.root.spawn(blackHole);
    await system.root.stopAsync(target);
    await withTimeout(system.root.stopAsync(target), 1_000, () => 'second stopAsync hung');
    await withTimeout(system.root.poisonAsync(target), 1_000, () => 'poisonAsync hung');
  });
});

describe('dead-letter log', () => {
  /** A system whose pino logger writes JSON lines into an array. */
  function loggingSystem(limit: number, intervalMs: number) {
    const lines: Record<string, unknown>[] = [];
    const logger = pino(
      { level: 'info' },
      { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    );
    const { system, scheduler } = systems.virtual({
      logger,
      deadLetterLogLimit: limit,
      deadLetterLogIntervalMs: intervalMs,
    });
    const letters = (): Record<string, unknown>[] =>
      lines.filter((l) => l['msg'] === 'dead letter');
    const summaries = (): Record<string, unknown>[] => lines.filter((l) => 'suppressed' in l);
    return { system, scheduler, letters, summaries };
  }

  it('dead-letter log: only deadLetterLogLimit lines per interval, then one summary with the count', () => {
    const { system, scheduler, letters, summaries } = loggingSystem(3, 1_000);
    const nobody = new PID(system.address, 'nobody');
    for (let i = 0; i < 10; i++) system.root.send(nobody, i);
    expect(letters()).toHaveLength(3);
    expect(summaries()).toHaveLength(0);
    scheduler.advance(999);
    expect(summaries()).toHaveLength(0);
    scheduler.advance(1);
    expect(summaries()).toHaveLength(1);
    expect(summaries()[0]?.['suppressed']).toBe(7);
    expect(summaries()[0]?.['msg']).toContain('7');
    scheduler.advance(5_000);
    expect(summaries()).toHaveLength(1);
  });

  it('dead-letter log: a dead-letter line names the target, the message type and the reason', () => {
    const { system, letters } = loggingSystem(3, 1_000);
    const sender = new PID(system.address, 'asker');
    const nobody = new PID(system.address, 'nobody');
    system.root.send(nobody, new Map(), { sender });
    expect(letters()[0]).toMatchObject({
      target: nobody.toString(),
      sender: sender.toString(),
      type: 'Map',
      reason: 'no-target',
      level: 30,
    });
  });

  it('dead-letter log: every interval gets a fresh allowance and its own summary', () => {
    const { system, scheduler, letters, summaries } = loggingSystem(2, 1_000);
    const nobody = new PID(system.address, 'nobody');
    for (let i = 0; i < 5; i++) system.root.send(nobody, i);
    scheduler.advance(1_000);
    for (let i = 0; i < 4; i++) system.root.send(nobody, i);
    scheduler.advance(1_000);
    expect(letters()).toHaveLength(4);
    expect(summaries().map((s) => s['suppressed'])).toEqual([3, 2]);
  });

  it('dead-letter log: an interval within the limit writes no summary line', () => {
    const { system, scheduler, letters, summaries } = loggingSystem(3, 1_000);
    const nobody = new PID(system.address, 'nobody');
    for (let i = 0; i < 3; i++) system.root.send(nobody, i);
    scheduler.advance(10_000);
    expect(letters()).toHaveLength(3);
    expect(summaries()).toHaveLength(0);
  });

  it('dead-letter log: nothing is written when the logger level is above info', () => {
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    const { system, scheduler } = systems.virtual({ logger, deadLetterLogLimit: 1 });
    const nobody = new PID(system.address, 'nobody');
    for (let i = 0; i < 5; i++) system.root.send(nobody, i);
    scheduler.advance(10_000);
    expect(lines).toEqual([]);
  });
});
