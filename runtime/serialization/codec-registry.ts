import { Buffer } from 'node:buffer';
import type protobuf from 'protobufjs';
import { DecodeError, InvalidConfigError, SerializationError, SpindleError } from '../errors.ts';
import { PID } from '../pid.ts';
import type { ByteReader } from './byte-reader.ts';
import { ByteWriter } from './byte-writer.ts';
import type { Codec, Constructor } from './codec.ts';
import { registerSystemCodecs } from './system-codecs.ts';
import { className, unsupportedValue, ValueCodec, type CodecLookup } from './value-codec.ts';

/** A codec that can also decode in place, from a reader positioned at its payload. */
interface InPlaceCodec {
  read(reader: ByteReader): unknown;
}

/** A registered codec, with its class (none for the value codec) and its encoded type name. */
interface Entry {
  readonly codec: Codec;
  /** Set for the built-in codecs that read in place: no payload view, no second reader. */
  readonly inPlace: InPlaceCodec | undefined;
  readonly type: Constructor | undefined;
  /** `ByteWriter.string(typeName)` bytes, written as is and compared on decode. */
  readonly header: Uint8Array;
}

/** Classes the value codec encodes itself; a registration for them would never be consulted. */
const BUILT_IN: ReadonlySet<unknown> = new Set([Object, Array, PID, Uint8Array, Buffer, Date]);

/**
 * Maps classes to codecs for messages that leave their thread or node. A message is framed as
 * its type name, a u32 payload length and the payload of that type's codec:
 *
 *   [ varuint n | typeName (n bytes UTF-8) ][ u32 LE payload length ][ payload ]
 *
 * Primitives, plain objects, arrays, bytes, dates, errors and PIDs go through the built-in value
 * codec (type name `value`). A class instance needs a registration (`register`, `registerJson`
 * or `registerProtobuf`), looked up by its exact constructor; without one, encoding throws
 * `SerializationError` at the sender. An unknown type name on decode throws `DecodeError`.
 *
 * @example
 * class Deposit { constructor(readonly amount: number) {} }
 * defaultCodecs.registerJson(Deposit, 'bank.Deposit');
 * const writer = new ByteWriter();
 * defaultCodecs.encode(new Deposit(5), writer);
 * const copy = defaultCodecs.decode(new ByteReader(writer.view())); // a Deposit
 */
export class CodecRegistry implements CodecLookup {
  /** The built-in structural codec, for codecs that embed values in their own payload. */
  readonly value: ValueCodec;
  private readonly byType = new Map<unknown, Entry>();
  private readonly byName = new Map<string, Entry>();
  private readonly valueEntry: Entry;
  /** The entry decoded last: a stream of one type skips decoding its name. */
  private lastDecoded: Entry;
  private scratch: ByteWriter | undefined = undefined;

  constructor() {
    this.value = new ValueCodec(this);
    this.valueEntry = {
      codec: this.value,
      inPlace: this.value,
      type: undefined,
      header: headerOf('value'),
    };
    this.byName.set('value', this.valueEntry);
    this.lastDecoded = this.valueEntry;
  }

  /**
   * Registers `codec` for instances of exactly `type` and for its `typeName`. Registering the
   * same class under the same name again does nothing; a name or class already taken by another
   * registration throws `InvalidConfigError`.
   */
  register<T>(type: Constructor<T>, codec: Codec<T>): this {
    const typeName = codec.typeName;
    if (typeof type !== 'function') throw new InvalidConfigError('register needs a class');
    if (typeName === '') throw new InvalidConfigError('a codec needs a non-empty typeName');
    if (BUILT_IN.has(type)) {
      throw new InvalidConfigError(
        `${type.name} is encoded by the value codec and cannot be registered`,
      );
    }
    const named = this.byName.get(typeName);
    const existing = this.byType.get(type);
    if (named !== undefined && named === existing) return this;
    if (named !== undefined) {
      const owner = named.type === undefined ? 'the value codec' : `class ${named.type.name}`;
      throw new InvalidConfigError(`type name '${typeName}' is already registered for ${owner}`);
    }
    if (existing !== undefined) {
      throw new InvalidConfigError(
        `class ${type.name} is already registered as '${existing.codec.typeName}'`,
      );
    }
    const inPlace = codec instanceof FieldsCodec ? (codec as InPlaceCodec) : undefined;
    const entry: Entry = { codec, inPlace, type, header: headerOf(typeName) };
    this.byType.set(type, entry);
    this.byName.set(typeName, entry);
    return this;
  }

  /**
   * Registers a class sent as its own enumerable fields through the value codec and rebuilt by
   * `revive`, or by default as an object with the class's prototype and the decoded fields (no
   * constructor call). Fields must themselves be serializable; `#private` fields are not sent.
   */
  registerJson<T extends object>(
    type: Constructor<T>,
    typeName: string,
    revive?: (plain: Record<string, unknown>) => T,
  ): this {
    return this.register(type, new FieldsCodec(typeName, type, this.value, revive));
  }

