import {
  ByteReader,
  DecodeError,
  EMPTY_HEADERS,
  PID,
  type CodecRegistry,
  type Headers,
} from '../../runtime/index.ts';
import { remoteTypes } from './proto-schema.ts';
import {
  FIELD_BATCH,
  FIELD_CONNECT_REQUEST,
  FIELD_CONNECT_RESPONSE,
  FIELD_DISCONNECT,
  FIELD_SERVER_HELLO,
  KIND_STOP,
  TAG_ENVELOPE,
  TAG_FIRST_STRING,
  TAG_HEADER,
  TAG_KIND,
  TAG_MESSAGE_DATA,
  TAG_REQUEST_ID,
  TAG_SECOND_STRING,
  TAG_SENDER,
  TAG_SENDER_PID,
  TAG_TARGET,
  TAG_TARGET_NAME,
  TAG_TYPE_ID,
  TAG_TYPE_NAME,
  WIRE_FIXED32,
  WIRE_FIXED64,
  WIRE_LEN,
  WIRE_VARINT,
  type EnvelopeKind,
} from './wire-config.ts';

/** One envelope of a batch; `message` is undefined and `error` set when its payload is unusable. */
export interface DecodedEnvelope {
  /** The actor id on this node. */
  readonly target: string;
  readonly sender: PID | undefined;
  /** `EMPTY_HEADERS` when the envelope had none. */
  readonly headers: Headers;
  readonly kind: EnvelopeKind;
  readonly typeName: string;
  readonly message: unknown;
  /** Why the payload could not be decoded (an unknown type, bad bytes): route to dead letters. */
  readonly error: DecodeError | undefined;
}

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

/** A decoded frame, tagged by the `RemoteMessage` member it carried. */
export type RemoteFrame =
  | { readonly kind: 'batch'; readonly envelopes: DecodedEnvelope[] }
  | ({ readonly kind: 'server-hello' } & ServerHello)
  | ({ readonly kind: 'connect-request' } & ConnectRequest)
  | ({ readonly kind: 'connect-response' } & ConnectResponse)
  | { readonly kind: 'disconnect'; readonly reason: string };

const NO_BYTES: Uint8Array = new Uint8Array(0);
const MAX_UINT32 = 0xffffffff;
/** A protobuf varint is at most ten bytes (a negative int64). */
const MAX_VARINT_BYTES = 10;

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

/**
 * Two passes: the first reads the tables and notes where each envelope lies (a peer may write
 * tables after envelopes), the second decodes the envelopes against the complete tables.
 */
function readBatch(reader: ByteReader, frame: Uint8Array, registry: CodecRegistry): RemoteFrame {
  const typeNames: string[] = [];
  const targets: string[] = [];
  const senders: PID[] = [];
  /** Offset and length of each envelope, in pairs. */
  const spans: number[] = [];
  const inner = new ByteReader();
  while (reader.remaining > 0) {
    const tag = readTag(reader);
    switch (tag) {
      case TAG_TYPE_NAME:
        typeNames.push(reader.string());
        break;
      case TAG_TARGET_NAME:
        targets.push(reader.string());
        break;
      case TAG_SENDER_PID:
        enter(reader, inner, frame);
        senders.push(readPid(inner, frame));
        break;
      case TAG_ENVELOPE: {
        const length = enter(reader, inner, frame);
        spans.push(reader.offset - length, length);
        break;
      }
      default:
        skipField(reader, frame, tag, 4);
    }
  }
  const types: TypeSlot[] = typeNames.map((name) => ({
    name,
    error: registry.has(name) ? undefined : new DecodeError(`unknown message type '${name}'`),
    inPlace: registry.codecNamed(name) === registry.value,
  }));
  const envelopes: DecodedEnvelope[] = [];
  const entry = new ByteReader();
  for (let i = 0; i < spans.length; i += 2) {
    const start = spans[i]!; // i + 1 < spans.length: pushed in pairs
    inner.reset(frame, start, start + spans[i + 1]!);
    envelopes.push(readEnvelope(inner, entry, frame, registry, types, targets, senders));
  }
  return { kind: 'batch', envelopes };
}

/**
 * A type-name table entry. When the type is not registered, every envelope of it in the batch
 * shares one `error` (one stack capture a batch, not one an envelope).
 */
interface TypeSlot {
  readonly name: string;
  readonly error: DecodeError | undefined;
  /** The type is the built-in value codec, which reads in place from a `ByteReader`. */
  readonly inPlace: boolean;
}

