import { describe, expect, it } from 'vitest';
import {
  DeadLetterEvent,
  MailboxFullError,
  ManualScheduler,
  Mailbox,
  Props,
  Started,
  Stopped,
  Stopping,
  type ActorSystem,
  type Context,
  type MailboxStatistics,
  type PID,
} from '../../runtime/index.ts';
import { Latch } from '../../testkit/index.ts';
import { collect, deferred, flushPromises, thrown } from './helpers.ts';
import { systemFixture } from './system-fixture.ts';

type Invoker = Parameters<Mailbox['start']>[0];

const systems = systemFixture();

/** A mailbox on a manual scheduler whose invoker logs what it is given. */
function recordingMailbox(
  throughput = 300,
  capacity = Number.POSITIVE_INFINITY,
  onUser: (message: unknown) => void | PromiseLike<unknown> = () => {},
): { mailbox: Mailbox; scheduler: ManualScheduler; log: string[]; failures: unknown[] } {
  const scheduler = new ManualScheduler();
  const mailbox = new Mailbox({ scheduler, throughput, capacity, statistics: undefined });
  const log: string[] = [];
  const failures: unknown[] = [];
  const invoker: Invoker = {
    invokeSystemMessage: (message) => void log.push(`system:${String(message)}`),
    invokeUserMessage: (message) => {
      log.push(`user:${String(message)}`);
      return onUser(message);
    },
    escalateFailure: (reason, message) => void failures.push({ reason, message }),
  };
  mailbox.start(invoker);
  return { mailbox, scheduler, log, failures };
}

/** Records the user strings an actor receives. */
function recorder(log: unknown[]): Props {
  return Props.fromFunc((context) => {
    if (typeof context.message === 'string' || typeof context.message === 'number')
      log.push(context.message);
  });
}

describe('Mailbox', () => {
  it('mailbox: system messages are processed before user messages posted earlier', () => {
    const { mailbox, scheduler, log } = recordingMailbox();
    mailbox.postUser('u1');
    mailbox.postUser('u2');
    mailbox.postSystem('s1');
    mailbox.postSystem('s2');
    expect(scheduler.pending).toBe(1);
    scheduler.runUntilIdle();
    expect(log).toEqual(['system:s1', 'system:s2', 'user:u1', 'user:u2']);
  });

  it('mailbox: a system message posted while a user message runs overtakes the rest of the batch', () => {
    const holder: { mailbox?: Mailbox } = {};
    const { mailbox, scheduler, log } = recordingMailbox(300, Infinity, (message) => {
      if (message === 'u1') holder.mailbox!.postSystem('urgent');
    });
    holder.mailbox = mailbox;
    for (const m of ['u1', 'u2', 'u3']) mailbox.postUser(m);
    scheduler.runUntilIdle();
    expect(log).toEqual(['user:u1', 'system:urgent', 'user:u2', 'user:u3']);
  });

  it('mailbox: posting to an idle mailbox schedules it once, however many messages follow', () => {
    const { mailbox, scheduler } = recordingMailbox();
    mailbox.postUser('a');
    mailbox.postUser('b');
    mailbox.postSystem('s');
    expect(scheduler.pending).toBe(1);
    scheduler.runUntilIdle();
    expect(scheduler.pending).toBe(0);
    mailbox.postUser('c');
    expect(scheduler.pending).toBe(1);
  });

  it('mailbox: one run processes at most `throughput` user messages, then reschedules itself', () => {
    const { mailbox, scheduler, log } = recordingMailbox(2);
    for (let i = 0; i < 5; i++) mailbox.postUser(i);
    expect(scheduler.step()).toBe(true);
    expect(log).toEqual(['user:0', 'user:1']);
    expect(scheduler.pending).toBe(1);
    scheduler.step();
    expect(log).toHaveLength(4);
    scheduler.step();
    expect(log).toEqual(['user:0', 'user:1', 'user:2', 'user:3', 'user:4']);
    expect(scheduler.pending).toBe(0);
  });

  it('mailbox: system messages are not limited by throughput', () => {
    const { mailbox, scheduler, log } = recordingMailbox(1);
    for (let i = 0; i < 5; i++) mailbox.postSystem(i);
    mailbox.postUser('u');
    expect(scheduler.step()).toBe(true);
    expect(log).toEqual(['system:0', 'system:1', 'system:2', 'system:3', 'system:4', 'user:u']);
  });

  it('mailbox: suspend holds user messages back but lets system messages through until resume', () => {
    const { mailbox, scheduler, log } = recordingMailbox();
    mailbox.suspend();
    mailbox.postUser('u');
    mailbox.postSystem('s');
    scheduler.runUntilIdle();
    expect(log).toEqual(['system:s']);
    expect(mailbox.userCount).toBe(1);
    mailbox.resume();
    scheduler.runUntilIdle();
    expect(log).toEqual(['system:s', 'user:u']);
  });

  it('mailbox: a throwing user message suspends the mailbox and escalates with that message', () => {
    const boom = new Error('boom');
    const { mailbox, scheduler, log, failures } = recordingMailbox(300, Infinity, (message) => {
      if (message === 'bad') throw boom;
    });
    mailbox.postUser('bad');
    mailbox.postUser('next');
    scheduler.runUntilIdle();
    expect(failures).toEqual([{ reason: boom, message: 'bad' }]);
    expect(log).toEqual(['user:bad']);
    mailbox.resume();
    scheduler.runUntilIdle();
    expect(log).toEqual(['user:bad', 'user:next']);
  });

  it('mailbox: prependUser puts messages ahead of the queue, in their given order', () => {
    const { mailbox, scheduler, log } = recordingMailbox();
    mailbox.postUser('later');
    mailbox.prependUser(['first', 'second']);
    scheduler.runUntilIdle();
    expect(log).toEqual(['user:first', 'user:second', 'user:later']);
  });

  it('mailbox: a bounded mailbox refuses a post beyond capacity and keeps what it holds', () => {
    const { mailbox, scheduler, log } = recordingMailbox(300, 2);
    expect(mailbox.postUser('a')).toBe(true);
    expect(mailbox.postUser('b')).toBe(true);
    expect(mailbox.postUser('c')).toBe(false);
    expect(mailbox.userCount).toBe(2);
    scheduler.runUntilIdle();
    expect(log).toEqual(['user:a', 'user:b']);
    expect(mailbox.postUser('d')).toBe(true);
  });
});

