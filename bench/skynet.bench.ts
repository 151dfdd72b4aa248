import {
  ActorSystem,
  Props,
  RingQueue,
  Started,
  type Actor,
  type Context,
  type PID,
} from '../runtime/index.ts';
import {
  Completion,
  Stopwatch,
  VerificationError,
  formatMs,
  settledHeapUsed,
  type BenchCase,
  type BenchModule,
  type Subject,
  type Trial,
} from './harness/index.ts';

/**
 * skynet: a tree of 1,000,000 leaf actors (10 children per actor, 6 levels below the top one,
 * 1,111,111 actors in all). Each leaf replies its number, each parent sums its 10 children's
 * replies and replies the sum, the top one to a collector; then the whole tree is stopped by
 * stopping the top actor. The figure is the wall time of spawn, sum and stop; the sum must be
 * 499999500000 and every actor must be gone afterwards.
 * Baseline `async-tree`: the same tree as async functions, each awaiting `Promise.all` of its 10
 * children: the cheapest concurrent tree plain Node offers.
 *
 * idle actor memory: heap growth per spawned idle actor (after each has processed `Started`),
 * after a full GC. Baseline `ring-object`: the least an addressable mailbox needs, a plain object
 * holding a `RingQueue` inbox and a handler, kept in a Map under an id of the same shape.
 */

const LEAVES = 1_000_000;
const FAN_OUT = 10;
const ACTORS = 1_111_111; // 1 + 10 + ... + 10^6
const EXPECTED_SUM = (LEAVES * (LEAVES - 1)) / 2; // 499999500000
const TIMEOUT_MS = 120_000;
const IDLE_ACTORS = 1_000_000;

/** Counts what is sent; a `Completion` counts what is delivered. */
class Tally {
  sent = 0;
  sum = 0;
}

/** Asks a skynet actor for the sum of `size` leaves numbered from `num`. */
class Work {
  constructor(
    readonly num: number,
    readonly size: number,
    readonly replyTo: PID,
  ) {}
}

class SkynetActor implements Actor {
  // Starts as a double (-0 + x === x): upper-level sums pass 2^31, and a field that changed from
  // small integer to double mid-run would give every live actor a stale hidden class to migrate.
  private sum = -0;
  private pending = 0;
  private replyTo: PID | undefined;

  constructor(
    private readonly props: () => Props,
    private readonly done: Completion,
    private readonly tally: Tally,
  ) {}

  receive(context: Context): void {
    const message = context.message;
    if (typeof message === 'number') {
      this.done.tick();
      this.sum += message;
      if (--this.pending === 0) this.reply(context, this.replyTo!, this.sum); // set by Work
    } else if (message instanceof Work) {
      if (message.size === 1) {
        this.reply(context, message.replyTo, message.num);
        return;
      }
      this.replyTo = message.replyTo;
      this.pending = FAN_OUT;
      const step = message.size / FAN_OUT;
      const props = this.props();
      for (let i = 0; i < FAN_OUT; i++) {
        const child = context.spawn(props);
        context.send(child, new Work(message.num + i * step, step, context.self));
      }
    }
  }

  private reply(context: Context, to: PID, value: number): void {
    this.tally.sent++;
    context.send(to, value);
  }
}

function skynetActors(): Subject {
  return {
    async run() {
      const system = new ActorSystem();
      const root = system.root;
      const done = new Completion(ACTORS);
      const tally = new Tally();
      const collector = root.spawn(
        Props.fromFunc((context) => {
          if (typeof context.message !== 'number') return;
          tally.sum = context.message;
          done.tick();
        }),
      );
      const props: Props = Props.fromProducer(() => new SkynetActor(() => props, done, tally));
      const registered = system.registry.size;
      done.start();
      const top = root.spawn(props);
      root.send(top, new Work(0, LEAVES, collector));
      await done.wait(TIMEOUT_MS, 'skynet');
      const summed = new Stopwatch();
      await root.stopAsync(top);
      const stopMs = summed.ms();
      const totalMs = done.elapsedMs + stopMs;
      if (tally.sum !== EXPECTED_SUM) {
        throw new VerificationError(`skynet: the sum is ${tally.sum}, expected ${EXPECTED_SUM}`);
      }
      if (system.registry.size !== registered) {
        const left = system.registry.size - registered;
        throw new VerificationError(`skynet: ${left} actors are still registered after stop`);
      }
      await system.shutdown();
      const note = `spawn+sum ${formatMs(done.elapsedMs)}, stop ${formatMs(stopMs)}`;
      return { value: totalMs, sent: tally.sent, delivered: done.delivered, note };
    },
  };
}

