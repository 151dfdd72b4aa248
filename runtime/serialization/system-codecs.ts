import { DeadLetterEvent, type DeadLetterReason } from '../dead-letter-process.ts';
import { DecodeError, SerializationError } from '../errors.ts';
import { isEnvelope } from '../message-envelope.ts';
import {
  DeadLetterResponse,
  PoisonPill,
  PoisonPillMessage,
  Terminated,
  type TerminatedReason,
} from '../messages.ts';
import { PID } from '../pid.ts';
import { RestartStatistics } from '../supervision/restart-statistics.ts';
import { SupervisionEvent } from '../supervision/supervision-event.ts';
import type { Directive } from '../supervision/supervisor-strategy.ts';
import {
  Failure,
  Restart,
  RESUME_MAILBOX,
  ResumeMailbox,
  STOP,
  Stop,
  Unwatch,
  Watch,
} from '../system-messages.ts';
import { ByteReader } from './byte-reader.ts';
import {
  readFields,
  readPid as readProtoPid,
  writePidField,
  writeStringField,
} from './proto-wire.ts';
import type { ByteWriter } from './byte-writer.ts';
import type { Codec } from './codec.ts';
import type { CodecRegistry } from './codec-registry.ts';
import { className } from './value-codec.ts';

const TERMINATED_REASONS: readonly TerminatedReason[] = [
  'Stopped',
  'AddressTerminated',
  'NotFound',
  'ThreadTerminated',
];
const DEAD_LETTER_REASONS: readonly DeadLetterReason[] = ['no-target', 'mailbox-full', 'stopped'];
const DIRECTIVES: readonly Directive[] = ['resume', 'restart', 'stop', 'escalate'];
const HAS_PID = 1;
const HAS_SENDER = 2;

/**
 * Registers codecs for the runtime's own messages, so they can cross threads and nodes. The ones
 * other nodes receive (`Watch`, `Unwatch`, `Terminated`, `Stop`, `PoisonPill`,
 * `DeadLetterResponse`) are encoded as the messages of `proto/actor.proto`, under their full
 * names (`spindle.actor.Watch`), so that peers in other languages can read them; the ones that
 * only cross threads (`ResumeMailbox`, `Restart`, `Failure`, `DeadLetterEvent`,
 * `SupervisionEvent`) use a compact binary form under `spindle.<Class>`.
 * Singletons decode to the one instance, since the actor cell compares them by identity.
 * Failure reasons and failed messages are sent best-effort: a reason that cannot be encoded
 * arrives as the `SerializationError` that says why, a message as `[unserializable Foo]`.
 * Lifecycle messages (`Started`, `Stopping`...) are produced where they are delivered and are
 * never sent, so they have no codec.
 */
export function registerSystemCodecs(registry: CodecRegistry): CodecRegistry {
  const codecs = new SystemCodecs(registry);
  return registry
    .register(Stop, new SingletonCodec('spindle.actor.Stop', STOP))
    .register(ResumeMailbox, new SingletonCodec('spindle.ResumeMailbox', RESUME_MAILBOX))
    .register(PoisonPillMessage, new SingletonCodec('spindle.actor.PoisonPill', PoisonPill))
    .register(
      Watch,
      new PidCodec(
        'spindle.actor.Watch',
        (m: Watch) => m.watcher,
        (p) => new Watch(p),
      ),
    )
    .register(
      Unwatch,
      new PidCodec(
        'spindle.actor.Unwatch',
        (m: Unwatch) => m.watcher,
        (p) => new Unwatch(p),
      ),
    )
    .register(
      DeadLetterResponse,
      new PidCodec(
        'spindle.actor.DeadLetterResponse',
        (m: DeadLetterResponse) => m.target,
        (p) => new DeadLetterResponse(p),
      ),
    )
    .register(Restart, codecs.restart)
    .register(Failure, codecs.failure)
    .register(Terminated, codecs.terminated)
    .register(DeadLetterEvent, codecs.deadLetterEvent)
    .register(SupervisionEvent, codecs.supervisionEvent);
}

