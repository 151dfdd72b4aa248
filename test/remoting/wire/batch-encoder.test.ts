import { describe, expect, it } from 'vitest';
import { BatchEncoder } from '../../../remoting/wire/batch-encoder.ts';
import { decodeRemoteMessage, type DecodedEnvelope } from '../../../remoting/wire/frame-decoder.ts';
import { remoteTypes } from '../../../remoting/wire/proto-schema.ts';
import { KIND_STOP, KIND_SYSTEM, KIND_USER } from '../../../remoting/wire/wire-config.ts';
import {
  ByteReader,
  defaultCodecs,
  EMPTY_HEADERS,
  PID,
  PoisonPill,
  SerializationError,
  Terminated,
  Watch,
  type Codec,
  type CodecRegistry,
  type Headers,
} from '../../../runtime/index.ts';

const LOCAL = '127.0.0.1:4001';
const OTHER = '127.0.0.1:4002';

class Order {
  constructor(
    readonly id: string,
    readonly lines: number[],
  ) {}
}

class Meters {
  constructor(readonly value: number) {}
}

/** A codec that writes bytes before it fails, so a rollback has something to undo. */
class Flaky {}
const flakyCodec: Codec<Flaky> = {
  typeName: 'test.Flaky',
  encode: (_value, writer) => {
    writer.string('half a payload');
    throw new Error('disk on fire');
  },
  decode: () => new Flaky(),
};

class Unregistered {}

const metersCodec: Codec<Meters> = {
  typeName: 'test.Meters',
  encode: (value, writer) => writer.f64(value.value),
  decode: (bytes) => new Meters(new ByteReader(bytes).f64()),
};

function registry(): CodecRegistry {
  // The system messages' codecs live in defaultCodecs; this file's classes are added to it.
  return defaultCodecs
    .registerJson(Order, 'test.Order')
    .register(Meters, metersCodec)
    .register(Flaky, flakyCodec);
}

interface Sent {
  target: string;
  message: unknown;
  sender: PID | undefined;
  headers: Headers;
  kind: 0 | 1 | 2;
}

/** A deterministic mix of every envelope shape: 500 envelopes, 20 targets, 7 senders. */
function mixedEnvelopes(): Sent[] {
  const senders = [
    undefined,
    new PID(LOCAL, '$1'),
    new PID(LOCAL, '$2'),
    new PID(OTHER, '$1'), // same id, other address: a different sender
    new PID(OTHER, 'named/child'),
    new PID('', ''), // empty fields are left out of the Pid message
    new PID(LOCAL, 'ünïcødé'),
  ];
  const messages: unknown[] = [
    { n: 123, text: 'abcdefghijklmnop' },
    'a string',
    42,
    null,
    new Order('o-1', [1, 2, 3]),
    new Meters(3.5),
    new Watch(new PID(OTHER, '$9')),
    new Terminated(new PID(LOCAL, '$7'), 'Stopped'),
    PoisonPill, // empty payload: message_data left out
    { big: 'x'.repeat(300) }, // payload length needs a two-byte varint
    { huge: 'y'.repeat(20_000) }, // three-byte varint
    new Uint8Array([0, 1, 2, 255]),
  ];
  const headerSets: Headers[] = [
    EMPTY_HEADERS,
    { trace: 'abc123' },
    { a: '', b: 'ß', 'x-long': 'v'.repeat(200) },
    {},
  ];
  const out: Sent[] = [];
  for (let i = 0; i < 500; i++) {
    out.push({
      target: i % 20 === 7 ? `actor-ü-${i % 20}` : `$${i % 20}`,
      message: messages[i % messages.length],
      sender: senders[i % senders.length],
      headers: headerSets[(i >> 2) % headerSets.length]!,
      kind: ([KIND_USER, KIND_USER, KIND_SYSTEM, KIND_STOP] as const)[i % 4]!,
    });
  }
  return out;
}

