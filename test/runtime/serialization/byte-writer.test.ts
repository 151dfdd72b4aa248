import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteWriter, varuintSize } from '../../../runtime/serialization/byte-writer.ts';

function written(write: (writer: ByteWriter) => void, capacity?: number): number[] {
  const writer = new ByteWriter(capacity);
  write(writer);
  return [...writer.view()];
}

const utf8 = new TextEncoder();

describe('ByteWriter', () => {
  it('byte writer: grows past its initial capacity and keeps every byte written before', () => {
    const writer = new ByteWriter(16);
    for (let i = 0; i < 1000; i++) writer.u8(i & 0xff);
    expect(writer.length).toBe(1000);
    expect(writer.buffer.length).toBeGreaterThanOrEqual(1000);
    expect([...writer.view()]).toEqual(Array.from({ length: 1000 }, (_, i) => i & 0xff));
  });

  it('byte writer: reset forgets the bytes but keeps the allocation', () => {
    const writer = new ByteWriter(64);
    writer.string('x'.repeat(200));
    const grown = writer.buffer;
    writer.reset();
    expect(writer.length).toBe(0);
    expect(writer.view().length).toBe(0);
    writer.u8(7);
    expect(writer.buffer).toBe(grown);
    expect([...writer.view()]).toEqual([7]);
  });

  it('byte writer: view is a window on the buffer, not a copy', () => {
    const writer = new ByteWriter();
    writer.u8(1);
    writer.u8(2);
    const view = writer.view();
    expect(view.buffer).toBe(writer.buffer.buffer);
    expect([...view]).toEqual([1, 2]);
  });

  it('byte writer: u32 is little-endian and reserve/patch fills a slot later', () => {
    expect(written((w) => w.u32(0x12345678))).toEqual([0x78, 0x56, 0x34, 0x12]);
    expect(written((w) => w.u32(0xffffffff))).toEqual([0xff, 0xff, 0xff, 0xff]);
    const bytes = written((w) => {
      w.u8(9);
      const at = w.reserveU32();
      w.u8(10);
      w.patchU32(at, 0x01020304);
    });
    expect(bytes).toEqual([9, 4, 3, 2, 1, 10]);
  });

  it('byte writer: varuint writes LEB128 from one to eight bytes', () => {
    expect(written((w) => w.varuint(0))).toEqual([0]);
    expect(written((w) => w.varuint(127))).toEqual([0x7f]);
    expect(written((w) => w.varuint(128))).toEqual([0x80, 0x01]);
    expect(written((w) => w.varuint(300))).toEqual([0xac, 0x02]);
    expect(written((w) => w.varuint(2 ** 32))).toEqual([0x80, 0x80, 0x80, 0x80, 0x10]);
    expect(written((w) => w.varuint(Number.MAX_SAFE_INTEGER))).toEqual([
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f,
    ]);
  });

  it('byte writer: varuint refuses negatives, fractions, NaN and values above 2^53 - 1', () => {
    const writer = new ByteWriter();
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 53, Infinity]) {
      expect(() => writer.varuint(bad)).toThrow(RangeError);
    }
    expect(writer.length).toBe(0);
  });

  it('byte writer: varuintSize matches the bytes varuint writes', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (n) => {
        expect(written((w) => w.varuint(n)).length).toBe(varuintSize(n));
      }),
    );
  });

  it('byte writer: zigzag keeps small magnitudes short whatever the sign', () => {
    expect(written((w) => w.zigzag(0))).toEqual([0]);
    expect(written((w) => w.zigzag(-1))).toEqual([1]);
    expect(written((w) => w.zigzag(1))).toEqual([2]);
    expect(written((w) => w.zigzag(-64))).toEqual([127]);
    expect(written((w) => w.zigzag(64))).toEqual([0x80, 0x01]);
    expect(written((w) => w.zigzag(2 ** 52 - 1))).toEqual(written((w) => w.varuint(2 ** 53 - 2)));
    expect(written((w) => w.zigzag(-(2 ** 52)))).toEqual(written((w) => w.varuint(2 ** 53 - 1)));
    expect(() => new ByteWriter().zigzag(2 ** 52)).toThrow(RangeError);
    expect(() => new ByteWriter().zigzag(0.5)).toThrow(RangeError);
  });

  it('byte writer: f64 is IEEE 754 little-endian and keeps the sign of zero', () => {
    expect(written((w) => w.f64(1))).toEqual([0, 0, 0, 0, 0, 0, 0xf0, 0x3f]);
    expect(written((w) => w.f64(-0))).toEqual([0, 0, 0, 0, 0, 0, 0, 0x80]);
  });

  it('byte writer: string writes a byte length and UTF-8, short or long, ASCII or not', () => {
    expect(written((w) => w.string(''))).toEqual([0]);
    expect(written((w) => w.string('ab'))).toEqual([2, 0x61, 0x62]);
    expect(written((w) => w.string('é'))).toEqual([2, 0xc3, 0xa9]);
    expect(written((w) => w.string('a€'))).toEqual([4, 0x61, 0xe2, 0x82, 0xac]);
    expect(written((w) => w.string('😀'))).toEqual([4, 0xf0, 0x9f, 0x98, 0x80]);
    const long = 'z'.repeat(200);
    expect(written((w) => w.string(long))).toEqual([0xc8, 0x01, ...utf8.encode(long)]);
  });

  it('byte writer: an unpaired surrogate becomes U+FFFD, as TextEncoder does', () => {
    expect(written((w) => w.string('a\ud800b'))).toEqual([5, 0x61, 0xef, 0xbf, 0xbd, 0x62]);
    expect(written((w) => w.string('\udc00'))).toEqual([3, 0xef, 0xbf, 0xbd]);
    const long = `${'y'.repeat(50)}\ud83d`;
    expect(written((w) => w.string(long)).slice(1)).toEqual([...utf8.encode(long)]);
  });

  it('byte writer: every string encodes as TextEncoder would, behind its varuint length', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), fc.nat(40), (s, pad) => {
        const bytes = written((w) => {
          for (let i = 0; i < pad; i++) w.u8(0xee);
          w.string(s);
        }, 16);
        const expected = utf8.encode(s);
        const prefix = written((w) => w.varuint(expected.length));
        expect(bytes).toEqual([...new Array<number>(pad).fill(0xee), ...prefix, ...expected]);
      }),
    );
  });

  it('byte writer: bytes prefixes a length, raw does not', () => {
    const small = new Uint8Array([1, 2, 3]);
    const large = new Uint8Array(300).map((_, i) => i & 0xff);
    expect(written((w) => w.bytes(small))).toEqual([3, 1, 2, 3]);
    expect(written((w) => w.raw(small))).toEqual([1, 2, 3]);
    expect(written((w) => w.bytes(large), 16)).toEqual([0xac, 0x02, ...large]);
  });

  it('byte writer: patchVaruint fills a one-byte slot and moves what follows when it needs more', () => {
    const short = written((w) => {
      const at = w.length;
      w.u8(0);
      w.u8(0xaa);
      w.patchVaruint(at, 5);
    });
    expect(short).toEqual([5, 0xaa]);
    const long = written((w) => {
      w.u8(0x11);
      const at = w.length;
      w.u8(0);
      for (let i = 0; i < 14; i++) w.u8(i);
      w.patchVaruint(at, 300);
    }, 16);
    expect(long).toEqual([0x11, 0xac, 0x02, ...Array.from({ length: 14 }, (_, i) => i)]);
  });

  it('byte writer: truncate rolls back to an earlier length and refuses to extend', () => {
    const writer = new ByteWriter();
    writer.u8(1);
    writer.string('dropped');
    writer.truncate(1);
    writer.u8(2);
    expect([...writer.view()]).toEqual([1, 2]);
    expect(() => writer.truncate(5)).toThrow(RangeError);
  });

  it('byte writer: words views the same memory as buffer, and follows it when it grows', () => {
    const writer = new ByteWriter(13);
    expect(writer.buffer.length % 8).toBe(0); // whole words cover every byte
    writer.u32(0x04030201);
    expect(writer.words[0]).toBe(new Int32Array(writer.buffer.buffer, 0, 1)[0]);
    for (let i = 0; i < 100; i++) writer.u8(i);
    const words = writer.words;
    expect(words.buffer).toBe(writer.buffer.buffer);
    expect(words.length * 4).toBe(writer.buffer.length);
    expect(writer.words).toBe(words); // kept until the buffer changes
  });

  it('byte writer: resetWith starts a message with a cached prefix, copied by words', () => {
    const cached = new ByteWriter(16);
    cached.u8(9);
    cached.string('prefix');
    const length = cached.length;
    const prefix = new Int32Array(cached.words.slice(0, (length + 3) >>> 2));
    const writer = new ByteWriter(16);
    writer.string('something earlier, long enough to make the writer grow past 16');
    writer.resetWith(prefix, length);
    expect(writer.length).toBe(length);
    writer.u8(0xee); // written right after the prefix, over the padding of its last word
    expect([...writer.view()]).toEqual([...cached.view(), 0xee]);
    const small = new ByteWriter(16);
    const long = new Int32Array(10).fill(0x01010101);
    small.resetWith(long, 37); // grows to hold a prefix longer than its buffer
    expect([...small.view()]).toEqual(new Array(37).fill(1));
  });
});
