import type { ActorSystem, PID, Props } from '../runtime/index.ts';
import { TestProbe } from './test-probe.ts';

/**
 * Spawns `props` as a child of a fresh probe. A parent always receives its children's
 * `Terminated`, so the test sees the child stop without watching it.
 *
 * @example
 * const { probe, child } = await spawnUnderProbe(system, Props.fromFunc(worker));
 * system.root.stop(child);
 * await probe.expectInstance(Terminated);
 */
export async function spawnUnderProbe(
  system: ActorSystem,
  props: Props,
  name?: string,
): Promise<{ probe: TestProbe; child: PID }> {
  const probe = TestProbe.spawn(system);
  await probe.ready();
  const child = probe.spawnChild(props, name);
  return { probe, child };
}
