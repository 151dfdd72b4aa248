import { Buffer } from 'node:buffer';
import { DecodeError, SerializationError, SpindleError } from '../errors.ts';
import { PID } from '../pid.ts';
import { ByteReader, StringCache } from './byte-reader.ts';
import type { ByteWriter } from './byte-writer.ts';
import type { Codec } from './codec.ts';

/**
 * Wire tags of the value format. Every value is one tag byte and a body:
 *
 *   0x00 undefined        (no body)
 *   0x01 null             (no body)
 *   0x02 false, 0x03 true (no body)
 *   0x04 integer          zigzag varuint; integers in [-2^52, 2^52 - 1] other than -0
 *   0x05 float            f64 LE; every other number, with -0, NaN and ±Infinity bit-exact
 *   0x06 string           varuint UTF-8 byte length + UTF-8
 *   0x07 bigint           u8 sign (0 positive, 1 negative) + varuint n + n magnitude bytes, BE
 *   0x08 object           varuint count + count × (key string + value); prototype Object.prototype
 *   0x09 null object      as 0x08; decoded with a null prototype
 *   0x0a array            varuint length + that many values; holes are read as undefined
 *   0x0b Uint8Array       varuint length + bytes
 *   0x0c Buffer           as 0x0b; decoded as a Buffer
 *   0x0d Date             f64 time value (NaN for an invalid date)
 *   0x0e Error            name string + message string + u8 flags (1 code, 2 stack, 4 cause)
 *                         + code string if flagged + stack string if flagged + cause value if
 *                         flagged; decoded as SpindleError when it had a string code
 *   0x0f PID              address string + id string
 *   0x10 registered class typeName string + u32 payload length + payload of that type's codec
 */
const TAG_UNDEFINED = 0x00;
const TAG_NULL = 0x01;
const TAG_FALSE = 0x02;
const TAG_TRUE = 0x03;
const TAG_INT = 0x04;
const TAG_FLOAT = 0x05;
const TAG_STRING = 0x06;
const TAG_BIG_INT = 0x07;
const TAG_OBJECT = 0x08;
const TAG_NULL_OBJECT = 0x09;
const TAG_ARRAY = 0x0a;
const TAG_BYTES = 0x0b;
const TAG_BUFFER = 0x0c;
const TAG_DATE = 0x0d;
const TAG_ERROR = 0x0e;
const TAG_PID = 0x0f;
const TAG_REGISTERED = 0x10;

const ERROR_CODE = 1;
const ERROR_STACK = 2;
const ERROR_CAUSE = 4;

/** Containers (objects, arrays, errors, registered classes) may nest this deep below the root. */
export const MAX_DEPTH = 64;
const MIN_INT = -(2 ** 52);
const MAX_INT = 2 ** 52 - 1;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** What the value codec needs from the registry: codecs of registered classes, both ways. */
export interface CodecLookup {
  /** The codec registered for instances of exactly this class. */
  codecOfClass(type: unknown): Codec | undefined;
  /** The codec registered under this type name. */
  codecNamed(typeName: string): Codec | undefined;
}

/**
 * The built-in structural codec (type name `value`): primitives, plain objects, arrays, bytes,
 * dates, errors, PIDs and nested instances of registered classes, in the tagged format above.
 * Anything else (an unregistered class, a function, a symbol, a Map) throws `SerializationError`
 * naming the class and where it sits in the message, as does a cycle or nesting deeper than
 * `MAX_DEPTH`. Decoding checks every length against the bytes left and bounds the depth, so
 * malformed input throws `DecodeError` rather than hanging or allocating from a bogus length.
 *
 * Codecs of nested registered classes may call back into this codec (`encode`, `encodeAs`,
 * `encodeFields`, `read`): depth, cycle and path tracking then continue across the call.
 */
export class ValueCodec implements Codec {
  readonly typeName = 'value';

