/** A unit of work the scheduler runs: a mailbox draining a batch, typically. */
export interface Runnable {
  /** Runs one turn; returns how many messages it processed (void counts as 1). */
  run(): number | void;
}

/** A timer that can be cancelled; cancelling twice or after it fired is harmless. */
export interface TimerHandle {
  cancel(): void;
  /**
   * Whether the pending timer keeps the process alive (it does by default). Cheaper than a
   * cancel and a new timer for one that may well be needed again soon.
   */
  keepAlive(active: boolean): void;
}

/**
 * Runs mailboxes and timers. The event-loop scheduler is the default; the manual scheduler steps
 * both by hand with a virtual clock, for deterministic tests and samples.
 */
export interface Scheduler {
  /** Queues `task` to run soon; tasks run in the order they were scheduled. */
  schedule(task: Runnable): void;
  /** Milliseconds on this scheduler's clock (monotonic; virtual for the manual scheduler). */
  now(): number;
  /** Number of tasks (mailboxes, typically) waiting to run: a thread's load, for placement. */
  readonly pending: number;
  /** Calls `callback` once after `delayMs` on this scheduler's clock. */
  setTimer(delayMs: number, callback: () => void): TimerHandle;
}
