import { describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../../../../runtime/errors.ts';
import { ByteWriter } from '../../../../runtime/serialization/byte-writer.ts';
import { OverflowBlocks } from '../../../../runtime/threads/ring/overflow-blocks.ts';
import { RECORD_MORE, SpscRing } from '../../../../runtime/threads/ring/spsc-ring.ts';

const CAPACITY = 1024;
/** Record header (4 bytes) plus payload padded to whole words. */
const recordBytes = (payload: number): number => 4 + Math.ceil(payload / 4) * 4;

/** A frame whose bytes depend on its index and position, so reordering or mixing shows. */
function frameOf(size: number, index: number): Uint8Array {
  const frame = new Uint8Array(size);
  for (let i = 0; i < size; i++) frame[i] = (index * 31 + i * 7 + 1) & 0xff;
  return frame;
}

/** A producer and a consumer over one fresh buffer, as two threads would hold them. */
function ringPair(capacity = CAPACITY): { producer: SpscRing; consumer: SpscRing } {
  const buffer = SpscRing.allocate(capacity);
  return { producer: new SpscRing(buffer), consumer: new SpscRing(buffer) };
}

/** Reads every complete frame now in the ring, copying each out of the callback. */
function readAll(consumer: SpscRing, max = Number.MAX_SAFE_INTEGER): Uint8Array[] {
  const out: Uint8Array[] = [];
  consumer.read((frame) => out.push(frame.slice()), max);
  return out;
}

/** Pushes `frames` through, reading whenever the producer is stuck; returns what came out. */
function transfer(producer: SpscRing, consumer: SpscRing, frames: Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const frame of frames) {
    let offset = 0;
    for (let stuck = 0; ; stuck++) {
      offset = producer.write(frame, offset);
      if (offset === frame.length) break;
      expect(stuck).toBeLessThan(1000);
      consumer.read((received) => out.push(received.slice()), Number.MAX_SAFE_INTEGER);
    }
  }
  consumer.read((received) => out.push(received.slice()), Number.MAX_SAFE_INTEGER);
  return out;
}

