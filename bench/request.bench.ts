import { Props, type Actor, type Context, type PID, type Settled } from '../runtime/index.ts';
import {
  Completion,
  systemSubject,
  throughputTrial,
  type BenchCase,
  type Subject,
} from './harness/index.ts';

/**
 * request: an actor makes `context.request` round trips to an echo actor, with 1 or 100 requests
 * in flight. The requester awaits each reply with `reenterAfter`, the way an actor waits without
 * blocking its mailbox, and issues the next request from the continuation. A third case awaits
 * each reply inside an async receive (one in flight), the simplest way to write it.
 *
 * Baseline `promise-pingpong`: the same number of concurrent loops, each creating a Promise per
 * round trip whose resolver an echo function calls in a microtask: the bare cost of one promise
 * and one hop each way, with nothing of ours in between.
 */

const TIMEOUT_MS = 60_000;

/** The request payload; the echo answers with the same object, which the requester checks. */
class Question {
  readonly n = 1;
}
const QUESTION = new Question();

/** Counts what is sent; a `Completion` counts correct replies. */
class Tally {
  sent = 0;
}

/** Starts a requester. */
class Go {
  constructor(readonly echo: PID) {}
}

const echoProps = Props.fromFunc((context) => {
  if (context.message === QUESTION) context.respond(QUESTION);
});

/** Keeps `inFlight` requests outstanding until `total` were sent, resuming via `reenterAfter`. */
class ReenteringRequester implements Actor {
  private context: Context | undefined;
  private echo: PID | undefined;
  private left: number;
  private readonly onReply = (result: Settled<unknown>): void => {
    if (result.ok && result.value === QUESTION) this.done.tick();
    this.issue();
  };

  constructor(
    private readonly done: Completion,
    private readonly tally: Tally,
    total: number,
    private readonly inFlight: number,
  ) {
    this.left = total;
  }

  receive(context: Context): void {
    if (!(context.message instanceof Go)) return;
    this.context = context;
    this.echo = context.message.echo;
    for (let i = 0; i < this.inFlight; i++) this.issue();
  }

  private issue(): void {
    if (this.left === 0) return;
    this.left--;
    this.tally.sent++;
    const context = this.context!; // set by Go before the first request
    context.reenterAfter(context.request(this.echo!, QUESTION, TIMEOUT_MS), this.onReply);
  }
}

/** Awaits each reply inside its receive: one request in flight, mailbox suspended meanwhile. */
class AwaitingRequester implements Actor {
  constructor(
    private readonly done: Completion,
    private readonly tally: Tally,
    private readonly total: number,
  ) {}

  async receive(context: Context): Promise<void> {
    if (!(context.message instanceof Go)) return;
    const echo = context.message.echo;
    for (let i = 0; i < this.total; i++) {
      this.tally.sent++;
      if ((await context.request(echo, QUESTION, TIMEOUT_MS)) === QUESTION) this.done.tick();
    }
  }
}

function actors(
  total: number,
  produce: (done: Completion, tally: Tally) => Actor,
  label: string,
): Subject {
  return systemSubject(async (root) => {
    const done = new Completion(total);
    const tally = new Tally();
    const echo = root.spawn(echoProps);
    const requester = root.spawn(Props.fromProducer(() => produce(done, tally)));
    done.start();
    root.send(requester, new Go(echo));
    await done.wait(TIMEOUT_MS, label);
    await Promise.all([root.stopAsync(requester), root.stopAsync(echo)]);
    return throughputTrial(done, tally.sent);
  });
}

function promisePingPong(total: number, inFlight: number): Subject & { readonly name: string } {
  const echo = (resolve: (answer: Question) => void): void =>
    queueMicrotask(() => resolve(QUESTION));
  return {
    name: 'promise-pingpong',
    async run() {
      const done = new Completion(total);
      const tally = new Tally();
      let left = total;
      const loop = async (): Promise<void> => {
        while (left > 0) {
          left--;
          tally.sent++;
          const answer = await new Promise<Question>(echo);
          if (answer === QUESTION) done.tick();
        }
      };
      done.start();
      await Promise.all(Array.from({ length: inFlight }, loop));
      return throughputTrial(done, tally.sent);
    },
  };
}

function reentering(inFlight: number, total: number, target?: BenchCase['target']): BenchCase {
  const name = `request ${inFlight} in flight`;
  const benchCase: BenchCase = {
    name,
    unit: 'M req/s',
    better: 'higher',
    subject: actors(
      total,
      (done, tally) => new ReenteringRequester(done, tally, total, inFlight),
      name,
    ),
    baseline: promisePingPong(total, inFlight),
  };
  return target === undefined ? benchCase : { ...benchCase, target };
}

const AWAIT_TOTAL = 200_000;

/** The cases of this module. */
export const cases: readonly BenchCase[] = [
  reentering(1, 200_000),
  reentering(100, 500_000, { of: 'value', op: '>=', limit: 1 }),
  {
    name: 'request await 1 in flight',
    unit: 'M req/s',
    better: 'higher',
    subject: actors(
      AWAIT_TOTAL,
      (done, tally) => new AwaitingRequester(done, tally, AWAIT_TOTAL),
      'request await',
    ),
    baseline: promisePingPong(AWAIT_TOTAL, 1),
  },
];
