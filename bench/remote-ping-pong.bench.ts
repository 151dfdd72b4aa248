import { Props, type Actor, type Context, type PID, type SendOptions } from '../runtime/index.ts';
import {
  Completion,
  throughputTrial,
  type Baseline,
  type BenchCase,
  type Subject,
  type Trial,
} from './harness/index.ts';
import { ECHO_KIND } from './remote/bench-kinds.ts';
import { PAYLOAD_BYTES } from './remote/raw-frames.ts';
import { RawLink } from './remote/raw-link.ts';
import { RemotePair, type TransportName } from './remote/remote-pair.ts';

/**
 * remote-ping-pong: one actor pair across two processes on loopback, as in Proto.Actor's remote
 * benchmark. A pinger on node A (this process) keeps `inFlight` numbers outstanding to an echo
 * actor on node B (a `spindle-peer.ts` process), each sent with the pinger as sender; the echo
 * answers each to its sender, and every answer lets the pinger send the next number until
 * `rounds` were sent. Each answer is checked against what was sent. The figure counts messages
 * in both directions: two per round trip.
 *
 * Baseline `net-echo`: the same rally of 32-byte frames over a bare `node:net` socket to a
 * `raw-peer.ts` process that writes every frame straight back; on both sides the frames of one
 * read are answered in one write.
 */

const TIMEOUT_MS = 60_000;

/** One run: how many round trips, how many outstanding, and the count of good answers. */
class Rally {
  sent = 0;
  /** Sum of the numbers sent minus the sum of the answers: 0 when every answer was right. */
  balance = 0;

  constructor(
    readonly rounds: number,
    readonly inFlight: number,
    readonly done: Completion,
  ) {}
}

/** Starts the pinger on a rally with `ponger`. */
class Serve {
  constructor(
    readonly ponger: PID,
    readonly rally: Rally,
  ) {}
}

/** Sends numbers to the ponger with itself as the sender, one more for every answer. */
class Pinger implements Actor {
  private rally: Rally | undefined;
  private ponger: PID | undefined;
  private options: SendOptions | undefined;

  receive(context: Context): void {
    const message = context.message;
    if (typeof message === 'number') {
      const rally = this.rally!; // a Serve starts every exchange
      rally.balance -= message;
      rally.done.tick();
      if (rally.sent < rally.rounds) this.ping(context, rally);
    } else if (message instanceof Serve) {
      const rally = message.rally;
      this.rally = rally;
      this.ponger = message.ponger;
      this.options ??= { sender: context.self };
      const first = Math.min(rally.inFlight, rally.rounds);
      for (let i = 0; i < first; i++) this.ping(context, rally);
    }
  }

  private ping(context: Context, rally: Rally): void {
    const n = ++rally.sent;
    rally.balance += n;
    context.send(this.ponger!, n, this.options); // set with the rally
  }
}

/**
 * Two messages per round trip, in thousands a second when one is in flight (a few tens of
 * thousands) and millions otherwise; delivered only if every answer matched.
 */
function trialOf(rally: Rally): Trial {
  const trial = throughputTrial(rally.done, rally.sent, 2 * rally.rounds);
  const scaled = rally.inFlight === 1 ? { ...trial, value: trial.value * 1000 } : trial;
  return rally.balance === 0 ? scaled : { ...scaled, delivered: -1 };
}

function spindle(transport: TransportName, rounds: number, inFlight: number): Subject {
  const pair = new RemotePair(transport);
  let ponger: PID | undefined;
  let pinger: PID | undefined;
  return {
    async setup() {
      await pair.start();
      ponger = await pair.spawnThere(ECHO_KIND);
      pinger = pair.system.root.spawn(Props.fromProducer(() => new Pinger()));
    },
    async run() {
      const rally = new Rally(rounds, inFlight, new Completion(rounds));
      rally.done.start();
      pair.system.root.send(pinger!, new Serve(ponger!, rally)); // both set in setup
      await rally.done.wait(TIMEOUT_MS, `remote-ping-pong ${transport}`);
      return trialOf(rally);
    },
    teardown: () => pair.stop(),
  };
}

function netEcho(rounds: number, inFlight: number): Baseline {
  const link = new RawLink('echo');
  return {
    name: 'net-echo',
    setup: () => link.open(),
    async run() {
      const { writer } = link;
      const rally = new Rally(rounds, inFlight, new Completion(rounds));
      const ping = (): void => {
        const n = ++rally.sent;
        rally.balance += n;
        writer.buffer.writeUInt32BE(n, writer.reserve(PAYLOAD_BYTES));
      };
      link.onFrame((buffer, start) => {
        rally.balance -= buffer.readUInt32BE(start);
        rally.done.tick();
        if (rally.sent < rally.rounds) ping(); // written once the read is processed
      });
      rally.done.start();
      const first = Math.min(inFlight, rounds);
      for (let i = 0; i < first; i++) ping();
      writer.flush();
      await rally.done.wait(TIMEOUT_MS, 'remote-ping-pong baseline net-echo');
      return trialOf(rally);
    },
    teardown: () => link.close(),
  };
}

function pingPong(
  transport: TransportName,
  inFlight: number,
  rounds: number,
  baselineRounds: number,
): BenchCase {
  return {
    name: `remote-ping-pong ${transport} ${inFlight} in flight`,
    unit: inFlight === 1 ? 'k msg/s' : 'M msg/s',
    better: 'higher',
    subject: spindle(transport, rounds, inFlight),
    baseline: netEcho(baselineRounds, inFlight),
  };
}

/** The cases of this module. */
export const cases: readonly BenchCase[] = [
  pingPong('tcp', 1, 5_000, 10_000),
  pingPong('tcp', 1_000, 300_000, 2_000_000),
  pingPong('grpc', 1, 3_000, 10_000),
  pingPong('grpc', 1_000, 300_000, 2_000_000),
];