function readEnvelope(
  reader: ByteReader,
  entry: ByteReader,
  frame: Uint8Array,
  registry: CodecRegistry,
  types: readonly TypeSlot[],
  targets: readonly string[],
  senders: readonly PID[],
): DecodedEnvelope {
  let typeId = 0;
  let dataStart = 0;
  let dataLength = 0;
  let targetId = 0;
  let senderRef = 0;
  let kind = 0;
  let headers: Record<string, string> | undefined;
  while (reader.remaining > 0) {
    const tag = readTag(reader);
    switch (tag) {
      case TAG_TYPE_ID:
        typeId = readUint32(reader);
        break;
      case TAG_MESSAGE_DATA:
        dataLength = enter(reader, entry, frame);
        dataStart = reader.offset - dataLength;
        break;
      case TAG_TARGET:
        targetId = readUint32(reader);
        break;
      case TAG_SENDER:
        senderRef = readUint32(reader);
        break;
      case TAG_KIND:
        kind = readUint32(reader);
        break;
      case TAG_HEADER:
        enter(reader, entry, frame);
        headers ??= {};
        readHeader(entry, frame, headers);
        break;
      case TAG_REQUEST_ID:
        readUint32(reader); // reserved: checked, not used yet
        break;
      default:
        skipField(reader, frame, tag, 7);
    }
  }
  const type = types[typeId];
  if (type === undefined) throw outOfRange('type', typeId, types.length);
  const target = targets[targetId];
  if (target === undefined) throw outOfRange('target', targetId, targets.length);
  let sender: PID | undefined;
  if (senderRef !== 0) {
    sender = senders[senderRef - 1];
    if (sender === undefined) throw outOfRange('sender', senderRef - 1, senders.length);
  }
  if (kind > KIND_STOP) throw new DecodeError(`invalid envelope kind ${kind}`);
  let message: unknown;
  let error = type.error;
  if (error === undefined) {
    try {
      message = decodePayload(registry, type, frame, entry, dataStart, dataLength);
    } catch (cause) {
      error = asDecodeError(cause, type.name);
    }
  }
  return {
    target,
    sender,
    headers: headers === undefined ? EMPTY_HEADERS : Object.freeze(headers),
    kind: kind as EnvelopeKind,
    typeName: type.name,
    message,
    error,
  };
}

/** An envelope's payload; `value` payloads are read in place, without a view or another reader. */
function decodePayload(
  registry: CodecRegistry,
  type: TypeSlot,
  frame: Uint8Array,
  reader: ByteReader,
  start: number,
  length: number,
): unknown {
  if (!type.inPlace) {
    const payload = length === 0 ? NO_BYTES : frame.subarray(start, start + length);
    return registry.decodeFromBytes(type.name, payload);
  }
  reader.reset(frame, start, start + length);
  const message = registry.value.read(reader);
  if (reader.remaining !== 0) {
    throw new DecodeError(`'value' payload has ${reader.remaining} unexpected trailing bytes`);
  }
  return message;
}

/** A `Pid`: address = 1, id = 2. */
function readPid(reader: ByteReader, frame: Uint8Array): PID {
  let address = '';
  let id = '';
  while (reader.remaining > 0) {
    const tag = readTag(reader);
    if (tag === TAG_FIRST_STRING) address = reader.string();
    else if (tag === TAG_SECOND_STRING) id = reader.string();
    else skipField(reader, frame, tag, 2);
  }
  return new PID(address, id);
}

/** A map entry: key = 1, value = 2; a later entry with the same key replaces an earlier one. */
function readHeader(reader: ByteReader, frame: Uint8Array, headers: Record<string, string>): void {
  let key = '';
  let value = '';
  while (reader.remaining > 0) {
    const tag = readTag(reader);
    if (tag === TAG_FIRST_STRING) key = reader.string();
    else if (tag === TAG_SECOND_STRING) value = reader.string();
    else skipField(reader, frame, tag, 2);
  }
  if (key === '__proto__') {
    // Plain assignment would set the prototype instead of adding a header.
    Object.defineProperty(headers, key, { value, enumerable: true, writable: true });
  } else {
    headers[key] = value;
  }
}