  /**
   * Registers a protobufjs message type under its full name (without the leading dot). Its class
   * is `type.ctor`; passing `ctor` makes it the type's constructor (it must extend
   * `protobuf.Message`), so decoded messages are instances of it.
   */
  registerProtobuf<T extends object>(type: protobuf.Type, ctor?: Constructor<T>): this {
    if (ctor !== undefined && type.ctor !== (ctor as unknown)) {
      try {
        type.ctor = ctor as unknown as protobuf.Constructor<object>;
      } catch (error) {
        throw new InvalidConfigError(
          `class ${ctor.name} cannot be the constructor of ${type.fullName}: extend protobuf.Message`,
          { cause: error },
        );
      }
    }
    const typeName = type.fullName.startsWith('.') ? type.fullName.slice(1) : type.fullName;
    return this.register(type.ctor, new ProtobufCodec(typeName, type));
  }

  /** True when a codec is registered under `typeName`. */
  has(typeName: string): boolean {
    return this.byName.has(typeName);
  }

  /** The codec registered under `typeName`. */
  codecNamed(typeName: string): Codec | undefined {
    return this.byName.get(typeName)?.codec;
  }

  /** The codec registered for instances of exactly `type`. */
  codecOfClass(type: unknown): Codec | undefined {
    return this.byType.get(type)?.codec;
  }

  /** The codec that encodes `message`; throws `SerializationError` if there is none. */
  codecFor(message: unknown): Codec {
    return this.entryFor(message).codec;
  }

  /** The type name `message` is sent under. */
  typeNameOf(message: unknown): string {
    return this.entryFor(message).codec.typeName;
  }

  /**
   * Appends `message` framed with its type name and payload length. On failure the writer is
   * rolled back to where it was, so a batch of earlier messages in it stays intact.
   */
  encode(message: unknown, writer: ByteWriter): void {
    const start = writer.length;
    const entry = this.entryFor(message);
    try {
      writer.raw(entry.header);
      const at = writer.reserveU32();
      entry.codec.encode(message, writer);
      writer.patchU32(at, writer.length - at - 4);
    } catch (error) {
      writer.truncate(start);
      throw codecFailure(error, message, entry.codec.typeName);
    }
  }

  /**
   * Appends `message` in the value format alone, with no type name and no length, if the value
   * codec is the one that encodes it, and returns true; returns false, writing nothing, if it
   * needs a registered codec (then use `encode`). For frames that say by themselves that a value
   * follows. Throws `SerializationError` as `encode` does, with the writer rolled back.
   */
  encodeValue(message: unknown, writer: ByteWriter): boolean {
    const start = writer.length;
    try {
      if (
        typeof message === 'object' &&
        message !== null &&
        Object.getPrototypeOf(message) === Object.prototype
      ) {
        // The usual message: its fields are those of a plain object, without a second look at it.
        this.value.encodeFields(message, writer);
        return true;
      }
      if (this.entryFor(message) !== this.valueEntry) return false;
      this.value.encode(message, writer);
      return true;
    } catch (error) {
      writer.truncate(start);
      throw codecFailure(error, message, 'value');
    }
  }

  /** Reads a value written by `encodeValue` that fills the rest of the reader's range. */
  decodeValue(reader: ByteReader): unknown {
    let value: unknown;
    try {
      value = this.value.read(reader);
    } catch (error) {
      throw asDecodeError(error, 'value');
    }
    if (reader.remaining !== 0) {
      throw new DecodeError(`${reader.remaining} unexpected bytes after the value`);
    }
    return value;
  }

  /** Reads one framed message written by `encode`. */
  decode(reader: ByteReader): unknown {
    const entry = this.readHeader(reader);
    const length = reader.u32();
    if (entry.inPlace !== undefined) return readInPlace(entry, reader, length);
    return decodeWith(entry.codec, reader.view(length));
  }

  /** Encodes `message` alone, for transports that carry the type name beside the bytes. */
  encodeToBytes(message: unknown): { typeName: string; bytes: Uint8Array } {
    const entry = this.entryFor(message);
    const writer = this.scratch ?? new ByteWriter();
    this.scratch = undefined; // a codec that calls back in gets a writer of its own
    try {
      writer.reset();
      entry.codec.encode(message, writer);
      return { typeName: entry.codec.typeName, bytes: writer.view().slice() };
    } catch (error) {
      throw codecFailure(error, message, entry.codec.typeName);
    } finally {
      this.scratch = writer;
    }
  }

