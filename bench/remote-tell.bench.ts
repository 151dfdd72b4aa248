import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { Props, type Actor, type Context, type PID } from '../runtime/index.ts';
import {
  Completion,
  throughputTrial,
  type Baseline,
  type BenchCase,
  type Subject,
  type Target,
} from './harness/index.ts';
import {
  COUNTER_KIND,
  TEXT,
  type CountReport,
  type CountSetup,
  type Tick,
} from './remote/bench-kinds.ts';
import { encodeEnvelope } from './remote/envelope-codec.ts';
import {
  CHUNK_BYTES,
  CONTROL_BYTES,
  PAYLOAD_BYTES,
  PREFIX_BYTES,
  frameBlock,
} from './remote/raw-frames.ts';
import { RawLink } from './remote/raw-link.ts';
import { RemotePair, type TransportName } from './remote/remote-pair.ts';

/**
 * remote-tell: one-way messages between two processes on loopback. An actor on node A (this
 * process) sends `{ n, text }` ticks, 30 to 32 bytes each on the wire, to a counter actor on
 * node B (a `spindle-peer.ts` process), `SLICE` per turn of its mailbox, so that encoding on A
 * overlaps decoding on B as it would for any producer that yields. The counter is told first how
 * many to expect and reports its count back over remoting to an actor on A; the run ends when
 * that report arrives. The note gives the frames written, envelopes per frame, bytes per message
 * and when the sender's last send happened.
 *
 * Baselines, both a bare `node:net` socket to a `raw-peer.ts` process that counts and reports
 * its count back the same way:
 *   net-frames  length-prefixed 32-byte frames, 64 KiB per write, waiting for 'drain' when the
 *               socket asks: what the socket carries (the limit of any transport here)
 *   protobufjs  every message encoded by protobufjs as a `MessageEnvelope` (a 32-byte payload,
 *               type and target indices) and decoded by it on the other side, otherwise the same:
 *               the codec limit of a remoting layer built on a generic protobuf library
 */

const SUBJECT_MESSAGES = 1_000_000;
const RAW_FRAMES = 10_000_000;
const CODEC_MESSAGES = 1_000_000;
/** Ticks the sender sends per message it processes. */
const SLICE = 1_000;
const TIMEOUT_MS = 60_000;
const FRAME_BYTES = PREFIX_BYTES + PAYLOAD_BYTES;

/** Tells the sender to send `count` ticks to `target`, after the counter's setup. */
class Burst {
  constructor(
    readonly target: PID,
    readonly count: number,
    readonly setup: CountSetup,
  ) {}
}

/** The sender's own reminder to send the next slice; it never leaves node A. */
class NextSlice {}
const NEXT_SLICE = new NextSlice();

/** Sends a burst of ticks a slice at a time, yielding to its mailbox between slices. */
class TellSender implements Actor {
  private target: PID | undefined;
  private left = 0;
  private n = 0;
  /** `performance.now()` after the last send of the burst. */
  lastSendAt = Number.NaN;

  receive(context: Context): void {
    const message = context.message;
    if (message instanceof Burst) {
      this.target = message.target;
      this.left = message.count;
      this.n = 0;
      context.send(message.target, message.setup);
    } else if (message !== NEXT_SLICE) {
      return;
    }
    const target = this.target!; // set by the Burst that starts every run
    const slice = Math.min(SLICE, this.left);
    for (let i = 0; i < slice; i++) {
      const tick: Tick = { n: this.n++, text: TEXT };
      context.send(target, tick);
    }
    this.left -= slice;
    if (this.left > 0) context.send(context.self, NEXT_SLICE);
    else this.lastSendAt = performance.now();
  }
}

