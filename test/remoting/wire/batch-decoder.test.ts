import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { BatchEncoder } from '../../../remoting/wire/batch-encoder.ts';
import { CodecRegistry, DecodeError, EMPTY_HEADERS, PID, Watch } from '../../../runtime/index.ts';
import {
  batchBytes,
  batchOf,
  Brittle,
  codecs,
  expectDecodeError,
  LOCAL,
  Meters,
  OTHER,
  sampleBatch,
  valueBytes,
  wrapBatch,
} from './frame-fixture.ts';

describe('batch decoder', () => {
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

  describe('malformed batches throw DecodeError', () => {
    const envelope = { typeId: 0, messageData: valueBytes(1) };

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

    it('malformed: invalid UTF-8 in a table string', () => {
      const frame = wrapBatch(new Uint8Array([0x12, 0x02, 0xc3, 0x28]));
      expectDecodeError(frame, /UTF-8/);
    });
  });
});
