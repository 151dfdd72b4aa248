import protobuf from 'protobufjs';
import { expect } from 'vitest';
import { BatchEncoder } from '../../../remoting/wire/batch-encoder.ts';
import { decodeRemoteMessage, type DecodedEnvelope } from '../../../remoting/wire/frame-decoder.ts';
import { remoteTypes } from '../../../remoting/wire/proto-schema.ts';
import {
  ByteReader,
  DecodeError,
  defaultCodecs,
  EMPTY_HEADERS,
  PID,
  type Codec,
  type CodecRegistry,
} from '../../../runtime/index.ts';

/** Addresses of senders in the frames the wire decoder tests build. */
export const LOCAL = '127.0.0.1:5001';
/** A second sender address. */
export const OTHER = '127.0.0.1:5002';

/** A message with its own codec, so a registry without it sees an unknown type. */
export class Meters {
  constructor(readonly value: number) {}
}
const metersCodec: Codec<Meters> = {
  typeName: 'test.Meters',
  encode: (value, writer) => writer.f64(value.value),
  decode: (bytes) => new Meters(new ByteReader(bytes).f64()),
};

/** A message whose codec's decoder fails with a plain Error. */
export class Brittle {}
const brittleCodec: Codec<Brittle> = {
  typeName: 'test.Brittle',
  encode: (_value, writer) => writer.u8(1),
  decode: () => {
    throw new Error('cannot rebuild');
  },
};

/** The default codecs plus `Meters` and `Brittle`. */
export const codecs = defaultCodecs.register(Meters, metersCodec).register(Brittle, brittleCodec);

/** Decodes `frame`, which must be a batch, and returns its envelopes. */
export function batchOf(frame: Uint8Array, registry: CodecRegistry = codecs): DecodedEnvelope[] {
  const decoded = decodeRemoteMessage(frame, registry);
  if (decoded.kind !== 'batch') throw new Error(`expected a batch, got ${decoded.kind}`);
  return decoded.envelopes;
}

/** A batch of `count` envelopes mixing payload types, senders, headers and kinds. */
export function sampleBatch(count: number): Uint8Array {
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
export function wrapBatch(...parts: Uint8Array[]): Uint8Array {
  const writer = protobuf.Writer.create();
  writer.uint32(0x0a).fork();
  for (const part of parts) writer.raw(part);
  return writer.ldelim().finish();
}

/** A `MessageBatch` encoded by protobufjs from a plain object. */
export function batchBytes(batch: Record<string, unknown>): Uint8Array {
  return remoteTypes.MessageBatch.encode(remoteTypes.MessageBatch.create(batch)).finish();
}

/** The payload bytes of `message` under the built-in value codec. */
export function valueBytes(message: unknown): Uint8Array {
  return defaultCodecs.encodeToBytes(message).bytes;
}

/** Asserts that decoding `frame` throws `DecodeError`, with a message matching `pattern`. */
export function expectDecodeError(frame: Uint8Array, pattern?: RegExp): void {
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
