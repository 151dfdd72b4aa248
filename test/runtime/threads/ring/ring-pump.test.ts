import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { Doorbell } from '../../../../runtime/threads/ring/doorbell.ts';
import { RingPump } from '../../../../runtime/threads/ring/ring-pump.ts';
import { RingReader } from '../../../../runtime/threads/ring/ring-reader.ts';
import { RingWriter } from '../../../../runtime/threads/ring/ring-writer.ts';
import { SpscRing } from '../../../../runtime/threads/ring/spsc-ring.ts';
import { launchWorker } from '../../../../runtime/threads/worker-launcher.ts';
import type { EchoWorkerData, EchoWorkerStats } from './fixtures/echo-worker.ts';

const newBell = (): Doorbell => new Doorbell(new Int32Array(Doorbell.allocate()));

function frameOf(size: number, index: number): Uint8Array {
  const frame = new Uint8Array(size);
  for (let i = 0; i < size; i++) frame[i] = (index * 13 + i * 5 + 7) & 0xff;
  return frame;
}

/** Rejects if `promise` has not settled within `ms`: a latch, not a delay. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Resolves once `condition` holds, checking once per event-loop turn; rejects after `ms`. */
function until(condition: () => boolean, ms: number, what: string): Promise<void> {
  return within(
    new Promise<void>((resolve) => {
      const check = (): void => (condition() ? resolve() : void setImmediate(check));
      check();
    }),
    ms,
    what,
  );
}

/** A ring whose consumer is `bell`'s owner, written from this thread. */
function inboundRing(bell: Doorbell): { writer: RingWriter; reader: RingReader } {
  const buffer = SpscRing.allocate(1024);
  const producerBell = newBell();
  return {
    writer: new RingWriter(new SpscRing(buffer), bell),
    reader: new RingReader(new SpscRing(buffer), producerBell),
  };
}

