import {
  ByteReader,
  DecodeError,
  EMPTY_HEADERS,
  PID,
  type CodecRegistry,
  type Headers,
} from '../../runtime/index.ts';
import { enter, NO_BYTES, readTag, readUint32, skipField } from './proto-reader.ts';
import {
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

/** A decoded `MessageBatch`: its envelopes, in the order they were sent. */
export interface BatchFrame {
  readonly kind: 'batch';
  readonly envelopes: DecodedEnvelope[];
}

/**
 * Decodes the `MessageBatch` under `reader`, the reverse of `BatchEncoder`, in two passes: the
 * first reads the tables and notes where each envelope lies (a peer may write tables after
 * envelopes), the second decodes the envelopes against the complete tables. An envelope whose
 * payload is unusable comes back with `error` set; a table index out of range or an invalid kind
 * throws `DecodeError`, since the frame itself is then malformed.
 */
export function readBatch(
  reader: ByteReader,
  frame: Uint8Array,
  registry: CodecRegistry,
): BatchFrame {
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

function outOfRange(table: string, index: number, size: number): DecodeError {
  return new DecodeError(`${table} index ${index} is outside the batch's ${size} ${table}s`);
}

function asDecodeError(error: unknown, typeName: string): DecodeError {
  if (error instanceof DecodeError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new DecodeError(`cannot decode '${typeName}': ${reason}`, { cause: error });
}
