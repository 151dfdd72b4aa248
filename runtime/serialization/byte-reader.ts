import { DecodeError } from '../errors.ts';

/**
 * Short ASCII strings skip `TextDecoder`, whose call costs about as much as decoding 30 bytes:
 * up to `CONCAT_BYTES` they are concatenated char by char, below `SHORT_STRING_BYTES` built by one
 * `String.fromCharCode` over a reused array of exactly that length (a rope of many pieces would
 * cost more to flatten later).
 */
const CONCAT_BYTES = 8;
const SHORT_STRING_BYTES = 32;
const CHAR_CODES: number[][] = [];
for (let n = 0; n < SHORT_STRING_BYTES; n++) {
  const codes: number[] = [];
  for (let i = 0; i < n; i++) codes.push(0);
  CHAR_CODES.push(codes);
}
/** Strings up to this many bytes go through a `StringCache`; longer ones are decoded each time. */
const CACHED_STRING_BYTES = 32;
/** Slots of a `StringCache`, a power of two. */
const STRING_CACHE_SLOTS = 64;

/**
 * Strings `ByteReader.cachedString` decoded lately, by a hash of their length and end bytes: one
 * slot each, the newest wins. Handing out the same string object again also spares V8 looking it
 * up in its string table each time it is used as a property key.
 */
export class StringCache {
  /** Encoded form (length byte and UTF-8) of the string in each slot. */
  readonly bytes: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(
    STRING_CACHE_SLOTS,
  ).fill(undefined);
  readonly strings: string[] = new Array<string>(STRING_CACHE_SLOTS).fill('');
}

/** A `varuint` of 8 bytes holds 56 bits, enough for 2^53 - 1; longer ones are malformed. */
const MAX_VARUINT_BYTES = 8;

