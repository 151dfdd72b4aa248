import { describe, expect, it } from 'vitest';
import { ByteWriter } from '../../../../runtime/serialization/byte-writer.ts';
import { Doorbell } from '../../../../runtime/threads/ring/doorbell.ts';
import { RingReader } from '../../../../runtime/threads/ring/ring-reader.ts';
import { RingWriter } from '../../../../runtime/threads/ring/ring-writer.ts';
import { SpscRing } from '../../../../runtime/threads/ring/spsc-ring.ts';

const CAPACITY = 1024;

function frameOf(size: number, index: number): Uint8Array {
  const frame = new Uint8Array(size);
  for (let i = 0; i < size; i++) frame[i] = (index * 29 + i * 11 + 3) & 0xff;
  return frame;
}

const newBell = (): Doorbell => new Doorbell(new Int32Array(Doorbell.allocate()));

/** A writer and a reader over one ring, with the bells each side rings. */
function channel(): {
  writer: RingWriter;
  reader: RingReader;
  producerBell: Doorbell;
  consumerBell: Doorbell;
  received: Uint8Array[];
  readSome: (max?: number) => number;
} {
  const buffer = SpscRing.allocate(CAPACITY);
  const producerBell = newBell();
  const consumerBell = newBell();
  const writer = new RingWriter(new SpscRing(buffer), consumerBell);
  const reader = new RingReader(new SpscRing(buffer), producerBell);
  const received: Uint8Array[] = [];
  const collect = (frame: Uint8Array): void => void received.push(frame.slice());
  const readSome = (max = Number.MAX_SAFE_INTEGER): number => reader.read(collect, max);
  return { writer, reader, producerBell, consumerBell, received, readSome };
}