  /** Decodes bytes from `encodeToBytes` given the type name they travelled with. */
  decodeFromBytes(typeName: string, bytes: Uint8Array): unknown {
    const entry = this.byName.get(typeName);
    if (entry === undefined) throw new DecodeError(`unknown message type '${typeName}'`);
    return decodeWith(entry.codec, bytes);
  }

  private entryFor(message: unknown): Entry {
    if (typeof message === 'object' && message !== null) {
      const proto: unknown = Object.getPrototypeOf(message);
      if (proto === Object.prototype || proto === Array.prototype || proto === null) {
        return this.valueEntry;
      }
      const type = (proto as { constructor?: unknown }).constructor;
      const entry = this.byType.get(type);
      if (entry !== undefined) return entry;
      if (BUILT_IN.has(type) || message instanceof Error) return this.valueEntry;
      throw unsupportedValue(message, 'message');
    }
    if (typeof message === 'function' || typeof message === 'symbol') {
      throw unsupportedValue(message, 'message');
    }
    return this.valueEntry;
  }

  private readHeader(reader: ByteReader): Entry {
    if (reader.skipIf(this.valueEntry.header)) return this.valueEntry;
    const last = this.lastDecoded;
    if (reader.skipIf(last.header)) return last;
    const typeName = reader.string();
    const entry = this.byName.get(typeName);
    if (entry === undefined) throw new DecodeError(`unknown message type '${typeName}'`);
    this.lastDecoded = entry;
    return entry;
  }
}

/** Encodes a registered class as its own enumerable fields through the value codec. */
class FieldsCodec<T extends object> implements Codec<T> {
  constructor(
    readonly typeName: string,
    private readonly type: Constructor<T>,
    private readonly values: ValueCodec,
    private readonly revive: ((plain: Record<string, unknown>) => T) | undefined,
  ) {}

  encode(value: T, writer: ByteWriter): void {
    this.values.encodeFields(value, writer);
  }

  decode(bytes: Uint8Array): T {
    if (this.revive !== undefined) return this.revive(this.values.decodeFields(bytes, {}));
    return this.values.decodeFields(bytes, Object.create(this.type.prototype as object) as T);
  }

  /** Decodes in place from the registry's reader. */
  read(reader: ByteReader): T {
    if (this.revive !== undefined) return this.revive(this.values.readFields(reader, {}));
    return this.values.readFields(reader, Object.create(this.type.prototype as object) as T);
  }
}

/** Encodes a protobufjs message type with the type's own encoder and decoder. */
class ProtobufCodec implements Codec {
  constructor(
    readonly typeName: string,
    private readonly type: protobuf.Type,
  ) {}

  encode(value: unknown, writer: ByteWriter): void {
    writer.raw(this.type.encode(value as protobuf.Message).finish());
  }

  decode(bytes: Uint8Array): unknown {
    // protobufjs returns `bytes` fields and unknown fields as views of its input; the input is a
    // reused buffer, so it decodes from a copy.
    return this.type.decode(bytes.slice());
  }
}

/** The hot path of `decode`: reads the payload where it lies and checks it took `length` bytes. */
function readInPlace(entry: Entry, reader: ByteReader, length: number): unknown {
  if (length > reader.remaining) {
    throw new DecodeError(`payload of ${length} bytes overruns the ${reader.remaining} left`);
  }
  const start = reader.offset;
  let value: unknown;
  try {
    value = entry.inPlace!.read(reader); // only called for entries that have one
  } catch (error) {
    throw asDecodeError(error, entry.codec.typeName);
  }
  if (reader.offset - start !== length) {
    throw new DecodeError(
      `'${entry.codec.typeName}' payload is ${length} bytes but its value took ${reader.offset - start}`,
    );
  }
  return value;
}

function decodeWith(codec: Codec, bytes: Uint8Array): unknown {
  try {
    return codec.decode(bytes);
  } catch (error) {
    throw asDecodeError(error, codec.typeName);
  }
}

function asDecodeError(error: unknown, typeName: string): unknown {
  if (error instanceof SpindleError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new DecodeError(`cannot decode '${typeName}': ${reason}`, { cause: error });
}

/**
 * What a codec's failure to encode `message` is reported as: a Spindle error passes through, any
 * other error becomes a `SerializationError` naming the message's class and the codec.
 */
export function codecFailure(error: unknown, message: unknown, typeName: string): unknown {
  if (error instanceof SpindleError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new SerializationError(className(message), `codec '${typeName}' failed: ${reason}`, {
    cause: error,
  });
}

function headerOf(typeName: string): Uint8Array {
  const writer = new ByteWriter(16);
  writer.string(typeName);
  return writer.view().slice();
}

/** The registry every thread uses unless told otherwise: built-ins and system messages. */
export const defaultCodecs: CodecRegistry = registerSystemCodecs(new CodecRegistry());