  /** `keys[d]`: the property or index leading from depth `d - 1` to depth `d` ('' adds nothing). */
  private readonly keys: (string | number)[] = [];
  /** `stack[d]`: the container being written at depth `d`, read only to report a cycle. */
  private readonly stack: unknown[] = [];
  private root = 'message';
  /** Depth of the registered instance whose codec runs now, or -1 outside any. */
  private encodeNest = -1;
  private decodeNest = -1;
  private readers: ByteReader[] = [];
  private readerTop = 0;
  /** Object keys decoded lately: messages of one shape repeat theirs. */
  private readonly keyCache = new StringCache();

  constructor(private readonly lookup: CodecLookup) {}

  /** Appends `value` in the value format. */
  encode(value: unknown, writer: ByteWriter): void {
    this.encodeAs(value, writer, '');
  }

  /**
   * Appends `value`, naming it `name` in error paths: the root of the path at top level
   * (`reason`), or a path segment when called from the codec of a nested registered class.
   */
  encodeAs(value: unknown, writer: ByteWriter, name: string): void {
    const nest = this.encodeNest;
    if (nest >= 0) {
      this.keys[nest + 1] = name;
      this.write(value, writer, nest + 1);
      return;
    }
    this.root = name === '' ? 'message' : name;
    try {
      this.write(value, writer, 0);
    } catch (error) {
      this.stack.fill(undefined);
      throw error;
    }
  }

  /**
   * Appends the own enumerable string-keyed fields of `instance` as a plain object, whatever its
   * prototype: the encoding of a class registered with `registerJson`.
   */
  encodeFields(instance: object, writer: ByteWriter): void {
    const nest = this.encodeNest;
    if (nest >= 0) {
      this.writeEntries(instance, writer, TAG_OBJECT, nest);
      return;
    }
    this.root = 'message';
    try {
      this.stack[0] = instance;
      this.writeEntries(instance, writer, TAG_OBJECT, 0);
      this.stack[0] = undefined;
    } catch (error) {
      this.stack.fill(undefined);
      throw error;
    }
  }

  /** Decodes one value that fills `bytes` exactly. */
  decode(bytes: Uint8Array): unknown {
    const reader = this.acquireReader(bytes);
    try {
      const value = this.read(reader);
      if (reader.remaining !== 0) throw trailing(reader);
      return value;
    } finally {
      this.readerTop--;
    }
  }

  /**
   * Decodes a plain object that fills `bytes` exactly and assigns its fields to `target`, which it
   * returns: the decoding of a class registered with `registerJson`.
   */
  decodeFields<T extends object>(bytes: Uint8Array, target: T): T {
    const reader = this.acquireReader(bytes);
    try {
      this.readFields(reader, target);
      if (reader.remaining !== 0) throw trailing(reader);
      return target;
    } finally {
      this.readerTop--;
    }
  }

  /** Reads a plain object at the reader's position and assigns its fields to `target`. */
  readFields<T extends object>(reader: ByteReader, target: T): T {
    const tag = reader.u8();
    if (tag !== TAG_OBJECT && tag !== TAG_NULL_OBJECT) {
      throw new DecodeError(`expected an object of fields, found tag 0x${tag.toString(16)}`);
    }
    // Nested, the fields are the registered instance itself: its depth, as on the encoding side.
    return this.readEntries(reader, target, checkDepth(Math.max(this.decodeNest, 0)));
  }

  /** Reads one value at the reader's position, for codecs that embed values in their payload. */
  read(reader: ByteReader): unknown {
    return this.readValue(reader, this.decodeNest + 1);
  }

  private write(value: unknown, w: ByteWriter, depth: number): void {
    switch (typeof value) {
      case 'number':
        if ((value | 0) === value ? value !== 0 || 1 / value > 0 : isWideInt(value)) {
          w.u8(TAG_INT);
          w.zigzag(value);
        } else {
          w.u8(TAG_FLOAT);
          w.f64(value);
        }
        return;
      case 'string':
        w.u8(TAG_STRING);
        w.string(value);
        return;
      case 'boolean':
        w.u8(value ? TAG_TRUE : TAG_FALSE);
        return;
      case 'undefined':
        w.u8(TAG_UNDEFINED);
        return;
      case 'object':
        if (value === null) w.u8(TAG_NULL);
        else this.writeObject(value, w, depth);
        return;
      case 'bigint':
        writeBigInt(value, w);
        return;
      default:
        throw unsupportedValue(value, this.pathTo(depth));
    }
  }

