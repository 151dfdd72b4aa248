import { DecodeError, type ByteReader } from '../../runtime/index.ts';
import { WIRE_FIXED32, WIRE_FIXED64, WIRE_LEN, WIRE_VARINT } from './wire-config.ts';

/**
 * Protobuf wire-format reading shared by the frame and handshake decoders. Every reader here is
 * a `ByteReader` over part of one frame, and `frame` is that whole frame as a plain Uint8Array:
 * readers are re-pointed within it instead of handed views, and every length is checked against
 * the bytes left before it is used. Anything malformed throws `DecodeError`.
 */

/** The empty default of a `bytes` field and of an envelope payload. */
export const NO_BYTES: Uint8Array = new Uint8Array(0);

const MAX_UINT32 = 0xffffffff;
/** A protobuf varint is at most ten bytes (a negative int64). */
const MAX_VARINT_BYTES = 10;

/** The tag of varint field `field`. */
export function varintTag(field: number): number {
  return (field << 3) | WIRE_VARINT;
}

/** The tag of length-delimited field `field`. */
export function lenTag(field: number): number {
  return (field << 3) | WIRE_LEN;
}

/** A field tag: a uint32 with a field number of at least 1. */
export function readTag(reader: ByteReader): number {
  const offset = reader.offset;
  const tag = readVarint(reader);
  if (tag < 8 || tag > MAX_UINT32) throw new DecodeError(`invalid field tag ${tag} at ${offset}`);
  return tag;
}

/** A `uint32` field's value; a larger varint throws `DecodeError`. */
export function readUint32(reader: ByteReader): number {
  const offset = reader.offset;
  const value = readVarint(reader);
  if (value > MAX_UINT32) throw new DecodeError(`uint32 out of range at ${offset}: ${value}`);
  return value;
}

/** A varint of up to 2^53 - 1 (ByteReader's limit); longer or larger ones throw `DecodeError`. */
export function readVarint(reader: ByteReader): number {
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
export function enter(reader: ByteReader, inner: ByteReader, frame: Uint8Array): number {
  const length = readLength(reader);
  const start = reader.offset;
  inner.reset(frame, start, start + length);
  advance(reader, frame, length);
  return length;
}

/** A `bytes` field's value, copied out of `frame`. */
export function readBytes(reader: ByteReader, frame: Uint8Array): Uint8Array {
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
export function skipField(reader: ByteReader, frame: Uint8Array, tag: number, known: number): void {
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

/** The error for a known field number that arrived with another wire type. */
export function wrongWireType(tag: number): DecodeError {
  return new DecodeError(`field ${tag >>> 3} has the wrong wire type ${tag & 7}`);
}