function asyncTree(): Subject & { readonly name: string } {
  return {
    name: 'async-tree',
    async run(): Promise<Trial> {
      const done = new Completion(ACTORS);
      const tally = new Tally();
      const node = async (num: number, size: number): Promise<number> => {
        if (size === 1) {
          tally.sent++;
          return num;
        }
        const step = size / FAN_OUT;
        const children: Promise<number>[] = new Array<Promise<number>>(FAN_OUT);
        for (let i = 0; i < FAN_OUT; i++) children[i] = node(num + i * step, step);
        let sum = 0;
        for (const value of await Promise.all(children)) {
          done.tick();
          sum += value;
        }
        tally.sent++;
        return sum;
      };
      done.start();
      tally.sum = await node(0, LEAVES);
      done.tick();
      if (tally.sum !== EXPECTED_SUM) {
        throw new VerificationError(
          `async-tree: the sum is ${tally.sum}, expected ${EXPECTED_SUM}`,
        );
      }
      return { value: done.elapsedMs, sent: tally.sent, delivered: done.delivered };
    },
  };
}

// ── memory per idle actor ────────────────────────────────────────────────────────────────────

function idleActors(): Subject {
  return {
    async run() {
      const system = new ActorSystem();
      const done = new Completion(IDLE_ACTORS);
      const props = Props.fromFunc((context) => {
        if (context.message === Started) done.tick();
      });
      const before = await settledHeapUsed();
      for (let i = 0; i < IDLE_ACTORS; i++) system.root.spawn(props);
      await done.wait(TIMEOUT_MS, 'idle actors');
      const after = await settledHeapUsed();
      const value = (after - before) / IDLE_ACTORS;
      if (system.registry.size < IDLE_ACTORS) {
        throw new VerificationError(`idle actors: only ${system.registry.size} are registered`);
      }
      // Dropping the system frees the actors; stopping a million of them is skynet's job.
      return { value, sent: IDLE_ACTORS, delivered: done.delivered };
    },
  };
}

/** The baseline's addressable mailbox: an inbox and a handler. */
class RingObject {
  readonly inbox = new RingQueue<unknown>();
  constructor(readonly receive: (message: unknown) => void) {}
}

function ringObjects(): Subject & { readonly name: string } {
  return {
    name: 'ring-object',
    async run() {
      const done = new Completion(IDLE_ACTORS);
      const receive = (message: unknown): void => {
        if (message === Started) done.tick();
      };
      const objects = new Map<string, RingObject>();
      const before = await settledHeapUsed();
      for (let i = 1; i <= IDLE_ACTORS; i++) {
        const object = new RingObject(receive);
        objects.set('$' + i.toString(36), object);
        object.inbox.push(Started);
        object.receive(object.inbox.shift());
      }
      const after = await settledHeapUsed();
      const value = (after - before) / IDLE_ACTORS;
      if (objects.size !== IDLE_ACTORS) throw new VerificationError('ring-object: lost objects');
      return { value, sent: IDLE_ACTORS, delivered: done.delivered };
    },
  };
}

/** The cases of this module. */
export const cases: readonly BenchCase[] = [
  {
    name: 'skynet 1M',
    unit: 'ms',
    better: 'lower',
    target: { of: 'value', op: '<=', limit: 2000 },
    runs: 3,
    warmup: 1,
    timeoutMs: TIMEOUT_MS,
    collectBeforeRun: true,
    subject: skynetActors(),
    baseline: asyncTree(),
  },
  {
    name: 'idle actor memory',
    unit: 'B/actor',
    better: 'lower',
    runs: 3,
    warmup: 0,
    timeoutMs: TIMEOUT_MS,
    subject: idleActors(),
    baseline: ringObjects(),
  },
];

/** A larger heap: a million actors and their tree of messages live at once. */
export const node: BenchModule['node'] = { heapMb: 8192 };
