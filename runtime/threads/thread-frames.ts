import { EMPTY_HEADERS, isEnvelope, MessageEnvelope, type Headers } from '../message-envelope.ts';
import { PID } from '../pid.ts';
import { ByteReader, StringCache } from '../serialization/byte-reader.ts';
import { ByteWriter } from '../serialization/byte-writer.ts';
import type { CodecRegistry } from '../serialization/codec-registry.ts';

/**
 * Frames between the threads of a node. Every frame starts with its kind; target ids are local to
 * the node, so no address travels with them.
 *
 *   USER      kind · target id · message
 *   VALUE     kind · target id · value           a bare user message the value codec encodes
 *   ENVELOPE  kind · target id · flags · [sender] · [headers] · message
 *   SYSTEM    kind · target id · message
 *   STOP      kind · target id
 *   SPAWN     kind · actor id · kind name · [parent]
 *   EVENT     kind · event
 *   FORWARD   kind · target address · (a USER, ENVELOPE, SYSTEM or STOP frame)
 *
 * A message is `type name · u32 length · payload` (see `CodecRegistry.encode`); a value is the
 * value codec's bytes alone (`CodecRegistry.encodeValue`), the type name and length being implied
 * by the frame kind. A PID is its address (or nothing, when it is the node's own) and its id.
 */
export const FRAME_USER = 1;
export const FRAME_ENVELOPE = 2;
export const FRAME_SYSTEM = 3;
export const FRAME_STOP = 4;
export const FRAME_SPAWN = 5;
export const FRAME_EVENT = 6;
/** A message for another node, sent by a worker to the main thread, where remoting runs. */
export const FRAME_FORWARD = 7;
/** A bare user message in the value format: the common case of USER, ten bytes shorter. */
export const FRAME_VALUE = 8;

/** Longest `kind · target id` prefix `FrameEncoder` keeps for the next message. */
const PREFIX_BYTES = 128;
const HAS_SENDER = 1;
const SENDER_HERE = 2;
const HAS_HEADERS = 4;

/**
 * Encodes frames into one reused buffer: the returned view is valid until the next call, which is
 * all a ring writer needs (it copies the bytes into the ring or its overflow queue at once).
 */
export class FrameEncoder {
  private readonly out = new ByteWriter(256);
  /** The target id of the last `userLength`, and `kind · id` encoded, as words (kind at byte 0). */
  private lastTarget = '';
  private readonly prefix = new Int32Array(PREFIX_BYTES >>> 2);
  private readonly prefixBytes = new Uint8Array(this.prefix.buffer);
  private prefixLength = 0;

  constructor(
    private readonly codecs: CodecRegistry,
    private readonly address: () => string,
  ) {}

  /**
   * The buffer the `…Length` methods encode into: bytes `[0, length)` are the frame, valid until
   * the next call. Read it after encoding, since the buffer is replaced when it grows.
   */
  get bytes(): Uint8Array {
    return this.out.buffer;
  }

  /** `bytes` as 32-bit words (see `ByteWriter.words`). */
  get words(): Int32Array {
    return this.out.words;
  }

  /**
   * A bare user message for this node, encoded into `bytes`; returns its length. The hot path of
   * every send to another thread: no view is allocated.
   */
  userLength(targetId: string, message: unknown): number {
    if (isEnvelope(message)) return this.user(targetId, message).length;
    const codecs = this.codecs;
    const out = this.out;
    if (targetId === this.lastTarget) out.resetWith(this.prefix, this.prefixLength);
    else this.beginTarget(targetId);
    if (codecs.encodeValue(message, out)) {
      out.buffer[0] = FRAME_VALUE;
    } else {
      out.buffer[0] = FRAME_USER;
      codecs.encode(message, out);
    }
    return out.length;
  }

  /**
   * Starts a frame with `kind · targetId` (the kind is set per message) and keeps those bytes, so
   * a run of messages to one actor encodes its id once.
   */
  private beginTarget(targetId: string): void {
    const out = this.out;
    out.reset();
    out.u8(0);
    out.string(targetId);
    const length = out.length;
    if (length > PREFIX_BYTES) {
      this.lastTarget = '';
      return;
    }
    const bytes = out.buffer;
    const prefix = this.prefixBytes;
    for (let i = 0; i < length; i++) prefix[i] = bytes[i]!; // i < length <= bytes.length
    this.prefixLength = length;
    this.lastTarget = targetId;
  }

