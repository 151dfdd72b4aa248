import { describe, expect, it } from 'vitest';
import { ActorSystem, DeadLetterEvent, deliverFromPeer, Props } from '../../runtime/index.ts';

describe('deliverFromPeer', () => {
  it('peer-delivery: a full bounded mailbox turns the message into a mailbox-full dead letter', async () => {
    const system = new ActorSystem();
    const letters: DeadLetterEvent[] = [];
    system.eventStream.subscribe(DeadLetterEvent, (e) => letters.push(e));
    const pid = system.root.spawn(Props.fromFunc(() => {}).withMailbox({ capacity: 1 }));
    const process = system.registry.get(pid);
    deliverFromPeer(system, process, pid, 'first'); // fills the one slot
    deliverFromPeer(system, process, pid, 'second'); // no throw: a dead letter instead
    expect(letters.map((e) => [e.message, e.reason])).toEqual([['second', 'mailbox-full']]);
    await system.shutdown();
  });
});
