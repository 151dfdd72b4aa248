import { performance } from 'node:perf_hooks';
import type { Worker } from 'node:worker_threads';
import { Placement, Props, type ActorNode, type PID } from '../runtime/index.ts';
import { Completion, throughputTrial, type BenchCase } from './harness/index.ts';
import { Counter, type CountReport, type CountSetup } from './threads/bench-kinds.ts';
import { SharedNode, startPlainWorker } from './threads/shared-node.ts';

/**
 * thread-tell: the main thread sends a burst of small messages (`{ n: i }`) to a counter actor on
 * a worker thread; the run ends when the counter's report of having counted them all is back on
 * the main thread. Each message is encoded into the shared-memory ring to the worker and decoded
 * there. The burst is far larger than the ring (512 KiB by default, about 16 000 of these frames),
 * so whatever the worker has not consumed yet waits in the writer's overflow blocks and drains as
 * it frees space: the figure includes that back-pressure path. The note splits the time into the
 * send loop and the rest.
 *
 * Baseline `postMessage`: the same objects posted to a bare worker thread that counts them and
 * posts back when it has them all (structured clone over a MessagePort).
 */

const MESSAGES = 1_000_000;
const TIMEOUT_MS = 60_000;

const shared = new SharedNode();
let node: ActorNode | undefined;
let counter: PID | undefined;
let reporter: PID | undefined;
/** The completion of the run under way, ticked by the reporter. */
let current = new Completion(0);

let worker: Worker | undefined;

/** Where the time went: the send loop on the main thread, then the rest of the counting. */
function phases(done: Completion, sentAt: number): string {
  const sending = sentAt - done.startedAt;
  return `send loop ${sending.toFixed(0)} ms, all counted at ${done.elapsedMs.toFixed(0)} ms`;
}

const tell: BenchCase = {
  name: 'thread-tell',
  unit: 'M msg/s',
  better: 'higher',
  target: { of: 'ratio', op: '>=', limit: 10 },
  subject: {
    async setup() {
      node = await shared.acquire();
      counter = node.root.spawn(Counter.withPlacement(Placement.thread(1)));
      reporter = node.root.spawn(
        Props.fromFunc((context) => {
          const message = context.message as Partial<CountReport>;
          if (message.counted !== undefined) current.add(message.counted);
        }),
      );
    },
    async run() {
      const root = node!.root; // node, counter and reporter are set in setup
      const target = counter!;
      const done = (current = new Completion(MESSAGES));
      const setup: CountSetup = { expect: MESSAGES, report: reporter! };
      root.send(target, setup);
      done.start();
      for (let i = 0; i < MESSAGES; i++) root.send(target, { n: i });
      const sentAt = performance.now();
      await done.wait(TIMEOUT_MS, 'thread-tell');
      return throughputTrial(done, MESSAGES, MESSAGES, phases(done, sentAt));
    },
    teardown: () => shared.release(),
  },
  baseline: {
    name: 'postMessage',
    async setup() {
      worker = await startPlainWorker('count');
    },
    async run() {
      const target = worker!; // started in setup
      const done = new Completion(MESSAGES);
      target.once('message', (counted: number) => done.add(counted));
      target.postMessage({ expect: MESSAGES });
      done.start();
      for (let i = 0; i < MESSAGES; i++) target.postMessage({ n: i });
      await done.wait(TIMEOUT_MS, 'thread-tell baseline');
      return throughputTrial(done, MESSAGES);
    },
    async teardown() {
      await worker?.terminate();
    },
  },
};

/** The cases of this module. */
export const cases: readonly BenchCase[] = [tell];