const EMPTY = new Uint8Array(0);
/** `fatal`: bad UTF-8 is an error, not U+FFFD; `ignoreBOM`: a leading U+FEFF is content. */
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const f64Scratch = new Float64Array(1);
const f64Bytes = new Uint8Array(f64Scratch.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Reads what `ByteWriter` writes, from `offset` up to `end` of a byte array. Every read checks the
 * bounds first: input from another thread or node is untrusted, so a read past `end`, a varint
 * longer than 8 bytes or above 2^53 - 1, or invalid UTF-8 throws `DecodeError` and never reads
 * out of range. One reader can be `reset` onto each message in turn.
 *
 * @example
 * const reader = new ByteReader(bytes);
 * const name = reader.string();
 * const count = reader.varuint();
 */
export class ByteReader {
  private src: Uint8Array = EMPTY;
  private pos = 0;
  private end = 0;

  constructor(bytes?: Uint8Array, offset?: number, end?: number) {
    if (bytes !== undefined) this.reset(bytes, offset, end);
  }

  /** Points the reader at `bytes[offset, end)`. */
  reset(bytes: Uint8Array, offset = 0, end = bytes.length): this {
    if (!(offset >= 0 && offset <= end && end <= bytes.length)) {
      throw new RangeError(`invalid range [${offset}, ${end}) of ${bytes.length} bytes`);
    }
    this.src = bytes;
    this.pos = offset;
    this.end = end;
    return this;
  }

  /** Position of the next byte to read in the underlying array. */
  get offset(): number {
    return this.pos;
  }

  /** Bytes left before `end`. */
  get remaining(): number {
    return this.end - this.pos;
  }

  /** Reads one byte. */
  u8(): number {
    if (this.pos >= this.end) throw this.truncated(1);
    return this.src[this.pos++]!; // pos < end <= length
  }

  /** Reads an unsigned 32-bit integer, little-endian. */
  u32(): number {
    const p = this.pos;
    if (p + 4 > this.end) throw this.truncated(4);
    const b = this.src;
    this.pos = p + 4;
    // p + 3 < end <= length
    return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
  }

  /** Reads an unsigned LEB128 integer of at most 8 bytes and at most 2^53 - 1. */
  varuint(): number {
    const b = this.src;
    const end = this.end;
    let p = this.pos;
    if (p >= end) throw this.truncated(1);
    let byte = b[p++]!; // p < end
    if (byte < 0x80) {
      this.pos = p;
      return byte;
    }
    let value = byte & 0x7f;
    let scale = 0x80;
    for (let count = 1; count < MAX_VARUINT_BYTES; count++) {
      if (p >= end) throw this.truncated(1);
      byte = b[p++]!; // p < end
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        if (value > Number.MAX_SAFE_INTEGER) {
          throw new DecodeError(`varuint at offset ${this.pos} exceeds 2^53 - 1`);
        }
        this.pos = p;
        return value;
      }
      scale *= 0x80;
    }
    throw new DecodeError(
      `varuint at offset ${this.pos} is longer than ${MAX_VARUINT_BYTES} bytes`,
    );
  }

  /** Reads a zigzag-mapped signed integer (see `ByteWriter.zigzag`). */
  zigzag(): number {
    const u = this.varuint();
    if (u <= 0x7fffffff) return (u >>> 1) ^ -(u & 1);
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2;
  }

  /** Reads an IEEE 754 double, little-endian. */
  f64(): number {
    const p = this.pos;
    if (p + 8 > this.end) throw this.truncated(8);
    const b = this.src;
    if (LITTLE_ENDIAN) {
      for (let i = 0; i < 8; i++) f64Bytes[i] = b[p + i]!; // p + 7 < end
    } else {
      for (let i = 0; i < 8; i++) f64Bytes[7 - i] = b[p + i]!; // p + 7 < end
    }
    this.pos = p + 8;
    return f64Scratch[0]!;
  }

  /** Reads a `varuint` byte length and that many bytes of UTF-8. */
  string(): string {
    const n = this.varuint();
    const p = this.pos;
    if (n > this.end - p) throw this.truncated(n);
    const b = this.src;
    if (n <= CONCAT_BYTES) {
      let s = '';
      let i = 0;
      for (; i < n; i++) {
        const c = b[p + i]!; // p + n <= end
        if (c >= 0x80) break;
        s += String.fromCharCode(c);
      }
      if (i === n) {
        this.pos = p + n;
        return s;
      }
    } else if (n < SHORT_STRING_BYTES) {
      const codes = CHAR_CODES[n]!; // n < SHORT_STRING_BYTES
      let i = 0;
      for (; i < n; i++) {
        const c = b[p + i]!; // p + n <= end
        if (c >= 0x80) break;
        codes[i] = c;
      }
      if (i === n) {
        this.pos = p + n;
        return String.fromCharCode.apply(null, codes);
      }
    }
    let s: string;
    try {
      s = decoder.decode(b.subarray(p, p + n));
    } catch (error) {
      throw new DecodeError(`invalid UTF-8 in string at offset ${p}`, { cause: error });
    }
    this.pos = p + n;
    return s;
  }

  /**
   * Reads a string like `string`, first looking it up in `cache`: a short string read before (an
   * object key, an actor id) comes back as the same string, with no decoding and no allocation.
   */
  cachedString(cache: StringCache): string {
    const b = this.src;
    const p = this.pos;
    const n = p < this.end ? b[p]! : 0x80; // p < end; a length of 128 and up takes two bytes
    if (n === 0) {
      this.pos = p + 1;
      return '';
    }
    if (n > CACHED_STRING_BYTES || n >= this.end - p) return this.string();
    if (n === 1 && b[p + 1]! < 0x80) {
      // V8 keeps one string per ASCII character: nothing to cache.
      this.pos = p + 2;
      return String.fromCharCode(b[p + 1]!); // n < end - p
    }
    const slot = (n * 31 + b[p + 1]! * 7 + b[p + n]!) & (STRING_CACHE_SLOTS - 1); // p + n < end
    const known = cache.bytes[slot];
    if (known !== undefined && known.length === n + 1) {
      let i = 1;
      while (i <= n && known[i] === b[p + i]) i++;
      if (i > n) {
        this.pos = p + 1 + n;
        return cache.strings[slot]!; // set with bytes[slot]
      }
    }
    const s = this.string();
    cache.bytes[slot] = b.slice(p, p + 1 + n);
    cache.strings[slot] = s;
    return s;
  }

  /** Reads a `varuint` length and returns a copy of that many bytes (it outlives buffer reuse). */
  bytes(): Uint8Array {
    const n = this.varuint();
    const p = this.pos;
    if (n > this.end - p) throw this.truncated(n);
    this.pos = p + n;
    return this.src.slice(p, p + n);
  }

  /** Returns the next `n` bytes without copying; valid only while the underlying array is. */
  view(n: number): Uint8Array {
    const p = this.pos;
    if (!(n >= 0 && n <= this.end - p)) throw this.truncated(n);
    this.pos = p + n;
    return this.src.subarray(p, p + n);
  }

  /** Consumes `expected` if the next bytes equal it (a known header); otherwise moves nothing. */
  skipIf(expected: Uint8Array): boolean {
    const n = expected.length;
    const p = this.pos;
    if (n > this.end - p) return false;
    const b = this.src;
    for (let i = 0; i < n; i++) if (b[p + i] !== expected[i]) return false;
    this.pos = p + n;
    return true;
  }

  private truncated(needed: number): DecodeError {
    return new DecodeError(
      `truncated input: ${needed} bytes needed at offset ${this.pos}, ${this.end - this.pos} left`,
    );
  }
}
