import { defineKind, Props, type Actor, type Context, type PID } from '../../runtime/index.ts';

/**
 * The actor kinds of the thread benchmarks. Every worker of a benchmark node loads this module
 * (the node option `modules`), and the benchmark modules import it on the main thread, so a kind
 * can be placed on any thread. Messages that cross a thread are plain objects and numbers, which
 * the built-in value codec encodes; `Ping` never leaves its thread.
 */
export const BENCH_KINDS = new URL('./bench-kinds.ts', import.meta.url);

/** What the counter is told before a burst: how many messages to expect and whom to tell. */
export interface CountSetup {
  readonly expect: number;
  readonly report: PID;
}

/** The counter's report once it has counted what it expected. */
export interface CountReport {
  readonly counted: number;
}

/**
 * Counts `{ n }` messages; a `CountSetup` resets it, and on reaching `expect` it sends a
 * `CountReport` to `report`.
 */
export const Counter = defineKind(
  'bench.counter',
  Props.fromProducer(() => {
    let count = 0;
    let expect = -1;
    let report: PID | undefined;
    return {
      receive(context: Context) {
        const message = context.message as { n?: number; expect?: number; report?: PID };
        if (typeof message !== 'object' || message === null) return;
        if (message.n !== undefined) {
          if (++count === expect) context.send(report!, { counted: count }); // set with expect
        } else if (message.expect !== undefined && message.report !== undefined) {
          count = 0;
          expect = message.expect;
          report = message.report;
        }
      },
    };
  }),
);

/** Introduces a bouncer to the actor it answers. */
export interface Peer {
  readonly peer: PID;
}

/** Sends every number it receives back to its peer (set by a `Peer` message). */
export const Bouncer = defineKind(
  'bench.bouncer',
  Props.fromProducer(() => {
    let peer: PID | undefined;
    return {
      receive(context: Context) {
        const message = context.message;
        if (typeof message === 'number') {
          context.send(peer!, message); // the Peer message comes before any number
        } else if (typeof message === 'object' && message !== null && 'peer' in message) {
          peer = (message as Peer).peer;
        }
      },
    };
  }),
);

/** Answers every number it is asked with the same number. */
export const Echo = defineKind(
  'bench.echo',
  Props.fromFunc((context) => {
    const message = context.message;
    if (typeof message === 'number') context.respond(message);
  }),
);

// ── pairs that stay on one thread (thread-scaling) ─────────────────────────────────────────────

/** Starts a pair pinger: `roundTrips` echoes from `ponger`, `batch` in flight, then report. */
export interface PairStart {
  readonly ponger: PID;
  readonly report: PID;
  readonly roundTrips: number;
  readonly batch: number;
}

/** A pair pinger's report when its round trips are done. */
export interface PairReport {
  readonly sent: number;
  readonly echoed: number;
  /** The id of the thread the pair ran on. */
  readonly thread: number;
}

/** The bounced message of a pair: it names who to answer, so the ponger needs no state. */
class Ping {
  constructor(readonly replyTo: PID) {}
}

class PairPingerActor implements Actor {
  private ping: Ping | undefined;
  private ponger: PID | undefined;
  private report: PID | undefined;
  private batch = 0;
  private batchesLeft = 0;
  private received = 0;
  private sent = 0;
  private echoed = 0;

  receive(context: Context): void {
    const message = context.message;
    if (message instanceof Ping) {
      this.echoed++;
      if (++this.received === this.batch) {
        this.received = 0;
        if (this.batchesLeft > 0) this.sendBatch(context);
        else this.sendReport(context);
      }
    } else if (typeof message === 'object' && message !== null && 'ponger' in message) {
      const start = message as PairStart;
      this.ping ??= new Ping(context.self);
      this.ponger = start.ponger;
      this.report = start.report;
      this.batch = start.batch;
      this.batchesLeft = start.roundTrips / start.batch;
      this.received = 0;
      this.sent = 0;
      this.echoed = 0;
      this.sendBatch(context);
    }
  }

  private sendReport(context: Context): void {
    const report: PairReport = {
      sent: this.sent,
      echoed: this.echoed,
      thread: context.self.thread,
    };
    context.send(this.report!, report); // set on start, before the first batch
  }

  private sendBatch(context: Context): void {
    this.batchesLeft--;
    const ponger = this.ponger!; // set on start, before the first batch
    const ping = this.ping!;
    for (let i = 0; i < this.batch; i++) context.send(ponger, ping);
    this.sent += this.batch;
  }
}

/** The pinger of a pair on one thread; answers a `PairStart` with a `PairReport` when done. */
export const PairPinger = defineKind(
  'bench.pair-pinger',
  Props.fromProducer(() => new PairPingerActor()),
);

/** The ponger of a pair on one thread: sends every `Ping` back to its sender. */
export const PairPonger = defineKind(
  'bench.pair-ponger',
  Props.fromFunc((context) => {
    const message = context.message;
    if (message instanceof Ping) context.send(message.replyTo, message);
  }),
);