/** A message with one instance: no payload, and decoding returns that instance. */
class SingletonCodec<T> implements Codec<T> {
  constructor(
    readonly typeName: string,
    private readonly instance: T,
  ) {}

  encode(): void {}

  decode(bytes: Uint8Array): T {
    if (bytes.length !== 0) throw new DecodeError(`${this.typeName} carries no payload`);
    return this.instance;
  }
}

/** A message whose only field is a PID, as in `proto/actor.proto`: `{ Pid <field> = 1; }`. */
class PidCodec<T> implements Codec<T> {
  constructor(
    readonly typeName: string,
    private readonly pidOf: (message: T) => PID,
    private readonly create: (pid: PID) => T,
  ) {}

  encode(message: T, writer: ByteWriter): void {
    writePidField(writer, 1, this.pidOf(message));
  }

  decode(bytes: Uint8Array): T {
    const reader = new ByteReader(bytes);
    let pid: PID | undefined;
    readFields(reader, bytes.length, (field) => {
      if (field !== 1) return false;
      pid = readProtoPid(reader);
      return true;
    });
    if (pid === undefined) throw new DecodeError(`${this.typeName} has no PID`);
    return this.create(pid);
  }
}

/** Codecs whose payload embeds values or other messages through the registry. */
class SystemCodecs {
  constructor(private readonly registry: CodecRegistry) {}

  readonly restart: Codec<Restart> = {
    typeName: 'spindle.Restart',
    encode: (message, writer) => this.writeReason(message.reason, writer),
    decode: (bytes) => {
      const reader = new ByteReader(bytes);
      return finish(reader, new Restart(this.registry.value.read(reader)));
    },
  };

  readonly failure: Codec<Failure> = {
    typeName: 'spindle.Failure',
    encode: (message, writer) => {
      writePid(writer, message.who);
      this.writeReason(message.reason, writer);
      writeStatistics(writer, message.stats);
      this.writeMessage(message.message, writer);
    },
    decode: (bytes) => {
      const reader = new ByteReader(bytes);
      const who = readPid(reader);
      const reason = this.registry.value.read(reader);
      const stats = readStatistics(reader);
      return finish(reader, new Failure(who, reason, stats, this.readMessage(reader)));
    },
  };

  /** `Terminated { Pid who = 1; string why = 2; }`, as in `proto/actor.proto`. */
  readonly terminated: Codec<Terminated> = {
    typeName: 'spindle.actor.Terminated',
    encode: (message, writer) => {
      if (!TERMINATED_REASONS.includes(message.why)) {
        throw new SerializationError(
          'Terminated',
          `unexpected value ${JSON.stringify(message.why)}`,
        );
      }
      writePidField(writer, 1, message.who);
      writeStringField(writer, 2, message.why);
    },
    decode: (bytes) => {
      const reader = new ByteReader(bytes);
      let who: PID | undefined;
      let why = '';
      readFields(reader, bytes.length, (field) => {
        if (field === 1) who = readProtoPid(reader);
        else if (field === 2) why = reader.string();
        else return false;
        return true;
      });
      const reason = TERMINATED_REASONS.find((r) => r === why);
      if (who === undefined || reason === undefined) {
        throw new DecodeError(`invalid Terminated (why '${why}')`);
      }
      return new Terminated(who, reason);
    },
  };

  readonly deadLetterEvent: Codec<DeadLetterEvent> = {
    typeName: 'spindle.DeadLetterEvent',
    encode: (event, writer) => {
      writer.u8(
        (event.pid !== undefined ? HAS_PID : 0) | (event.sender !== undefined ? HAS_SENDER : 0),
      );
      if (event.pid !== undefined) writePid(writer, event.pid);
      if (event.sender !== undefined) writePid(writer, event.sender);
      writeChoice(writer, DEAD_LETTER_REASONS, event.reason, 'DeadLetterEvent');
      this.writeMessage(event.message, writer);
    },
    decode: (bytes) => {
      const reader = new ByteReader(bytes);
      const flags = reader.u8();
      if (flags > (HAS_PID | HAS_SENDER)) throw new DecodeError(`invalid flags ${flags}`);
      const pid = flags & HAS_PID ? readPid(reader) : undefined;
      const sender = flags & HAS_SENDER ? readPid(reader) : undefined;
      const reason = readChoice(reader, DEAD_LETTER_REASONS);
      const message = this.readMessage(reader);
      return finish(reader, new DeadLetterEvent(pid, message, sender, reason));
    },
  };

