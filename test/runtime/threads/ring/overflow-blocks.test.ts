import { describe, expect, it } from 'vitest';
import { ByteWriter } from '../../../../runtime/serialization/byte-writer.ts';
import { OverflowBlocks } from '../../../../runtime/threads/ring/overflow-blocks.ts';
import { SpscRing } from '../../../../runtime/threads/ring/spsc-ring.ts';

const CAPACITY = 4096;

function frameOf(size: number, index: number): Uint8Array {
  const frame = new Uint8Array(size);
  for (let i = 0; i < size; i++) frame[i] = (index * 37 + i * 13 + 5) & 0xff;
  return frame;
}

/** Drains `blocks` through a fresh ring, reading a few frames between moves; returns them. */
function throughRing(blocks: OverflowBlocks, producer: SpscRing, consumer: SpscRing): Uint8Array[] {
  const out: Uint8Array[] = [];
  const collect = (frame: Uint8Array): void => void out.push(frame.slice());
  for (let guard = 0; blocks.frames > 0; guard++) {
    expect(guard).toBeLessThan(1_000_000);
    blocks.drainInto(producer);
    producer.publish();
    consumer.read(collect, 7);
  }
  consumer.read(collect, Number.MAX_SAFE_INTEGER);
  return out;
}

function ringPair(): { producer: SpscRing; consumer: SpscRing } {
  const buffer = SpscRing.allocate(CAPACITY);
  return { producer: new SpscRing(buffer), consumer: new SpscRing(buffer) };
}

describe('OverflowBlocks', () => {
  it('overflow blocks: frames across many blocks drain in order, once, byte-exact', () => {
    const { producer, consumer } = ringPair();
    const blocks = new OverflowBlocks(producer.maxPayload);
    const frames: Uint8Array[] = [];
    // About 400 KiB of records: several 64 KiB blocks, frames split in records, and frames
    // larger than a block.
    for (let i = 0; i < 4000; i++) {
      const size = i % 500 === 7 ? 70_000 + i : i % 50 === 3 ? 3 * CAPACITY + (i % 9) : i % 97;
      frames.push(frameOf(size, i));
    }
    let payload = 0;
    for (const frame of frames) {
      blocks.append(frame, undefined, 0, frame.length, false);
      payload += frame.length;
    }
    expect(blocks.frames).toBe(frames.length);
    expect(blocks.payload).toBe(payload);
    expect(throughRing(blocks, producer, consumer)).toEqual(frames);
    expect(blocks.payload).toBe(0);
  });

  it('overflow blocks: after draining, the overflow takes frames again, through reused blocks', () => {
    const { producer, consumer } = ringPair();
    const blocks = new OverflowBlocks(producer.maxPayload);
    const writer = new ByteWriter(64);
    for (let round = 0; round < 3; round++) {
      const frames: Uint8Array[] = [];
      for (let i = 0; i < 5000; i++) {
        const frame = frameOf(20 + (i % 40), round * 10_000 + i);
        writer.reset();
        writer.raw(frame);
        blocks.append(writer.buffer, writer.words, 0, frame.length, false);
        frames.push(frame);
      }
      expect(blocks.frames).toBe(5000);
      blocks.append(frameOf(1, 0), undefined, 0, 1, false); // one unaligned, copied by bytes
      frames.push(frameOf(1, 0));
      expect(throughRing(blocks, producer, consumer)).toEqual(frames);
    }
  });

  it('overflow blocks: the rest of a frame whose start is in the ring arrives after it', () => {
    const { producer, consumer } = ringPair();
    const blocks = new OverflowBlocks(producer.maxPayload);
    const big = frameOf(3 * CAPACITY, 1);
    const started = producer.put(big, 0, big.length);
    expect(started).toBeGreaterThan(0);
    expect(started).toBeLessThan(big.length);
    producer.publish();
    blocks.append(big, undefined, started, big.length, true);
    blocks.append(frameOf(9, 2), undefined, 0, 9, false);
    expect(blocks.frames).toBe(2);
    expect(throughRing(blocks, producer, consumer)).toEqual([big, frameOf(9, 2)]);
  });

  it('overflow blocks: drain returns the frames never started and skips a started one', () => {
    const { producer } = ringPair();
    const blocks = new OverflowBlocks(producer.maxPayload);
    const big = frameOf(3 * CAPACITY, 1);
    blocks.append(big, undefined, 500, big.length, true); // its first 500 bytes are in the ring
    const rest = [frameOf(0, 2), frameOf(70_000, 3), frameOf(3 * CAPACITY, 4), frameOf(5, 5)];
    for (const frame of rest) blocks.append(frame, undefined, 0, frame.length, false);
    expect(blocks.drain()).toEqual(rest);
    expect(blocks.frames).toBe(0);
    expect(blocks.payload).toBe(0);
    blocks.append(frameOf(3, 6), undefined, 0, 3, false);
    expect(blocks.drain()).toEqual([frameOf(3, 6)]);
  });
});