describe('Mailbox ordering in an actor', () => {
  it('mailbox: stop overtakes queued user messages, which become dead letters', () => {
    const { system, scheduler } = systems.virtual();
    const received: unknown[] = [];
    const dead = collect(system, DeadLetterEvent);
    const pid = system.root.spawn(recorder(received));
    scheduler.runUntilIdle();
    system.root.send(pid, 'a');
    system.root.send(pid, 'b');
    system.root.stop(pid);
    scheduler.runUntilIdle();
    expect(received).toEqual([]);
    expect(dead.map((e) => [e.message, e.reason])).toEqual([
      ['a', 'stopped'],
      ['b', 'stopped'],
    ]);
  });

  it('mailbox: an actor stopped right after spawn receives Started first, and Started is no dead letter', () => {
    const { system, scheduler } = systems.virtual();
    const seen: string[] = [];
    const dead: unknown[] = [];
    system.eventStream.subscribe(DeadLetterEvent, (e) => dead.push(e.message));
    const pid = system.root.spawn(
      Props.fromFunc((context) => {
        const m = context.message;
        if (m === Started) seen.push('Started');
        else if (m === Stopping) seen.push('Stopping');
        else if (m === Stopped) seen.push('Stopped');
      }),
    );
    system.root.stop(pid);
    scheduler.runUntilIdle();
    expect(seen).toEqual(['Started', 'Stopping', 'Stopped']);
    expect(dead).toEqual([]);
  });

  it('mailbox: each sender’s messages arrive in the order sent while several senders interleave', async () => {
    const system = systems.live();
    const SENDERS = 4;
    const COUNT = 200;
    const arrivals: { from: number; seq: number }[] = [];
    const done = new Latch(SENDERS * COUNT);
    const target = system.root.spawn(
      Props.fromFunc((context) => {
        const m = context.message as { from?: number; seq?: number };
        if (typeof m.from !== 'number' || typeof m.seq !== 'number') return;
        arrivals.push({ from: m.from, seq: m.seq });
        done.countDown();
      }),
    );
    // Each sender sends one message per turn (throughput 1) and then messages itself, so the
    // senders take turns and their sequences interleave at the target.
    const sender = (from: number): Props =>
      Props.fromFunc((context) => {
        const next = context.message;
        if (typeof next !== 'number') return;
        context.send(target, { from, seq: next });
        if (next + 1 < COUNT) context.send(context.self, next + 1);
      }).withThroughput(1);
    for (let from = 0; from < SENDERS; from++) {
      system.root.send(system.root.spawn(sender(from)), 0);
    }
    await done.wait(5_000);
    for (let from = 0; from < SENDERS; from++) {
      const seqs = arrivals.filter((a) => a.from === from).map((a) => a.seq);
      expect(seqs).toEqual(Array.from({ length: COUNT }, (_, i) => i));
    }
    const switches = arrivals.filter((a, i) => i > 0 && a.from !== arrivals[i - 1]!.from).length;
    expect(switches).toBeGreaterThan(SENDERS);
  });

  it('mailbox: an actor that keeps messaging itself does not starve timers or setImmediate', async () => {
    const system = systems.live();
    // The cap only bounds the test if the runtime starves the loop; a fair runtime never reaches it.
    const CAP = 1_000_000;
    let processed = 0;
    let stopFlood = false;
    const underWay = new Latch(1);
    const floodEnded = new Latch(1);
    const flood = system.root.spawn(
      Props.fromFunc((context) => {
        if (context.message !== 'tick') return;
        processed++;
        if (processed === 1_000) underWay.countDown();
        if (stopFlood || processed >= CAP) floodEnded.countDown();
        else context.send(context.self, 'tick');
      }),
    );
    system.root.send(flood, 'tick');
    await underWay.wait(5_000);

    const timerFired = new Latch(1);
    const immediateRan = new Latch(1);
    let floodEndedAtTimer = true;
    let floodEndedAtImmediate = true;
    setTimeout(() => {
      floodEndedAtTimer = floodEnded.isOpen;
      timerFired.countDown();
    }, 1);
    setImmediate(() => {
      floodEndedAtImmediate = floodEnded.isOpen;
      immediateRan.countDown();
    });
    await Promise.all([timerFired.wait(10_000), immediateRan.wait(10_000)]);
    stopFlood = true;
    await floodEnded.wait(10_000);

    expect(floodEndedAtImmediate).toBe(false);
    expect(floodEndedAtTimer).toBe(false);
    expect(processed).toBeLessThan(CAP);
  });

  it('mailbox: with Props.withThroughput(3) one scheduler step processes at most 3 user messages', () => {
    const { system, scheduler } = systems.virtual();
    const received: unknown[] = [];
    const pid = system.root.spawn(recorder(received).withThroughput(3));
    scheduler.runUntilIdle();
    for (let i = 0; i < 10; i++) system.root.send(pid, i);
    const perStep: number[] = [];
    while (scheduler.pending > 0) {
      const before = received.length;
      scheduler.step();
      perStep.push(received.length - before);
    }
    expect(perStep).toEqual([3, 3, 3, 1]);
    expect(received).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('mailbox: the system throughput applies when Props sets none', () => {
    const { system, scheduler } = systems.virtual({ throughput: 2 });
    const received: unknown[] = [];
    const pid = system.root.spawn(recorder(received));
    scheduler.runUntilIdle();
    for (let i = 0; i < 5; i++) system.root.send(pid, i);
    scheduler.step();
    expect(received).toEqual([0, 1]);
  });

  it('mailbox: a mailbox that used up its throughput goes behind other ready mailboxes', () => {
    const { system, scheduler } = systems.virtual();
    const log: string[] = [];
    const named = (name: string): Props =>
      Props.fromFunc((context) => {
        if (typeof context.message === 'number') log.push(`${name}${context.message}`);
      }).withThroughput(2);
    const a = system.root.spawn(named('a'));
    const b = system.root.spawn(named('b'));
    scheduler.runUntilIdle();
    for (let i = 0; i < 4; i++) system.root.send(a, i);
    for (let i = 0; i < 4; i++) system.root.send(b, i);
    scheduler.runUntilIdle();
    expect(log).toEqual(['a0', 'a1', 'b0', 'b1', 'a2', 'a3', 'b2', 'b3']);
  });

  it('mailbox: withThroughput rejects a value that is not a positive integer', () => {
    const props = Props.fromFunc(() => {});
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      expect(() => props.withThroughput(bad)).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_CONFIG' }),
      );
    }
  });
});

