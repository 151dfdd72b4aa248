import type { PID } from './pid.ts';
import type { Placement } from './placement.ts';
import type { Props } from './props.ts';

/**
 * What an ActorSystem that is one thread of a node asks its node's thread layer: where a placed
 * spawn goes, and how to spawn on another thread. A system without worker threads has none and
 * spawns everything locally.
 */
export interface ThreadRouter {
  /** The thread id that `placement` picks for an actor named `name` (undefined when unnamed). */
  place(placement: Placement, name: string | undefined): number;
  /** Spawns the actor `id` (owned by another thread) from `props`; returns its PID at once. */
  spawnElsewhere(id: string, props: Props, parent: PID | undefined): PID;
}
