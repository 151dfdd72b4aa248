import { ActorSystem, type RootContext } from '../../runtime/index.ts';
import type { Subject, Trial } from './bench-case.ts';

/**
 * A subject whose runs share one actor system: created in setup, shut down in teardown, so its
 * start-up is not measured. `run` gets the system's root context.
 */
export function systemSubject(run: (root: RootContext) => Promise<Trial>): Subject {
  let system: ActorSystem | undefined;
  return {
    setup() {
      system = new ActorSystem();
    },
    run: () => run(system!.root), // created in setup, which always runs first
    async teardown() {
      await system?.shutdown();
    },
  };
}