describe('Bounded mailbox', () => {
  /** Spawns a started actor whose mailbox is then filled without processing. */
  function fullActor(
    capacity: number,
    overflow: 'reject' | 'drop',
  ): { system: ActorSystem; scheduler: ManualScheduler; pid: PID; received: unknown[] } {
    const { system, scheduler } = systems.virtual();
    const received: unknown[] = [];
    const pid = system.root.spawn(recorder(received).withMailbox({ capacity, overflow }));
    scheduler.runUntilIdle();
    for (let i = 0; i < capacity; i++) system.root.send(pid, i);
    return { system, scheduler, pid, received };
  }

  it('bounded mailbox: `reject` throws MailboxFullError at the sender and keeps earlier messages', () => {
    const { system, scheduler, pid, received } = fullActor(3, 'reject');
    const error = thrown(() => system.root.send(pid, 'overflow'));
    expect(error).toBeInstanceOf(MailboxFullError);
    expect(error).toMatchObject({ code: 'ERR_MAILBOX_FULL', capacity: 3 });
    scheduler.runUntilIdle();
    expect(received).toEqual([0, 1, 2]);
    system.root.send(pid, 'after');
    scheduler.runUntilIdle();
    expect(received).toEqual([0, 1, 2, 'after']);
  });

  it('bounded mailbox: `reject` is the default overflow policy', () => {
    const { system, scheduler } = systems.virtual();
    const pid = system.root.spawn(Props.fromFunc(() => {}).withMailbox({ capacity: 1 }));
    scheduler.runUntilIdle();
    system.root.send(pid, 'fits');
    expect(() => system.root.send(pid, 'too many')).toThrow(
      expect.objectContaining({ code: 'ERR_MAILBOX_FULL' }),
    );
  });

  it('bounded mailbox: `drop` publishes a DeadLetterEvent with reason mailbox-full', () => {
    const { system, scheduler, pid, received } = fullActor(2, 'drop');
    const dead = collect(system, DeadLetterEvent);
    system.root.send(pid, 'dropped');
    expect(dead).toHaveLength(1);
    expect(dead[0]!.reason).toBe('mailbox-full');
    expect(dead[0]!.message).toBe('dropped');
    expect(dead[0]!.pid?.equals(pid)).toBe(true);
    scheduler.runUntilIdle();
    expect(received).toEqual([0, 1]);
  });

  it('bounded mailbox: a dropped request fails fast with ERR_DEAD_LETTER', async () => {
    const { system, pid } = fullActor(1, 'drop');
    await expect(system.root.request(pid, 'dropped', 1_000)).rejects.toMatchObject({
      code: 'ERR_DEAD_LETTER',
    });
  });

  it('bounded mailbox: an invalid capacity throws ERR_INVALID_CONFIG', () => {
    const props = Props.fromFunc(() => {});
    for (const capacity of [0, -5, 2.5, Number.NaN]) {
      expect(() => props.withMailbox({ capacity })).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_CONFIG' }),
      );
    }
  });

  it('bounded mailbox: `capacity` messages sent right after spawn all fit (Started takes no slot)', () => {
    const { system, scheduler } = systems.virtual();
    const received: unknown[] = [];
    const pid = system.root.spawn(recorder(received).withMailbox({ capacity: 2 }));
    system.root.send(pid, 'a');
    system.root.send(pid, 'b');
    scheduler.runUntilIdle();
    expect(received).toEqual(['a', 'b']);
  });
});

