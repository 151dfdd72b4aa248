import { describe, expect, it } from 'vitest';
import {
  DeadLetterResponse,
  defaultCodecs,
  PID,
  PoisonPill,
  Terminated,
  Unwatch,
  Watch,
} from '../../../runtime/index.ts';
import { actorTypes } from '../../../remoting/wire/proto-schema.ts';

const pid = new PID('10.0.0.7:4020', '@2/$1f');

describe('runtime messages on the wire are proto/actor.proto messages', () => {
  it.each([
    ['Watch', new Watch(pid), { watcher: { address: pid.address, id: pid.id } }],
    ['Unwatch', new Unwatch(pid), { watcher: { address: pid.address, id: pid.id } }],
    [
      'Terminated',
      new Terminated(pid, 'AddressTerminated'),
      { who: pid.toJSON(), why: 'AddressTerminated' },
    ],
    ['DeadLetterResponse', new DeadLetterResponse(pid), { target: pid.toJSON() }],
    ['PoisonPill', PoisonPill, {}],
  ])('actor messages: %s encodes as spindle.actor.%s and back', (name, message, fields) => {
    const type = actorTypes[name as keyof typeof actorTypes];
    const { typeName, bytes } = defaultCodecs.encodeToBytes(message);
    expect(typeName).toBe(`spindle.actor.${name}`);
    expect(type.toObject(type.decode(bytes))).toEqual(fields);
    // And what a peer in another language encodes decodes to the runtime's own message.
    const foreign = type.encode(type.fromObject(fields)).finish();
    const decoded = defaultCodecs.decodeFromBytes(typeName, foreign);
    if (message === PoisonPill) expect(decoded).toBe(PoisonPill);
    else expect(JSON.stringify(decoded)).toBe(JSON.stringify(message));
  });
});
