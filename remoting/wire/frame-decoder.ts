import { ByteReader, DecodeError, type CodecRegistry } from '../../runtime/index.ts';
import { readBatch, type BatchFrame } from './batch-decoder.ts';
import {
  readConnectRequest,
  readConnectResponse,
  readDisconnect,
  readServerHello,
  type HandshakeFrame,
} from './handshake-codec.ts';
import { enter, readTag, skipField, wrongWireType } from './proto-reader.ts';
import {
  FIELD_BATCH,
  FIELD_CONNECT_REQUEST,
  FIELD_CONNECT_RESPONSE,
  FIELD_DISCONNECT,
  FIELD_SERVER_HELLO,
  WIRE_LEN,
} from './wire-config.ts';

// The frame types and handshake encoders live in their own modules; callers import them from here.
export type { BatchFrame, DecodedEnvelope } from './batch-decoder.ts';
export {
  encodeConnectRequest,
  encodeConnectResponse,
  encodeDisconnect,
  encodeServerHello,
  type ConnectRequest,
  type ConnectResponse,
  type HandshakeFrame,
  type ServerHello,
} from './handshake-codec.ts';

/** A decoded frame, tagged by the `RemoteMessage` member it carried. */
export type RemoteFrame = BatchFrame | HandshakeFrame;

/**
 * Decodes one frame (a `RemoteMessage`). A batch's envelopes are decoded each on its own: one
 * whose type is not registered or whose payload is bad comes back with `error` set and the others
 * are unaffected. Anything wrong with the frame itself (a bad varint, a length or table index out
 * of range, a wrong wire type, invalid UTF-8, no known member) throws `DecodeError`, after which
 * the connection should be closed. Unknown fields are skipped, as protobuf requires; every length
 * is checked against the bytes left before it is used.
 *
 * @example
 * const frame = decodeRemoteMessage(bytes, system.codecs);
 * if (frame.kind === 'batch') for (const e of frame.envelopes) deliver(e);
 */
export function decodeRemoteMessage(input: Uint8Array, registry: CodecRegistry): RemoteFrame {
  // A Buffer's `slice` shares memory; over a plain view, payload views and copies are what they say.
  const frame =
    input.constructor === Uint8Array
      ? input
      : new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
  const reader = new ByteReader(frame);
  const inner = new ByteReader();
  let result: RemoteFrame | undefined;
  while (reader.remaining > 0) {
    const tag = readTag(reader);
    const field = tag >>> 3;
    if (field < FIELD_BATCH || field > FIELD_DISCONNECT) {
      skipField(reader, frame, tag, 0);
      continue;
    }
    if ((tag & 7) !== WIRE_LEN) throw wrongWireType(tag);
    enter(reader, inner, frame);
    // As in protobuf, the last member present wins.
    switch (field) {
      case FIELD_BATCH:
        result = readBatch(inner, frame, registry);
        break;
      case FIELD_SERVER_HELLO:
        result = readServerHello(inner, frame);
        break;
      case FIELD_CONNECT_REQUEST:
        result = readConnectRequest(inner, frame);
        break;
      case FIELD_CONNECT_RESPONSE:
        result = readConnectResponse(inner, frame);
        break;
      default:
        result = readDisconnect(inner, frame);
    }
  }
  if (result === undefined) throw new DecodeError('frame carries no known RemoteMessage member');
  return result;
}