  /** A user message, bare or in an envelope with sender and headers. */
  user(targetId: string, message: unknown, forwardTo?: string): Uint8Array {
    const out = this.begin(forwardTo);
    if (!isEnvelope(message)) {
      out.u8(FRAME_USER);
      out.string(targetId);
      this.codecs.encode(message, out);
      return out.view();
    }
    const { sender, headers } = message;
    const hasHeaders = headers !== EMPTY_HEADERS && Object.keys(headers).length > 0;
    let flags = hasHeaders ? HAS_HEADERS : 0;
    if (sender !== undefined)
      flags |= sender.address === this.address() ? HAS_SENDER | SENDER_HERE : HAS_SENDER;
    out.u8(FRAME_ENVELOPE);
    out.string(targetId);
    out.u8(flags);
    if (sender !== undefined) {
      if ((flags & SENDER_HERE) === 0) out.string(sender.address);
      out.string(sender.id);
    }
    if (hasHeaders) {
      const keys = Object.keys(headers);
      out.varuint(keys.length);
      for (const key of keys) {
        out.string(key);
        out.string(headers[key]!); // a key of `headers` itself
      }
    }
    this.codecs.encode(message.message, out);
    return out.view();
  }

  system(targetId: string, message: unknown, forwardTo?: string): Uint8Array {
    const out = this.begin(forwardTo);
    out.u8(FRAME_SYSTEM);
    out.string(targetId);
    this.codecs.encode(message, out);
    return out.view();
  }

  stop(targetId: string, forwardTo?: string): Uint8Array {
    const out = this.begin(forwardTo);
    out.u8(FRAME_STOP);
    out.string(targetId);
    return out.view();
  }

  spawn(id: string, kind: string, parent: PID | undefined): Uint8Array {
    const out = this.out;
    out.reset();
    out.u8(FRAME_SPAWN);
    out.string(id);
    out.string(kind);
    out.u8(parent === undefined ? 0 : 1);
    if (parent !== undefined) {
      out.string(parent.address);
      out.string(parent.id);
    }
    return out.view();
  }

  /** Starts a frame; with `forwardTo`, one the main thread passes on to that node. */
  private begin(forwardTo: string | undefined): ByteWriter {
    const out = this.out;
    out.reset();
    if (forwardTo !== undefined) {
      out.u8(FRAME_FORWARD);
      out.string(forwardTo);
    }
    return out;
  }

  event(event: unknown): Uint8Array {
    const out = this.out;
    out.reset();
    out.u8(FRAME_EVENT);
    this.codecs.encode(event, out);
    return out.view();
  }
}

/** Reads the parts of one frame, in the order `FrameEncoder` wrote them. */
export class FrameReader {
  private readonly input = new ByteReader();
  /** Target ids read lately: a stream of messages to a few actors decodes each id once. */
  private readonly ids = new StringCache();

  constructor(
    private readonly codecs: CodecRegistry,
    private readonly address: () => string,
  ) {}

  /** Starts reading `frame` and returns its kind. */
  begin(frame: Uint8Array): number {
    this.input.reset(frame);
    return this.input.u8();
  }

  /** A frame's target id; ids seen lately come back as the same string, not decoded again. */
  targetId(): string {
    return this.input.cachedString(this.ids);
  }

  /** The kind of the frame inside a FORWARD frame, after its target address. */
  kind(): number {
    return this.input.u8();
  }

  string(): string {
    return this.input.string();
  }

  message(): unknown {
    return this.codecs.decode(this.input);
  }

  /** The value that ends a VALUE frame. */
  value(): unknown {
    return this.codecs.decodeValue(this.input);
  }

  /** The rest of an ENVELOPE frame after its target id. */
  envelope(): MessageEnvelope {
    const input = this.input;
    const flags = input.u8();
    let sender: PID | undefined;
    if ((flags & HAS_SENDER) !== 0) {
      const address = (flags & SENDER_HERE) !== 0 ? this.address() : input.string();
      sender = new PID(address, input.string());
    }
    let headers: Headers = EMPTY_HEADERS;
    if ((flags & HAS_HEADERS) !== 0) {
      const record: Record<string, string> = {};
      for (let n = input.varuint(); n > 0; n--) record[input.string()] = input.string();
      headers = Object.freeze(record);
    }
    return new MessageEnvelope(this.codecs.decode(input), sender, headers);
  }

  /** An optional PID (SPAWN's parent). */
  optionalPid(): PID | undefined {
    if (this.input.u8() === 0) return undefined;
    return new PID(this.input.string(), this.input.string());
  }
}
