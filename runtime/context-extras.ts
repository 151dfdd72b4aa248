import type { Receive } from './actor.ts';
import type { DeadLetterProcess } from './dead-letter-process.ts';
import type { Terminated } from './messages.ts';
import type { PID } from './pid.ts';
import type { ProcessRegistry } from './process-registry.ts';
import type { ReceiveTimer } from './receive-timer.ts';
import type { ChildSupervisor } from './supervision/child-supervisor.ts';
import { RestartStatistics } from './supervision/restart-statistics.ts';

/**
 * The parts of an actor context that most actors never use: children, watchers, stash, behaviour
 * stack, receive timeout and restart statistics. Allocated on first use, so a leaf actor that only
 * receives stays small (a million idle actors fit in memory).
 */
export class ContextExtras {
  readonly children = new Map<string, PID>();
  readonly watchers = new Map<string, PID>();
  stash: unknown[] = [];
  readonly behaviours: Receive[] = [];
  readonly restartStats = new RestartStatistics();
  receiveTimer: ReceiveTimer | undefined = undefined;
  supervisor: ChildSupervisor | undefined = undefined;

  /** Tells every watcher but `except` (the parent, told separately) that the actor terminated. */
  notifyWatchers(registry: ProcessRegistry, terminated: Terminated, except: PID | undefined): void {
    for (const watcher of this.watchers.values()) {
      if (!watcher.equals(except)) registry.get(watcher).sendSystem(watcher, terminated);
    }
  }

  /** Sends every stashed message to dead letters. */
  dropStash(deadLetter: DeadLetterProcess, self: PID): void {
    for (const message of this.stash) deadLetter.sendUser(self, message, 'stopped');
    this.stash = [];
  }
}
