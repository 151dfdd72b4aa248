import { ActorSystem, Props, RingQueue, type PID } from '../runtime/index.ts';
import { Completion, settle, throughputTrial, type BenchCase } from './harness/index.ts';

/**
 * tell: the root context sends a burst of small messages to one actor, which counts them.
 * Baseline `ring-loop`: the same burst pushed into a `RingQueue` and drained in a plain loop that
 * calls the same handler; the difference is what the mailbox, scheduler and context cost.
 */

const MESSAGES = 1_000_000;
const TIMEOUT_MS = 60_000;

/** The message: one preallocated small object, so the figure measures delivery, not allocation. */
class Tick {
  readonly n = 1;
}
const TICK = new Tick();

/** What both sides do per message. */
function count(completion: Completion, message: unknown): void {
  if (message === TICK) completion.tick();
}

let system: ActorSystem | undefined;

const tell: BenchCase = {
  name: 'tell',
  unit: 'M msg/s',
  better: 'higher',
  target: { of: 'ratio', op: '>=', limit: 0.35 },
  subject: {
    setup() {
      system = new ActorSystem();
    },
    async run() {
      const root = system!.root; // created in setup
      const done = new Completion(MESSAGES);
      const pid: PID = root.spawn(Props.fromFunc((context) => count(done, context.message)));
      await settle(); // let the actor process Started before the clock starts
      done.start();
      for (let i = 0; i < MESSAGES; i++) root.send(pid, TICK);
      await done.wait(TIMEOUT_MS, 'tell');
      await root.stopAsync(pid);
      return throughputTrial(done, MESSAGES);
    },
    async teardown() {
      await system?.shutdown();
    },
  },
  baseline: {
    name: 'ring-loop',
    run() {
      const done = new Completion(MESSAGES);
      const queue = new RingQueue<unknown>();
      done.start();
      for (let i = 0; i < MESSAGES; i++) queue.push(TICK);
      while (queue.length > 0) count(done, queue.shift());
      return Promise.resolve(throughputTrial(done, MESSAGES));
    },
  },
};

/** The cases of this module. */
export const cases: readonly BenchCase[] = [tell];
