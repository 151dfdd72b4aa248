/** Test helpers for Spindle actors: probes, latches and spawning under a probe. */
export { Latch, withTimeout } from './latch.ts';
export { TestProbe, type ProbeRecord } from './test-probe.ts';
export { spawnUnderProbe } from './spawn-under-probe.ts';
