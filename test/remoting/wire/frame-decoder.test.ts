import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeRemoteMessage,
  encodeConnectRequest,
  encodeConnectResponse,
  encodeDisconnect,
  encodeServerHello,
  type RemoteFrame,
} from '../../../remoting/wire/frame-decoder.ts';
import { DecodeError, PID } from '../../../runtime/index.ts';
import { codecs, expectDecodeError, sampleBatch } from './frame-fixture.ts';

describe('decodeRemoteMessage', () => {
  describe('malformed frames throw DecodeError', () => {
    it('malformed: an empty frame, or one with no known member', () => {
      expectDecodeError(new Uint8Array(0), /no known RemoteMessage member/);
      // A member from a later protocol version: field 6.
      expectDecodeError(new Uint8Array([0x32, 0x00]), /no known RemoteMessage member/);
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
