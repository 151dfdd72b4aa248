import fc from 'fast-check';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { BatchEncoder } from '../../../remoting/wire/batch-encoder.ts';
import {
  decodeRemoteMessage,
  encodeConnectRequest,
  encodeConnectResponse,
  encodeDisconnect,
  encodeServerHello,
  type DecodedEnvelope,
  type RemoteFrame,
} from '../../../remoting/wire/frame-decoder.ts';
import { remoteTypes } from '../../../remoting/wire/proto-schema.ts';
import { PROTOCOL_VERSION } from '../../../remoting/wire/wire-config.ts';
import {
  ByteReader,
  CodecRegistry,
  DecodeError,
  defaultCodecs,
  EMPTY_HEADERS,
  PID,
  Watch,
  type Codec,
} from '../../../runtime/index.ts';

const LOCAL = '127.0.0.1:5001';
const OTHER = '127.0.0.1:5002';

class Meters {
  constructor(readonly value: number) {}
}
const metersCodec: Codec<Meters> = {
  typeName: 'test.Meters',
  encode: (value, writer) => writer.f64(value.value),
  decode: (bytes) => new Meters(new ByteReader(bytes).f64()),
};

/** A codec whose decoder fails with a plain Error. */
class Brittle {}
const brittleCodec: Codec<Brittle> = {
  typeName: 'test.Brittle',
  encode: (_value, writer) => writer.u8(1),
  decode: () => {
    throw new Error('cannot rebuild');
  },
};

const codecs = defaultCodecs.register(Meters, metersCodec).register(Brittle, brittleCodec);

function batchOf(frame: Uint8Array, registry: CodecRegistry = codecs): DecodedEnvelope[] {
  const decoded = decodeRemoteMessage(frame, registry);
  if (decoded.kind !== 'batch') throw new Error(`expected a batch, got ${decoded.kind}`);
  return decoded.envelopes;
}

function sampleBatch(count: number): Uint8Array {
  const encoder = new BatchEncoder(codecs);
  for (let i = 0; i < count; i++) {
    const message = i % 3 === 0 ? new Meters(i) : { n: i, text: 'abcdefghijklmnop' };
    const sender = i % 4 === 0 ? undefined : new PID(i % 2 === 0 ? LOCAL : OTHER, `$${i % 5}`);
    const headers = i % 5 === 0 ? { trace: `t${i}` } : EMPTY_HEADERS;
    encoder.add(`$${i % 7}`, message, sender, headers, (i % 3) as 0 | 1 | 2);
  }
  return encoder.flush()!;
}

/** Writes a `RemoteMessage{batch}` around raw `MessageBatch` bytes, as a peer might. */
function wrapBatch(...parts: Uint8Array[]): Uint8Array {
  const writer = protobuf.Writer.create();
  writer.uint32(0x0a).fork();
  for (const part of parts) writer.raw(part);
  return writer.ldelim().finish();
}

function batchBytes(batch: Record<string, unknown>): Uint8Array {
  return remoteTypes.MessageBatch.encode(remoteTypes.MessageBatch.create(batch)).finish();
}

function valueBytes(message: unknown): Uint8Array {
  return defaultCodecs.encodeToBytes(message).bytes;
}

