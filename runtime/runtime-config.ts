/** Defaults of the actor runtime, in one place; ActorSystem options override them. */
export const RUNTIME_DEFAULTS = Object.freeze({
  /** Node address of a system without remoting. */
  address: 'local',
  /** User messages a mailbox processes per turn before yielding. */
  throughput: 300,
  /** Default timeout of `request` when none is given. */
  requestTimeoutMs: 5_000,
  /** Default supervision: restarts allowed within the window before the child is stopped. */
  supervisorMaxRetries: 10,
  supervisorWithinMs: 10_000,
  /** Dead-letter log lines allowed per interval; the rest are counted in a summary line. */
  deadLetterLogLimit: 3,
  deadLetterLogIntervalMs: 1_000,
});