function encodeAll(encoder: BatchEncoder, sent: readonly Sent[]): Uint8Array {
  for (const s of sent) encoder.add(s.target, s.message, s.sender, s.headers, s.kind);
  const frame = encoder.flush();
  if (frame === undefined) throw new Error('expected a frame');
  return frame;
}

function envelopesOf(frame: Uint8Array, codecs: CodecRegistry): DecodedEnvelope[] {
  const decoded = decodeRemoteMessage(frame, codecs);
  if (decoded.kind !== 'batch') throw new Error(`expected a batch, got ${decoded.kind}`);
  return decoded.envelopes;
}

interface ProtoBatch {
  typeNames: string[];
  targets: string[];
  senders: { address: string; id: string }[];
  envelopes: {
    typeId: number;
    messageData: Uint8Array;
    target: number;
    sender: number;
    kind: number;
    headers: Record<string, string>;
    requestId: number;
  }[];
}

/** Decodes with the protobufjs type built from proto/remote.proto, defaults filled in. */
function protoDecode(frame: Uint8Array): ProtoBatch {
  const type = remoteTypes.RemoteMessage;
  const object = type.toObject(type.decode(frame), {
    defaults: true,
    arrays: true,
    objects: true,
    enums: Number,
  }) as { batch?: ProtoBatch };
  if (object.batch === undefined) throw new Error('no batch in frame');
  return object.batch;
}

function plainHeaders(headers: Headers): Record<string, string> {
  return { ...headers };
}

