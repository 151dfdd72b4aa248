import type { PID } from '../runtime/index.ts';
import {
  Completion,
  type Baseline,
  type BenchCase,
  type Subject,
  type Target,
  type Trial,
} from './harness/index.ts';
import { ECHO_KIND } from './remote/bench-kinds.ts';
import { OpenLoop } from './remote/open-loop.ts';
import { PAYLOAD_BYTES } from './remote/raw-frames.ts';
import { RawLink } from './remote/raw-link.ts';
import { RemotePair, type TransportName } from './remote/remote-pair.ts';
import { LatencyRecorder } from './threads/latency.ts';

/**
 * remote-request: the latency of request/response between two processes on loopback. The root
 * context of node A (this process) requests (`root.request`) a number of an echo actor on node B
 * (a `spindle-peer.ts` process), which answers with the same number; every answer is checked.
 * Two ways of loading it:
 *
 *   one in flight   the next request goes out when the previous answer is in (closed loop);
 *                   each latency is the round trip
 *   10k/s           requests go out on a fixed schedule of `RATE` a second whatever the answers
 *                   (open loop, `OpenLoop`); each latency runs from the request's due time
 *
 * Baseline `net-echo`: the same requests as 32-byte frames over a bare `node:net` socket to a
 * `raw-peer.ts` process that writes every frame straight back.
 */

const CLOSED_REQUESTS = 10_000;
const RATE = 10_000;
const OPEN_REQUESTS = 5_000;
/** Unmeasured open-loop runs per side before measuring. */
const OPEN_WARMUP = 4;
const TIMEOUT_MS = 30_000;

/** How a run issues its requests: one at a time, or on an open-loop schedule. */
type Load = 'closed' | 'open';

/** One run's requests: their latencies and the check of their answers. */
class Run {
  readonly recorder: LatencyRecorder;
  readonly done: Completion;
  readonly loop: OpenLoop | undefined;
  /** Sum of the numbers sent minus the sum of the answers: 0 when every answer was right. */
  balance = 0;
  sent = 0;

  constructor(
    load: Load,
    readonly requests: number,
  ) {
    this.recorder = new LatencyRecorder(requests);
    this.done = new Completion(requests);
    this.loop = load === 'open' ? new OpenLoop(requests, RATE) : undefined;
  }

  /** Counts request `n` (1-based) as sent. */
  issued(n: number): void {
    this.sent++;
    this.balance += n;
  }

  /** Counts the answer `n`; a wrong answer upsets the balance. */
  answered(n: number): void {
    this.balance -= n;
    this.done.tick();
  }

  /** The chosen percentile as the figure; the spread of the run as the note. */
  trial(percentile: number, label: string): Trial {
    const recorder = this.recorder;
    const late =
      this.loop === undefined ? '' : `  issued late by up to ${this.loop.maxLateUs.toFixed(0)} µs`;
    const note =
      `p50 ${recorder.percentile(50).toFixed(0)} µs  p99 ${recorder.percentile(99).toFixed(0)} µs  ` +
      `max ${recorder.percentile(100).toFixed(0)} µs${late}`;
    if (this.balance !== 0) throw new Error(`${label}: an answer did not match its request`);
    return {
      value: recorder.percentile(percentile),
      sent: this.sent,
      delivered: this.done.delivered,
      note,
    };
  }
}

