import { describe, expect, it } from 'vitest';
import { Props, Terminated, TimeoutError } from '../../runtime/index.ts';
import { Latch, spawnUnderProbe, TestProbe, withTimeout } from '../../testkit/index.ts';
import { systemFixture } from '../runtime/system-fixture.ts';

const systems = systemFixture();

describe('TestProbe', () => {
  it('probe: takes messages in order and records the sender', async () => {
    const system = systems.live();
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
    const system = systems.live();
    const probe = TestProbe.spawn(system);
    await expect(probe.expectMessage(undefined, 20)).rejects.toBeInstanceOf(TimeoutError);
  });

  it('spawnUnderProbe: the probe receives its child Terminated', async () => {
    const system = systems.live();
    const { probe, child } = await spawnUnderProbe(
      system,
      Props.fromFunc(() => {}),
    );
    system.root.stop(child);
    const terminated = await probe.expectInstance(Terminated);
    expect(terminated.who.equals(child)).toBe(true);
  });

  it('latch: opens after the count and times out otherwise', async () => {
    const latch = new Latch(2);
    latch.countDown();
    await expect(latch.wait(20)).rejects.toMatchObject({ code: 'ERR_TIMEOUT' });
    latch.countDown();
    await latch.wait(20);
    expect(latch.isOpen).toBe(true);
  });
});

describe('TestProbe under a ManualScheduler', () => {
  it('spawnUnderProbe: settles under a ManualScheduler without anyone stepping it', async () => {
    const { system, scheduler } = systems.virtual();
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
    const { system, scheduler } = systems.virtual();
    const probe = TestProbe.spawn(system);
    await withTimeout(probe.ready(), 1_000, () => 'probe.ready hung');
    const child = probe.spawnChild(Props.fromFunc(() => {}));
    scheduler.runUntilIdle();
    expect(system.registry.getLocal(child.id)).toBeDefined();
  });
});
