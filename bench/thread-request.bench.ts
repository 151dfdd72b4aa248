import { releaseProxy, wrap, type Remote } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import type { Worker } from 'node:worker_threads';
import {
  Placement,
  Props,
  type Actor,
  type ActorNode,
  type Context,
  type PID,
  type Settled,
} from '../runtime/index.ts';
import {
  Completion,
  throughputTrial,
  type Baseline,
  type BenchCase,
  type Subject,
} from './harness/index.ts';
import { Echo } from './threads/bench-kinds.ts';
import type { EchoApi } from './threads/plain-worker.ts';
import { SharedNode, startPlainWorker } from './threads/shared-node.ts';

/**
 * thread-request: an actor on the main thread keeps `IN_FLIGHT` requests outstanding to an echo
 * actor on a worker thread (`context.request`, each reply resumed with `reenterAfter`, as in
 * `request 100 in flight`), until `total` have been answered. Requests carry a sequence number
 * and the echo answers with it; the run checks the sum of the answers against the sum sent.
 *
 * Baseline `comlink`: `IN_FLIGHT` concurrent loops awaiting `echo(n)` on a bare worker through
 * comlink's Node adapter (`postMessage` underneath). Each side's request count keeps its runs
 * between 0.1 and 1 s; the figure is a rate, so the counts need not match.
 */

const IN_FLIGHT = 100;
const SUBJECT_REQUESTS = 300_000;
const BASELINE_REQUESTS = 20_000;
const TIMEOUT_MS = 60_000;

/** Counts what is sent and sums both ways, so a wrong answer is caught, not just a missing one. */
class Ledger {
  sent = 0;
  sentSum = 0;
  answeredSum = 0;

  /** The number of answers to report as delivered: all of them only if the sums agree. */
  delivered(done: Completion): number {
    return this.sentSum === this.answeredSum ? done.delivered : -1;
  }
}

/** Starts a requester. */
class Go {
  constructor(
    readonly echo: PID,
    readonly done: Completion,
    readonly ledger: Ledger,
  ) {}
}

/** Keeps `IN_FLIGHT` requests outstanding until `total` were sent, resuming via `reenterAfter`. */
class Requester implements Actor {
  private context: Context | undefined;
  private go: Go | undefined;
  private left = 0;
  private readonly onReply = (result: Settled<unknown>): void => {
    const go = this.go!; // set before the first request
    if (result.ok && typeof result.value === 'number') {
      go.ledger.answeredSum += result.value;
      go.done.tick();
    }
    this.issue();
  };

  constructor(private readonly total: number) {}

  receive(context: Context): void {
    if (!(context.message instanceof Go)) return;
    this.context = context;
    this.go = context.message;
    this.left = this.total;
    for (let i = 0; i < IN_FLIGHT; i++) this.issue();
  }

  private issue(): void {
    if (this.left === 0) return;
    const n = this.left--;
    const { echo, ledger } = this.go!; // set before the first request
    ledger.sent++;
    ledger.sentSum += n;
    const context = this.context!;
    context.reenterAfter(context.request(echo, n, TIMEOUT_MS), this.onReply);
  }
}

function actors(total: number): Subject {
  const shared = new SharedNode();
  let node: ActorNode | undefined;
  let echo: PID | undefined;
  let requester: PID | undefined;
  return {
    async setup() {
      node = await shared.acquire();
      echo = node.root.spawn(Echo.withPlacement(Placement.thread(1)));
      requester = node.root.spawn(Props.fromProducer(() => new Requester(total)));
    },
    async run() {
      const done = new Completion(total);
      const ledger = new Ledger();
      done.start();
      node!.root.send(requester!, new Go(echo!, done, ledger)); // set in setup
      await done.wait(TIMEOUT_MS, 'thread-request');
      return { ...throughputTrial(done, ledger.sent), delivered: ledger.delivered(done) };
    },
    teardown: () => shared.release(),
  };
}

function comlink(total: number): Baseline {
  let worker: Worker | undefined;
  let api: Remote<EchoApi> | undefined;
  return {
    name: 'comlink',
    async setup() {
      worker = await startPlainWorker('comlink');
      api = wrap<EchoApi>(nodeEndpoint(worker));
    },
    async run() {
      const remote = api!; // set in setup
      const done = new Completion(total);
      const ledger = new Ledger();
      let left = total;
      const loop = async (): Promise<void> => {
        while (left > 0) {
          const n = left--;
          ledger.sent++;
          ledger.sentSum += n;
          const answer = await remote.echo(n);
          ledger.answeredSum += answer;
          done.tick();
        }
      };
      done.start();
      await Promise.all(Array.from({ length: IN_FLIGHT }, loop));
      await done.wait(TIMEOUT_MS, 'thread-request baseline');
      return { ...throughputTrial(done, ledger.sent), delivered: ledger.delivered(done) };
    },
    async teardown() {
      api?.[releaseProxy]();
      await worker?.terminate();
    },
  };
}

/** The cases of this module. */
export const cases: readonly BenchCase[] = [
  {
    name: `thread-request ${IN_FLIGHT} in flight`,
    unit: 'M req/s',
    better: 'higher',
    target: { of: 'ratio', op: '>=', limit: 10 },
    subject: actors(SUBJECT_REQUESTS),
    baseline: comlink(BASELINE_REQUESTS),
  },
];