  private writeObject(value: object, w: ByteWriter, depth: number): void {
    if (depth > MAX_DEPTH) throw this.tooDeep(value, depth);
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto === Object.prototype) {
      this.stack[depth] = value;
      this.writeEntries(value, w, TAG_OBJECT, depth);
      this.stack[depth] = undefined;
      return;
    }
    if (proto === Array.prototype && Array.isArray(value)) {
      this.stack[depth] = value;
      this.writeArray(value as unknown[], w, depth);
      this.stack[depth] = undefined;
      return;
    }
    if (proto === null) {
      this.stack[depth] = value;
      this.writeEntries(value, w, TAG_NULL_OBJECT, depth);
      this.stack[depth] = undefined;
      return;
    }
    const type = (proto as { constructor?: unknown }).constructor;
    if (type === PID) {
      w.u8(TAG_PID);
      w.string((value as PID).address);
      w.string((value as PID).id);
    } else if (type === Uint8Array || type === Buffer) {
      w.u8(type === Buffer ? TAG_BUFFER : TAG_BYTES);
      w.bytes(value as Uint8Array);
    } else if (type === Date) {
      w.u8(TAG_DATE);
      w.f64((value as Date).getTime());
    } else {
      const codec = this.lookup.codecOfClass(type);
      this.stack[depth] = value;
      if (codec !== undefined) this.writeRegistered(value, codec, w, depth);
      else if (value instanceof Error) this.writeError(value, w, depth);
      else throw unsupportedValue(value, this.pathTo(depth));
      this.stack[depth] = undefined;
    }
  }

  private writeEntries(value: object, w: ByteWriter, tag: number, depth: number): void {
    w.u8(tag);
    const at = w.length;
    w.u8(0); // count placeholder, patched below
    const keys = this.keys;
    let count = 0;
    for (const key in value) {
      if (!Object.prototype.hasOwnProperty.call(value, key)) continue;
      w.string(key);
      const field = (value as Record<string, unknown>)[key];
      // Small integers and strings, the usual fields, skip the general (recursive) `write`.
      if (typeof field === 'number' && (field | 0) === field && (field !== 0 || 1 / field > 0)) {
        w.u8(TAG_INT);
        w.zigzag(field);
      } else if (typeof field === 'string') {
        w.u8(TAG_STRING);
        w.string(field);
      } else {
        keys[depth + 1] = key;
        this.write(field, w, depth + 1);
      }
      count++;
    }
    w.patchVaruint(at, count);
  }

  private writeArray(value: readonly unknown[], w: ByteWriter, depth: number): void {
    const n = value.length;
    w.u8(TAG_ARRAY);
    w.varuint(n);
    const keys = this.keys;
    for (let i = 0; i < n; i++) {
      keys[depth + 1] = i;
      this.write(value[i], w, depth + 1);
    }
  }

  private writeRegistered(value: object, codec: Codec, w: ByteWriter, depth: number): void {
    w.u8(TAG_REGISTERED);
    w.string(codec.typeName);
    const at = w.reserveU32();
    const outer = this.encodeNest;
    this.encodeNest = depth;
    try {
      codec.encode(value, w);
    } catch (error) {
      if (error instanceof SpindleError) throw error;
      throw new SerializationError(
        className(value),
        `codec '${codec.typeName}' failed at ${this.pathTo(depth)}: ${messageOf(error)}`,
        { cause: error },
      );
    } finally {
      this.encodeNest = outer;
    }
    w.patchU32(at, w.length - at - 4);
  }

  private writeError(error: Error, w: ByteWriter, depth: number): void {
    const fields = error as Error & { code?: unknown };
    const code = fields.code;
    const stack = fields.stack;
    const hasCause = Object.prototype.hasOwnProperty.call(error, 'cause');
    w.u8(TAG_ERROR);
    w.string(typeof fields.name === 'string' ? fields.name : 'Error');
    w.string(typeof fields.message === 'string' ? fields.message : '');
    w.u8(
      (typeof code === 'string' ? ERROR_CODE : 0) |
        (typeof stack === 'string' ? ERROR_STACK : 0) |
        (hasCause ? ERROR_CAUSE : 0),
    );
    if (typeof code === 'string') w.string(code);
    if (typeof stack === 'string') w.string(stack);
    if (hasCause) {
      this.keys[depth + 1] = 'cause';
      this.write(error.cause, w, depth + 1);
    }
  }

  private readValue(r: ByteReader, depth: number): unknown {
    const tag = r.u8();
    switch (tag) {
      case TAG_UNDEFINED:
        return undefined;
      case TAG_NULL:
        return null;
      case TAG_FALSE:
        return false;
      case TAG_TRUE:
        return true;
      case TAG_INT:
        return r.zigzag();
      case TAG_FLOAT:
        return r.f64();
      case TAG_STRING:
        return r.string();
      case TAG_OBJECT:
        return this.readEntries(r, {}, checkDepth(depth));
      case TAG_NULL_OBJECT:
        return this.readEntries(r, Object.create(null) as object, checkDepth(depth));
      case TAG_ARRAY:
        return this.readArray(r, checkDepth(depth));
      case TAG_BYTES:
        return r.bytes();
      case TAG_BUFFER:
        return Buffer.from(r.view(r.varuint()));
      case TAG_DATE:
        return new Date(r.f64());
      case TAG_PID:
        return new PID(r.string(), r.string());
      case TAG_BIG_INT:
        return readBigInt(r);
      case TAG_ERROR:
        return this.readError(r, checkDepth(depth));
      case TAG_REGISTERED:
        return this.readRegistered(r, checkDepth(depth));
      default:
        throw new DecodeError(`unknown value tag 0x${tag.toString(16)} at offset ${r.offset - 1}`);
    }
  }

  private readEntries<T extends object>(r: ByteReader, target: T, depth: number): T {
    const count = r.varuint();
    // Each entry takes at least two bytes: a key length and a value tag.
    if (count * 2 > r.remaining) throw new DecodeError(`object of ${count} entries overruns input`);
    const fields = target as Record<string, unknown>;
    const keys = this.keyCache;
    for (let i = 0; i < count; i++) {
      const key = r.cachedString(keys);
      const value = this.readValue(r, depth + 1);
      if (key === '__proto__') {
        // Assignment would set the prototype; an own data property is what was sent.
        Object.defineProperty(target, key, {
          value,
          writable: true,
          enumerable: true,
          configurable: true,
        });
      } else {
        fields[key] = value;
      }
    }
    return target;
  }

  private readArray(r: ByteReader, depth: number): unknown[] {
    const n = r.varuint();
    if (n > r.remaining) throw new DecodeError(`array of ${n} items overruns input`);
    const items: unknown[] = [];
    for (let i = 0; i < n; i++) items.push(this.readValue(r, depth + 1));
    return items;
  }

  private readError(r: ByteReader, depth: number): Error {
    const name = r.string();
    const message = r.string();
    const flags = r.u8();
    if (flags > 7) throw new DecodeError(`invalid error flags 0x${flags.toString(16)}`);
    const code = flags & ERROR_CODE ? r.string() : undefined;
    const stack = flags & ERROR_STACK ? r.string() : undefined;
    const options = flags & ERROR_CAUSE ? { cause: this.readValue(r, depth + 1) } : undefined;
    const error =
      code === undefined ? new Error(message, options) : new SpindleError(code, message, options);
    if (error.name !== name) error.name = name;
    if (stack !== undefined) error.stack = stack;
    else delete error.stack;
    return error;
  }

  private readRegistered(r: ByteReader, depth: number): unknown {
    const typeName = r.string();
    const bytes = r.view(r.u32());
    const codec = this.lookup.codecNamed(typeName);
    if (codec === undefined) throw new DecodeError(`unknown message type '${typeName}'`);
    const outer = this.decodeNest;
    this.decodeNest = depth;
    try {
      return codec.decode(bytes);
    } catch (error) {
      if (error instanceof SpindleError) throw error;
      throw new DecodeError(`cannot decode '${typeName}': ${messageOf(error)}`, { cause: error });
    } finally {
      this.decodeNest = outer;
    }
  }

  private acquireReader(bytes: Uint8Array): ByteReader {
    // Nested codecs decode reentrantly, so readers form a stack rather than one shared instance.
    const reader = (this.readers[this.readerTop] ??= new ByteReader());
    this.readerTop++;
    return reader.reset(bytes);
  }

  /** The path of the value at `depth`, such as `message.items[2]`. */
  private pathTo(depth: number): string {
    let path = this.root;
    for (let d = 1; d <= depth; d++) path += segment(this.keys[d]!); // d <= depth: set on the way
    return path;
  }

  /** Reports a cycle if `value` is its own ancestor, otherwise nesting beyond `MAX_DEPTH`. */
  private tooDeep(value: object, depth: number): SerializationError {
    this.stack[depth] = value;
    for (let later = 1; later <= depth; later++) {
      for (let earlier = 0; earlier < later; earlier++) {
        if (this.stack[earlier] === this.stack[later]) {
          return new SerializationError(
            className(this.stack[later]),
            `cycle at ${this.pathTo(later)} refers back to ${this.pathTo(earlier)}`,
          );
        }
      }
    }
    return new SerializationError(
      className(value),
      `nesting deeper than ${MAX_DEPTH} levels at ${this.pathTo(depth)}`,
    );
  }
}

