import { afterEach, describe, expect, it } from 'vitest';
import {
  ActorSystem,
  ManualScheduler,
  Props,
  Terminated,
  TimeoutError,
} from '../../runtime/index.ts';
import { Latch, spawnUnderProbe, TestProbe, withTimeout } from '../../testkit/index.ts';

let system: ActorSystem;
afterEach(async () => {
  await system.shutdown();
});

describe('TestProbe', () => {
  it('probe: takes messages in order and records the sender', async () => {
    system = new ActorSystem();
    const probe = TestProbe.spawn(system);
    const other = TestProbe.spawn(system);
    system.root.send(probe.pid, 'a', { sender: other.pid });
    system.root.send(probe.pid, 'b');
    expect(await probe.expectMessage((m) => m === 'a')).toBe('a');
    expect(probe.lastSender?.equals(other.pid)).toBe(true);
    expect(await probe.receive(1)).toEqual(['b']);
    await probe.expectNoMessage(20);
  });

  it('probe: expectMessage rejects with TimeoutError when nothing arrives', async () => {
    system = new ActorSystem();
    const probe = TestProbe.spawn(system);
    await expect(probe.expectMessage(undefined, 20)).rejects.toBeInstanceOf(TimeoutError);
  });

  it('spawnUnderProbe: the probe receives its child Terminated', async () => {
    system = new ActorSystem();
    const { probe, child } = await spawnUnderProbe(
      system,
      Props.fromFunc(() => {}),
    );
    system.root.stop(child);
    const terminated = await probe.expectInstance(Terminated);
    expect(terminated.who.equals(child)).toBe(true);
  });

  it('latch: opens after the count and times out otherwise', async () => {
    system = new ActorSystem();
    const latch = new Latch(2);
    latch.countDown();
    await expect(latch.wait(20)).rejects.toMatchObject({ code: 'ERR_TIMEOUT' });
    latch.countDown();
    await latch.wait(20);
    expect(latch.isOpen).toBe(true);
  });
});

describe('TestProbe under a ManualScheduler', () => {
  let scheduler: ManualScheduler;

  afterEach(async () => {
    // Runs before the file's own afterEach, whose shutdown then returns this settled promise.
    const done = system.shutdown();
    scheduler.runUntilIdle();
    await withTimeout(done, 1_000, () => 'the actor system did not shut down');
  });

  it('spawnUnderProbe: settles under a ManualScheduler without anyone stepping it', async () => {
    scheduler = new ManualScheduler();
    system = new ActorSystem({ scheduler });
    const spawned = spawnUnderProbe(
      system,
      Props.fromFunc(() => {}),
    );
    const { probe, child } = await withTimeout(spawned, 1_000, () => 'spawnUnderProbe hung');
    system.root.stop(child);
    scheduler.runUntilIdle();
    const terminated = await probe.expectInstance(Terminated);
    expect(terminated.who.equals(child)).toBe(true);
  });

  it('probe: ready resolves under a ManualScheduler', async () => {
    scheduler = new ManualScheduler();
    system = new ActorSystem({ scheduler });
    const probe = TestProbe.spawn(system);
    await withTimeout(probe.ready(), 1_000, () => 'probe.ready hung');
    const child = probe.spawnChild(Props.fromFunc(() => {}));
    scheduler.runUntilIdle();
    expect(system.registry.getLocal(child.id)).toBeDefined();
  });
});