  readonly supervisionEvent: Codec<SupervisionEvent> = {
    typeName: 'spindle.SupervisionEvent',
    encode: (event, writer) => {
      writePid(writer, event.child);
      this.writeReason(event.reason, writer);
      writeChoice(writer, DIRECTIVES, event.directive, 'SupervisionEvent');
      this.writeMessage(event.message, writer);
    },
    decode: (bytes) => {
      const reader = new ByteReader(bytes);
      const child = readPid(reader);
      const reason = this.registry.value.read(reader);
      const directive = readChoice(reader, DIRECTIVES);
      const message = this.readMessage(reader);
      return finish(reader, new SupervisionEvent(child, reason, directive, message));
    },
  };

  /** A failure reason as a value; if it cannot be encoded, the error that says why instead. */
  private writeReason(reason: unknown, writer: ByteWriter): void {
    const start = writer.length;
    try {
      this.registry.value.encodeAs(reason, writer, 'reason');
    } catch (error) {
      if (!(error instanceof SerializationError)) throw error;
      writer.truncate(start);
      this.registry.value.encodeAs(error, writer, 'reason');
    }
  }

  /** A message the event or failure is about, framed by the registry; best-effort as a string. */
  private writeMessage(message: unknown, writer: ByteWriter): void {
    const payload = isEnvelope(message) ? message.message : message;
    try {
      this.registry.encode(payload, writer);
    } catch (error) {
      if (!(error instanceof SerializationError)) throw error;
      // `encode` rolled the writer back.
      this.registry.encode(`[unserializable ${describe(payload)}]`, writer);
    }
  }

  /** Reads what `writeMessage` wrote; a type this thread does not know becomes a description. */
  private readMessage(reader: ByteReader): unknown {
    const typeName = reader.string();
    const bytes = reader.view(reader.u32());
    if (!this.registry.has(typeName)) return `[undecodable ${typeName}]`;
    return this.registry.decodeFromBytes(typeName, bytes);
  }
}

function writePid(writer: ByteWriter, pid: PID): void {
  writer.string(pid.address);
  writer.string(pid.id);
}

function readPid(reader: ByteReader): PID {
  return new PID(reader.string(), reader.string());
}

/** Failure times, oldest first, so the receiver rebuilds the same restart history. */
function writeStatistics(writer: ByteWriter, stats: RestartStatistics): void {
  const failures = stats.failureTimes;
  writer.varuint(failures.length);
  for (const time of failures) writer.f64(time);
}

function readStatistics(reader: ByteReader): RestartStatistics {
  const count = reader.varuint();
  if (count > reader.remaining / 8) throw new DecodeError(`${count} failure times overrun input`);
  const stats = new RestartStatistics();
  for (let i = 0; i < count; i++) stats.fail(reader.f64());
  return stats;
}

function writeChoice<T>(writer: ByteWriter, choices: readonly T[], value: T, owner: string): void {
  const index = choices.indexOf(value);
  if (index < 0) {
    throw new SerializationError(owner, `unexpected value ${JSON.stringify(value)}`);
  }
  writer.u8(index);
}

function readChoice<T>(reader: ByteReader, choices: readonly T[]): T {
  const index = reader.u8();
  const choice = choices[index];
  if (choice === undefined) throw new DecodeError(`invalid choice ${index}`);
  return choice;
}

function finish<T>(reader: ByteReader, value: T): T {
  if (reader.remaining !== 0)
    throw new DecodeError(`${reader.remaining} unexpected trailing bytes`);
  return value;
}

function describe(value: unknown): string {
  if (typeof value === 'object' && value !== null) return className(value);
  return typeof value;
}
