import {
  ByteWriter,
  codecFailure,
  EMPTY_HEADERS,
  FrameTooLargeError,
  SerializationError,
  varuintSize,
  writeVaruintAt,
  type CodecRegistry,
  type Headers,
  type PID,
} from '../../runtime/index.ts';
import {
  KIND_STOP,
  KIND_SYSTEM,
  KIND_USER,
  TAG_BATCH,
  TAG_ENVELOPE,
  TAG_FIRST_STRING,
  TAG_HEADER,
  TAG_KIND,
  TAG_MESSAGE_DATA,
  TAG_SECOND_STRING,
  TAG_SENDER,
  TAG_SENDER_PID,
  TAG_TARGET,
  TAG_TARGET_NAME,
  TAG_TYPE_ID,
  TAG_TYPE_NAME,
  type EnvelopeKind,
} from './wire-config.ts';

/** After a flush, a body buffer grown past this is dropped rather than kept for the next batch. */
const RETAINED_BODY_BYTES = 1 << 20;
/** The outer tag and the longest length prefix a frame can have. */
const FRAME_OVERHEAD = 6;

/**
 * Accumulates the outgoing envelopes of one connection and turns them into one `RemoteMessage`
 * frame (see `proto/remote.proto`) per `flush`. Each envelope is encoded in `add`, straight into
 * protobuf wire format, so a message that cannot be serialized throws at the sender and leaves the
 * batch as it was. Type names, targets and senders go into per-batch tables, each once:
 *
 *   frame = 0x0a len [ type_names* targets* senders* ][ envelopes* ]
 *           \_______/ \_______ head (at flush) ______/ \__ body __/
 *
 * Envelopes are written with one-byte length placeholders that `ByteWriter.patchVaruint` widens
 * when a payload or envelope reaches 128 bytes. Default values (index 0, USER kind, an empty
 * payload) are left out, as proto3 encoders do, so the frame is the canonical encoding.
 *
 * @example
 * const batch = new BatchEncoder(defaultCodecs);
 * batch.add('$12', { n: 1 }, senderPid, EMPTY_HEADERS, KIND_USER);
 * if (batch.bytes > limit) connection.send(batch.flush()!);
 */
export class BatchEncoder {
  private body = new ByteWriter(4096);
  private readonly head = new ByteWriter(512);
  private readonly typeIndex = new Map<string, number>();
  private readonly typeNames: string[] = [];
  private readonly targetIndex = new Map<string, number>();
  private readonly targets: string[] = [];
  /** Sender indices by address, then id. */
  private readonly senderIndex = new Map<string, Map<string, number>>();
  private readonly senders: PID[] = [];
  /** The sender seen last: most batches carry one sender many times. */
  private lastSender: PID | undefined = undefined;
  private lastSenderIndex = 0;
  private count = 0;
  /** Approximate encoded size of the tables. */
  private tableBytes = 0;

  constructor(
    private readonly registry: CodecRegistry,
    /** The largest frame `flush` may return: a transport's `maxFrameBytes`. */
    private readonly maxFrameBytes = Number.POSITIVE_INFINITY,
  ) {}

  /** Number of envelopes added since the last flush. */
  get size(): number {
    return this.count;
  }

  /** Approximate size of the frame `flush` would return (exact for ASCII names), in bytes. */
  get bytes(): number {
    return this.count === 0 ? 0 : this.body.length + this.tableBytes + FRAME_OVERHEAD;
  }

  /**
   * Encodes one envelope for the actor `targetId` on the peer. Throws `SerializationError` when
   * `message` has no codec or its codec fails, or a header value is not a string; the batch is
   * then unchanged. An invalid `kind` throws `RangeError`. A message too large for a frame even
   * alone throws `FrameTooLargeError`. Returns false, leaving the batch unchanged, when the
   * envelope would make the frame larger than `maxFrameBytes`: flush, then add it again.
   */
  add(
    targetId: string,
    message: unknown,
    sender: PID | undefined,
    headers: Headers,
    kind: EnvelopeKind,
  ): boolean {
    if (kind !== KIND_USER && kind !== KIND_SYSTEM && kind !== KIND_STOP) {
      throw new RangeError(`invalid envelope kind ${String(kind)}`);
    }
    const codec = this.registry.codecFor(message); // throws before anything is written
    const body = this.body;
    const start = body.length;
    const types = this.typeNames.length;
    const targets = this.targets.length;
    const senders = this.senders.length;
    const tableBytes = this.tableBytes;
    try {
      const typeId = this.typeId(codec.typeName);
      const target = this.targetId(targetId);
      const senderRef = sender === undefined ? 0 : this.senderId(sender) + 1;
      body.u8(TAG_ENVELOPE);
      const envelopeAt = body.length;
      body.u8(0);
      if (typeId !== 0) {
        body.u8(TAG_TYPE_ID);
        body.varuint(typeId);
      }
      body.u8(TAG_MESSAGE_DATA);
      const dataAt = body.length;
      body.u8(0);
      codec.encode(message, body);
      const dataLength = body.length - dataAt - 1;
      if (dataLength === 0) body.truncate(dataAt - 1);
      else body.patchVaruint(dataAt, dataLength);
      if (target !== 0) {
        body.u8(TAG_TARGET);
        body.varuint(target);
      }
      if (senderRef !== 0) {
        body.u8(TAG_SENDER);
        body.varuint(senderRef);
      }
      if (kind !== KIND_USER) {
        body.u8(TAG_KIND);
        body.u8(kind);
      }
      if (headers !== EMPTY_HEADERS) this.writeHeaders(headers);
      body.patchVaruint(envelopeAt, body.length - envelopeAt - 1);
      if (this.body.length + this.tableBytes + FRAME_OVERHEAD > this.maxFrameBytes) {
        const alone = body.length - start + (this.tableBytes - tableBytes) + FRAME_OVERHEAD;
        if (this.count === 0 || alone > this.maxFrameBytes) {
          throw new FrameTooLargeError(alone, this.maxFrameBytes);
        }
        this.rollback(start, types, targets, senders, tableBytes);
        return false;
      }
    } catch (error) {
      this.rollback(start, types, targets, senders, tableBytes);
      throw codecFailure(error, message, codec.typeName);
    }
    this.count++;
    return true;
  }

