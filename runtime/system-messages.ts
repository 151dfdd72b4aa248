import type { Settled } from './context.ts';
import type { PID } from './pid.ts';
import type { RestartStatistics } from './supervision/restart-statistics.ts';

/** System messages travel in the system queue, which is always drained before the user queue. */

/** Asks an actor to stop now, ahead of queued user messages. */
export class Stop {
  readonly system = 'Stop';
}
/** The one `Stop` instance. */
export const STOP = new Stop();

/** Registers `watcher` to receive `Terminated` when the target stops. */
export class Watch {
  constructor(readonly watcher: PID) {}
}

/** Removes a watcher registration. */
export class Unwatch {
  constructor(readonly watcher: PID) {}
}

/** Tells a failed child to resume processing with its current state. */
export class ResumeMailbox {
  readonly system = 'ResumeMailbox';
}
/** The one `ResumeMailbox` instance. */
export const RESUME_MAILBOX = new ResumeMailbox();

/** Tells a failed child to restart with a fresh instance. */
export class Restart {
  constructor(readonly reason: unknown) {}
}

/** Reports a child's failure to its supervisor. */
export class Failure {
  constructor(
    readonly who: PID,
    readonly reason: unknown,
    readonly stats: RestartStatistics,
    readonly message: unknown,
  ) {}
}

/** Runs a reentrant continuation inside the actor, with `message` restored as the current one. */
export class Continuation<T = unknown> {
  constructor(
    readonly message: unknown,
    private readonly resume: (result: Settled<T>) => void | Promise<void>,
    private readonly result: Settled<T>,
  ) {}

  /** Calls the continuation with the settled result. */
  run(): void | Promise<void> {
    return this.resume(this.result);
  }
}

/** Fires the actor's receive timeout if it is still due; one instance per armed timer. */
export class ReceiveTimeoutTick {
  readonly system = 'ReceiveTimeoutTick';
}
