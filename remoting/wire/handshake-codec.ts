import type { ByteReader } from '../../runtime/index.ts';
import { remoteTypes } from './proto-schema.ts';
import {
  lenTag,
  NO_BYTES,
  readBytes,
  readTag,
  readUint32,
  readVarint,
  skipField,
  varintTag,
} from './proto-reader.ts';

/**
 * The handshake frames of `proto/remote.proto` (the exchange is drawn in `inbound-connection.ts`).
 * They are encoded with protobufjs, since they are few and small, and decoded by hand when
 * `decodeRemoteMessage` meets them, with the checks of `proto-reader.ts`.
 */

/** `ServerHello`: the accepting side's first frame. */
export interface ServerHello {
  readonly protocolVersion: number;
  readonly nonce: Uint8Array;
  readonly systemId: string;
}

/** `ConnectRequest`: the connecting side's answer to `ServerHello`. */
export interface ConnectRequest {
  readonly protocolVersion: number;
  readonly systemId: string;
  /** The caller's listen address. */
  readonly address: string;
  readonly nonce: Uint8Array;
  /** Empty without a shared secret. */
  readonly proof: Uint8Array;
}

/** `ConnectResponse`: the accepting side's verdict. */
export interface ConnectResponse {
  readonly systemId: string;
  readonly blocked: boolean;
  readonly refused: boolean;
  readonly reason: string;
  readonly proof: Uint8Array;
}

/** A decoded handshake frame, tagged by the `RemoteMessage` member it carried. */
export type HandshakeFrame =
  | ({ readonly kind: 'server-hello' } & ServerHello)
  | ({ readonly kind: 'connect-request' } & ConnectRequest)
  | ({ readonly kind: 'connect-response' } & ConnectResponse)
  | { readonly kind: 'disconnect'; readonly reason: string };

/** Encodes a `RemoteMessage{server_hello}` frame. */
export function encodeServerHello(hello: ServerHello): Uint8Array {
  return encodeFrame({
    serverHello: {
      protocolVersion: hello.protocolVersion,
      nonce: hello.nonce,
      systemId: hello.systemId,
    },
  });
}

/** Encodes a `RemoteMessage{connect_request}` frame. */
export function encodeConnectRequest(request: ConnectRequest): Uint8Array {
  return encodeFrame({
    connectRequest: {
      protocolVersion: request.protocolVersion,
      systemId: request.systemId,
      address: request.address,
      nonce: request.nonce,
      proof: request.proof,
    },
  });
}

/** Encodes a `RemoteMessage{connect_response}` frame. */
export function encodeConnectResponse(response: ConnectResponse): Uint8Array {
  return encodeFrame({
    connectResponse: {
      systemId: response.systemId,
      blocked: response.blocked,
      refused: response.refused,
      reason: response.reason,
      proof: response.proof,
    },
  });
}

/** Encodes a `RemoteMessage{disconnect}` frame. */
export function encodeDisconnect(reason: string): Uint8Array {
  return encodeFrame({ disconnect: { reason } });
}

function encodeFrame(fields: Record<string, unknown>): Uint8Array {
  const type = remoteTypes.RemoteMessage;
  return type.encode(type.create(fields)).finish();
}

/** Decodes the `ServerHello` under `reader`; absent fields take proto3 defaults. */
export function readServerHello(reader: ByteReader, frame: Uint8Array): HandshakeFrame {
  let protocolVersion = 0;
  let nonce = NO_BYTES;
  let systemId = '';
  while (reader.remaining > 0) {
    const tag = readTag(reader);
    if (tag === varintTag(1)) protocolVersion = readUint32(reader);
    else if (tag === lenTag(2)) nonce = readBytes(reader, frame);
    else if (tag === lenTag(3)) systemId = reader.string();
    else skipField(reader, frame, tag, 3);
  }
  return { kind: 'server-hello', protocolVersion, nonce, systemId };
}

/** Decodes the `ConnectRequest` under `reader`; absent fields take proto3 defaults. */
export function readConnectRequest(reader: ByteReader, frame: Uint8Array): HandshakeFrame {
  let protocolVersion = 0;
  let systemId = '';
  let address = '';
  let nonce = NO_BYTES;
  let proof = NO_BYTES;
  while (reader.remaining > 0) {
    const tag = readTag(reader);
    if (tag === varintTag(1)) protocolVersion = readUint32(reader);
    else if (tag === lenTag(2)) systemId = reader.string();
    else if (tag === lenTag(3)) address = reader.string();
    else if (tag === lenTag(4)) nonce = readBytes(reader, frame);
    else if (tag === lenTag(5)) proof = readBytes(reader, frame);
    else skipField(reader, frame, tag, 5);
  }
  return { kind: 'connect-request', protocolVersion, systemId, address, nonce, proof };
}

/** Decodes the `ConnectResponse` under `reader`; absent fields take proto3 defaults. */
export function readConnectResponse(reader: ByteReader, frame: Uint8Array): HandshakeFrame {
  let systemId = '';
  let blocked = false;
  let refused = false;
  let reason = '';
  let proof = NO_BYTES;
  while (reader.remaining > 0) {
    const tag = readTag(reader);
    if (tag === lenTag(1)) systemId = reader.string();
    else if (tag === varintTag(2)) blocked = readVarint(reader) !== 0;
    else if (tag === varintTag(3)) refused = readVarint(reader) !== 0;
    else if (tag === lenTag(4)) reason = reader.string();
    else if (tag === lenTag(5)) proof = readBytes(reader, frame);
    else skipField(reader, frame, tag, 5);
  }
  return { kind: 'connect-response', systemId, blocked, refused, reason, proof };
}

/** Decodes the `DisconnectRequest` under `reader`; an absent reason is empty. */
export function readDisconnect(reader: ByteReader, frame: Uint8Array): HandshakeFrame {
  let reason = '';
  while (reader.remaining > 0) {
    const tag = readTag(reader);
    if (tag === lenTag(1)) reason = reader.string();
    else skipField(reader, frame, tag, 1);
  }
  return { kind: 'disconnect', reason };
}
