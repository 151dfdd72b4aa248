import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../runtime/errors.ts';
import { ByteReader, StringCache } from '../../../runtime/serialization/byte-reader.ts';
import { ByteWriter } from '../../../runtime/serialization/byte-writer.ts';

function bytesOf(write: (writer: ByteWriter) => void): Uint8Array {
  const writer = new ByteWriter(16);
  write(writer);
  return writer.view().slice();
}

describe('ByteReader', () => {
  it('byte reader: reads back what the writer wrote, in order', () => {
    const bytes = bytesOf((w) => {
      w.u8(200);
      w.u32(0xdeadbeef);
      w.varuint(300);
      w.zigzag(-5);
      w.f64(Math.PI);
      w.string('héllo');
      w.bytes(new Uint8Array([4, 5]));
      w.raw(new Uint8Array([6, 7, 8]));
    });
    const reader = new ByteReader(bytes);
    expect(reader.u8()).toBe(200);
    expect(reader.u32()).toBe(0xdeadbeef);
    expect(reader.varuint()).toBe(300);
    expect(reader.zigzag()).toBe(-5);
    expect(reader.f64()).toBe(Math.PI);
    expect(reader.string()).toBe('héllo');
    expect([...reader.bytes()]).toEqual([4, 5]);
    expect([...reader.view(3)]).toEqual([6, 7, 8]);
    expect(reader.remaining).toBe(0);
    expect(reader.offset).toBe(bytes.length);
  });

  it('byte reader: integers, doubles and strings round trip for any value', () => {
    fc.assert(
      fc.property(
        fc.maxSafeNat(),
        fc.integer({ min: -(2 ** 52), max: 2 ** 52 - 1 }),
        fc.double(),
        fc.string({ unit: 'grapheme', maxLength: 80 }),
        (n, z, d, s) => {
          const reader = new ByteReader(
            bytesOf((w) => {
              w.varuint(n);
              w.zigzag(z);
              w.f64(d);
              w.string(s);
            }),
          );
          expect(reader.varuint()).toBe(n);
          expect(reader.zigzag()).toBe(z);
          expect(Object.is(reader.f64(), d)).toBe(true);
          expect(reader.string()).toBe(s);
          expect(reader.remaining).toBe(0);
        },
      ),
    );
  });

  it('byte reader: every read past the end throws DecodeError', () => {
    const reads: ((r: ByteReader) => unknown)[] = [
      (r) => r.u8(),
      (r) => r.u32(),
      (r) => r.varuint(),
      (r) => r.zigzag(),
      (r) => r.f64(),
      (r) => r.string(),
      (r) => r.bytes(),
      (r) => r.view(4),
    ];
    for (const read of reads) {
      expect(() => read(new ByteReader(new Uint8Array(0)))).toThrow(DecodeError);
    }
    // Lengths that promise more than is there.
    expect(() => new ByteReader(new Uint8Array([5, 0x61])).string()).toThrow(DecodeError);
    expect(() => new ByteReader(new Uint8Array([40, 0x61])).string()).toThrow(DecodeError);
    expect(() => new ByteReader(new Uint8Array([3, 1, 2])).bytes()).toThrow(DecodeError);
    expect(() => new ByteReader(new Uint8Array([0x80, 0x80])).varuint()).toThrow(DecodeError);
    expect(() => new ByteReader(new Uint8Array([1, 2, 3])).u32()).toThrow(/truncated/);
  });

  it('byte reader: reset bounds reads to [offset, end) even when the array goes on', () => {
    const bytes = new Uint8Array([9, 1, 2, 3, 4, 5]);
    const reader = new ByteReader().reset(bytes, 1, 3);
    expect(reader.remaining).toBe(2);
    expect(reader.u8()).toBe(1);
    expect(reader.u8()).toBe(2);
    expect(() => reader.u8()).toThrow(DecodeError);
    expect(() => new ByteReader().reset(bytes, 4, 2)).toThrow(RangeError);
    expect(() => new ByteReader().reset(bytes, 0, 7)).toThrow(RangeError);
  });

  it('byte reader: a varuint longer than 8 bytes or above 2^53 - 1 is malformed', () => {
    const tooLong = new Uint8Array([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]);
    expect(() => new ByteReader(tooLong).varuint()).toThrow(/longer than 8 bytes/);
    const tooBig = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x10]);
    expect(() => new ByteReader(tooBig).varuint()).toThrow(DecodeError);
    const max = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(new ByteReader(max).varuint()).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('byte reader: invalid UTF-8 throws DecodeError, short or long', () => {
    expect(() => new ByteReader(new Uint8Array([2, 0xc3, 0x28])).string()).toThrow(DecodeError);
    const long = new Uint8Array(41).fill(0x61);
    long[0] = 40;
    long[20] = 0xff;
    expect(() => new ByteReader(long).string()).toThrow(/invalid UTF-8/);
  });

  it('byte reader: a leading byte order mark is content, not dropped', () => {
    const s = '\ufeffhi';
    expect(new ByteReader(bytesOf((w) => w.string(s))).string()).toBe(s);
  });

  it('byte reader: bytes() returns a copy that survives reuse of the buffer; view() does not', () => {
    const source = bytesOf((w) => {
      w.bytes(new Uint8Array([1, 2, 3]));
      w.raw(new Uint8Array([7, 8]));
    });
    const reader = new ByteReader(source);
    const copy = reader.bytes();
    const view = reader.view(2);
    source.fill(0);
    expect([...copy]).toEqual([1, 2, 3]);
    expect([...view]).toEqual([0, 0]);
  });

  it('byte reader: reads from a SharedArrayBuffer and copies out of it', () => {
    const shared = new Uint8Array(new SharedArrayBuffer(64));
    const bytes = bytesOf((w) => {
      w.string('naïve text that is longer than thirty-two bytes');
      w.bytes(new Uint8Array([1, 2]));
    });
    shared.set(bytes, 8);
    const reader = new ByteReader(shared, 8, 8 + bytes.length);
    expect(reader.string()).toBe('naïve text that is longer than thirty-two bytes');
    const copy = reader.bytes();
    expect(copy.buffer).toBeInstanceOf(ArrayBuffer);
    expect([...copy]).toEqual([1, 2]);
  });

  it('byte reader: skipIf consumes a matching header and leaves anything else in place', () => {
    const reader = new ByteReader(new Uint8Array([1, 2, 3]));
    expect(reader.skipIf(new Uint8Array([1, 9]))).toBe(false);
    expect(reader.offset).toBe(0);
    expect(reader.skipIf(new Uint8Array([1, 2, 3, 4]))).toBe(false);
    expect(reader.skipIf(new Uint8Array([1, 2]))).toBe(true);
    expect(reader.u8()).toBe(3);
  });

  it('byte reader: cachedString reads what string reads, and a repeat is the same string', () => {
    const cache = new StringCache();
    const texts = ['', 'n', 'expect', 'héllo', 'n', 'expect', 'x'.repeat(40), 'héllo', '@1/$a3'];
    const bytes = bytesOf((w) => {
      for (const text of texts) w.string(text);
    });
    const reader = new ByteReader(bytes);
    const first = texts.map(() => reader.cachedString(cache));
    expect(first).toEqual(texts);
    expect(reader.remaining).toBe(0);
    reader.reset(bytes);
    const again = texts.map(() => reader.cachedString(cache));
    expect(again).toEqual(texts);
    expect(reader.remaining).toBe(0);
  });

  it('byte reader: cachedString never confuses strings that share a cache slot', () => {
    // Same length and end bytes hash alike: only a byte-by-byte comparison tells them apart.
    const cache = new StringCache();
    const texts = ['abXd', 'abYd', 'abXd', 'abYd'];
    const bytes = bytesOf((w) => {
      for (const text of texts) w.string(text);
    });
    const reader = new ByteReader(bytes);
    expect(texts.map(() => reader.cachedString(cache))).toEqual(texts);
  });

  it('byte reader: cachedString on truncated or invalid input throws DecodeError', () => {
    const cache = new StringCache();
    const bytes = bytesOf((w) => w.string('truncated'));
    for (let end = 0; end < bytes.length; end++) {
      expect(() => new ByteReader(bytes, 0, end).cachedString(cache)).toThrow(DecodeError);
    }
    const invalid = new Uint8Array([2, 0xc3, 0x28]);
    expect(() => new ByteReader(invalid).cachedString(cache)).toThrow(DecodeError);
    expect(new ByteReader(bytes).cachedString(cache)).toBe('truncated');
  });
});