describe('RingWriter', () => {
  it('ring writer: a frame that fits goes straight into the ring', () => {
    const { writer, received, readSome } = channel();
    expect(writer.send(frameOf(40, 1))).toBe(true);
    expect(writer.queuedFrames).toBe(0);
    readSome();
    expect(received).toEqual([frameOf(40, 1)]);
  });

  it('ring writer: under a full ring nothing is lost or reordered, and flush drains as space frees', () => {
    const { writer, received, readSome } = channel();
    const sizes = [0, 1, 300, 5, 2 * CAPACITY, 17, 4, 3 * CAPACITY + 3, 250, 251, 252, 253];
    const frames: Uint8Array[] = [];
    for (let round = 0; round < 20; round++) {
      for (const size of sizes) frames.push(frameOf(size, frames.length));
    }
    for (const frame of frames) writer.send(frame);
    expect(writer.queuedFrames).toBeGreaterThan(0);
    let flushes = 0;
    while (!writer.flush()) {
      flushes++;
      expect(readSome(3)).toBeLessThanOrEqual(3);
    }
    readSome();
    expect(flushes).toBeGreaterThan(10);
    expect(received).toEqual(frames);
    expect(writer.queuedBytes).toBe(0);
  });

  it('ring writer: once something is queued, a later frame waits behind it even if it fits', () => {
    const { writer, received, readSome } = channel();
    const big = frameOf(3 * CAPACITY, 1);
    expect(writer.send(big)).toBe(false);
    readSome(); // frees the whole ring, but the big frame is still unfinished
    const small = frameOf(8, 2);
    expect(writer.send(small)).toBe(false);
    expect(writer.queuedFrames).toBe(2);
    while (!writer.flush()) readSome();
    readSome();
    expect(received).toEqual([big, small]);
  });

  it('ring writer: queued frames are copies, so the caller may reuse its buffer', () => {
    const { writer, received, readSome } = channel();
    const filler = frameOf(CAPACITY, 0);
    writer.send(filler);
    const reused = frameOf(64, 1);
    writer.send(reused);
    reused.fill(0xee);
    while (!writer.flush()) readSome();
    readSome();
    expect(received).toEqual([filler, frameOf(64, 1)]);
  });

  it('ring writer: queuedFrames and queuedBytes count what is still outside the ring', () => {
    const { writer, readSome } = channel();
    const big = frameOf(2 * CAPACITY, 1);
    writer.send(big);
    const inRing = 4 * (CAPACITY / 4 - 4); // four full records
    expect(writer.queuedFrames).toBe(1);
    expect(writer.queuedBytes).toBe(big.length - inRing);
    writer.send(frameOf(10, 2));
    expect(writer.queuedFrames).toBe(2);
    expect(writer.queuedBytes).toBe(big.length - inRing + 10);
    readSome();
    writer.flush();
    expect(writer.queuedBytes).toBe(big.length - 2 * inRing + 10);
  });

  it('ring writer: a consumer read that frees space rings the producer bell the writer asked for', () => {
    const { writer, producerBell, readSome } = channel();
    writer.send(frameOf(3 * CAPACITY, 1)); // overflows: the writer requests space
    producerBell.prepareSleep(); // the producer's pump goes to sleep
    readSome();
    expect(producerBell.sleeping).toBe(false); // rung awake
    producerBell.prepareSleep();
    readSome(); // nothing new was read and the request was taken: no second ring
    expect(producerBell.sleeping).toBe(true);
  });

  it('ring writer: without an overflow, consumer reads never ring the producer', () => {
    const { writer, producerBell, readSome } = channel();
    producerBell.prepareSleep();
    for (let i = 0; i < 50; i++) {
      writer.send(frameOf(30, i));
      readSome();
    }
    expect(producerBell.sleeping).toBe(true);
  });

  it('ring writer: send rings the consumer bell when the consumer sleeps', () => {
    const { writer, consumerBell, readSome } = channel();
    consumerBell.prepareSleep();
    writer.send(frameOf(5, 0));
    expect(consumerBell.sleeping).toBe(false);
    readSome();
    consumerBell.prepareSleep();
    writer.send(frameOf(3 * CAPACITY, 1)); // partly written: still worth waking for
    expect(consumerBell.sleeping).toBe(false);
  });

  it('ring writer: drop returns unstarted frames in order, discards a started one, and retires', () => {
    const { writer } = channel();
    writer.send(frameOf(3 * CAPACITY, 0)); // partly in the ring
    const rest = [frameOf(10, 1), frameOf(0, 2), frameOf(400, 3)];
    for (const frame of rest) writer.send(frame);
    expect(writer.drop()).toEqual(rest);
    expect(writer.queuedFrames).toBe(0);
    expect(writer.queuedBytes).toBe(0);
    expect(() => writer.send(frameOf(1, 4))).toThrow(
      expect.objectContaining({ code: 'ERR_SYSTEM_STOPPED' }),
    );
  });

  it('ring writer: drop keeps a queued frame that had not started', () => {
    const { writer } = channel();
    for (let i = 0; i < 4; i++) writer.send(frameOf(CAPACITY / 4 - 4, i)); // fills the ring
    const waiting = frameOf(12, 9);
    expect(writer.send(waiting)).toBe(false);
    expect(writer.drop()).toEqual([waiting]);
  });

  it('ring writer: the first frame of a task is visible at once, later ones by the end of it', async () => {
    const { writer, consumerBell, received, readSome } = channel();
    writer.send(frameOf(10, 0));
    writer.send(frameOf(11, 1));
    writer.send(frameOf(12, 2));
    readSome();
    expect(received).toEqual([frameOf(10, 0)]); // the rest waits for the end of the task
    consumerBell.prepareSleep(); // the consumer finds nothing more and goes to sleep
    await Promise.resolve(); // the end of the task: one microtask later
    expect(consumerBell.sleeping).toBe(false); // publishing rang it awake
    readSome();
    expect(received).toEqual([frameOf(10, 0), frameOf(11, 1), frameOf(12, 2)]);
  });

  it('ring writer: flush publishes what the task wrote so far', () => {
    const { writer, received, readSome } = channel();
    for (let i = 0; i < 4; i++) writer.send(frameOf(8, i));
    expect(writer.flush()).toBe(true);
    readSome();
    expect(received).toEqual([0, 1, 2, 3].map((i) => frameOf(8, i)));
  });

  it('ring writer: a long burst moves its overflow into the ring by itself as space frees', () => {
    const { writer, received, readSome } = channel();
    const frames: Uint8Array[] = [];
    const send = (): void => {
      const frame = frameOf(20, frames.length);
      frames.push(frame);
      writer.send(frame);
    };
    while (writer.queuedFrames === 0) send(); // the ring is full
    readSome(); // the consumer frees the whole ring, but nobody calls flush
    const inRing = received.length;
    for (let i = 0; i < 200; i++) send(); // a burst that never yields
    readSome();
    expect(received.length).toBeGreaterThan(inRing); // the burst itself refilled the ring
    while (!writer.flush()) readSome();
    readSome();
    expect(received).toEqual(frames);
  });

  it('ring writer: a burst far larger than the ring arrives whole and in order', () => {
    const { writer, received, readSome } = channel();
    const frames: Uint8Array[] = [];
    const encoded = new ByteWriter(64);
    for (let i = 0; i < 20_000; i++) {
      const size = i % 1000 === 999 ? 5000 : i % 61;
      const frame = frameOf(size, i);
      frames.push(frame);
      encoded.reset();
      encoded.raw(frame);
      encoded.u32(0xdeadbeef); // beyond `length`: never sent
      writer.send(encoded.buffer, size, encoded.words);
    }
    expect(writer.queuedBytes).toBeGreaterThan(64 * 1024); // several overflow blocks
    while (!writer.flush()) readSome(50);
    readSome();
    expect(received).toEqual(frames);
    expect(writer.queuedFrames).toBe(0);
  });
});