  /** Returns the frame of every envelope added since the last flush, or undefined if none. */
  flush(): Uint8Array | undefined {
    if (this.count === 0) return undefined;
    const head = this.head;
    head.reset();
    for (const name of this.typeNames) {
      head.u8(TAG_TYPE_NAME);
      head.string(name);
    }
    for (const target of this.targets) {
      head.u8(TAG_TARGET_NAME);
      head.string(target);
    }
    for (const sender of this.senders) {
      head.u8(TAG_SENDER_PID);
      const at = head.length;
      head.u8(0);
      if (sender.address !== '') {
        head.u8(TAG_FIRST_STRING);
        head.string(sender.address);
      }
      if (sender.id !== '') {
        head.u8(TAG_SECOND_STRING);
        head.string(sender.id);
      }
      head.patchVaruint(at, head.length - at - 1);
    }
    const body = this.body;
    const inner = head.length + body.length;
    const frame = new Uint8Array(1 + varuintSize(inner) + inner);
    frame[0] = TAG_BATCH;
    const at = writeVaruintAt(frame, 1, inner);
    frame.set(head.view(), at);
    frame.set(body.view(), at + head.length);
    this.clear();
    return frame;
  }

  /** Drops every envelope added since the last flush. */
  clear(): void {
    if (this.body.buffer.length > RETAINED_BODY_BYTES) this.body = new ByteWriter(4096);
    else this.body.reset();
    this.typeIndex.clear();
    this.typeNames.length = 0;
    this.targetIndex.clear();
    this.targets.length = 0;
    this.senderIndex.clear();
    this.senders.length = 0;
    this.lastSender = undefined;
    this.count = 0;
    this.tableBytes = 0;
  }

  private typeId(typeName: string): number {
    let index = this.typeIndex.get(typeName);
    if (index === undefined) {
      index = this.typeNames.push(typeName) - 1;
      this.typeIndex.set(typeName, index);
      this.tableBytes += stringBytes(typeName);
    }
    return index;
  }

  private targetId(targetId: string): number {
    let index = this.targetIndex.get(targetId);
    if (index === undefined) {
      index = this.targets.push(targetId) - 1;
      this.targetIndex.set(targetId, index);
      this.tableBytes += stringBytes(targetId);
    }
    return index;
  }

  private senderId(sender: PID): number {
    if (sender === this.lastSender) return this.lastSenderIndex;
    let ids = this.senderIndex.get(sender.address);
    if (ids === undefined) {
      ids = new Map();
      this.senderIndex.set(sender.address, ids);
    }
    let index = ids.get(sender.id);
    if (index === undefined) {
      index = this.senders.push(sender) - 1;
      ids.set(sender.id, index);
      this.tableBytes += 2 + stringBytes(sender.address) + stringBytes(sender.id);
    }
    this.lastSender = sender;
    this.lastSenderIndex = index;
    return index;
  }

  /** Map entries `{ key = 1, value = 2 }`, in the key order of `headers`. */
  private writeHeaders(headers: Headers): void {
    const body = this.body;
    for (const key of Object.keys(headers)) {
      const value = headers[key];
      if (typeof value !== 'string') {
        throw new SerializationError(
          'Headers',
          `header '${key}' is a ${typeof value}, not a string`,
        );
      }
      body.u8(TAG_HEADER);
      const at = body.length;
      body.u8(0);
      body.u8(TAG_FIRST_STRING);
      body.string(key);
      body.u8(TAG_SECOND_STRING);
      body.string(value);
      body.patchVaruint(at, body.length - at - 1);
    }
  }

  /** Undoes a failed `add`: its bytes and any table entries it created. */
  private rollback(
    length: number,
    types: number,
    targets: number,
    senders: number,
    tableBytes: number,
  ): void {
    this.body.truncate(length);
    for (let i = this.typeNames.length - 1; i >= types; i--) {
      this.typeIndex.delete(this.typeNames[i]!); // i < typeNames.length
    }
    this.typeNames.length = types;
    for (let i = this.targets.length - 1; i >= targets; i--) {
      this.targetIndex.delete(this.targets[i]!); // i < targets.length
    }
    this.targets.length = targets;
    for (let i = this.senders.length - 1; i >= senders; i--) {
      const sender = this.senders[i]!; // i < senders.length
      this.senderIndex.get(sender.address)?.delete(sender.id);
    }
    this.senders.length = senders;
    this.lastSender = undefined;
    this.tableBytes = tableBytes;
  }
}

/** A table string's size: tag, one-byte length, and one byte a UTF-16 unit (exact for ASCII). */
function stringBytes(s: string): number {
  return 2 + s.length;
}
