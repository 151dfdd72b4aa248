import { performance } from 'node:perf_hooks';
import type { Worker } from 'node:worker_threads';
import { Placement, Props, THREADS_DEFAULTS, type ActorNode, type PID } from '../runtime/index.ts';
import { Completion, type Baseline, type BenchCase, type Subject } from './harness/index.ts';
import { PairPinger, PairPonger, type PairReport, type PairStart } from './threads/bench-kinds.ts';
import { busyLoop } from './threads/plain-worker.ts';
import { SharedNode, startPlainWorker } from './threads/shared-node.ts';

/**
 * thread-scaling: `PAIRS` ping-pong pairs, each pinger and its ponger on the same thread, `BATCH`
 * messages in flight per pair (as in `ping-pong 100 pairs`). Messages never cross a thread; only
 * the start of a run and each pinger's report do. The figure is the aggregate rate, messages in
 * both directions counted.
 *
 * The subject deals the pairs round-robin over every thread of the node (the main thread and one
 * worker per core beyond the first, the node's default). Baseline `one-thread`: the same pairs,
 * all on the main thread of the same node. The ratio is the speed-up from using every core; the
 * note gives when each thread's last pair finished.
 *
 * A second case, `thread-scaling plain loop`, is the control: a fixed amount of plain CPU work
 * split between the main thread and bare workers, against all of it on the main thread. Its
 * ratio is what the machine's cores give at that moment (other processes share them), and bounds
 * what the actor figure can reach.
 */

const PAIRS = 100;
const BATCH = 100;
const MESSAGES_PER_RUN = 6_000_000;
const ROUND_TRIPS = MESSAGES_PER_RUN / 2 / PAIRS;
const TIMEOUT_MS = 60_000;
const THREADS = THREADS_DEFAULTS.threads;

/** One run: a report per pair, summed. */
class Tally {
  readonly done = new Completion(PAIRS);
  sent = 0;
  echoed = 0;
  /** Milliseconds from the start to the last report from each thread, by thread id. */
  readonly lastReport = new Map<number, number>();
}

const shared = new SharedNode({ threads: THREADS });

/** Spawns the pairs on the slots `slotOf(p)` gives, and a reporter on the main thread. */
function pairs(slotOf: (pair: number) => number): Subject {
  let node: ActorNode | undefined;
  let pingers: { pinger: PID; ponger: PID }[] = [];
  let reporter: PID | undefined;
  let tally = new Tally();
  return {
    async setup() {
      node = await shared.acquire();
      const root = node.root;
      pingers = Array.from({ length: PAIRS }, (_, p) => {
        const placement = Placement.thread(slotOf(p));
        return {
          pinger: root.spawn(PairPinger.withPlacement(placement)),
          ponger: root.spawn(PairPonger.withPlacement(placement)),
        };
      });
      reporter = root.spawn(
        Props.fromFunc((context) => {
          const report = context.message as Partial<PairReport>;
          if (report.echoed === undefined || report.sent === undefined) return;
          tally.sent += report.sent;
          tally.echoed += report.echoed;
          const thread = report.thread ?? -1;
          tally.lastReport.set(thread, performance.now() - tally.done.startedAt);
          tally.done.tick();
        }),
      );
    },
    async run() {
      const root = node!.root; // set in setup
      const current = (tally = new Tally());
      current.done.start();
      for (const { pinger, ponger } of pingers) {
        const start: PairStart = {
          ponger,
          report: reporter!,
          roundTrips: ROUND_TRIPS,
          batch: BATCH,
        };
        root.send(pinger, start);
      }
      await current.done.wait(TIMEOUT_MS, 'thread-scaling');
      const messages = 2 * current.echoed;
      const finished = [...current.lastReport.entries()]
        .sort(([a], [b]) => a - b)
        .map(([thread, ms]) => `thread ${thread} ${ms.toFixed(0)} ms`)
        .join(', ');
      return {
        value: messages / current.done.elapsedMs / 1000,
        sent: current.sent,
        delivered: current.echoed,
        note: `pairs done: ${finished}`,
      };
    },
    teardown: () => shared.release(),
  };
}

const LOOP_STEPS = 100_000_000;

/** The control: `LOOP_STEPS` of `busyLoop`, shared by the main thread and `workers` bare workers. */
function plainLoop(workers: number): Subject {
  let started: Worker[] = [];
  return {
    async setup() {
      started = await Promise.all(Array.from({ length: workers }, () => startPlainWorker('loop')));
    },
    async run() {
      const share = Math.floor(LOOP_STEPS / (workers + 1));
      const done = new Completion(workers + 1);
      done.start();
      const answers = started.map(
        (worker) =>
          new Promise<void>((resolve) => {
            worker.once('message', () => {
              done.tick();
              resolve();
            });
            worker.postMessage(share);
          }),
      );
      busyLoop(LOOP_STEPS - share * workers);
      done.tick();
      await Promise.all(answers);
      await done.wait(TIMEOUT_MS, 'thread-scaling plain loop');
      return {
        value: LOOP_STEPS / done.elapsedMs / 1000,
        sent: workers + 1,
        delivered: done.delivered,
      };
    },
    async teardown() {
      await Promise.all(started.map((worker) => worker.terminate()));
    },
  };
}

/** The cases of this module. */
export const cases: readonly BenchCase[] = [
  {
    name: `thread-scaling ${PAIRS} pairs`,
    unit: 'M msg/s',
    better: 'higher',
    target: { of: 'ratio', op: '>=', limit: 1.6 },
    subject: pairs((p) => p % (THREADS + 1)),
    baseline: { name: 'one-thread', ...pairs(() => 0) },
  },
  {
    name: 'thread-scaling plain loop',
    unit: 'M steps/s',
    better: 'higher',
    subject: plainLoop(THREADS),
    baseline: { name: 'one-thread', ...plainLoop(0) } satisfies Baseline,
  },
];
