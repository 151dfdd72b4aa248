import { InvalidConfigError } from './errors.ts';

/**
 * Where a spawn puts its actor among a node's threads. Without worker threads every placement is
 * the current thread, so code written for a threaded node also runs on a single ActorSystem.
 */
export type Placement =
  | { readonly kind: 'thread'; readonly slot: number }
  | { readonly kind: 'round-robin' }
  | { readonly kind: 'least-loaded' }
  | { readonly kind: 'hash' };

/** Factories for `Props.withPlacement`. */
export const Placement = {
  /** On thread slot `slot` (0 is the main thread, 1..N the workers). */
  thread(slot: number): Placement {
    if (!Number.isInteger(slot) || slot < 0) {
      throw new InvalidConfigError(`a thread slot must be a non-negative integer, got ${slot}`);
    }
    return { kind: 'thread', slot };
  },
  /** On the worker threads in turn. */
  roundRobin(): Placement {
    return ROUND_ROBIN;
  },
  /** On the worker thread with the smallest backlog (runnable mailboxes plus frames in flight). */
  leastLoaded(): Placement {
    return LEAST_LOADED;
  },
  /** On the worker thread chosen by a hash of the actor's name (round-robin when unnamed). */
  hash(): Placement {
    return HASH;
  },
} as const;

const ROUND_ROBIN: Placement = Object.freeze({ kind: 'round-robin' });
const LEAST_LOADED: Placement = Object.freeze({ kind: 'least-loaded' });
const HASH: Placement = Object.freeze({ kind: 'hash' });
