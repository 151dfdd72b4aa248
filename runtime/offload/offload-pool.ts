import type { Transferable } from 'node:worker_threads';

/** Per-call options of {@link OffloadPool.run}. */
export interface OffloadRunOptions {
  /**
   * Cancels the task: a queued task leaves the queue, a running one has its pool thread
   * terminated (a replacement starts on demand). The run rejects with an `AbortError`
   * (`code` `ABORT_ERR`) whose `cause` is the signal's reason.
   */
  readonly signal?: AbortSignal;
  /** Objects inside `input` (ArrayBuffers, MessagePorts) to move to the pool thread, not copy. */
  readonly transferList?: readonly Transferable[];
}

/** A snapshot of an offload pool's load. */
export interface OffloadStats {
  /** Pool threads alive now; 0 until the first run and after close. */
  readonly threads: number;
  /** Tasks waiting for a free thread. */
  readonly queued: number;
  /** Tasks on a thread now. */
  readonly running: number;
  /** Tasks handed to a thread or the queue that have since settled, whichever way. */
  readonly completed: number;
}

/**
 * Runs stateless CPU-bound work off the actor threads. A task is an ES module whose default
 * export, a sync or async function of one argument, runs on a pool thread; its input and result
 * cross the thread boundary by structured clone, and its errors come back as rejections that keep
 * `name`, `message` and `code`.
 *
 * @example
 * const digest = await pool.run<string>(new URL('./hash-task.ts', import.meta.url), bytes);
 */
export interface OffloadPool {
  /** Runs the default export of the module at `task` (a file URL or absolute path) on `input`. */
  run<T = unknown>(task: URL | string, input: unknown, options?: OffloadRunOptions): Promise<T>;
  /** The pool's current load; cheap enough to poll. */
  readonly stats: OffloadStats;
  /** Stops every pool thread; queued and running tasks reject, later runs reject too. */
  close(): Promise<void>;
}
