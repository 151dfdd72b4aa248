import { afterEach } from 'vitest';
import { ActorSystem, ManualScheduler, type ActorSystemOptions } from '../../runtime/index.ts';
import { withTimeout } from '../../testkit/index.ts';

/** An actor system driven by a `ManualScheduler`: nothing runs until the test steps it. */
export interface VirtualSystem {
  readonly system: ActorSystem;
  readonly scheduler: ManualScheduler;
}

/** Creates actor systems for a test; each is shut down once that test has finished. */
export interface SystemFixture {
  /** A system on the event loop. */
  live(options?: ActorSystemOptions): ActorSystem;
  /** A system on virtual time. */
  virtual(options?: Omit<ActorSystemOptions, 'scheduler'>): VirtualSystem;
}

/**
 * Registers an `afterEach` hook that shuts down every system the returned fixture created during
 * the test. A virtual system's scheduler is run by hand, since nothing else would let its actors
 * stop; a shutdown that does not finish within a second fails the hook.
 *
 * @example
 * const systems = systemFixture();
 * it('…', () => {
 *   const { system, scheduler } = systems.virtual();
 * });
 */
export function systemFixture(): SystemFixture {
  const created: { system: ActorSystem; scheduler?: ManualScheduler }[] = [];
  afterEach(async () => {
    for (const { system, scheduler } of created.splice(0)) {
      const done = system.shutdown();
      scheduler?.runUntilIdle();
      await withTimeout(done, 1_000, () => 'the actor system did not shut down');
    }
  });
  return {
    live(options = {}) {
      const system = new ActorSystem(options);
      created.push({ system });
      return system;
    },
    virtual(options = {}) {
      const scheduler = new ManualScheduler();
      const system = new ActorSystem({ ...options, scheduler });
      created.push({ system, scheduler });
      return { system, scheduler };
    },
  };
}
