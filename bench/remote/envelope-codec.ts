import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

/**
 * `spindle.remote.MessageEnvelope` of `proto/remote.proto`, loaded with protobufjs: the codec
 * baseline encodes and decodes every message as one of these, the work a remoting layer built
 * on a generic protobuf library does per message.
 */
const root = protobuf.loadSync(fileURLToPath(new URL('../../proto/remote.proto', import.meta.url)));

/** The envelope type. */
export const MessageEnvelope: protobuf.Type = root.lookupType('spindle.remote.MessageEnvelope');

/** The fields the baseline sets: a type and a target index, and the 32-byte payload. */
export interface EnvelopeFields {
  readonly typeId: number;
  readonly messageData: Uint8Array;
  readonly target: number;
}

/** Encodes one envelope into a fresh array, as `Type.encode(...).finish()` does. */
export function encodeEnvelope(fields: EnvelopeFields): Uint8Array {
  return MessageEnvelope.encode(fields).finish();
}

/**
 * Decodes envelopes lying in one buffer, reusing one protobufjs reader per buffer rather than a
 * view per envelope; returns the payload length of each, which the caller checks.
 */
export class EnvelopeDecoder {
  private buffer: Uint8Array | undefined = undefined;
  private reader: protobuf.Reader = protobuf.Reader.create(new Uint8Array(0));

  /** Decodes the envelope at `buffer[start, start + length)` and returns its payload length. */
  decode(buffer: Uint8Array, start: number, length: number): number {
    if (buffer !== this.buffer) {
      this.buffer = buffer;
      this.reader = protobuf.Reader.create(buffer);
    }
    const reader = this.reader;
    reader.pos = start;
    const envelope = MessageEnvelope.decode(reader, length) as unknown as Partial<EnvelopeFields>;
    return envelope.messageData?.length ?? -1;
  }
}