function readServerHello(reader: ByteReader, frame: Uint8Array): RemoteFrame {
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

function readConnectRequest(reader: ByteReader, frame: Uint8Array): RemoteFrame {
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

function readConnectResponse(reader: ByteReader, frame: Uint8Array): RemoteFrame {
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

function readDisconnect(reader: ByteReader, frame: Uint8Array): RemoteFrame {
  let reason = '';
  while (reader.remaining > 0) {
    const tag = readTag(reader);
    if (tag === lenTag(1)) reason = reader.string();
    else skipField(reader, frame, tag, 1);
  }
  return { kind: 'disconnect', reason };
}

function varintTag(field: number): number {
  return (field << 3) | WIRE_VARINT;
}

function lenTag(field: number): number {
  return (field << 3) | WIRE_LEN;
}

/** A field tag: a uint32 with a field number of at least 1. */
function readTag(reader: ByteReader): number {
  const offset = reader.offset;
  const tag = readVarint(reader);
  if (tag < 8 || tag > MAX_UINT32) throw new DecodeError(`invalid field tag ${tag} at ${offset}`);
  return tag;
}

function readUint32(reader: ByteReader): number {
  const offset = reader.offset;
  const value = readVarint(reader);
  if (value > MAX_UINT32) throw new DecodeError(`uint32 out of range at ${offset}: ${value}`);
  return value;
}

/** A varint of up to 2^53 - 1 (ByteReader's limit); longer or larger ones throw `DecodeError`. */
function readVarint(reader: ByteReader): number {
  return reader.varuint();
}

/** A length-delimited field's length, checked against the bytes left. */
function readLength(reader: ByteReader): number {
  const offset = reader.offset;
  const length = readVarint(reader);
  if (length > reader.remaining) {
    throw new DecodeError(
      `length ${length} at ${offset} overruns the ${reader.remaining} bytes left`,
    );
  }
  return length;
}

/** Points `inner` at the length-delimited field under `reader` and moves past it; its length. */
function enter(reader: ByteReader, inner: ByteReader, frame: Uint8Array): number {
  const length = readLength(reader);
  const start = reader.offset;
  inner.reset(frame, start, start + length);
  advance(reader, frame, length);
  return length;
}

function readBytes(reader: ByteReader, frame: Uint8Array): Uint8Array {
  const length = readLength(reader);
  const start = reader.offset;
  advance(reader, frame, length);
  return frame.slice(start, start + length); // a copy: `frame` is a plain Uint8Array
}

/** Moves `reader` `length` bytes on (checked by the caller) without a view of them. */
function advance(reader: ByteReader, frame: Uint8Array, length: number): void {
  const offset = reader.offset;
  reader.reset(frame, offset + length, offset + reader.remaining);
}

/**
 * Skips a field this decoder does not know; a field number it knows (up to `known`) with another
 * wire type, a group, or an invalid wire type throws `DecodeError`.
 */
function skipField(reader: ByteReader, frame: Uint8Array, tag: number, known: number): void {
  if (tag >>> 3 <= known) throw wrongWireType(tag);
  switch (tag & 7) {
    case WIRE_VARINT:
      skipVarint(reader);
      return;
    case WIRE_FIXED64:
      advance(reader, frame, checked(reader, 8));
      return;
    case WIRE_LEN:
      advance(reader, frame, readLength(reader));
      return;
    case WIRE_FIXED32:
      advance(reader, frame, checked(reader, 4));
      return;
    default:
      throw new DecodeError(`unsupported wire type ${tag & 7} for field ${tag >>> 3}`);
  }
}

/** Any varint, including the ten-byte ones of negative 64-bit values. */
function skipVarint(reader: ByteReader): void {
  for (let i = 0; i < MAX_VARINT_BYTES; i++) if (reader.u8() < 0x80) return;
  throw new DecodeError(`varint at ${reader.offset} is longer than ${MAX_VARINT_BYTES} bytes`);
}

function checked(reader: ByteReader, length: number): number {
  if (length > reader.remaining) {
    throw new DecodeError(`truncated input: ${length} bytes needed, ${reader.remaining} left`);
  }
  return length;
}

function wrongWireType(tag: number): DecodeError {
  return new DecodeError(`field ${tag >>> 3} has the wrong wire type ${tag & 7}`);
}

function outOfRange(table: string, index: number, size: number): DecodeError {
  return new DecodeError(`${table} index ${index} is outside the batch's ${size} ${table}s`);
}

function asDecodeError(error: unknown, typeName: string): DecodeError {
  if (error instanceof DecodeError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new DecodeError(`cannot decode '${typeName}': ${reason}`, { cause: error });
}
