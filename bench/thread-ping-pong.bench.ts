import type { Worker } from 'node:worker_threads';
import {
  Placement,
  Props,
  type Actor,
  type ActorNode,
  type Context,
  type PID,
  type ThreadStats,
} from '../runtime/index.ts';
import {
  Completion,
  type BenchCase,
  type Baseline,
  type Subject,
  type Trial,
} from './harness/index.ts';
import { Bouncer, type Peer } from './threads/bench-kinds.ts';
import { LatencyRecorder } from './threads/latency.ts';
import { SharedNode, startPlainWorker } from './threads/shared-node.ts';

/**
 * thread-ping-pong: an actor on the main thread and a bouncer actor on a worker thread pass a
 * number back and forth, one message in flight: the pinger sends the next number as soon as the
 * previous one is back. The latency cases time every round trip and report a percentile; the
 * loaded case times the whole rally and reports the time per message (two per round trip). Every
 * case runs its round trips back to back. The subject's note counts how often each thread's ring
 * pump fell asleep per round trip: near 0 when both threads poll their rings, near 1 when every
 * message has to wake its receiver.
 *
 * Baseline `postMessage`: the same rally between the main thread and a bare worker that posts
 * every message straight back.
 */

const TIMEOUT_MS = 60_000;
const LATENCY_ROUNDS = 20_000;
const LOADED_ROUNDS = 100_000;

/** One run's rally: how many round trips, and where to record them. */
class Rally {
  sent = 0;

  constructor(
    readonly rounds: number,
    readonly done: Completion,
    readonly recorder: LatencyRecorder | undefined,
  ) {}
}

/** Serves the rally from the main thread: each echo that matches ends one round trip. */
class Pinger implements Actor {
  private rally: Rally | undefined;

  constructor(private readonly bouncer: PID) {}

  receive(context: Context): void {
    const message = context.message;
    if (typeof message === 'number') {
      const rally = this.rally!; // a Rally starts every exchange
      rally.recorder?.end();
      if (message === rally.sent) rally.done.tick();
      if (rally.sent < rally.rounds) {
        rally.recorder?.begin();
        context.send(this.bouncer, ++rally.sent);
      }
    } else if (message instanceof Rally) {
      this.rally = message;
      message.recorder?.begin();
      context.send(this.bouncer, ++message.sent);
    }
  }
}

/** What a run measures: a percentile of round-trip times, or the mean time per message. */
type Measure = { readonly percentile: number } | 'per-message';

/** The figure of a finished rally, with the spread of its round trips (and `extra`) as a note. */
function trialOf(rally: Rally, measure: Measure, extra = ''): Trial {
  const { done, recorder } = rally;
  const trial = { sent: rally.sent, delivered: done.delivered };
  if (measure === 'per-message' || recorder === undefined) {
    const value = (done.elapsedMs * 1000) / (2 * rally.rounds);
    return extra === '' ? { ...trial, value } : { ...trial, value, note: extra };
  }
  const note = [
    `p50 ${recorder.percentile(50).toFixed(1)} µs`,
    `p99 ${recorder.percentile(99).toFixed(1)} µs`,
    `max ${recorder.percentile(100).toFixed(0)} µs`,
    extra,
  ].join('  ');
  return { ...trial, value: recorder.percentile(measure.percentile), note };
}

/** Sleeps of each thread's ring pump per round trip between two `ActorNode.stats()` readings. */
function sleepsPerRound(before: ThreadStats[], after: ThreadStats[], rounds: number): string {
  const perThread = after.map((stats, i) => {
    const slept = stats.sleeps - (before[i]?.sleeps ?? 0);
    return `${stats.slot === 0 ? 'main' : `worker ${stats.slot}`} ${(slept / rounds).toFixed(2)}`;
  });
  return `pump sleeps per round trip: ${perThread.join(', ')}`;
}

function newRally(rounds: number, measure: Measure): Rally {
  const recorder = measure === 'per-message' ? undefined : new LatencyRecorder(rounds);
  return new Rally(rounds, new Completion(rounds), recorder);
}

function actors(rounds: number, measure: Measure): Subject {
  const shared = new SharedNode();
  let node: ActorNode | undefined;
  let pinger: PID | undefined;
  return {
    async setup() {
      node = await shared.acquire();
      const bouncer = node.root.spawn(Bouncer.withPlacement(Placement.thread(1)));
      pinger = node.root.spawn(Props.fromProducer(() => new Pinger(bouncer)));
      const peer: Peer = { peer: pinger };
      node.root.send(bouncer, peer);
    },
    async run() {
      const running = node!; // set in setup, like pinger
      const rally = newRally(rounds, measure);
      const before = await running.stats();
      rally.done.start();
      running.root.send(pinger!, rally);
      await rally.done.wait(TIMEOUT_MS, 'thread-ping-pong');
      const after = await running.stats();
      return trialOf(rally, measure, sleepsPerRound(before, after, rounds));
    },
    teardown: () => shared.release(),
  };
}

function postMessage(rounds: number, measure: Measure): Baseline {
  let worker: Worker | undefined;
  return {
    name: 'postMessage',
    async setup() {
      worker = await startPlainWorker('echo');
    },
    async run() {
      const target = worker!; // started in setup
      const rally = newRally(rounds, measure);
      const { done, recorder } = rally;
      const onEcho = (message: number): void => {
        recorder?.end();
        if (message === rally.sent) done.tick();
        if (rally.sent < rally.rounds) {
          recorder?.begin();
          target.postMessage(++rally.sent);
        }
      };
      target.on('message', onEcho);
      done.start();
      recorder?.begin();
      target.postMessage(++rally.sent);
      try {
        await done.wait(TIMEOUT_MS, 'thread-ping-pong baseline');
      } finally {
        target.off('message', onEcho);
      }
      return trialOf(rally, measure);
    },
    async teardown() {
      await worker?.terminate();
    },
  };
}

function latency(percentile: number, target?: BenchCase['target']): BenchCase {
  const measure = { percentile };
  const benchCase: BenchCase = {
    name: `thread-ping-pong p${percentile}`,
    unit: 'µs',
    better: 'lower',
    subject: actors(LATENCY_ROUNDS, measure),
    baseline: postMessage(LATENCY_ROUNDS, measure),
  };
  return target === undefined ? benchCase : { ...benchCase, target };
}

/** The cases of this module. */
export const cases: readonly BenchCase[] = [
  latency(50, { of: 'ratio', op: '<=', limit: 0.75 }),
  latency(99),
  {
    name: 'thread-ping-pong loaded',
    unit: 'µs/msg',
    better: 'lower',
    target: { of: 'value', op: '<=', limit: 1 },
    subject: actors(LOADED_ROUNDS, 'per-message'),
    baseline: postMessage(LOADED_ROUNDS, 'per-message'),
  },
];