describe('SpscRing', () => {
  it('spsc ring: allocate rejects a capacity that is not a power of two of at least 1 KiB', () => {
    for (const bad of [0, -1024, 512, 1000, 1536, 1024.5, Number.NaN, 2 ** 31]) {
      expect(() => SpscRing.allocate(bad)).toThrow(InvalidConfigError);
    }
    expect(() => SpscRing.allocate(3000)).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_CONFIG' }),
    );
    expect(SpscRing.allocate(1024).byteLength).toBeGreaterThan(1024);
  });

  it('spsc ring: the constructor rejects a buffer that is not shared or not made by allocate', () => {
    expect(() => new SpscRing(new ArrayBuffer(4096) as unknown as SharedArrayBuffer)).toThrow(
      InvalidConfigError,
    );
    expect(() => new SpscRing(new SharedArrayBuffer(1000))).toThrow(InvalidConfigError);
  });

  it('spsc ring: frames of boundary sizes wrap around many times, in order and byte-exact', () => {
    const { producer, consumer } = ringPair();
    const max = producer.maxPayload;
    const sizes = [0, 1, 3, 4, 5, max - 1, max, max + 1, 2 * max, CAPACITY, 3 * CAPACITY + 5, 7];
    const frames: Uint8Array[] = [];
    for (let round = 0; round < 40; round++) {
      for (const size of sizes) frames.push(frameOf(size, frames.length));
    }
    expect(transfer(producer, consumer, frames)).toEqual(frames);
    expect(consumer.isEmpty()).toBe(true);
  });

  it('spsc ring: a frame up to maxPayload is one record; one byte more is split in two', () => {
    const { producer, consumer } = ringPair();
    const max = producer.maxPayload;
    expect(max).toBe(CAPACITY / 4 - 4);
    expect(producer.write(frameOf(max, 1))).toBe(max);
    expect(producer.backlog).toBe(recordBytes(max));
    expect(readAll(consumer)).toEqual([frameOf(max, 1)]);
    expect(producer.write(frameOf(max + 1, 2))).toBe(max + 1);
    expect(producer.backlog).toBe(recordBytes(max) + recordBytes(1));
    expect(readAll(consumer)).toEqual([frameOf(max + 1, 2)]);
  });

  it('spsc ring: records that exactly fill the end continue at the start without padding', () => {
    const { producer, consumer } = ringPair();
    const max = producer.maxPayload; // a record of max is a quarter of the ring
    for (let i = 0; i < 4; i++) expect(producer.write(frameOf(max, i))).toBe(max);
    expect(producer.backlog).toBe(CAPACITY);
    expect(producer.write(frameOf(1, 9))).toBe(0); // full
    expect(readAll(consumer, 1)).toEqual([frameOf(max, 0)]);
    expect(producer.write(frameOf(max, 4))).toBe(max);
    expect(producer.backlog).toBe(CAPACITY); // no byte lost to a PAD record
    expect(readAll(consumer)).toEqual([1, 2, 3, 4].map((i) => frameOf(max, i)));
  });

  it('spsc ring: a record that does not fit before the end is preceded by a PAD record', () => {
    const { producer, consumer } = ringPair();
    for (let i = 0; i < 9; i++) producer.write(frameOf(100, i)); // 9 × 104 = 936 bytes
    expect(readAll(consumer)).toHaveLength(9);
    expect(consumer.isEmpty()).toBe(true);
    expect(producer.write(frameOf(100, 9))).toBe(100);
    expect(producer.backlog).toBe(CAPACITY - 936 + recordBytes(100)); // PAD to the end, then it
    expect(readAll(consumer)).toEqual([frameOf(100, 9)]);
    expect(consumer.backlog).toBe(0);
  });

  it('spsc ring: a full ring returns a partial offset and the write resumes from it', () => {
    const { producer, consumer } = ringPair();
    const max = producer.maxPayload;
    const big = frameOf(3 * CAPACITY, 5);
    const first = producer.write(big);
    expect(first).toBe(4 * max); // four whole records fill the ring
    expect(producer.write(big, first)).toBe(first); // no space, no progress
    expect(readAll(consumer)).toEqual([]); // fragments are taken, the frame is not complete
    expect(consumer.isEmpty()).toBe(true);
    let offset = first;
    const out: Uint8Array[] = [];
    while (offset < big.length) {
      offset = producer.write(big, offset);
      out.push(...readAll(consumer));
    }
    out.push(...readAll(consumer));
    expect(out).toEqual([big]);
  });

  it('spsc ring: an empty frame that does not fit returns -1 and a later write sends it', () => {
    const { producer, consumer } = ringPair();
    const max = producer.maxPayload;
    for (let i = 0; i < 4; i++) producer.write(frameOf(max, i));
    const empty = new Uint8Array(0);
    expect(producer.write(empty)).toBe(-1);
    readAll(consumer, 1);
    expect(producer.write(empty, -1)).toBe(0);
    const out = readAll(consumer);
    expect(out).toHaveLength(4);
    expect(out[3]).toEqual(empty);
  });

  it('spsc ring: backlog and isEmpty are the same from both sides and track reads', () => {
    const { producer, consumer } = ringPair();
    expect(producer.isEmpty()).toBe(true);
    expect(consumer.backlog).toBe(0);
    producer.write(frameOf(10, 0));
    producer.write(frameOf(3, 1));
    expect(consumer.backlog).toBe(recordBytes(10) + recordBytes(3));
    expect(producer.backlog).toBe(consumer.backlog);
    expect(consumer.isEmpty()).toBe(false);
    expect(readAll(consumer, 1)).toEqual([frameOf(10, 0)]);
    expect(producer.backlog).toBe(recordBytes(3));
    readAll(consumer);
    expect(producer.isEmpty()).toBe(true);
  });

  it('spsc ring: read delivers at most maxFrames and leaves the rest for the next call', () => {
    const { producer, consumer } = ringPair();
    for (let i = 0; i < 5; i++) producer.write(frameOf(8, i));
    expect(readAll(consumer, 2)).toEqual([frameOf(8, 0), frameOf(8, 1)]);
    expect(readAll(consumer, 2)).toEqual([frameOf(8, 2), frameOf(8, 3)]);
    expect(readAll(consumer, 2)).toEqual([frameOf(8, 4)]);
  });

  it('spsc ring: frames are non-shared copies', () => {
    const { producer, consumer } = ringPair();
    producer.write(frameOf(16, 0));
    producer.write(frameOf(500, 1));
    const kinds: boolean[] = [];
    consumer.read((frame) => kinds.push(frame.buffer instanceof SharedArrayBuffer), 10);
    expect(kinds).toEqual([false, false]);
  });

  it('spsc ring: a frame whose handler throws is consumed, and the error propagates', () => {
    const { producer, consumer } = ringPair();
    for (let i = 0; i < 3; i++) producer.write(frameOf(12, i));
    const seen: Uint8Array[] = [];
    expect(() =>
      consumer.read((frame) => {
        seen.push(frame.slice());
        if (seen.length === 2) throw new Error('handler failed');
      }, 10),
    ).toThrow('handler failed');
    expect(seen).toEqual([frameOf(12, 0), frameOf(12, 1)]);
    expect(producer.backlog).toBe(recordBytes(12)); // the tail moved past the failed frame
    expect(readAll(consumer)).toEqual([frameOf(12, 2)]);
  });

  it('spsc ring: takeSpaceRequest is true once, after a read that freed space', () => {
    const { producer, consumer } = ringPair();
    producer.write(frameOf(20, 0));
    expect(consumer.takeSpaceRequest()).toBe(false); // nobody asked, nothing freed
    producer.requestSpace();
    expect(consumer.takeSpaceRequest()).toBe(false); // asked, but no read freed space yet
    readAll(consumer);
    expect(consumer.takeSpaceRequest()).toBe(true);
    expect(consumer.takeSpaceRequest()).toBe(false);
    producer.write(frameOf(20, 1));
    readAll(consumer);
    expect(consumer.takeSpaceRequest()).toBe(false); // freed, but nobody asked
    producer.requestSpace();
    producer.clearSpaceRequest();
    producer.write(frameOf(20, 2));
    readAll(consumer);
    expect(consumer.takeSpaceRequest()).toBe(false); // the request was withdrawn
  });

  it('spsc ring: counters that wrap past 2^31 and 2^32 keep frames intact', () => {
    for (const start of [0x7fff_ff00, -256]) {
      const buffer = SpscRing.allocate(CAPACITY);
      // Int32 cells 0 and 16 hold the head and tail counters (see the layout in spsc-ring.ts).
      const header = new Int32Array(buffer);
      header[0] = start;
      header[16] = start;
      const frames = Array.from({ length: 50 }, (_, i) => frameOf((i * 37) % 600, i));
      expect(transfer(new SpscRing(buffer), new SpscRing(buffer), frames)).toEqual(frames);
    }
  });

  it('spsc ring: put leaves records invisible until publish, which makes them all visible', () => {
    const { producer, consumer } = ringPair();
    expect(producer.put(frameOf(10, 0), 0, 10)).toBe(10);
    expect(producer.put(frameOf(30, 1), 0, 30)).toBe(30);
    expect(producer.unpublished).toBe(recordBytes(10) + recordBytes(30));
    expect(consumer.backlog).toBe(0);
    expect(readAll(consumer)).toEqual([]);
    expect(producer.publish()).toBe(true);
    expect(producer.publish()).toBe(false); // nothing new
    expect(producer.unpublished).toBe(0);
    expect(readAll(consumer)).toEqual([frameOf(10, 0), frameOf(30, 1)]);
  });

  it('spsc ring: put copies a prefix of a larger buffer, by words when given its word view', () => {
    const { producer, consumer } = ringPair();
    const writer = new ByteWriter(64);
    for (let size = 0; size <= 140; size += 7) {
      writer.reset();
      const frame = frameOf(size, size);
      writer.raw(frame);
      writer.raw(frameOf(9, 99)); // bytes past the frame must not travel with it
      const words = size % 2 === 0 ? writer.words : undefined;
      expect(producer.put(writer.buffer, 0, size, words)).toBe(size);
      producer.publish();
      expect(readAll(consumer)).toEqual([frame]);
    }
  });

  it('spsc ring: putRecords moves whole runs of records, pads at the end, and stops when full', () => {
    const { producer, consumer } = ringPair();
    const max = producer.maxPayload;
    const frames = [5, 0, 100, max, 2 * max + 3, 17, 250, 1].map((size, i) => frameOf(size, i));
    const blocks = new OverflowBlocks(max);
    for (const frame of frames) blocks.append(frame, undefined, 0, frame.length, false);
    for (let i = 0; i < 3; i++) producer.write(frameOf(200, 50 + i)); // the records start mid-ring
    expect(readAll(consumer)).toHaveLength(3);
    const out: Uint8Array[] = [];
    for (let guard = 0; blocks.frames > 0; guard++) {
      expect(guard).toBeLessThan(100);
      blocks.drainInto(producer);
      expect(producer.backlog).toBeLessThanOrEqual(CAPACITY);
      producer.publish();
      out.push(...readAll(consumer, 1));
    }
    out.push(...readAll(consumer));
    expect(out).toEqual(frames);
    expect(blocks.payload).toBe(0);
  });

  it('spsc ring: putRecords reports the frames, payload and open frame it moved', () => {
    const { producer } = ringPair();
    const max = producer.maxPayload;
    const records = new ByteWriter(16);
    // Two whole frames and the first record of a split one, in the ring's record layout.
    for (const [size, flags] of [
      [3, 0],
      [8, 0],
      [max, RECORD_MORE],
    ] as const) {
      records.u32(size | flags);
      records.raw(frameOf(size, size));
      while (records.length % 4 !== 0) records.u8(0);
    }
    const end = records.length;
    expect(producer.putRecords(records.buffer, records.words, 0, end)).toBe(end);
    expect(producer.putFrames).toBe(2);
    expect(producer.putPayload).toBe(3 + 8 + max);
    expect(producer.putOpen).toBe(true);
  });

  it('spsc ring: takeSpaceRequest waits until reads have freed half the ring', () => {
    const { producer, consumer } = ringPair();
    for (let i = 0; i < 16; i++) producer.write(frameOf(60, i)); // 16 × 64 bytes: full
    producer.requestSpace();
    expect(readAll(consumer, 4)).toHaveLength(4); // three quarters still in use
    expect(consumer.takeSpaceRequest()).toBe(false);
    expect(readAll(consumer, 4)).toHaveLength(4); // half in use
    expect(consumer.takeSpaceRequest()).toBe(true);
    expect(consumer.takeSpaceRequest()).toBe(false);
  });

  it('spsc ring: frames of equal size in a row each show their own bytes', () => {
    const { producer, consumer } = ringPair();
    const seen: number[][] = [];
    for (let i = 0; i < 5; i++) producer.write(frameOf(12, i));
    consumer.read((frame) => seen.push([...frame]), 10);
    expect(seen).toEqual([0, 1, 2, 3, 4].map((i) => [...frameOf(12, i)]));
  });
});