function spindle(transport: TransportName, load: Load, percentile: number): Subject {
  const pair = new RemotePair(transport);
  let echo: PID | undefined;
  const label = `remote-request ${transport}`;
  return {
    async setup() {
      await pair.start();
      echo = await pair.spawnThere(ECHO_KIND);
    },
    async run() {
      const root = pair.system.root;
      const target = echo!; // set in setup
      if (load === 'closed') {
        const run = new Run(load, CLOSED_REQUESTS);
        run.done.start();
        for (let n = 1; n <= run.requests; n++) {
          run.recorder.begin();
          run.issued(n);
          const answer = await root.request<number>(target, n, TIMEOUT_MS);
          run.recorder.end();
          run.answered(answer);
        }
        return run.trial(percentile, label);
      }
      const run = new Run(load, OPEN_REQUESTS);
      const loop = run.loop!; // an open run has its loop
      let failure: Error | undefined;
      run.done.start();
      await loop.run((index) => {
        const n = index + 1;
        run.issued(n);
        root.request<number>(target, n, TIMEOUT_MS).then(
          (answer) => {
            loop.answered(index, run.recorder);
            run.answered(answer);
          },
          (error: unknown) => {
            // Counted, so the run ends at once and fails with this error.
            failure ??= error instanceof Error ? error : new Error(String(error));
            run.done.tick();
          },
        );
      });
      await run.done.wait(TIMEOUT_MS, label);
      if (failure !== undefined) throw failure;
      return run.trial(percentile, label);
    },
    teardown: () => pair.stop(),
  };
}

function netEcho(load: Load, percentile: number): Baseline {
  const link = new RawLink('echo');
  const label = 'remote-request baseline net-echo';
  return {
    name: 'net-echo',
    setup: () => link.open(),
    async run() {
      const { writer } = link;
      const send = (n: number): void => {
        writer.buffer.writeUInt32BE(n, writer.reserve(PAYLOAD_BYTES));
      };
      if (load === 'closed') {
        const run = new Run(load, CLOSED_REQUESTS);
        link.onFrame((buffer, start) => {
          run.recorder.end();
          run.answered(buffer.readUInt32BE(start));
          if (run.sent < run.requests) {
            const n = run.sent + 1;
            run.recorder.begin();
            run.issued(n);
            send(n); // written once the read is processed
          }
        });
        run.done.start();
        run.recorder.begin();
        run.issued(1);
        send(1);
        writer.flush();
        await run.done.wait(TIMEOUT_MS, label);
        return run.trial(percentile, label);
      }
      const run = new Run(load, OPEN_REQUESTS);
      const loop = run.loop!; // an open run has its loop
      link.onFrame((buffer, start) => {
        const n = buffer.readUInt32BE(start);
        loop.answered(n - 1, run.recorder);
        run.answered(n);
      });
      run.done.start();
      await loop.run(
        (index) => {
          run.issued(index + 1);
          send(index + 1);
        },
        () => writer.flush(),
      );
      await run.done.wait(TIMEOUT_MS, label);
      return run.trial(percentile, label);
    },
    teardown: () => link.close(),
  };
}

function latency(
  transport: TransportName,
  load: Load,
  percentile: number,
  target: Target | undefined,
): BenchCase {
  const shown = load === 'closed' ? '' : ` ${RATE / 1000}k/s`;
  const benchCase: BenchCase = {
    name: `remote-request ${transport}${shown} p${percentile}`,
    unit: 'µs',
    better: 'lower',
    // A fresh peer takes about three open-loop runs (1.5 s) before JIT compilation and heap
    // sizing stop showing in its tail; closed-loop runs carry twice the requests.
    warmup: load === 'open' ? OPEN_WARMUP : 2,
    subject: spindle(transport, load, percentile),
    baseline: netEcho(load, percentile),
  };
  return target === undefined ? benchCase : { ...benchCase, target };
}

const P50_TARGET: Target = { of: 'value', op: '<=', limit: 250 };
const P99_TARGET: Target = { of: 'value', op: '<=', limit: 1000 };

/** The cases of this module. */
export const cases: readonly BenchCase[] = [
  latency('tcp', 'closed', 50, P50_TARGET),
  latency('tcp', 'closed', 99, P99_TARGET),
  latency('tcp', 'open', 50, P50_TARGET),
  latency('tcp', 'open', 99, P99_TARGET),
  latency('grpc', 'closed', 50, undefined),
  latency('grpc', 'open', 99, undefined),
];
