/** Strings up to this many UTF-16 units take at most 126 UTF-8 bytes: a one-byte length prefix. */
const SHORT_STRING = 42;
const MAX_VARUINT = Number.MAX_SAFE_INTEGER;
/** Zigzag maps [-2^52, 2^52 - 1] onto [0, 2^53 - 1], the integers a double holds exactly. */
const MIN_ZIGZAG = -(2 ** 52);
const MAX_ZIGZAG = 2 ** 52 - 1;

const encoder = new TextEncoder();
/** Scratch for `f64`: the value is stored as a double and its bytes copied out in LE order. */
const f64Scratch = new Float64Array(1);
const f64Bytes = new Uint8Array(f64Scratch.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * A growable byte writer over one reusable `Uint8Array`: `reset()` keeps the allocation, so a
 * thread that encodes millions of messages allocates only when a message outgrows every earlier
 * one. Integers are little-endian; `varuint` is unsigned LEB128; strings are UTF-8 behind a
 * `varuint` byte length.
 *
 * @example
 * const writer = new ByteWriter();
 * writer.string('ping');
 * writer.varuint(42);
 * ring.push(writer.view());
 * writer.reset();
 */
export class ByteWriter {
  private buf: Uint8Array;
  private pos = 0;
  private wordView: Int32Array | undefined = undefined;

  constructor(initialCapacity = 256) {
    // A multiple of 8, so `words` covers every byte (doubling keeps it so).
    this.buf = new Uint8Array(Math.max(16, (initialCapacity + 7) & ~7));
  }

  /** Forgets the written bytes and keeps the allocation for the next message. */
  reset(): void {
    this.pos = 0;
  }

  /**
   * Starts a new message with a cached prefix: `reset`, then the first `length` bytes held in
   * `prefix`, copied four bytes at a time (any bytes of its last word past `length` are written
   * over by what follows).
   */
  resetWith(prefix: Int32Array, length: number): void {
    const n = (length + 3) >>> 2;
    this.pos = 0;
    if (n << 2 > this.buf.length) this.grow(n << 2);
    const words = this.words;
    for (let i = 0; i < n; i++) words[i] = prefix[i]!; // i < n, the words holding `length` bytes
    this.pos = length;
  }

  /** Number of bytes written since the last reset. */
  get length(): number {
    return this.pos;
  }

  /** The current backing array; replaced when the writer grows, so read it after writing. */
  get buffer(): Uint8Array {
    return this.buf;
  }

  /**
   * `buffer` as 32-bit words (the same memory, from its start), for copying a message out four
   * bytes at a time; replaced with the buffer, so read it after writing.
   */
  get words(): Int32Array {
    return (this.wordView ??= new Int32Array(this.buf.buffer, 0, this.buf.length >>> 2));
  }

  /** Drops every byte written after `length` (rolls back a message whose encoding failed). */
  truncate(length: number): void {
    if (length < 0 || length > this.pos) {
      throw new RangeError(`cannot truncate to ${length}: ${this.pos} bytes written`);
    }
    this.pos = length;
  }

  /** The written bytes as a subarray of `buffer`, valid until the next write or reset. */
  view(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  /** Writes one byte. */
  u8(v: number): void {
    if (this.pos === this.buf.length) this.grow(1);
    this.buf[this.pos++] = v;
  }

  /** Writes an unsigned 32-bit integer, little-endian. */
  u32(v: number): void {
    if (this.pos + 4 > this.buf.length) this.grow(4);
    const b = this.buf;
    const p = this.pos;
    b[p] = v;
    b[p + 1] = v >>> 8;
    b[p + 2] = v >>> 16;
    b[p + 3] = v >>> 24;
    this.pos = p + 4;
  }

  /** Reserves four bytes for a `u32` known only later (a length); returns where to `patchU32`. */
  reserveU32(): number {
    if (this.pos + 4 > this.buf.length) this.grow(4);
    const at = this.pos;
    this.pos += 4;
    return at;
  }

  /** Writes a `u32` at a position returned by `reserveU32`. */
  patchU32(at: number, v: number): void {
    const b = this.buf;
    b[at] = v;
    b[at + 1] = v >>> 8;
    b[at + 2] = v >>> 16;
    b[at + 3] = v >>> 24;
  }

  /**
   * Replaces a one-byte placeholder written at `at` with `varuint(v)`, moving the bytes after it
   * when `v` needs more than one byte. Lets a count known only after its items be written in
   * front of them without a pass to count first; the move happens only for counts of 128 and up.
   */
  patchVaruint(at: number, v: number): void {
    if ((v & 0x7f) === v) {
      this.buf[at] = v;
      return;
    }
    const size = varuintSize(checkVaruint(v));
    if (size > 1) {
      const end = this.pos;
      if (end + size - 1 > this.buf.length) this.grow(size - 1);
      this.buf.copyWithin(at + size, at + 1, end);
      this.pos = end + size - 1;
    }
    writeVaruintAt(this.buf, at, v);
  }

  /** Writes an unsigned integer up to 2^53 - 1 as LEB128 (1 byte below 128, at most 8). */
  varuint(v: number): void {
    if (this.pos + 8 > this.buf.length) this.grow(8);
    if (v >>> 0 !== v) checkVaruint(v);
    this.pos = writeVaruintAt(this.buf, this.pos, v);
  }

  /** Writes a signed integer in [-2^52, 2^52 - 1] zigzag-mapped to a `varuint` (small |v|, short). */
  zigzag(v: number): void {
    if ((v | 0) === v) {
      this.varuint(((v << 1) ^ (v >> 31)) >>> 0);
      return;
    }
    if (!(v >= MIN_ZIGZAG && v <= MAX_ZIGZAG && Math.floor(v) === v)) {
      throw new RangeError(`zigzag out of range: ${v}`);
    }
    this.varuint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  /** Writes an IEEE 754 double, little-endian; every NaN payload and -0 are kept bit for bit. */
  f64(v: number): void {
    if (this.pos + 8 > this.buf.length) this.grow(8);
    f64Scratch[0] = v;
    const b = this.buf;
    const p = this.pos;
    if (LITTLE_ENDIAN) {
      for (let i = 0; i < 8; i++) b[p + i] = f64Bytes[i]!; // i < 8
    } else {
      for (let i = 0; i < 8; i++) b[p + i] = f64Bytes[7 - i]!; // i < 8
    }
    this.pos = p + 8;
  }

  /**
   * Writes a `varuint` UTF-8 byte length and the UTF-8 bytes. Lone surrogates become U+FFFD, as
   * with `TextEncoder`. Short strings are encoded by a charCode loop, long ones by `encodeInto`.
   */
  string(s: string): void {
    const n = s.length;
    if (n <= SHORT_STRING) {
      if (this.pos + 1 + n * 3 > this.buf.length) this.grow(1 + n * 3);
      const b = this.buf;
      const start = this.pos + 1;
      let p = start;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        b[p++] = c;
      }
      if (i < n) p = writeUtf8(s, i, b, p);
      b[this.pos] = p - start; // at most 3 * 42 = 126: one varuint byte
      this.pos = p;
      return;
    }
    this.longString(s);
  }

  /** Writes a `varuint` byte length and the bytes. */
  bytes(b: Uint8Array): void {
    this.varuint(b.length);
    this.raw(b);
  }

  /** Writes bytes with no length prefix. */
  raw(b: Uint8Array): void {
    const n = b.length;
    if (this.pos + n > this.buf.length) this.grow(n);
    if (n < 16) {
      const d = this.buf;
      const p = this.pos;
      for (let i = 0; i < n; i++) d[p + i] = b[i]!; // i < b.length
    } else {
      this.buf.set(b, this.pos);
    }
    this.pos += n;
  }

  private longString(s: string): void {
    const most = s.length * 3;
    const prefix = varuintSize(most);
    if (this.pos + prefix + most > this.buf.length) this.grow(prefix + most);
    const start = this.pos + prefix;
    const { written } = encoder.encodeInto(s, this.buf.subarray(start, start + most));
    const actual = varuintSize(written);
    if (actual < prefix) {
      // The prefix was sized for the worst case; close the gap so the length stays canonical.
      this.buf.copyWithin(this.pos + actual, start, start + written);
    }
    // No grow here: the room ensured above exceeds the 8 bytes `varuint` checks for.
    this.varuint(written);
    this.pos += written;
  }

  private grow(needed: number): void {
    let capacity = this.buf.length * 2;
    while (capacity < this.pos + needed) capacity *= 2;
    const next = new Uint8Array(capacity);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.wordView = undefined;
  }
}

/** Returns `v` if `varuint` can write it: an integer in [0, 2^53 - 1]; throws `RangeError` if not. */
function checkVaruint(v: number): number {
  if (!(v >= 0 && v <= MAX_VARUINT && Math.floor(v) === v)) {
    throw new RangeError(`varuint out of range: ${v}`);
  }
  return v;
}

/** Writes a checked `v` as LEB128 at `p` (room for 8 bytes ensured by the caller); returns the end. */
/** Writes `v` as a varuint into `b` at `p` (room is the caller's); returns the end position. */
export function writeVaruintAt(b: Uint8Array, p: number, v: number): number {
  if (v >>> 0 === v) {
    // A uint32: shifts are exact.
    while (v > 0x7f) {
      b[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
  } else {
    // Above 2^32 bitwise operators would truncate; division by 128 is exact on integers.
    while (v > 0x7f) {
      b[p++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
  }
  b[p++] = v;
  return p;
}

/** Number of bytes `varuint(v)` writes. */
export function varuintSize(v: number): number {
  let size = 1;
  while (v > 0x7f) {
    v = Math.floor(v / 0x80);
    size++;
  }
  return size;
}

/**
 * Encodes `s` from unit `i` on as UTF-8 into `b` at `p` (room for 3 bytes a unit is ensured by the
 * caller); returns the end position. Unpaired surrogates are written as U+FFFD.
 */
function writeUtf8(s: string, i: number, b: Uint8Array, p: number): number {
  const n = s.length;
  for (; i < n; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      b[p++] = c;
    } else if (c < 0x800) {
      b[p++] = 0xc0 | (c >> 6);
      b[p++] = 0x80 | (c & 0x3f);
    } else if (c < 0xd800 || c > 0xdfff) {
      b[p++] = 0xe0 | (c >> 12);
      b[p++] = 0x80 | ((c >> 6) & 0x3f);
      b[p++] = 0x80 | (c & 0x3f);
    } else {
      const next = i + 1 < n ? s.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        // A surrogate pair: 2 units, 4 bytes, within the 3-bytes-a-unit budget.
        c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        i++;
        b[p++] = 0xf0 | (c >> 18);
        b[p++] = 0x80 | ((c >> 12) & 0x3f);
        b[p++] = 0x80 | ((c >> 6) & 0x3f);
        b[p++] = 0x80 | (c & 0x3f);
      } else {
        b[p++] = 0xef;
        b[p++] = 0xbf;
        b[p++] = 0xbd;
      }
    }
  }
  return p;
}
