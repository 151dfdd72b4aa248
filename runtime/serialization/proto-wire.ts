import { DecodeError } from '../errors.ts';
import { PID } from '../pid.ts';
import type { ByteReader } from './byte-reader.ts';
import type { ByteWriter } from './byte-writer.ts';

/**
 * Protocol-buffers wire format for the few runtime messages that other nodes (and peers in other
 * languages) receive: `proto/actor.proto`. Only what those messages need: length-delimited fields
 * (strings and embedded messages), unknown fields skipped as proto3 readers do.
 */
const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LEN = 2;
const WIRE_FIXED32 = 5;

/** Writes string field `field` (omitted when empty, as proto3 encoders do). */
export function writeStringField(writer: ByteWriter, field: number, value: string): void {
  if (value.length === 0) return;
  writer.u8((field << 3) | WIRE_LEN);
  writer.string(value); // a varint byte length then UTF-8: the proto string encoding
}

/** Writes `pid` as the embedded `Pid { address = 1; id = 2 }` message in field `field`. */
export function writePidField(writer: ByteWriter, field: number, pid: PID): void {
  writer.u8((field << 3) | WIRE_LEN);
  const at = writer.length;
  writer.u8(0);
  writeStringField(writer, 1, pid.address);
  writeStringField(writer, 2, pid.id);
  writer.patchVaruint(at, writer.length - at - 1);
}

/**
 * Reads the fields of one message up to `end`. For a length-delimited field, `onField` is called
 * with the reader on the field's length prefix: it reads the field (`reader.string()` for a
 * string, `readPid` for a `Pid`) and returns true, or returns false to have it skipped. Fields of
 * other wire types are skipped.
 */
export function readFields(
  reader: ByteReader,
  end: number,
  onField: (field: number) => boolean,
): void {
  while (reader.offset < end) {
    const tag = reader.varuint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (field === 0) throw new DecodeError('field number 0');
    if (wire === WIRE_LEN) {
      if (!onField(field)) reader.view(reader.varuint());
    } else if (wire === WIRE_VARINT) reader.varuint();
    else if (wire === WIRE_FIXED64) reader.view(8);
    else if (wire === WIRE_FIXED32) reader.view(4);
    else throw new DecodeError(`unsupported wire type ${wire}`);
    if (reader.offset > end) throw new DecodeError('a field overruns its message');
  }
}

/** Reads an embedded `Pid` message, length prefix included. */
export function readPid(reader: ByteReader): PID {
  const end = reader.varuint() + reader.offset;
  if (end > reader.offset + reader.remaining) throw new DecodeError('Pid overruns its message');
  let address = '';
  let id = '';
  readFields(reader, end, (field) => {
    if (field === 1) address = reader.string();
    else if (field === 2) id = reader.string();
    else return false;
    return true;
  });
  return new PID(address, id);
}
