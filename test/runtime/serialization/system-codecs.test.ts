import { describe, expect, it } from 'vitest';
import { DeadLetterEvent } from '../../../runtime/dead-letter-process.ts';
import { DecodeError, SpindleError, TimeoutError } from '../../../runtime/errors.ts';
import { EMPTY_HEADERS, MessageEnvelope } from '../../../runtime/message-envelope.ts';
import {
  DeadLetterResponse,
  PoisonPill,
  PoisonPillMessage,
  Started,
  Terminated,
} from '../../../runtime/messages.ts';
import { PID } from '../../../runtime/pid.ts';
import { ByteReader } from '../../../runtime/serialization/byte-reader.ts';
import { ByteWriter } from '../../../runtime/serialization/byte-writer.ts';
import { CodecRegistry } from '../../../runtime/serialization/codec-registry.ts';
import { registerSystemCodecs } from '../../../runtime/serialization/system-codecs.ts';
import { RestartStatistics } from '../../../runtime/supervision/restart-statistics.ts';
import { SupervisionEvent } from '../../../runtime/supervision/supervision-event.ts';
import {
  Failure,
  Restart,
  RESUME_MAILBOX,
  ResumeMailbox,
  STOP,
  Stop,
  Unwatch,
  Watch,
} from '../../../runtime/system-messages.ts';

const alice = new PID('127.0.0.1:4000', '$1');
const bob = new PID('local', '@3/$9');

class Order {
  constructor(readonly id: string) {}
}
class Secret {}

function registry(): CodecRegistry {
  return registerSystemCodecs(new CodecRegistry()).registerJson(Order, 'test.Order');
}

function roundTrip<T>(message: T, codecs = registry()): T {
  const writer = new ByteWriter(16);
  codecs.encode(message, writer);
  const reader = new ByteReader(writer.view());
  const decoded = codecs.decode(reader);
  expect(reader.remaining).toBe(0);
  return decoded as T;
}

function expectPid(actual: PID | undefined, expected: PID): void {
  expect(actual).toBeInstanceOf(PID);
  expect(expected.equals(actual)).toBe(true);
}

function statsWith(...times: number[]): RestartStatistics {
  const stats = new RestartStatistics();
  for (const time of times) stats.fail(time);
  return stats;
}