function expectDecodeError(frame: Uint8Array, pattern?: RegExp): void {
  let thrown: unknown;
  try {
    decodeRemoteMessage(frame, codecs);
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(DecodeError);
  expect((thrown as DecodeError).code).toBe('ERR_DECODE');
  if (pattern !== undefined) expect((thrown as Error).message).toMatch(pattern);
}

describe('decodeRemoteMessage', () => {
  describe('handshake', () => {
    it('handshake: ServerHello round trips', () => {
      const hello = {
        protocolVersion: PROTOCOL_VERSION,
        nonce: new Uint8Array([1, 2, 3]),
        systemId: 'sys-ä',
      };
      expect(decodeRemoteMessage(encodeServerHello(hello), codecs)).toEqual({
        kind: 'server-hello',
        ...hello,
      });
    });

    it('handshake: ConnectRequest round trips, with and without a proof', () => {
      const request = {
        protocolVersion: 7,
        systemId: 'node-a',
        address: '10.0.0.1:4000',
        nonce: new Uint8Array(32).fill(9),
        proof: new Uint8Array([0xde, 0xad]),
      };
      expect(decodeRemoteMessage(encodeConnectRequest(request), codecs)).toEqual({
        kind: 'connect-request',
        ...request,
      });
      const bare = { ...request, proof: new Uint8Array(0) };
      expect(decodeRemoteMessage(encodeConnectRequest(bare), codecs)).toEqual({
        kind: 'connect-request',
        ...bare,
      });
    });

    it('handshake: ConnectResponse round trips, accepted, blocked and refused', () => {
      const responses = [
        { systemId: 'b', blocked: false, refused: false, reason: '', proof: new Uint8Array([1]) },
        { systemId: 'b', blocked: true, refused: false, reason: 'left', proof: new Uint8Array(0) },
        {
          systemId: '',
          blocked: false,
          refused: true,
          reason: 'bad proof',
          proof: new Uint8Array(0),
        },
      ];
      for (const response of responses) {
        expect(decodeRemoteMessage(encodeConnectResponse(response), codecs)).toEqual({
          kind: 'connect-response',
          ...response,
        });
      }
    });

    it('handshake: DisconnectRequest round trips', () => {
      expect(decodeRemoteMessage(encodeDisconnect('shutting down'), codecs)).toEqual({
        kind: 'disconnect',
        reason: 'shutting down',
      });
      expect(decodeRemoteMessage(encodeDisconnect(''), codecs)).toEqual({
        kind: 'disconnect',
        reason: '',
      });
    });

    it('handshake: encoded frames follow proto/remote.proto', () => {
      const frame = encodeConnectRequest({
        protocolVersion: 1,
        systemId: 's',
        address: 'h:1',
        nonce: new Uint8Array([5]),
        proof: new Uint8Array(0),
      });
      const object = remoteTypes.RemoteMessage.toObject(remoteTypes.RemoteMessage.decode(frame), {
        oneofs: true,
      });
      expect(object).toMatchObject({
        kind: 'connectRequest',
        connectRequest: { protocolVersion: 1, systemId: 's', address: 'h:1' },
      });
    });

    it('handshake: absent fields decode as proto3 defaults', () => {
      // server_hello = 2, an empty message.
      expect(decodeRemoteMessage(new Uint8Array([0x12, 0x00]), codecs)).toEqual({
        kind: 'server-hello',
        protocolVersion: 0,
        nonce: new Uint8Array(0),
        systemId: '',
      });
    });
  });

  describe('batches from other encoders', () => {
    it('peer: tables after envelopes, explicit defaults and unknown fields decode', () => {
      const envelopes = batchBytes({
        envelopes: [
          { typeId: 1, messageData: valueBytes('second'), target: 1, sender: 2, requestId: 77 },
          { typeId: 0, messageData: valueBytes({ a: 1 }), headers: { k: 'v' }, kind: 1 },
        ],
      });
      const tables = batchBytes({
        typeNames: ['value', 'value'],
        targets: ['$t0', '$t1'],
        senders: [{ address: LOCAL, id: '$0' }, { id: 'no-address' }],
      });
      const unknown = protobuf.Writer.create()
        .uint32((15 << 3) | 0)
        .int64(-1) // a ten-byte varint
        .uint32((16 << 3) | 1)
        .fixed64(5)
        .uint32((17 << 3) | 5)
        .fixed32(6)
        .uint32((18 << 3) | 2)
        .bytes(new Uint8Array([1, 2, 3]))
        .finish();
      // An envelope with explicit zero fields and an unknown field inside it.
      const explicit = protobuf.Writer.create()
        .uint32((4 << 3) | 2)
        .fork()
        .uint32(0x08)
        .uint32(0) // type_id 0
        .uint32(0x12)
        .bytes(valueBytes(3))
        .uint32(0x18)
        .uint32(0) // target 0
        .uint32(0x20)
        .uint32(0) // no sender
        .uint32(0x28)
        .uint32(2) // STOP
        .uint32((99 << 3) | 2)
        .string('ignored')
        .ldelim()
        .finish();
      const outerUnknown = protobuf.Writer.create()
        .uint32((20 << 3) | 0)
        .uint32(1)
        .finish();
      const frame = new Uint8Array([
        ...wrapBatch(envelopes, unknown, tables, explicit),
        ...outerUnknown,
      ]);
      const got = batchOf(frame);
      expect(got).toHaveLength(3);
      expect(got[0]).toMatchObject({
        target: '$t1',
        kind: 0,
        typeName: 'value',
        message: 'second',
      });
      expect(got[0]!.sender?.toJSON()).toEqual({ address: '', id: 'no-address' });
      expect(got[1]).toMatchObject({
        target: '$t0',
        kind: 1,
        message: { a: 1 },
        sender: undefined,
      });
      expect({ ...got[1]!.headers }).toEqual({ k: 'v' });
      expect(got[2]).toMatchObject({ target: '$t0', kind: 2, message: 3, error: undefined });
      expect(got[2]!.headers).toBe(EMPTY_HEADERS);
    });

    it('peer: senders of one batch are one PID instance each', () => {
      const got = batchOf(sampleBatch(40));
      const fromLocal = got.filter((e) => e.sender?.address === LOCAL && e.sender.id === '$2');
      expect(fromLocal.length).toBeGreaterThan(1);
      expect(new Set(fromLocal.map((e) => e.sender)).size).toBe(1);
      expect(fromLocal[0]!.sender).toBeInstanceOf(PID);
    });

    it('peer: a repeated header key keeps the last value; __proto__ is an ordinary key', () => {
      const frame = wrapBatch(
        batchBytes({ typeNames: ['value'], targets: ['$1'] }),
        protobuf.Writer.create()
          .uint32((4 << 3) | 2)
          .fork()
          .uint32(0x12)
          .bytes(valueBytes(1))
          .uint32(0x32)
          .fork()
          .uint32(0x0a)
          .string('k')
          .uint32(0x12)
          .string('first')
          .ldelim()
          .uint32(0x32)
          .fork()
          .uint32(0x0a)
          .string('k')
          .uint32(0x12)
          .string('last')
          .ldelim()
          .uint32(0x32)
          .fork()
          .uint32(0x0a)
          .string('__proto__')
          .uint32(0x12)
          .string('p')
          .ldelim()
          .ldelim()
          .finish(),
      );
      const headers = batchOf(frame)[0]!.headers;
      expect(headers['k']).toBe('last');
      expect(Object.keys(headers)).toEqual(['k', '__proto__']);
      expect(Object.getPrototypeOf(headers)).toBe(Object.prototype);
      expect(Object.getOwnPropertyDescriptor(headers, '__proto__')?.value).toBe('p');
    });
  });

  describe('envelopes that cannot be decoded', () => {
    it('unknown type: the envelope carries a DecodeError, the others decode', () => {
      const encoder = new BatchEncoder(codecs);
      encoder.add('$1', 'before', undefined, EMPTY_HEADERS, 0);
      encoder.add('$2', new Meters(5), new PID(LOCAL, '$s'), { h: '1' }, 1);
      encoder.add('$3', { after: true }, undefined, EMPTY_HEADERS, 0);
      encoder.add('$4', new Meters(6), undefined, EMPTY_HEADERS, 0);
      // The receiving node has never heard of test.Meters.
      const got = batchOf(encoder.flush()!, new CodecRegistry());
      expect(got.map((e) => e.message)).toEqual(['before', undefined, { after: true }, undefined]);
      for (const e of [got[1]!, got[3]!]) {
        expect(e.error).toBeInstanceOf(DecodeError);
        expect(e.error?.message).toContain("unknown message type 'test.Meters'");
        expect(e.typeName).toBe('test.Meters');
      }
      // Everything but the payload still arrives, so the caller can report the dead letter.
      expect(got[1]).toMatchObject({ target: '$2', kind: 1, headers: { h: '1' } });
      expect(got[1]!.sender?.toString()).toBe(`${LOCAL}/$s`);
      expect(got[0]!.error).toBeUndefined();
      expect(got[2]!.error).toBeUndefined();
    });

    it('bad payload: a corrupt value payload fails its envelope only', () => {
      const frame = wrapBatch(
        batchBytes({
          typeNames: ['value', 'test.Meters'],
          targets: ['$1'],
          envelopes: [
            { typeId: 0, messageData: new Uint8Array([0xff]) }, // no such value tag
            { typeId: 0, messageData: new Uint8Array([...valueBytes('ok'), 0]) }, // trailing byte
            { typeId: 1, messageData: new Uint8Array([1, 2]) }, // f64 needs 8 bytes
            { typeId: 0, messageData: valueBytes('fine') },
            { typeId: 0 }, // an empty payload is not a value
          ],
        }),
      );
      const got = batchOf(frame);
      expect(got.map((e) => e.error === undefined)).toEqual([false, false, false, true, false]);
      for (const e of got.filter((x) => x.error !== undefined)) {
        expect(e.error).toBeInstanceOf(DecodeError);
        expect(e.message).toBeUndefined();
      }
      expect(got[3]!.message).toBe('fine');
    });

    it('bad payload: a codec that throws a plain Error gives a DecodeError with the cause', () => {
      const encoder = new BatchEncoder(codecs);
      encoder.add('$1', new Brittle(), undefined, EMPTY_HEADERS, 0);
      encoder.add('$1', new Watch(new PID(OTHER, '$w')), undefined, EMPTY_HEADERS, 1);
      const [brittle, watch] = batchOf(encoder.flush()!);
      expect(brittle!.error).toBeInstanceOf(DecodeError);
      expect(brittle!.error?.message).toContain("cannot decode 'test.Brittle'");
      expect((brittle!.error?.cause as Error).message).toBe('cannot rebuild');
      expect(watch!.message).toEqual(new Watch(new PID(OTHER, '$w')));
    });
  });

  describe('malformed frames throw DecodeError', () => {
    const envelope = { typeId: 0, messageData: valueBytes(1) };

    it('malformed: an empty frame, or one with no known member', () => {
      expectDecodeError(new Uint8Array(0), /no known RemoteMessage member/);
      // A member from a later protocol version: field 6.
      expectDecodeError(new Uint8Array([0x32, 0x00]), /no known RemoteMessage member/);
    });

    it('malformed: table indices out of range', () => {
      const tables = { typeNames: ['value'], targets: ['$1'], senders: [{ id: '$s' }] };
      expectDecodeError(
        wrapBatch(batchBytes({ ...tables, envelopes: [{ ...envelope, typeId: 1 }] })),
        /type index 1/,
      );
      expectDecodeError(
        wrapBatch(batchBytes({ ...tables, envelopes: [{ ...envelope, target: 1 }] })),
        /target index 1/,
      );
      expectDecodeError(
        wrapBatch(batchBytes({ ...tables, envelopes: [{ ...envelope, sender: 2 }] })),
        /sender index 1/,
      );
      expectDecodeError(
        wrapBatch(batchBytes({ typeNames: ['value'], envelopes: [envelope] })),
        /target index 0/,
      );
    });

    it('malformed: an envelope kind outside USER, SYSTEM, STOP', () => {
      const frame = wrapBatch(
        batchBytes({
          typeNames: ['value'],
          targets: ['$1'],
          envelopes: [{ ...envelope, kind: 3 }],
        }),
      );
      expectDecodeError(frame, /kind 3/);
    });

    it('malformed: known fields with the wrong wire type, groups, bad varints', () => {
      expectDecodeError(new Uint8Array([0x08, 0x01]), /wrong wire type/); // batch as a varint
      expectDecodeError(wrapBatch(new Uint8Array([0x08, 0x01])), /wrong wire type/); // type_names
      expectDecodeError(new Uint8Array([0x4b]), /wire type 3/); // field 9, start group
      expectDecodeError(new Uint8Array([0x4f]), /wire type 7/);
      expectDecodeError(new Uint8Array([0x00]), /invalid field tag 0/);
      const longVarint = new Uint8Array([0x78, ...new Array<number>(10).fill(0xff), 0x01]);
      expectDecodeError(longVarint, /longer than 10 bytes/);
      expectDecodeError(
        new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]),
      );
    });

    it('malformed: invalid UTF-8 in a table string', () => {
      const frame = wrapBatch(new Uint8Array([0x12, 0x02, 0xc3, 0x28]));
      expectDecodeError(frame, /UTF-8/);
    });

    it('malformed: every truncation of a valid frame', () => {
      for (const frame of [
        sampleBatch(6),
        encodeDisconnect('bye'),
        encodeServerHello({ protocolVersion: 1, nonce: new Uint8Array(4), systemId: 's' }),
      ]) {
        for (let length = 0; length < frame.length; length++) {
          expectDecodeError(frame.subarray(0, length));
        }
      }
    });

    it('malformed: a length that overruns its enclosing message', () => {
      // A batch of 3 bytes holding a string that claims 5.
      expectDecodeError(
        new Uint8Array([0x0a, 0x03, 0x0a, 0x05, 0x61, 0x62, 0x63, 0x64]),
        /overruns|truncated/,
      );
    });
  });

  describe('property: arbitrary input', () => {
    const corpus = [
      sampleBatch(1),
      sampleBatch(12),
      encodeServerHello({ protocolVersion: 1, nonce: new Uint8Array([1, 2]), systemId: 'a' }),
      encodeConnectRequest({
        protocolVersion: 1,
        systemId: 'a',
        address: 'h:1',
        nonce: new Uint8Array([3]),
        proof: new Uint8Array([4]),
      }),
      encodeConnectResponse({
        systemId: 'b',
        blocked: true,
        refused: false,
        reason: 'r',
        proof: new Uint8Array(0),
      }),
      encodeDisconnect('bye'),
    ];

    /** Decodes `frame`: it returns a well-formed frame or throws DecodeError, nothing else. */
    function decodesOrRejects(frame: Uint8Array): void {
      let result: RemoteFrame;
      try {
        result = decodeRemoteMessage(frame, codecs);
      } catch (error) {
        expect(error).toBeInstanceOf(DecodeError);
        return;
      }
      if (result.kind !== 'batch') return;
      for (const e of result.envelopes) {
        expect(typeof e.target).toBe('string');
        expect(typeof e.typeName).toBe('string');
        expect([0, 1, 2]).toContain(e.kind);
        if (e.error !== undefined) {
          expect(e.error).toBeInstanceOf(DecodeError);
          expect(e.message).toBeUndefined();
        }
        if (e.sender !== undefined) expect(e.sender).toBeInstanceOf(PID);
      }
    }

    type Mutation =
      | { op: 'set'; at: number; byte: number }
      | { op: 'insert'; at: number; bytes: Uint8Array }
      | { op: 'delete'; at: number; count: number }
      | { op: 'truncate'; at: number };

    const mutation: fc.Arbitrary<Mutation> = fc.oneof(
      fc.record({
        op: fc.constant('set' as const),
        at: fc.nat(),
        byte: fc.integer({ min: 0, max: 255 }),
      }),
      fc.record({
        op: fc.constant('insert' as const),
        at: fc.nat(),
        bytes: fc.uint8Array({ minLength: 1, maxLength: 12 }),
      }),
      fc.record({
        op: fc.constant('delete' as const),
        at: fc.nat(),
        count: fc.integer({ min: 1, max: 12 }),
      }),
      fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
    );

    function mutate(frame: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
      let bytes = Array.from(frame);
      for (const m of mutations) {
        const at = bytes.length === 0 ? 0 : m.at % bytes.length;
        if (m.op === 'set') bytes[at] = m.byte;
        else if (m.op === 'insert') bytes.splice(at, 0, ...m.bytes);
        else if (m.op === 'delete') bytes.splice(at, m.count);
        else bytes = bytes.slice(0, at);
      }
      return new Uint8Array(bytes);
    }

    it('property: random bytes decode or throw DecodeError', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => decodesOrRejects(bytes)),
        { numRuns: 2000 },
      );
    });

    it('property: random bytes inside a batch or an envelope decode or throw DecodeError', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 120 }), fc.boolean(), (bytes, inEnvelope) => {
          const body = inEnvelope ? new Uint8Array([0x22, bytes.length, ...bytes]) : bytes;
          decodesOrRejects(new Uint8Array([0x0a, body.length, ...body]));
        }),
        { numRuns: 2000 },
      );
    });

    it('property: mutated valid frames decode or throw DecodeError', () => {
      fc.assert(
        fc.property(
          fc.constantFrom(...corpus),
          fc.array(mutation, { minLength: 1, maxLength: 4 }),
          (frame, mutations) => decodesOrRejects(mutate(frame, mutations)),
        ),
        { numRuns: 3000 },
      );
    });
  });
});
