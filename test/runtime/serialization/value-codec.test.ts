import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DecodeError,
  SerializationError,
  SpindleError,
  TimeoutError,
} from '../../../runtime/errors.ts';
import { PID } from '../../../runtime/pid.ts';
import { ByteReader } from '../../../runtime/serialization/byte-reader.ts';
import { ByteWriter } from '../../../runtime/serialization/byte-writer.ts';
import { CodecRegistry } from '../../../runtime/serialization/codec-registry.ts';
import { MAX_DEPTH, type ValueCodec } from '../../../runtime/serialization/value-codec.ts';

class Point {
  constructor(
    readonly x: number,
    readonly y: number,
  ) {}
  norm(): number {
    return Math.hypot(this.x, this.y);
  }
}
class Unregistered {
  readonly z = 1;
}

function codec(): ValueCodec {
  return new CodecRegistry().registerJson(Point, 'test.Point').value;
}

function encode(value: unknown, values = codec()): Uint8Array {
  const writer = new ByteWriter(16);
  values.encode(value, writer);
  return writer.view().slice();
}

function roundTrip(value: unknown, values = codec()): unknown {
  return values.decode(encode(value, values));
}

/** Throws unless `actual` is `expected` rebuilt exactly: same prototypes, key order, -0 and NaN. */
function assertSame(actual: unknown, expected: unknown, path = 'value'): void {
  const fail = (what: string): never => {
    throw new Error(`${path}: ${what}`);
  };
  if (typeof expected !== 'object' || expected === null) {
    if (!Object.is(actual, expected)) fail(`${String(actual)} is not ${String(expected)}`);
    return;
  }
  if (typeof actual !== 'object' || actual === null) return fail(`expected an object`);
  if (Object.getPrototypeOf(actual) !== Object.getPrototypeOf(expected)) fail('prototype differs');
  if (expected instanceof Date) {
    if (!Object.is((actual as Date).getTime(), expected.getTime())) fail('time differs');
    return;
  }
  if (expected instanceof Uint8Array) {
    if (Buffer.compare(actual as Uint8Array, expected) !== 0) fail('bytes differ');
    return;
  }
  if (expected instanceof PID) {
    if (!expected.equals(actual as PID)) fail('pid differs');
    return;
  }
  if (Array.isArray(expected)) {
    const items = actual as unknown[];
    if (items.length !== expected.length) fail('length differs');
    for (let i = 0; i < expected.length; i++) {
      assertSame(items[i], expected[i] as unknown, `${path}[${i}]`);
    }
    return;
  }
  const keys = Object.keys(expected);
  if (JSON.stringify(Object.keys(actual)) !== JSON.stringify(keys)) fail('keys differ');
  for (const key of keys) {
    assertSame(
      (actual as Record<string, unknown>)[key],
      (expected as Record<string, unknown>)[key],
      `${path}.${key}`,
    );
  }
}

function serializationError(run: () => unknown): SerializationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SerializationError);
    return error as SerializationError;
  }
  throw new Error('expected a SerializationError');
}