describe('Mailbox statistics', () => {
  function recordingStatistics(log: string[]): MailboxStatistics {
    const name = (m: unknown): string => (m === Started ? 'Started' : String(m));
    return {
      mailboxStarted: () => void log.push('started'),
      messagePosted: (m) => void log.push(`posted ${name(m)}`),
      messageReceived: (m) => void log.push(`received ${name(m)}`),
      mailboxEmpty: () => void log.push('empty'),
    };
  }

  it('mailbox statistics: started, posted, received and empty are reported in order', () => {
    const { system, scheduler } = systems.virtual();
    const log: string[] = [];
    const pid = system.root.spawn(
      Props.fromFunc(() => {}).withMailbox({ statistics: [recordingStatistics(log)] }),
    );
    expect(log[0]).toBe('started');
    scheduler.runUntilIdle();
    log.length = 0;
    system.root.send(pid, 'a');
    system.root.send(pid, 'b');
    scheduler.runUntilIdle();
    expect(log).toEqual(['posted a', 'posted b', 'received a', 'received b', 'empty']);
  });

  it('mailbox statistics: every observer is called, and each callback is optional', () => {
    const { system, scheduler } = systems.virtual();
    const first: string[] = [];
    const second: unknown[] = [];
    const pid = system.root.spawn(
      Props.fromFunc(() => {}).withMailbox({
        statistics: [recordingStatistics(first), { messageReceived: (m) => second.push(m) }],
      }),
    );
    system.root.send(pid, 'x');
    scheduler.runUntilIdle();
    expect(first).toContain('received x');
    expect(second).toEqual([Started, 'x']);
  });

  it('mailbox statistics: posted and received counts balance once the mailbox is idle', () => {
    // A queue-depth gauge (posted minus received) must return to zero, Started included.
    const { system, scheduler } = systems.virtual();
    let posted = 0;
    let received = 0;
    const pid = system.root.spawn(
      Props.fromFunc(() => {}).withMailbox({
        statistics: [
          { messagePosted: () => void posted++, messageReceived: () => void received++ },
        ],
      }),
    );
    system.root.send(pid, 'a');
    scheduler.runUntilIdle();
    expect(received).toBe(2);
    expect(posted).toBe(received);
  });

  it('mailbox statistics: the hook sees messages an actor sends itself during a flood', async () => {
    const system = systems.live();
    let posted = 0;
    const done = new Latch(1);
    const pid = system.root.spawn(
      Props.fromFunc((context: Context) => {
        const n = context.message;
        if (typeof n !== 'number') return;
        if (n < 500) context.send(context.self, n + 1);
        else done.countDown();
      }).withMailbox({
        statistics: [
          {
            messagePosted: (m) => {
              if (typeof m === 'number') posted++;
            },
          },
        ],
      }),
    );
    system.root.send(pid, 0);
    await done.wait(5_000);
    expect(posted).toBe(501);
  });
});