describe('system codecs', () => {
  it('system codecs: singletons decode to the one instance', () => {
    const codecs = registry();
    expect(roundTrip(STOP, codecs)).toBe(STOP);
    expect(roundTrip(new Stop(), codecs)).toBe(STOP);
    expect(roundTrip(RESUME_MAILBOX, codecs)).toBe(RESUME_MAILBOX);
    expect(roundTrip(new ResumeMailbox(), codecs)).toBe(RESUME_MAILBOX);
    expect(roundTrip(PoisonPill, codecs)).toBe(PoisonPill);
    expect(roundTrip(new PoisonPillMessage(), codecs)).toBe(PoisonPill);
    expect(codecs.typeNameOf(STOP)).toBe('spindle.actor.Stop');
    expect(codecs.typeNameOf(PoisonPill)).toBe('spindle.actor.PoisonPill');
  });

  it('system codecs: a singleton payload with bytes in it is malformed', () => {
    expect(() => registry().decodeFromBytes('spindle.actor.Stop', new Uint8Array([1]))).toThrow(
      DecodeError,
    );
  });

  it('system codecs: Watch, Unwatch and DeadLetterResponse carry their PID', () => {
    const watch = roundTrip(new Watch(alice));
    expect(watch).toBeInstanceOf(Watch);
    expectPid(watch.watcher, alice);
    const unwatch = roundTrip(new Unwatch(bob));
    expect(unwatch).toBeInstanceOf(Unwatch);
    expectPid(unwatch.watcher, bob);
    const response = roundTrip(new DeadLetterResponse(bob));
    expect(response).toBeInstanceOf(DeadLetterResponse);
    expectPid(response.target, bob);
  });

  it('system codecs: Terminated carries who and why', () => {
    for (const why of ['Stopped', 'AddressTerminated', 'NotFound'] as const) {
      const terminated = roundTrip(new Terminated(alice, why));
      expect(terminated).toBeInstanceOf(Terminated);
      expectPid(terminated.who, alice);
      expect(terminated.why).toBe(why);
    }
  });

  it('system codecs: a Terminated reason outside the known ones is refused both ways', () => {
    const codecs = registry();
    const odd = new Terminated(alice, 'Vanished' as 'Stopped');
    expect(() => codecs.encodeToBytes(odd)).toThrow(/unexpected value "Vanished"/);
    const { bytes } = codecs.encodeToBytes(new Terminated(alice, 'NotFound'));
    bytes[bytes.length - 1] = 9;
    expect(() => codecs.decodeFromBytes('spindle.actor.Terminated', bytes)).toThrow(DecodeError);
  });

  it('system codecs: Restart carries its reason as a value', () => {
    const restart = roundTrip(new Restart(new TimeoutError('slow')));
    expect(restart).toBeInstanceOf(Restart);
    expect(restart.reason).toBeInstanceOf(SpindleError);
    expect((restart.reason as SpindleError).code).toBe('ERR_TIMEOUT');
    expect(roundTrip(new Restart('plain string')).reason).toBe('plain string');
  });

  it('system codecs: Failure keeps who, reason, message and the restart history', () => {
    const failure = new Failure(bob, new Error('crash'), statsWith(100, 250, 400), new Order('o1'));
    const decoded = roundTrip(failure);
    expect(decoded).toBeInstanceOf(Failure);
    expectPid(decoded.who, bob);
    expect((decoded.reason as Error).message).toBe('crash');
    expect(decoded.message).toBeInstanceOf(Order);
    expect((decoded.message as Order).id).toBe('o1');
    expect(decoded.stats).toBeInstanceOf(RestartStatistics);
    expect(decoded.stats).not.toBe(failure.stats);
    expect(decoded.stats.failureCount).toBe(3);
    expect(decoded.stats.lastFailureTime).toBe(400);
    expect(decoded.stats.numberOfFailures(300, 450)).toBe(2);
    decoded.stats.forgetUntil(250);
    expect(decoded.stats.failureCount).toBe(1);
    expect(failure.stats.failureCount).toBe(3);
  });

  it('system codecs: an empty restart history stays empty', () => {
    const decoded = roundTrip(new Failure(alice, 'r', new RestartStatistics(), 1));
    expect(decoded.stats.failureCount).toBe(0);
    expect(decoded.stats.lastFailureTime).toBeUndefined();
  });

  it('system codecs: an unserializable failed message arrives as a description', () => {
    const decoded = roundTrip(new Failure(alice, new Error('x'), statsWith(1), new Secret()));
    expect(decoded.message).toBe('[unserializable Secret]');
    const fn = roundTrip(new Failure(alice, new Error('x'), statsWith(1), () => 1));
    expect(fn.message).toBe('[unserializable function]');
  });

  it('system codecs: an unserializable reason arrives as the SerializationError that says why', () => {
    const decoded = roundTrip(new Restart({ detail: new Secret() }));
    const reason = decoded.reason as SpindleError;
    expect(reason).toBeInstanceOf(SpindleError);
    expect(reason.code).toBe('ERR_NOT_SERIALIZABLE');
    expect(reason.message).toBe(
      'cannot serialize Secret: class instance at reason.detail has no registered codec',
    );
  });

  it('system codecs: a failed message in an envelope is sent without the envelope', () => {
    const envelope = new MessageEnvelope(new Order('o2'), alice, EMPTY_HEADERS);
    const decoded = roundTrip(new Failure(bob, 'r', statsWith(), envelope));
    expect((decoded.message as Order).id).toBe('o2');
  });

  it('system codecs: a nested message of a type the receiver lacks becomes a description', () => {
    const sender = registry();
    const receiver = registerSystemCodecs(new CodecRegistry());
    const { typeName, bytes } = sender.encodeToBytes(
      new Failure(bob, 'r', statsWith(5), new Order('o3')),
    );
    const decoded = receiver.decodeFromBytes(typeName, bytes) as Failure;
    expect(decoded.message).toBe('[undecodable test.Order]');
    expect(decoded.stats.lastFailureTime).toBe(5);
  });

  it('system codecs: DeadLetterEvent keeps target, sender, reason and message', () => {
    const full = roundTrip(new DeadLetterEvent(alice, { n: 1 }, bob, 'mailbox-full'));
    expect(full).toBeInstanceOf(DeadLetterEvent);
    expectPid(full.pid, alice);
    expectPid(full.sender, bob);
    expect(full.reason).toBe('mailbox-full');
    expect(full.message).toEqual({ n: 1 });
    const bare = roundTrip(new DeadLetterEvent(undefined, new Secret(), undefined));
    expect(bare.pid).toBeUndefined();
    expect(bare.sender).toBeUndefined();
    expect(bare.reason).toBe('no-target');
    expect(bare.message).toBe('[unserializable Secret]');
  });

  it('system codecs: SupervisionEvent keeps child, reason, directive and message', () => {
    for (const directive of ['resume', 'restart', 'stop', 'escalate'] as const) {
      const event = roundTrip(new SupervisionEvent(alice, new Error('e'), directive, 'msg'));
      expect(event).toBeInstanceOf(SupervisionEvent);
      expectPid(event.child, alice);
      expect((event.reason as Error).message).toBe('e');
      expect(event.directive).toBe(directive);
      expect(event.message).toBe('msg');
    }
    const odd = roundTrip(new SupervisionEvent(bob, new Secret(), 'stop', new Secret()));
    expect((odd.reason as SpindleError).code).toBe('ERR_NOT_SERIALIZABLE');
    expect(odd.message).toBe('[unserializable Secret]');
  });

  it('system codecs: system messages nest inside values and other messages', () => {
    const decoded = roundTrip({ batch: [STOP, new Watch(alice)] });
    expect(decoded.batch[0]).toBe(STOP);
    expect(decoded.batch[1]).toBeInstanceOf(Watch);
    const failure = roundTrip(new Failure(alice, 'r', statsWith(), new Terminated(bob, 'Stopped')));
    expect(failure.message).toBeInstanceOf(Terminated);
  });

  it('system codecs: lifecycle messages are not sendable', () => {
    expect(() => registry().codecFor(Started)).toThrow(/StartedMessage/);
  });

  it('system codecs: every truncation of a Failure payload throws DecodeError', () => {
    const codecs = registry();
    const { typeName, bytes } = codecs.encodeToBytes(
      new Failure(bob, new Error('x'), statsWith(1, 2), new Order('o')),
    );
    for (let end = 0; end < bytes.length; end++) {
      expect(() => codecs.decodeFromBytes(typeName, bytes.subarray(0, end))).toThrow(DecodeError);
    }
  });
});