describe('BatchEncoder', () => {
  it('round trip: 500 mixed envelopes come back in order with every field', () => {
    const codecs = registry();
    const sent = mixedEnvelopes();
    const envelopes = envelopesOf(encodeAll(new BatchEncoder(codecs), sent), codecs);
    expect(envelopes).toHaveLength(sent.length);
    envelopes.forEach((got, i) => {
      const want = sent[i]!;
      expect(got.error).toBeUndefined();
      expect(got.target).toBe(want.target);
      expect(got.kind).toBe(want.kind);
      expect(got.typeName).toBe(codecs.typeNameOf(want.message));
      expect(got.message).toEqual(want.message);
      if (want.sender === undefined) expect(got.sender).toBeUndefined();
      else expect(got.sender?.toJSON()).toEqual(want.sender.toJSON());
      expect(plainHeaders(got.headers)).toEqual(plainHeaders(want.headers));
      if (Object.keys(want.headers).length === 0) expect(got.headers).toBe(EMPTY_HEADERS);
      else expect(Object.isFrozen(got.headers)).toBe(true);
    });
    // Singletons decode to the one instance, which the runtime compares by identity.
    expect(envelopes[8]!.message).toBe(PoisonPill);
    expect(envelopes[4]!.message).toBeInstanceOf(Order);
  });

  it('dedup: each type name, target and sender is in its table exactly once', () => {
    const codecs = registry();
    const sent = mixedEnvelopes();
    const batch = protoDecode(encodeAll(new BatchEncoder(codecs), sent));
    const typeNames = new Set(sent.map((s) => codecs.typeNameOf(s.message)));
    const targets = new Set(sent.map((s) => s.target));
    const senders = new Set(
      sent.flatMap((s) => (s.sender === undefined ? [] : [`${s.sender.address}|${s.sender.id}`])),
    );
    expect([...batch.typeNames].sort()).toEqual([...typeNames].sort());
    expect([...batch.targets].sort()).toEqual([...targets].sort());
    expect(batch.senders.map((p) => `${p.address}|${p.id}`).sort()).toEqual([...senders].sort());
    expect(batch.envelopes).toHaveLength(500);
  });

  it('dedup: distinct PID objects naming the same actor share one sender entry', () => {
    const encoder = new BatchEncoder(defaultCodecs);
    for (let i = 0; i < 10; i++) encoder.add('$1', i, new PID(LOCAL, '$5'), EMPTY_HEADERS, 0);
    encoder.add('$1', 'x', new PID(OTHER, '$5'), EMPTY_HEADERS, 0);
    const batch = protoDecode(encoder.flush()!);
    expect(batch.senders).toEqual([
      { address: LOCAL, id: '$5' },
      { address: OTHER, id: '$5' },
    ]);
    expect(batch.envelopes.map((e) => e.sender)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2]);
  });

  it('wire: protobufjs decodes every field the encoder wrote', () => {
    const codecs = registry();
    const sent = mixedEnvelopes();
    const batch = protoDecode(encodeAll(new BatchEncoder(codecs), sent));
    batch.envelopes.forEach((envelope, i) => {
      const want = sent[i]!;
      expect(batch.typeNames[envelope.typeId]).toBe(codecs.typeNameOf(want.message));
      const payload = codecs.encodeToBytes(want.message).bytes;
      expect(Buffer.from(envelope.messageData).equals(payload)).toBe(true);
      expect(batch.targets[envelope.target]).toBe(want.target);
      if (want.sender === undefined) {
        expect(envelope.sender).toBe(0);
      } else {
        const pid = batch.senders[envelope.sender - 1];
        expect(pid).toEqual({ address: want.sender.address, id: want.sender.id });
      }
      expect(envelope.kind).toBe(want.kind);
      expect(envelope.headers).toEqual(plainHeaders(want.headers));
      expect(envelope.requestId).toBe(0);
    });
  });

  it('wire: the frame is the canonical encoding protobufjs writes for the same batch', () => {
    const codecs = registry();
    const frame = encodeAll(new BatchEncoder(codecs), mixedEnvelopes());
    const type = remoteTypes.RemoteMessage;
    expect(Buffer.from(type.encode(type.decode(frame)).finish()).equals(frame)).toBe(true);
  });

  it('wire: the outer frame is a RemoteMessage whose only member is batch', () => {
    const encoder = new BatchEncoder(defaultCodecs);
    encoder.add('$1', 'hi', undefined, EMPTY_HEADERS, KIND_USER);
    const message = remoteTypes.RemoteMessage.decode(encoder.flush()!) as unknown as {
      kind?: string;
    };
    expect(message.kind).toBe('batch');
  });

  it('flush: returns undefined when empty and starts fresh tables after each frame', () => {
    const encoder = new BatchEncoder(defaultCodecs);
    expect(encoder.flush()).toBeUndefined();
    expect(encoder.size).toBe(0);
    expect(encoder.bytes).toBe(0);
    encoder.add('$1', 'one', new PID(LOCAL, '$a'), EMPTY_HEADERS, 0);
    encoder.add('$2', 2, undefined, EMPTY_HEADERS, 0);
    expect(encoder.size).toBe(2);
    const first = protoDecode(encoder.flush()!);
    expect(first.targets).toEqual(['$1', '$2']);
    expect(encoder.size).toBe(0);
    expect(encoder.flush()).toBeUndefined();
    encoder.add('$3', new Meters(1), new PID(OTHER, '$b'), EMPTY_HEADERS, 0);
    const second = protoDecode(encoder.flush()!);
    expect(second.typeNames).toEqual(['test.Meters']);
    expect(second.targets).toEqual(['$3']);
    expect(second.senders).toEqual([{ address: OTHER, id: '$b' }]);
    expect(second.envelopes[0]).toMatchObject({ typeId: 0, target: 0, sender: 1 });
  });

  it('bytes: tracks the size of the frame flush returns, for cutting batches at a limit', () => {
    const encoder = new BatchEncoder(defaultCodecs);
    for (let i = 0; i < 300; i++) {
      encoder.add(`$${i % 13}`, { i, pad: 'p'.repeat(i % 50) }, new PID(LOCAL, `$${i % 3}`), {}, 0);
      const estimate = encoder.bytes;
      if (i % 50 === 49) {
        const frame = encoder.flush()!;
        // ASCII names: only the outer length prefix is over-counted.
        expect(estimate).toBeGreaterThanOrEqual(frame.length);
        expect(estimate - frame.length).toBeLessThanOrEqual(4);
      }
    }
  });

  it('clear: drops pending envelopes and tables', () => {
    const encoder = new BatchEncoder(defaultCodecs);
    encoder.add('$gone', 'x', new PID(LOCAL, '$gone'), EMPTY_HEADERS, 0);
    encoder.clear();
    expect(encoder.size).toBe(0);
    encoder.add('$kept', 'y', undefined, EMPTY_HEADERS, 0);
    const batch = protoDecode(encoder.flush()!);
    expect(batch.targets).toEqual(['$kept']);
    expect(batch.senders).toEqual([]);
  });

  describe('a failed add leaves the batch intact', () => {
    const good: Sent[] = [
      { target: '$1', message: { n: 1 }, sender: new PID(LOCAL, '$s'), headers: {}, kind: 0 },
      { target: '$2', message: new Meters(2), sender: undefined, headers: { h: 'v' }, kind: 1 },
    ];
    const later: Sent = {
      target: '$3',
      message: 'after',
      sender: new PID(OTHER, '$t'),
      headers: EMPTY_HEADERS,
      kind: 0,
    };

    /** The frame of `good` then `later`, from an encoder that never failed. */
    function reference(): Uint8Array {
      return encodeAll(new BatchEncoder(registry()), [...good, later]);
    }

    function failing(add: (encoder: BatchEncoder) => void): { error: unknown; frame: Uint8Array } {
      const encoder = new BatchEncoder(registry());
      for (const s of good) encoder.add(s.target, s.message, s.sender, s.headers, s.kind);
      let error: unknown;
      try {
        add(encoder);
      } catch (caught) {
        error = caught;
      }
      expect(encoder.size).toBe(good.length);
      return { error, frame: encodeAll(encoder, [later]) };
    }

    it('an unregistered class throws SerializationError at the sender', () => {
      const { error, frame } = failing((e) =>
        e.add('$new', new Unregistered(), new PID(OTHER, '$new'), EMPTY_HEADERS, 0),
      );
      expect(error).toBeInstanceOf(SerializationError);
      expect((error as SerializationError).code).toBe('ERR_NOT_SERIALIZABLE');
      expect(Buffer.from(frame).equals(reference())).toBe(true);
    });

    it('a codec that fails midway is rolled back with its new type, target and sender', () => {
      const { error, frame } = failing((e) =>
        e.add('$new', new Flaky(), new PID(OTHER, '$new'), { k: 'v' }, 0),
      );
      expect(error).toBeInstanceOf(SerializationError);
      expect((error as Error).message).toContain('disk on fire');
      expect((error as Error).message).toContain('Flaky');
      expect(Buffer.from(frame).equals(reference())).toBe(true);
      expect(protoDecode(frame).typeNames).not.toContain('test.Flaky');
    });

    it('a value nested in the message that cannot be sent is rolled back', () => {
      const { error, frame } = failing((e) =>
        e.add('$2', { ok: 1, bad: () => 1 }, new PID(LOCAL, '$s'), EMPTY_HEADERS, 0),
      );
      expect(error).toBeInstanceOf(SerializationError);
      expect(Buffer.from(frame).equals(reference())).toBe(true);
    });

    it('a header value that is not a string throws SerializationError', () => {
      const headers = { ok: 'yes', count: 3 } as unknown as Headers;
      const { error, frame } = failing((e) =>
        e.add('$new', { n: 1 }, new PID(OTHER, '$x'), headers, 0),
      );
      expect(error).toBeInstanceOf(SerializationError);
      expect((error as Error).message).toContain("header 'count'");
      expect(Buffer.from(frame).equals(reference())).toBe(true);
    });

    it('an invalid kind throws RangeError', () => {
      const { error, frame } = failing((e) =>
        e.add('$new', { n: 1 }, undefined, EMPTY_HEADERS, 3 as unknown as 0),
      );
      expect(error).toBeInstanceOf(RangeError);
      expect(Buffer.from(frame).equals(reference())).toBe(true);
    });
  });
});