describe('Mailbox abandoned receives', () => {
  it('mailbox: abandonAwait lets user messages run while the abandoned receive is still pending', async () => {
    const pending = deferred();
    const { mailbox, scheduler, log } = recordingMailbox(300, Infinity, (message) =>
      message === 'slow' ? pending.promise : undefined,
    );
    mailbox.postUser('slow');
    mailbox.postUser('next');
    scheduler.runUntilIdle();
    expect(log).toEqual(['user:slow']);
    mailbox.abandonAwait();
    scheduler.runUntilIdle();
    expect(log).toEqual(['user:slow', 'user:next']);
    pending.resolve();
    await flushPromises();
    expect(scheduler.pending).toBe(0);
  });

  it('mailbox: an abandoned receive that rejects is not escalated and does not suspend the mailbox', async () => {
    const pending = deferred();
    const { mailbox, scheduler, log, failures } = recordingMailbox(300, Infinity, (message) =>
      message === 'slow' ? pending.promise : undefined,
    );
    mailbox.postUser('slow');
    scheduler.runUntilIdle();
    mailbox.abandonAwait();
    pending.reject(new Error('late failure of an abandoned receive'));
    await flushPromises();
    expect(failures).toEqual([]);
    mailbox.postUser('after');
    scheduler.runUntilIdle();
    expect(log).toEqual(['user:slow', 'user:after']);
  });

  it('mailbox: run returns how many messages it processed, system and user alike', () => {
    const { mailbox } = recordingMailbox(2);
    for (const m of ['u1', 'u2', 'u3']) mailbox.postUser(m);
    mailbox.postSystem('s1');
    // One system message and `throughput` user messages; the scheduler slices by this count.
    expect(mailbox.run()).toBe(3);
    expect(mailbox.run()).toBe(1);
  });

  it('mailbox: an unbounded post gets past a full bounded mailbox', () => {
    const { mailbox, scheduler, log } = recordingMailbox(300, 1);
    expect(mailbox.postUser('fits')).toBe(true);
    expect(mailbox.postUser('refused')).toBe(false);
    expect(mailbox.postUser('must get in', true)).toBe(true);
    scheduler.runUntilIdle();
    expect(log).toEqual(['user:fits', 'user:must get in']);
  });
});
