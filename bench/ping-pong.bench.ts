import { Props, RingQueue, type Actor, type Context, type PID } from '../runtime/index.ts';
import {
  Completion,
  systemSubject,
  throughputTrial,
  type BenchCase,
  type Subject,
} from './harness/index.ts';

/**
 * ping-pong: pairs of actors bounce a message that carries the reply PID (so no envelope is
 * needed), `BATCH` messages in flight per pair, as in Proto.Actor's in-process benchmark: the
 * pinger sends a batch, the ponger echoes each message, and when the whole batch is back the
 * pinger sends the next. Messages in both directions count.
 *
 * Baseline `ring-peers`: the same exchange between plain objects, each with a `RingQueue` inbox,
 * drained round-robin in a loop until every inbox is empty. The difference is what PIDs,
 * mailboxes, scheduling and contexts cost.
 */

const BATCH = 100;
const MESSAGES_PER_RUN = 2_000_000;
const TIMEOUT_MS = 60_000;

/** Counts what is sent; a `Completion` counts what is delivered. */
class Tally {
  sent = 0;
}

/** The bounced message: it names who to answer. */
class Ping<Address> {
  constructor(readonly replyTo: Address) {}
}

/** What a pinger does, whatever carries its messages. */
class PingerState<Address> {
  private received = 0;
  private batchesLeft: number;

  constructor(
    private readonly done: Completion,
    private readonly tally: Tally,
    roundTrips: number,
    private readonly ponger: Address,
    private readonly ping: Ping<Address>,
    private readonly send: (to: Address, message: Ping<Address>) => void,
  ) {
    this.batchesLeft = roundTrips / BATCH;
  }

  /** Sends the next batch, if any is left. */
  sendBatch(): void {
    if (this.batchesLeft === 0) return;
    this.batchesLeft--;
    for (let i = 0; i < BATCH; i++) this.send(this.ponger, this.ping);
    this.tally.sent += BATCH;
  }

  /** Counts one echo; the last of a batch triggers the next. */
  onEcho(): void {
    this.done.tick();
    if (++this.received === BATCH) {
      this.received = 0;
      this.sendBatch();
    }
  }
}

// ── actors ───────────────────────────────────────────────────────────────────────────────────

/** Tells a pinger which ponger to play with. */
class Start {
  constructor(readonly ponger: PID) {}
}

class Pinger implements Actor {
  private state: PingerState<PID> | undefined;

  constructor(
    private readonly done: Completion,
    private readonly tally: Tally,
    private readonly roundTrips: number,
  ) {}

  receive(context: Context): void {
    const message = context.message;
    if (message instanceof Ping) {
      this.state!.onEcho(); // created on Start, before the first ping is sent
    } else if (message instanceof Start) {
      const send = (to: PID, ping: Ping<PID>): void => context.send(to, ping);
      const ping = new Ping(context.self);
      this.state = new PingerState(
        this.done,
        this.tally,
        this.roundTrips,
        message.ponger,
        ping,
        send,
      );
      this.state.sendBatch();
    }
  }
}

class Ponger implements Actor {
  constructor(
    private readonly done: Completion,
    private readonly tally: Tally,
  ) {}

  receive(context: Context): void {
    const message = context.message;
    if (message instanceof Ping) {
      this.done.tick();
      this.tally.sent++;
      context.send(message.replyTo as PID, message);
    }
  }
}

function actors(pairs: number): Subject {
  return systemSubject(async (root) => {
    const done = new Completion(MESSAGES_PER_RUN);
    const tally = new Tally();
    const roundTrips = MESSAGES_PER_RUN / 2 / pairs;
    const spawned: PID[] = [];
    done.start();
    for (let p = 0; p < pairs; p++) {
      const ponger = root.spawn(Props.fromProducer(() => new Ponger(done, tally)));
      const pinger = root.spawn(Props.fromProducer(() => new Pinger(done, tally, roundTrips)));
      spawned.push(ponger, pinger);
      root.send(pinger, new Start(ponger));
    }
    await done.wait(TIMEOUT_MS, `ping-pong ${pairs} pairs`);
    await Promise.all(spawned.map((pid) => root.stopAsync(pid)));
    return throughputTrial(done, tally.sent);
  });
}

// ── plain objects ────────────────────────────────────────────────────────────────────────────

/** A plain object with an inbox; `receive` is the same work an actor's receive does. */
abstract class Peer {
  readonly inbox = new RingQueue<Ping<Peer>>();
  abstract receive(message: Ping<Peer>): void;
}

class PlainPinger extends Peer {
  state: PingerState<Peer> | undefined;

  override receive(): void {
    this.state!.onEcho(); // assigned before the first batch is sent
  }
}

class PlainPonger extends Peer {
  constructor(
    private readonly done: Completion,
    private readonly tally: Tally,
  ) {
    super();
  }

  override receive(message: Ping<Peer>): void {
    this.done.tick();
    this.tally.sent++;
    message.replyTo.inbox.push(message);
  }
}

function ringPeers(pairs: number): Subject & { readonly name: string } {
  return {
    name: 'ring-peers',
    run() {
      const done = new Completion(MESSAGES_PER_RUN);
      const tally = new Tally();
      const roundTrips = MESSAGES_PER_RUN / 2 / pairs;
      const peers: Peer[] = [];
      const send = (to: Peer, ping: Ping<Peer>): void => to.inbox.push(ping);
      done.start();
      for (let p = 0; p < pairs; p++) {
        const ponger = new PlainPonger(done, tally);
        const pinger = new PlainPinger();
        pinger.state = new PingerState(done, tally, roundTrips, ponger, new Ping(pinger), send);
        peers.push(ponger, pinger);
        pinger.state.sendBatch();
      }
      for (let busy = true; busy;) {
        busy = false;
        for (const peer of peers) {
          const inbox = peer.inbox;
          if (inbox.length > 0) busy = true;
          while (inbox.length > 0) peer.receive(inbox.shift());
        }
      }
      return Promise.resolve(throughputTrial(done, tally.sent));
    },
  };
}

function pingPong(pairs: number, target?: BenchCase['target']): BenchCase {
  const benchCase: BenchCase = {
    name: `ping-pong ${pairs} pair${pairs === 1 ? '' : 's'}`,
    unit: 'M msg/s',
    better: 'higher',
    subject: actors(pairs),
    baseline: ringPeers(pairs),
  };
  return target === undefined ? benchCase : { ...benchCase, target };
}

/** The cases of this module. */
export const cases: readonly BenchCase[] = [
  pingPong(1),
  pingPong(100, { of: 'value', op: '>=', limit: 10 }),
];
