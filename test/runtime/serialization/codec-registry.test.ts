import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import {
  DecodeError,
  InvalidConfigError,
  SerializationError,
  TimeoutError,
} from '../../../runtime/errors.ts';
import { PID } from '../../../runtime/pid.ts';
import { ByteReader } from '../../../runtime/serialization/byte-reader.ts';
import { ByteWriter } from '../../../runtime/serialization/byte-writer.ts';
import type { Codec } from '../../../runtime/serialization/codec.ts';
import { CodecRegistry, defaultCodecs } from '../../../runtime/serialization/codec-registry.ts';
import { MAX_DEPTH } from '../../../runtime/serialization/value-codec.ts';

class Celsius {
  constructor(readonly degrees: number) {}
}

/** A hand-written codec: the degrees as one f64. */
const celsiusCodec: Codec<Celsius> = {
  typeName: 'test.Celsius',
  encode: (value, writer) => writer.f64(value.degrees),
  decode: (bytes) => new Celsius(new ByteReader(bytes).f64()),
};

let accountsBuilt = 0;
class Account {
  readonly history: number[] = [];
  constructor(
    readonly owner: string,
    public balance: number,
  ) {
    accountsBuilt++;
  }
  deposit(amount: number): void {
    this.balance += amount;
    this.history.push(amount);
  }
}

class Unregistered {}

const SHOP_PROTO = `
  syntax = "proto3";
  package shop;
  message Order {
    string id = 1;
    repeated int32 lines = 2;
    bytes blob = 3;
  }
`;

function frame(registry: CodecRegistry, ...messages: unknown[]): Uint8Array {
  const writer = new ByteWriter(16);
  for (const message of messages) registry.encode(message, writer);
  return writer.view().slice();
}

