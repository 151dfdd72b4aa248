import type { ByteWriter } from './byte-writer.ts';

/**
 * Turns one message type into bytes and back. `typeName` travels with the bytes (or beside them
 * on the wire) and picks the codec on the receiving side, so it must name the same type in every
 * thread and node. `encode` appends to the writer; `decode` gets exactly the bytes `encode` wrote
 * and must not keep a reference to them, since the buffer under them is reused.
 */
export interface Codec<T = unknown> {
  /** The stable name this codec's messages carry, such as `spindle.Watch` or `shop.Order`. */
  readonly typeName: string;
  /** Appends the encoding of `value` to `writer`. */
  encode(value: T, writer: ByteWriter): void;
  /** Rebuilds a value from the bytes `encode` wrote. */
  decode(bytes: Uint8Array): T;
}

/** A class, as a key for the codec of its instances. */
export type Constructor<T = unknown> = abstract new (...args: never[]) => T;
