import { availableParallelism } from 'node:os';

/** Defaults of a node's worker threads; every field can be set in `ActorNodeOptions`. */
export const THREADS_DEFAULTS = Object.freeze({
  /** Worker threads beside the main thread: one per core beyond the first, at least one. */
  threads: Math.max(1, availableParallelism() - 1),
  /** Bytes of each ring (one per ordered pair of threads); a power of two. */
  ringBytes: 512 * 1024,
  /** How long an idle thread keeps polling its rings before it sleeps on its doorbell. */
  spinMicros: 50,
  /** How long `shutdown` waits for messages in flight to be processed before stopping actors. */
  drainTimeoutMs: 5_000,
  /** How long a worker may take to start (load its modules and report ready). */
  startTimeoutMs: 30_000,
});