describe('RingPump', () => {
  it('ring pump: delivers every frame with its source slot, in order per source', () => {
    const bell = newBell();
    const got: string[] = [];
    const pump = new RingPump({
      bell,
      onFrame: (source, frame) => got.push(`${source}:${frame[0]}`),
    });
    const a = inboundRing(bell);
    const b = inboundRing(bell);
    pump.addReader(1, a.reader);
    pump.addReader(2, b.reader);
    a.writer.send(Uint8Array.of(10));
    b.writer.send(Uint8Array.of(20));
    a.writer.send(Uint8Array.of(11));
    a.writer.flush(); // publishes now rather than at the end of the task
    expect(pump.pollNow()).toBe(3);
    expect(got).toEqual(['1:10', '1:11', '2:20']);
    expect(pump.framesIn).toBe(3);
  });

  it('ring pump: one busy producer cannot starve another: a batch per ring per pass', () => {
    const bell = newBell();
    const got: number[] = [];
    const pump = new RingPump({ bell, batch: 4, onFrame: (source) => got.push(source) });
    const busy = inboundRing(bell);
    const quiet = inboundRing(bell);
    pump.addReader(1, busy.reader);
    pump.addReader(2, quiet.reader);
    for (let i = 0; i < 50; i++) busy.writer.send(frameOf(4, i));
    for (let i = 0; i < 2; i++) quiet.writer.send(frameOf(4, i));
    busy.writer.flush();
    quiet.writer.flush();
    expect(pump.pollNow()).toBe(6);
    expect(got).toEqual([1, 1, 1, 1, 2, 2]);
  });

  it('ring pump: pollNow from inside onFrame skips the ring being drained', () => {
    const bell = newBell();
    const got: string[] = [];
    const pump: RingPump = new RingPump({
      bell,
      onFrame: (source, frame) => {
        got.push(`${source}:${frame[0]}`);
        if (source === 1 && frame[0] === 1) expect(pump.pollNow()).toBe(1);
      },
    });
    const a = inboundRing(bell);
    const b = inboundRing(bell);
    pump.addReader(1, a.reader);
    pump.addReader(2, b.reader);
    a.writer.send(Uint8Array.of(1));
    a.writer.send(Uint8Array.of(2));
    b.writer.send(Uint8Array.of(3));
    a.writer.flush();
    pump.pollNow();
    expect(got).toEqual(['1:1', '2:3', '1:2']);
  });

  it('ring pump: sleeps when idle, wakes on a ring, and stop ends the sleep', async () => {
    const bell = newBell();
    const got: number[] = [];
    const pump = new RingPump({ bell, spinMicros: 0, onFrame: (_s, frame) => got.push(frame[0]!) });
    const a = inboundRing(bell);
    pump.addReader(1, a.reader);
    pump.start();
    await until(() => bell.sleeping, 5_000, 'pump asleep');
    expect(pump.sleeps).toBe(1);
    a.writer.send(Uint8Array.of(42));
    await until(() => got.length === 1, 5_000, 'frame delivered');
    expect(got).toEqual([42]);
    expect(pump.wakeups).toBe(1);
    await until(() => bell.sleeping, 5_000, 'pump asleep again');
    await within(pump.stop(), 5_000, 'stop');
    a.writer.send(Uint8Array.of(43)); // nobody drains any more
    await new Promise((resolve) => setImmediate(resolve));
    expect(got).toEqual([42]);
    expect(pump.framesIn).toBe(1);
  });

  it('ring pump: stop before start resolves, and a stopped pump can start again', async () => {
    const bell = newBell();
    const got: number[] = [];
    const pump = new RingPump({ bell, onFrame: (_s, frame) => got.push(frame[0]!) });
    await within(pump.stop(), 1_000, 'stop before start');
    const a = inboundRing(bell);
    pump.addReader(1, a.reader);
    pump.start();
    await within(pump.stop(), 5_000, 'first stop');
    a.writer.send(Uint8Array.of(7));
    pump.start();
    await until(() => got.length === 1, 5_000, 'delivered after restart');
    await within(pump.stop(), 5_000, 'second stop');
    expect(got).toEqual([7]);
  });

  it('ring pump: an error from onFrame goes to onError and the loop keeps running', async () => {
    const bell = newBell();
    const errors: unknown[] = [];
    const got: number[] = [];
    const pump = new RingPump({
      bell,
      onError: (error) => errors.push(error),
      onFrame: (_s, frame) => {
        if (frame[0] === 1) throw new Error('bad frame');
        got.push(frame[0]!);
      },
    });
    const a = inboundRing(bell);
    pump.addReader(1, a.reader);
    pump.start();
    for (const value of [0, 1, 2]) a.writer.send(Uint8Array.of(value));
    await until(() => got.length === 2, 5_000, 'frames after the error');
    await within(pump.stop(), 5_000, 'stop');
    expect(got).toEqual([0, 2]);
    expect(errors).toEqual([new Error('bad frame')]);
  });

  it('ring pump: flushes a writer’s overflow when the consumer frees space', async () => {
    const producerBell = newBell();
    const consumerBell = newBell();
    const buffer = SpscRing.allocate(1024);
    const writer = new RingWriter(new SpscRing(buffer), consumerBell);
    const reader = new RingReader(new SpscRing(buffer), producerBell);
    const pump = new RingPump({ bell: producerBell, spinMicros: 0, onFrame: () => {} });
    pump.addWriter(3, writer);
    const frames = Array.from({ length: 40 }, (_, i) => frameOf(100 + i * 37, i));
    for (const frame of frames) writer.send(frame);
    expect(writer.queuedFrames).toBeGreaterThan(0);
    pump.start();
    await until(() => producerBell.sleeping, 5_000, 'producer pump asleep on a full ring');
    const received: Uint8Array[] = [];
    // The consumer reads on its own; each read that frees space rings the producer's pump.
    await until(
      () => {
        reader.read((frame) => void received.push(frame.slice()), 1);
        return received.length === frames.length;
      },
      10_000,
      'all frames through',
    );
    await within(pump.stop(), 5_000, 'stop');
    expect(received).toEqual(frames);
    expect(pump.wakeups).toBeGreaterThan(0);
  });

  it('ring pump: a reply sent by the actor a frame woke is seen before the next event-loop turn', async () => {
    const bell = newBell();
    const a = inboundRing(bell);
    const order: string[] = [];
    let nextTurn: Promise<void> = Promise.resolve();
    const pump = new RingPump({
      bell,
      onFrame: (_source, frame) => {
        order.push(`frame ${frame[0]}`);
        if (frame[0] !== 1) return;
        // What an actor does after this delivery: it runs on a microtask and answers. The pump's
        // next event-loop turn is queued after this setImmediate.
        nextTurn = new Promise((resolve) => setImmediate(resolve)).then(() => {
          order.push('next turn');
        });
        queueMicrotask(() => a.writer.send(Uint8Array.of(2)));
      },
    });
    pump.addReader(1, a.reader);
    pump.start();
    a.writer.send(Uint8Array.of(1));
    await until(() => order.length >= 2, 5_000, 'both frames');
    await nextTurn;
    await within(pump.stop(), 5_000, 'stop');
    expect(order).toEqual(['frame 1', 'frame 2', 'next turn']);
  });

  it('ring pump: endless traffic between actors of one thread still lets timers and I/O run', async () => {
    const bell = newBell();
    const a = inboundRing(bell);
    const answers = 100_000; // then the traffic stops, so a pump that never yields still ends
    let frames = 0;
    const pump = new RingPump({
      bell,
      onFrame: () => {
        if (++frames < answers) queueMicrotask(() => a.writer.send(Uint8Array.of(frames & 0xff)));
      },
    });
    pump.addReader(1, a.reader);
    pump.start();
    a.writer.send(Uint8Array.of(0));
    // Wait for the traffic to start (on a loaded machine the pump may not have run yet), then
    // check that a timer still gets its turn while it goes on.
    const started = new Promise<void>((resolve) => {
      const check = (): void => void (frames > 0 ? resolve() : setImmediate(check));
      check();
    });
    await within(started, 10_000, 'the first frame');
    await within(new Promise((resolve) => setTimeout(resolve, 1)), 10_000, 'a timer');
    const atTimer = frames;
    await within(pump.stop(), 10_000, 'stop');
    expect(atTimer).toBeLessThan(answers); // the timer ran while the traffic went on
  });

  for (const { spinMicros, count } of [
    { spinMicros: 50, count: 100_000 },
    { spinMicros: 0, count: 30_000 },
  ]) {
    it(`ring pump: a worker echoes ${count} frames back in order, byte-exact (spin ${spinMicros} µs)`, async () => {
      const capacity = 16 * 1024;
      const data: EchoWorkerData = {
        inbound: SpscRing.allocate(capacity),
        outbound: SpscRing.allocate(capacity),
        workerBell: Doorbell.allocate(),
        mainBell: Doorbell.allocate(),
        spinMicros,
      };
      const frames = randomFrames(count, capacity, 0x5eed + spinMicros);
      const mainBell = new Doorbell(new Int32Array(data.mainBell));
      const workerBell = new Doorbell(new Int32Array(data.workerBell));
      let received = 0;
      let mismatch = -1;
      let allBack: () => void = () => {};
      const done = new Promise<void>((resolve) => (allBack = resolve));
      const pump = new RingPump({
        bell: mainBell,
        spinMicros,
        onFrame: (_source, frame) => {
          const expected = frames[received];
          if (mismatch < 0 && (expected === undefined || !sameBytes(frame, expected))) {
            mismatch = received;
          }
          if (++received === frames.length) allBack();
        },
      });
      const writer = new RingWriter(new SpscRing(data.inbound), workerBell);
      pump.addReader(1, new RingReader(new SpscRing(data.outbound), workerBell));
      pump.addWriter(1, writer);
      const worker = launchWorker(new URL('./fixtures/echo-worker.ts', import.meta.url), {
        workerData: data,
      });
      const exited = once(worker, 'exit');
      try {
        await within(once(worker, 'message'), 15_000, 'worker ready');
        pump.start();
        // Send in bursts, yielding between them, as actors on this thread would.
        for (let i = 0; i < frames.length; i++) {
          writer.send(frames[i]!);
          if (i % 1000 === 999) await new Promise((resolve) => setImmediate(resolve));
        }
        await within(done, 15_000, `echoes (${received} of ${frames.length} back)`);
        expect(mismatch).toBe(-1);
        expect(received).toBe(frames.length);
        expect(writer.queuedFrames).toBe(0);
        const stats = once(worker, 'message');
        worker.postMessage('stop');
        const [workerStats] = (await within(stats, 10_000, 'worker stats')) as [EchoWorkerStats];
        expect(workerStats.framesIn).toBe(frames.length);
        // The worker exits by itself only if its stopped pump released its keep-alive handle.
        expect(await within(exited, 10_000, 'worker exit')).toEqual([0]);
      } finally {
        await within(pump.stop(), 5_000, 'main pump stop');
        if (worker.threadId >= 0) await worker.terminate();
      }
    });
  }
});

/** Mostly small frames, some mid-sized, a few larger than the whole ring. */
function randomFrames(count: number, capacity: number, seed: number): Uint8Array[] {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const frames: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const roll = next();
    const size =
      roll < 0.9
        ? Math.floor(next() * 65)
        : roll < 0.997
          ? 65 + Math.floor(next() * 4000)
          : capacity + Math.floor(next() * 2 * capacity);
    frames.push(frameOf(size, i));
  }
  return frames;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