/** The `SerializationError` for a value the value codec cannot encode, found at `path`. */
export function unsupportedValue(value: unknown, path: string): SerializationError {
  if (typeof value === 'function') {
    const name = (value as { name?: unknown }).name;
    const label = typeof name === 'string' && name !== '' ? `function ${name}` : 'function';
    return new SerializationError('function', `${label} at ${path} is not serializable`);
  }
  if (typeof value !== 'object' || value === null) {
    return new SerializationError(typeof value, `${typeof value} at ${path} is not serializable`);
  }
  const name = className(value);
  if (constructorOf(value) === Object) {
    return new SerializationError(
      name,
      `object with a custom prototype at ${path} is not serializable`,
    );
  }
  const builtIn = (globalThis as Record<string, unknown>)[name] === constructorOf(value);
  return new SerializationError(
    name,
    builtIn
      ? `built-in ${name} at ${path} is not supported; convert it or register a codec`
      : `class instance at ${path} has no registered codec`,
  );
}

/** The class name of an object, for error messages. */
export function className(value: unknown): string {
  const type = constructorOf(value);
  const name = typeof type === 'function' ? type.name : undefined;
  return typeof name === 'string' && name !== '' ? name : 'Object';
}

function constructorOf(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null ? undefined : (proto as { constructor?: unknown }).constructor;
}

