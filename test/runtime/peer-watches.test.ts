import { describe, expect, it } from 'vitest';
import { ActorSystem, PeerWatches, PID, Terminated } from '../../runtime/index.ts';
import { TestProbe } from '../../testkit/index.ts';

describe('PeerWatches', () => {
  it('peer-watches: a dead peer tells each local watcher once, with the reason', async () => {
    const system = new ActorSystem();
    const probe = TestProbe.spawn(system);
    const other = TestProbe.spawn(system);
    const watches = new PeerWatches<string>();
    const a = new PID('10.0.0.2:4000', '$1');
    const b = new PID('10.0.0.2:4000', '$2');
    watches.add('10.0.0.2:4000', a, probe.pid);
    watches.add('10.0.0.2:4000', a, probe.pid); // the same pair twice is one watch
    watches.add('10.0.0.2:4000', b, other.pid);
    watches.add('10.0.0.3:4000', new PID('10.0.0.3:4000', '$1'), probe.pid);
    expect(watches.size('10.0.0.2:4000')).toBe(2);
    expect(watches.size()).toBe(3);

    expect(watches.peerDied('10.0.0.2:4000', 'AddressTerminated', system.registry)).toBe(2);
    const seen = await probe.expectInstance(Terminated);
    expect(seen.who).toBe(a);
    expect(seen.why).toBe('AddressTerminated');
    await expect(other.expectInstance(Terminated)).resolves.toMatchObject({ who: b });
    await probe.expectNoMessage(50);
    expect(watches.size()).toBe(1);
    expect(watches.peerDied('10.0.0.2:4000', 'AddressTerminated', system.registry)).toBe(0);
    await system.shutdown();
  });

  it('peer-watches: an unwatched target is not reported', async () => {
    const system = new ActorSystem();
    const probe = TestProbe.spawn(system);
    const watches = new PeerWatches<number>();
    const target = new PID('local', '@2/$9');
    watches.add(2, target, probe.pid);
    watches.remove(2, target, probe.pid);
    watches.remove(2, target, probe.pid); // removing twice is harmless
    expect(watches.size(2)).toBe(0);
    expect(watches.peerDied(2, 'ThreadTerminated', system.registry)).toBe(0);
    await probe.expectNoMessage(50);
    await system.shutdown();
  });
});