/** Holes read as undefined: what a sparse array is expected to come back as. */
function densify(value: unknown): unknown {
  if (Array.isArray(value)) return Array.from(value, densify);
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Date || value instanceof Uint8Array) return value;
  const copy = Object.create(Object.getPrototypeOf(value) as object | null) as Record<
    string,
    unknown
  >;
  for (const key of Object.keys(value)) {
    Object.defineProperty(copy, key, {
      value: densify((value as Record<string, unknown>)[key]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return copy;
}

/** Whether the value codec accepts `value`, mirroring its documented rules. */
function supported(value: unknown): boolean {
  if (typeof value === 'function' || typeof value === 'symbol') return false;
  if (typeof value !== 'object' || value === null) return true;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Array.prototype) return Array.from(value as unknown[]).every(supported);
  if (proto === Object.prototype || proto === null) return Object.values(value).every(supported);
  return proto === Date.prototype || proto === Uint8Array.prototype;
}

describe('ValueCodec', () => {
  it('value codec: primitives round trip exactly, with -0, NaN and the integer edges', () => {
    const values = [
      undefined,
      null,
      true,
      false,
      0,
      -0,
      1,
      -1,
      63,
      -64,
      2 ** 31,
      -(2 ** 31) - 1,
      2 ** 52 - 1,
      -(2 ** 52),
      2 ** 52,
      Number.MAX_SAFE_INTEGER,
      Number.MIN_SAFE_INTEGER,
      1e300,
      0.1,
      -2.5,
      Number.NaN,
      Infinity,
      -Infinity,
      Number.MIN_VALUE,
      '',
      'x',
      'héllo wörld',
      '😀 emoji',
      'a'.repeat(1000),
      0n,
      1n,
      -1n,
      255n,
      -256n,
      2n ** 200n,
      -(3n ** 100n),
    ];
    for (const value of values) assertSame(roundTrip(value), value);
  });

  it('value codec: a field is encoded exactly as the same value on its own', () => {
    const values = [
      0,
      -0,
      1,
      -1,
      2 ** 31 - 1,
      -(2 ** 31),
      2 ** 31,
      2 ** 52,
      1.5,
      NaN,
      'x',
      'héllo',
      '',
    ];
    for (const value of values) {
      const alone = [...encode(value)];
      // TAG_OBJECT, one entry, the key 'k' (length 1, then 'k'), then the value.
      expect([...encode({ k: value })]).toEqual([0x08, 1, 1, 0x6b, ...alone]);
      assertSame(roundTrip({ k: value }), { k: value });
    }
  });

  it('value codec: small integers take two bytes, floats nine', () => {
    expect(encode(5).length).toBe(2);
    expect(encode(-64).length).toBe(2);
    expect(encode(0.5).length).toBe(9);
    expect(encode(-0).length).toBe(9);
  });

  it('value codec: plain objects, null-prototype objects and arrays keep keys, order and values', () => {
    const bare = Object.create(null) as Record<string, unknown>;
    bare['b'] = 1;
    bare['a'] = [2];
    const values = [
      {},
      { n: 1, tag: 'x' },
      { nested: { deeper: { list: [1, 'two', null, { three: 3 }] } } },
      { 10: 'ten', 2: 'two', b: 'b', a: 'a' },
      { 'needs quoting': true, '': 'empty key' },
      bare,
      [],
      [[[]]],
      Array.from({ length: 300 }, (_, i) => i),
      Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, i])),
    ];
    for (const value of values) assertSame(roundTrip(value), value);
  });

  it('value codec: an own __proto__ key stays an own field and never sets the prototype', () => {
    const value = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as object;
    const decoded = roundTrip(value) as Record<string, unknown>;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.keys(decoded)).toEqual(['__proto__', 'a']);
    expect(Object.getOwnPropertyDescriptor(decoded, '__proto__')?.value).toEqual({
      polluted: true,
    });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('value codec: array holes come back as undefined; extra array properties are dropped', () => {
    const sparse = [1, , 3]; // eslint-disable-line no-sparse-arrays
    const decoded = roundTrip(sparse) as unknown[];
    expect(decoded).toHaveLength(3);
    expect(1 in decoded).toBe(true);
    expect(decoded[1]).toBeUndefined();
    const tagged = Object.assign([1], { extra: true });
    expect(Object.keys(roundTrip(tagged) as object)).toEqual(['0']);
  });

  it('value codec: Uint8Array and Buffer come back as themselves, as copies', () => {
    const bytes = new Uint8Array([0, 1, 255]);
    const buffer = Buffer.from('buffer');
    const encoded = encode({ bytes, buffer });
    const decoded = codec().decode(encoded) as { bytes: Uint8Array; buffer: Buffer };
    encoded.fill(0);
    expect(decoded.bytes.constructor).toBe(Uint8Array);
    expect([...decoded.bytes]).toEqual([0, 1, 255]);
    expect(Buffer.isBuffer(decoded.buffer)).toBe(true);
    expect(decoded.buffer.toString()).toBe('buffer');
  });

  it('value codec: dates keep their time, invalid dates stay invalid', () => {
    assertSame(roundTrip(new Date(1_700_000_000_123)), new Date(1_700_000_000_123));
    expect(Number.isNaN((roundTrip(new Date(Number.NaN)) as Date).getTime())).toBe(true);
  });

  it('value codec: PIDs come back as PID instances', () => {
    const decoded = roundTrip({ to: new PID('10.0.0.1:4000', '@2/$7') }) as { to: PID };
    expect(decoded.to).toBeInstanceOf(PID);
    expect(decoded.to.address).toBe('10.0.0.1:4000');
    expect(decoded.to.thread).toBe(2);
  });

  it('value codec: an error keeps name, message and stack; one without a code is an Error', () => {
    const error = new RangeError('out of range');
    const decoded = roundTrip(error) as Error;
    expect(decoded).toBeInstanceOf(Error);
    expect(decoded).not.toBeInstanceOf(SpindleError);
    expect(decoded.name).toBe('RangeError');
    expect(decoded.message).toBe('out of range');
    expect(decoded.stack).toBe(error.stack);
  });

  it('value codec: an error with a string code comes back as a SpindleError with that code', () => {
    const decoded = roundTrip(new TimeoutError('too slow')) as SpindleError;
    expect(decoded).toBeInstanceOf(SpindleError);
    expect(decoded.code).toBe('ERR_TIMEOUT');
    expect(decoded.name).toBe('TimeoutError');
    expect(decoded.message).toBe('too slow');
    const system = Object.assign(new Error('no such file'), { code: 'ENOENT' });
    expect((roundTrip(system) as SpindleError).code).toBe('ENOENT');
  });

  it('value codec: an error cause is encoded recursively', () => {
    const root = new Error('disk', { cause: { errno: 5 } });
    const top = new SpindleError('ERR_IO', 'write failed', { cause: root });
    const decoded = roundTrip(top) as SpindleError;
    const cause = decoded.cause as Error;
    expect(cause).toBeInstanceOf(Error);
    expect(cause.message).toBe('disk');
    expect(cause.cause).toEqual({ errno: 5 });
    expect(Object.prototype.hasOwnProperty.call(roundTrip(new Error('x')), 'cause')).toBe(false);
  });

  it('value codec: a registered class nested in a value comes back as an instance', () => {
    const decoded = roundTrip({ path: [new Point(3, 4), new Point(1, 0)] }) as { path: Point[] };
    expect(decoded.path[0]).toBeInstanceOf(Point);
    expect(decoded.path[0]!.norm()).toBe(5);
    expect(decoded.path[1]).toEqual(new Point(1, 0));
  });

  it('value codec: JSON values round trip (property)', () => {
    const values = codec();
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        assertSame(roundTrip(value, values), value);
      }),
      { numRuns: 300 },
    );
  });

  it('value codec: supported values round trip, anything else throws SerializationError (property)', () => {
    const values = codec();
    const anything = fc.anything({
      withBigInt: true,
      withDate: true,
      withNullPrototype: true,
      withSparseArray: true,
      withTypedArray: true,
      withBoxedValues: true,
      withMap: true,
      withSet: true,
      withObjectString: true,
      stringUnit: 'grapheme',
    });
    fc.assert(
      fc.property(anything, (value) => {
        if (supported(value)) {
          assertSame(roundTrip(value, values), densify(value));
        } else {
          expect(() => encode(value, values)).toThrow(SerializationError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('value codec: an unregistered nested class throws SerializationError naming class and path', () => {
    const error = serializationError(() => encode({ items: [1, 2, new Unregistered()] }));
    expect(error.code).toBe('ERR_NOT_SERIALIZABLE');
    expect(error.typeName).toBe('Unregistered');
    expect(error.message).toBe(
      'cannot serialize Unregistered: class instance at message.items[2] has no registered codec',
    );
    const quoted = serializationError(() => encode({ 'odd key': { ok: [new Unregistered()] } }));
    expect(quoted.message).toContain('at message["odd key"].ok[0] ');
  });

  it('value codec: functions, symbols and unsupported built-ins throw SerializationError', () => {
    const cases: [unknown, RegExp][] = [
      [{ f: function handler() {} }, /function handler at message\.f is not serializable/],
      [{ s: Symbol('x') }, /symbol at message\.s is not serializable/],
      [{ m: new Map() }, /cannot serialize Map: built-in Map at message\.m/],
      [{ s: new Set([1]) }, /cannot serialize Set/],
      [{ w: new WeakMap() }, /cannot serialize WeakMap/],
      [{ p: Promise.resolve(1) }, /cannot serialize Promise/],
      [{ t: new Float64Array(2) }, /cannot serialize Float64Array/],
      [{ b: new ArrayBuffer(2) }, /cannot serialize ArrayBuffer/],
      [{ n: new Number(1) }, /cannot serialize Number/],
      [{ o: Object.create({ inherited: 1 }) as object }, /custom prototype at message\.o/],
    ];
    for (const [value, message] of cases) {
      expect(serializationError(() => encode(value)).message).toMatch(message);
    }
  });

  it('value codec: a cycle throws SerializationError saying where it closes', () => {
    const node: Record<string, unknown> = { name: 'a', next: { name: 'b' } };
    (node['next'] as Record<string, unknown>)['next'] = node;
    const error = serializationError(() => encode(node));
    expect(error.message).toBe(
      'cannot serialize Object: cycle at message.next.next refers back to message',
    );
    const list: unknown[] = [];
    list.push({ inner: list });
    expect(serializationError(() => encode(list)).message).toMatch(/cycle at message\[0\]\.inner/);
  });

  it('value codec: shared references that are not cycles are encoded twice', () => {
    const shared = { v: 1 };
    const decoded = roundTrip({ a: shared, b: shared }) as Record<string, object>;
    expect(decoded['a']).toEqual({ v: 1 });
    expect(decoded['b']).toEqual({ v: 1 });
    expect(decoded['a']).not.toBe(decoded['b']);
  });

  it('value codec: nesting up to the maximum depth round trips, one more level throws', () => {
    const nest = (levels: number): unknown => {
      let value: unknown = 'leaf';
      for (let i = 0; i < levels; i++) value = [value];
      return value;
    };
    assertSame(roundTrip(nest(MAX_DEPTH + 1)), nest(MAX_DEPTH + 1));
    expect(serializationError(() => encode(nest(MAX_DEPTH + 2))).message).toMatch(
      /nesting deeper than 64 levels at message(\[0\]){65}$/,
    );
  });

  it('value codec: a failed encode leaves no state behind for the next one', () => {
    const values = codec();
    expect(() => encode({ a: [new Unregistered()] }, values)).toThrow(SerializationError);
    assertSame(roundTrip({ a: [1] }, values), { a: [1] });
  });

  it('value codec: every truncation of a valid encoding throws DecodeError', () => {
    const values = codec();
    const value = {
      n: 1,
      s: 'text',
      f: 0.5,
      big: 12345678901234567890n,
      list: [null, true, new Date(0), new Uint8Array([1, 2])],
      pid: new PID('local', '$1'),
      error: new SpindleError('ERR_X', 'boom', { cause: 'why' }),
      point: new Point(1, 2),
      buffer: Buffer.from([9]),
    };
    const bytes = encode(value, values);
    for (let end = 0; end < bytes.length; end++) {
      expect(() => values.decode(bytes.subarray(0, end))).toThrow(DecodeError);
    }
    expect(() => values.decode(new Uint8Array([...bytes, 0]))).toThrow(/unexpected bytes/);
  });

  it('value codec: random bytes decode or throw DecodeError, never anything else (property)', () => {
    const values = codec();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          values.decode(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(DecodeError);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('value codec: bogus lengths and counts throw DecodeError without allocating them', () => {
    const values = codec();
    const huge = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f];
    const cases = [
      [0x0a, ...huge], // array of 2^53 - 1 items
      [0x08, ...huge], // object of 2^53 - 1 entries
      [0x06, ...huge], // string of 2^53 - 1 bytes
      [0x0b, ...huge], // bytes
      [0x07, 0, ...huge], // bigint magnitude
      [0x10, 1, 0x61, 0xff, 0xff, 0xff, 0xff], // registered payload of 4 GiB
      [0x0a, 3, 0x00], // array of 3 with one item
    ];
    for (const bytes of cases) {
      expect(() => values.decode(new Uint8Array(bytes))).toThrow(DecodeError);
    }
  });

  it('value codec: malformed tags, flags and nesting throw DecodeError', () => {
    const values = codec();
    expect(() => values.decode(new Uint8Array([0x7f]))).toThrow(/unknown value tag 0x7f/);
    expect(() => values.decode(new Uint8Array([0x07, 2, 0]))).toThrow(/bigint sign/);
    expect(() => values.decode(new Uint8Array([0x0e, 0, 0, 0x40]))).toThrow(/error flags/);
    const deep = new Uint8Array(MAX_DEPTH * 2 + 4);
    for (let i = 0; i < deep.length; i += 2) deep.set([0x0a, 1], i);
    expect(() => values.decode(deep)).toThrow(/deeper than 64/);
    const unknownType = new Uint8Array([0x10, 3, 0x61, 0x62, 0x63, 0, 0, 0, 0]);
    expect(() => values.decode(unknownType)).toThrow("unknown message type 'abc'");
  });

  it('value codec: reads from a reader in place, leaving it after the value', () => {
    const values = codec();
    const writer = new ByteWriter();
    values.encode({ a: 1 }, writer);
    values.encode('next', writer);
    const reader = new ByteReader(writer.view());
    expect(values.read(reader)).toEqual({ a: 1 });
    expect(values.read(reader)).toBe('next');
    expect(reader.remaining).toBe(0);
  });
});