function spindle(transport: TransportName, count: number): Subject {
  const pair = new RemotePair(transport);
  let counter: PID | undefined;
  let reporter: PID | undefined;
  let sender: PID | undefined;
  let senderActor: TellSender | undefined;
  /** The completion of the run under way, ticked by the reporter. */
  let current = new Completion(0);
  return {
    async setup() {
      await pair.start();
      const root = pair.system.root;
      counter = await pair.spawnThere(COUNTER_KIND);
      reporter = root.spawn(
        Props.fromFunc((context) => {
          const report = context.message as Partial<CountReport>;
          if (typeof report.counted === 'number') current.add(report.counted);
        }),
      );
      sender = root.spawn(Props.fromProducer(() => (senderActor = new TellSender())));
    },
    async run() {
      const { root } = pair.system;
      const metrics = pair.remote.metrics;
      const frames = metrics.framesOut;
      const bytes = metrics.bytesOut;
      const done = (current = new Completion(count));
      done.start();
      // counter, reporter and sender are set in setup
      root.send(sender!, new Burst(counter!, count, { expect: count, report: reporter! }));
      await done.wait(TIMEOUT_MS, `remote-tell ${transport}`);
      const framesOut = metrics.framesOut - frames;
      const sentAt = senderActor!.lastSendAt - done.startedAt; // the sender ran the burst
      const note =
        `${framesOut} frames, ${(count / framesOut).toFixed(0)} msgs/frame, ` +
        `${((metrics.bytesOut - bytes) / count).toFixed(1)} B/msg; ` +
        `last send at ${sentAt.toFixed(0)} ms, all counted at ${done.elapsedMs.toFixed(0)} ms`;
      return throughputTrial(done, count, count, note);
    },
    teardown: () => pair.stop(),
  };
}

/**
 * Tells the peer to expect `count` frames, sends them a chunk at a time from `fill` (which writes
 * up to a chunk of frames, to the socket or the link's writer, and returns how many), waiting for
 * 'drain' whenever the socket asks, and waits for the peer's count, which ends the run.
 */
async function countedRun(
  link: RawLink,
  count: number,
  label: string,
  fill: (sent: number) => number,
): Promise<Completion> {
  const done = new Completion(count);
  link.onFrame((buffer, start, length) => {
    if (length === CONTROL_BYTES) done.add(buffer.readUInt32BE(start));
  });
  const { socket, writer } = link;
  done.start();
  writer.control(count);
  writer.flush();
  let sent = 0;
  while (sent < count) {
    sent += fill(sent);
    writer.flush();
    if (socket.writableNeedDrain) await once(socket, 'drain');
  }
  await done.wait(TIMEOUT_MS, label);
  return done;
}

function netFrames(count: number): Baseline {
  const link = new RawLink('count');
  const perChunk = Math.floor(CHUNK_BYTES / FRAME_BYTES);
  const block = frameBlock(perChunk);
  return {
    name: 'net-frames',
    setup: () => link.open(),
    async run() {
      const { socket } = link;
      const done = await countedRun(link, count, 'remote-tell baseline net-frames', (sent) => {
        const frames = Math.min(perChunk, count - sent);
        const out = Buffer.allocUnsafe(frames * FRAME_BYTES);
        block.copy(out, 0, 0, out.length);
        for (let f = 0; f < frames; f++)
          out.writeUInt32BE(sent + f, f * FRAME_BYTES + PREFIX_BYTES);
        socket.write(out);
        return frames;
      });
      return throughputTrial(done, count);
    },
    teardown: () => link.close(),
  };
}

function protobufjs(count: number): Baseline {
  const link = new RawLink('codec');
  const payload = Buffer.alloc(PAYLOAD_BYTES, 0x2e);
  return {
    name: 'protobufjs',
    setup: () => link.open(),
    async run() {
      const { writer } = link;
      const done = await countedRun(link, count, 'remote-tell baseline protobufjs', (sent) => {
        let n = sent;
        while (n < count && writer.room >= 2 * FRAME_BYTES) {
          payload.writeUInt32BE(n, 0);
          const bytes = encodeEnvelope({ typeId: 1, messageData: payload, target: 1 });
          writer.buffer.set(bytes, writer.reserve(bytes.length));
          n++;
        }
        return n - sent;
      });
      return throughputTrial(done, count);
    },
    teardown: () => link.close(),
  };
}

function tellCase(
  name: string,
  transport: TransportName,
  baseline: Baseline,
  target: Target,
): BenchCase {
  return {
    name,
    unit: 'M msg/s',
    better: 'higher',
    target,
    subject: spindle(transport, SUBJECT_MESSAGES),
    baseline,
  };
}

/** The cases of this module. */
export const cases: readonly BenchCase[] = [
  tellCase('remote-tell tcp vs socket', 'tcp', netFrames(RAW_FRAMES), {
    of: 'value',
    op: '>=',
    limit: 1,
  }),
  tellCase('remote-tell tcp vs codec', 'tcp', protobufjs(CODEC_MESSAGES), {
    of: 'ratio',
    op: '>=',
    limit: 0.5,
  }),
  tellCase('remote-tell grpc', 'grpc', protobufjs(CODEC_MESSAGES), {
    of: 'value',
    op: '>=',
    limit: 0.5,
  }),
];