function roundTrip(registry: CodecRegistry, message: unknown): unknown {
  return registry.decode(new ByteReader(frame(registry, message)));
}

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('CodecRegistry', () => {
  it('codec registry: frames a message as type name, u32 payload length, payload', () => {
    const registry = new CodecRegistry().register(Celsius, celsiusCodec);
    const bytes = frame(registry, new Celsius(21.5));
    const reader = new ByteReader(bytes);
    expect(reader.string()).toBe('test.Celsius');
    expect(reader.u32()).toBe(8);
    expect(reader.f64()).toBe(21.5);
    expect(reader.remaining).toBe(0);
    const decoded = registry.decode(new ByteReader(bytes));
    expect(decoded).toBeInstanceOf(Celsius);
    expect((decoded as Celsius).degrees).toBe(21.5);
  });

  it('codec registry: values go through the built-in value codec under the name "value"', () => {
    const registry = new CodecRegistry();
    const pid = new PID('local', '$3');
    const messages = [
      42,
      'ping',
      null,
      undefined,
      { n: 1, tag: 'x' },
      [1, 2],
      new Uint8Array([1]),
      pid,
      new Date(0),
      new TimeoutError('late'),
    ];
    for (const message of messages) {
      expect(registry.codecFor(message)).toBe(registry.value);
      expect(registry.typeNameOf(message)).toBe('value');
    }
    expect(roundTrip(registry, { n: 1, tag: 'x' })).toEqual({ n: 1, tag: 'x' });
    expect(pid.equals(roundTrip(registry, pid) as PID)).toBe(true);
  });

  it('codec registry: a stream of mixed messages decodes in order', () => {
    const registry = new CodecRegistry().register(Celsius, celsiusCodec);
    const messages = [1, new Celsius(1), new Celsius(2), 'two', new Celsius(3), { k: 'v' }, 3];
    const reader = new ByteReader(frame(registry, ...messages));
    const decoded: unknown[] = [];
    while (reader.remaining > 0) decoded.push(registry.decode(reader));
    expect(decoded).toEqual(messages);
  });

  it('codec registry: an unregistered class instance is a SerializationError at the sender', () => {
    const registry = new CodecRegistry().register(Celsius, celsiusCodec);
    const error = thrown(() => registry.codecFor(new Unregistered())) as SerializationError;
    expect(error).toBeInstanceOf(SerializationError);
    expect(error.message).toBe(
      'cannot serialize Unregistered: class instance at message has no registered codec',
    );
    class WarmCelsius extends Celsius {}
    expect(() => registry.codecFor(new WarmCelsius(30))).toThrow(/WarmCelsius/);
    expect(() => registry.codecFor(() => 1)).toThrow(SerializationError);
    expect(() => registry.codecFor(Symbol('s'))).toThrow(SerializationError);
    expect(() => frame(registry, new Map())).toThrow(/built-in Map at message/);
  });

  it('codec registry: a failed encode rolls the writer back to the messages before it', () => {
    const registry = new CodecRegistry();
    const writer = new ByteWriter();
    registry.encode('kept', writer);
    const before = writer.length;
    expect(() => registry.encode({ a: [1, new Unregistered()] }, writer)).toThrow(
      /at message\.a\[1\]/,
    );
    expect(writer.length).toBe(before);
    registry.encode('after', writer);
    const reader = new ByteReader(writer.view());
    expect(registry.decode(reader)).toBe('kept');
    expect(registry.decode(reader)).toBe('after');
  });

  it('codec registry: re-registering the same class and name does nothing', () => {
    const registry = new CodecRegistry().register(Celsius, celsiusCodec);
    expect(registry.register(Celsius, celsiusCodec)).toBe(registry);
    expect(() => registry.registerJson(Celsius, 'test.Celsius')).not.toThrow();
    expect(registry.codecFor(new Celsius(1))).toBe(celsiusCodec);
  });

  it('codec registry: a taken type name or class is an InvalidConfigError', () => {
    const registry = new CodecRegistry().register(Celsius, celsiusCodec);
    class Other {}
    const taken = thrown(() => registry.registerJson(Other, 'test.Celsius'));
    expect(taken).toBeInstanceOf(InvalidConfigError);
    expect((taken as Error).message).toMatch(
      /'test\.Celsius' is already registered for class Celsius/,
    );
    expect(() => registry.registerJson(Celsius, 'test.Renamed')).toThrow(InvalidConfigError);
    expect(() => registry.registerJson(Other, 'value')).toThrow(/the value codec/);
    expect(() => registry.registerJson(Other, '')).toThrow(InvalidConfigError);
    expect(() => registry.registerJson(Date, 'test.Date')).toThrow(/encoded by the value codec/);
    expect(() => registry.registerJson(PID, 'test.Pid')).toThrow(InvalidConfigError);
    expect(() => registry.registerJson(Object, 'test.Object')).toThrow(InvalidConfigError);
  });

  it('codec registry: registerJson rebuilds the class from its fields without calling it', () => {
    const registry = new CodecRegistry().registerJson(Account, 'test.Account');
    const account = new Account('ada', 10);
    account.deposit(5);
    const built = accountsBuilt;
    const copy = roundTrip(registry, account) as Account;
    expect(accountsBuilt).toBe(built);
    expect(copy).toBeInstanceOf(Account);
    expect(copy).toEqual(account);
    copy.deposit(1);
    expect(copy.balance).toBe(16);
    expect(copy.history).toEqual([5, 1]);
    expect(registry.typeNameOf(account)).toBe('test.Account');
  });

  it('codec registry: registerJson uses revive when given', () => {
    const registry = new CodecRegistry().registerJson(
      Account,
      'test.Account',
      (plain) => new Account(String(plain['owner']), Number(plain['balance']) * 2),
    );
    const copy = roundTrip(registry, new Account('bob', 4)) as Account;
    expect(copy).toBeInstanceOf(Account);
    expect(copy.balance).toBe(8);
  });

  it('codec registry: registerJson fields must be serializable, with the path in the error', () => {
    const registry = new CodecRegistry().registerJson(Account, 'test.Account');
    const account = new Account('eve', 1);
    (account.history as unknown[]).push(new Unregistered());
    expect(() => frame(registry, account)).toThrow(
      'cannot serialize Unregistered: class instance at message.history[0] has no registered codec',
    );
    expect(() => frame(registry, { wrapper: [account] })).toThrow(
      /at message\.wrapper\[0\]\.history\[0\] /,
    );
  });

  it('codec registry: registered classes nest to the maximum depth both ways, cycles are caught', () => {
    class Link {
      constructor(readonly next: Link | null) {}
    }
    const registry = new CodecRegistry().registerJson(Link, 'test.Link');
    const chain = (length: number): Link | null => {
      let link: Link | null = null;
      for (let i = 0; i < length; i++) link = new Link(link);
      return link;
    };
    let decoded = roundTrip(registry, chain(MAX_DEPTH + 1)) as Link | null;
    let length = 0;
    for (; decoded !== null; decoded = decoded.next) {
      expect(decoded).toBeInstanceOf(Link);
      length++;
    }
    expect(length).toBe(MAX_DEPTH + 1);
    expect(() => frame(registry, chain(MAX_DEPTH + 2))).toThrow(/nesting deeper than 64/);
    const loop = new Link(null);
    (loop as { next: Link | null }).next = new Link(loop);
    expect(() => frame(registry, loop)).toThrow(
      'cannot serialize Link: cycle at message.next.next refers back to message',
    );
  });

  it('codec registry: registerProtobuf round trips a type parsed from a .proto string', () => {
    const Order = protobuf.parse(SHOP_PROTO).root.lookupType('shop.Order');
    const registry = new CodecRegistry().registerProtobuf(Order);
    expect(registry.has('shop.Order')).toBe(true);
    const order = Order.create({ id: 'o-1', lines: [3, 1, 2], blob: new Uint8Array([7, 8]) });
    expect(registry.typeNameOf(order)).toBe('shop.Order');
    const decoded = roundTrip(registry, order) as { id: string; lines: number[]; blob: Uint8Array };
    expect(decoded).toBeInstanceOf(Order.ctor);
    expect(decoded.id).toBe('o-1');
    expect(decoded.lines).toEqual([3, 1, 2]);
    expect([...decoded.blob]).toEqual([7, 8]);
  });

  it('codec registry: decoded protobuf bytes fields survive reuse of the input buffer', () => {
    const Order = protobuf.parse(SHOP_PROTO).root.lookupType('shop.Order');
    const registry = new CodecRegistry().registerProtobuf(Order);
    const bytes = frame(registry, Order.create({ id: 'x', blob: new Uint8Array([1, 2, 3]) }));
    const decoded = registry.decode(new ByteReader(bytes)) as { blob: Uint8Array };
    bytes.fill(0);
    expect([...decoded.blob]).toEqual([1, 2, 3]);
  });

  it('codec registry: registerProtobuf accepts a Type built in code, named by its namespace', () => {
    const Ping = new protobuf.Type('Ping').add(new protobuf.Field('seq', 1, 'uint32'));
    new protobuf.Root().define('net.health').add(Ping);
    const registry = new CodecRegistry().registerProtobuf(Ping);
    expect(registry.has('net.health.Ping')).toBe(true);
    const decoded = roundTrip(registry, Ping.create({ seq: 99 })) as { seq: number };
    expect(decoded.seq).toBe(99);
    expect(registry.encodeToBytes(Ping.create({ seq: 1 })).typeName).toBe('net.health.Ping');
  });

  it('codec registry: registerProtobuf with a class makes decoded messages its instances', () => {
    class Greeting extends protobuf.Message<Greeting> {
      declare text: string;
      shout(): string {
        return this.text.toUpperCase();
      }
    }
    const type = new protobuf.Type('Greeting').add(new protobuf.Field('text', 1, 'string'));
    new protobuf.Root().add(type);
    const registry = new CodecRegistry().registerProtobuf(type, Greeting);
    const decoded = roundTrip(registry, Greeting.create({ text: 'hi' }));
    expect(decoded).toBeInstanceOf(Greeting);
    expect((decoded as Greeting).shout()).toBe('HI');
  });

  it('codec registry: encodeToBytes and decodeFromBytes carry the type name separately', () => {
    const registry = new CodecRegistry().register(Celsius, celsiusCodec);
    const { typeName, bytes } = registry.encodeToBytes(new Celsius(-4));
    expect(typeName).toBe('test.Celsius');
    expect(bytes.length).toBe(8);
    const again = registry.encodeToBytes({ other: true });
    expect(bytes.length).toBe(8); // the first result is a copy, not the scratch buffer
    expect((registry.decodeFromBytes(typeName, bytes) as Celsius).degrees).toBe(-4);
    expect(registry.decodeFromBytes(again.typeName, again.bytes)).toEqual({ other: true });
    expect(() => registry.decodeFromBytes('test.Missing', bytes)).toThrow(
      "unknown message type 'test.Missing'",
    );
  });

  it('codec registry: an unknown type name on decode is a DecodeError that names it', () => {
    const sender = new CodecRegistry().register(Celsius, celsiusCodec);
    const receiver = new CodecRegistry();
    const error = thrown(() => receiver.decode(new ByteReader(frame(sender, new Celsius(1)))));
    expect(error).toBeInstanceOf(DecodeError);
    expect((error as DecodeError).message).toBe("unknown message type 'test.Celsius'");
  });

  it('codec registry: truncated frames and payloads of the wrong length throw DecodeError', () => {
    const registry = new CodecRegistry().register(Celsius, celsiusCodec);
    for (const message of [new Celsius(2), { a: 'b' }]) {
      const bytes = frame(registry, message);
      for (let end = 0; end < bytes.length; end++) {
        expect(() => registry.decode(new ByteReader(bytes, 0, end))).toThrow(DecodeError);
      }
    }
    const short = new ByteWriter();
    short.string('value');
    short.u32(1); // the value below takes 2 bytes
    short.raw(new Uint8Array([0x04, 0x02, 0x00]));
    expect(() => registry.decode(new ByteReader(short.view()))).toThrow(/payload is 1 bytes/);
  });

  it('codec registry: errors thrown inside a codec become typed errors with the cause', () => {
    class Fragile {}
    const failing: Codec<Fragile> = {
      typeName: 'test.Fragile',
      encode: () => {
        throw new TypeError('no encoder');
      },
      decode: () => {
        throw new TypeError('no decoder');
      },
    };
    const registry = new CodecRegistry().register(Fragile, failing);
    const encodeError = thrown(() => frame(registry, new Fragile())) as SerializationError;
    expect(encodeError).toBeInstanceOf(SerializationError);
    expect(encodeError.message).toMatch(/codec 'test\.Fragile' failed: no encoder/);
    expect(encodeError.cause).toBeInstanceOf(TypeError);
    const decodeError = thrown(() =>
      registry.decodeFromBytes('test.Fragile', new Uint8Array(0)),
    ) as DecodeError;
    expect(decodeError).toBeInstanceOf(DecodeError);
    expect(decodeError.message).toBe("cannot decode 'test.Fragile': no decoder");
    expect(decodeError.cause).toBeInstanceOf(TypeError);
  });

  it('codec registry: the default registry knows the system messages', () => {
    for (const name of [
      'spindle.actor.Stop',
      'spindle.actor.Watch',
      'spindle.Failure',
      'spindle.actor.Terminated',
    ]) {
      expect(defaultCodecs.has(name)).toBe(true);
    }
    expect(defaultCodecs.has('value')).toBe(true);
    expect(new CodecRegistry().has('spindle.actor.Stop')).toBe(false);
  });

  it('codec registry: encodeValue writes the value alone, and declines registered classes', () => {
    const registry = new CodecRegistry().register(Celsius, celsiusCodec);
    for (const message of [{ n: 1, text: 'hi', at: -0, big: 2 ** 40 }, [1, 'a'], 'plain', 7]) {
      const writer = new ByteWriter(16);
      expect(registry.encodeValue(message, writer)).toBe(true);
      const alone = new ByteWriter(16);
      registry.value.encode(message, alone);
      expect([...writer.view()]).toEqual([...alone.view()]);
      expect(registry.decodeValue(new ByteReader(writer.view()))).toEqual(message);
    }
    const signed = new ByteWriter(16);
    registry.encodeValue({ at: -0 }, signed);
    const decoded = registry.decodeValue(new ByteReader(signed.view())) as { at: number };
    expect(Object.is(decoded.at, -0)).toBe(true);
    const writer = new ByteWriter(16);
    writer.u8(1);
    expect(registry.encodeValue(new Celsius(20), writer)).toBe(false);
    expect(writer.length).toBe(1); // nothing written
  });

  it('codec registry: encodeValue rolls back on failure and decodeValue rejects trailing bytes', () => {
    const registry = new CodecRegistry();
    const writer = new ByteWriter(16);
    writer.u8(5);
    expect(
      thrown(() => registry.encodeValue({ ok: 1, bad: new Unregistered() }, writer)),
    ).toBeInstanceOf(SerializationError);
    expect(writer.length).toBe(1);
    expect(thrown(() => registry.encodeValue(() => 1, writer))).toBeInstanceOf(SerializationError);
    registry.encodeValue({ n: 1 }, writer);
    writer.u8(0);
    const reader = new ByteReader(writer.view(), 1);
    expect(thrown(() => registry.decodeValue(reader))).toBeInstanceOf(DecodeError);
    expect(
      thrown(() => registry.decodeValue(new ByteReader(new Uint8Array([0x7f])))),
    ).toBeInstanceOf(DecodeError);
  });
});