function isWideInt(v: number): boolean {
  return Number.isInteger(v) && v >= MIN_INT && v <= MAX_INT;
}

function segment(key: string | number): string {
  if (typeof key === 'number') return `[${key}]`;
  if (key === '') return '';
  return IDENTIFIER.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

function writeBigInt(value: bigint, w: ByteWriter): void {
  const negative = value < 0n;
  let hex = (negative ? -value : value).toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  const n = hex.length / 2;
  w.u8(TAG_BIG_INT);
  w.u8(negative ? 1 : 0);
  w.varuint(n);
  for (let i = 0; i < n; i++) w.u8(parseInt(hex.slice(i * 2, i * 2 + 2), 16));
}

function readBigInt(r: ByteReader): bigint {
  const sign = r.u8();
  if (sign > 1) throw new DecodeError(`invalid bigint sign ${sign}`);
  const bytes = r.view(r.varuint());
  if (bytes.length === 0) return 0n;
  let hex = '0x';
  for (const byte of bytes) hex += byte < 0x10 ? `0${byte.toString(16)}` : byte.toString(16);
  const magnitude = BigInt(hex);
  return sign === 1 ? -magnitude : magnitude;
}

function checkDepth(depth: number): number {
  if (depth > MAX_DEPTH) throw new DecodeError(`value nests deeper than ${MAX_DEPTH} levels`);
  return depth;
}

function trailing(reader: ByteReader): DecodeError {
  return new DecodeError(`${reader.remaining} unexpected bytes after the value`);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
