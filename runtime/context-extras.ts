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
 * stack, receive timeout and restart statistics. The object and each part are allocated on first
 * use, so a leaf actor that only receives stays small (a million idle actors fit in memory).
 */
export class ContextExtras {
  /** Children by identity: a local child's Terminated carries the very PID its spawn returned. */
  readonly children = new Set<PID>();
  watchers: Map<string, PID> | undefined = undefined;
  stash: unknown[] | undefined = undefined;
  /** The current behaviour (top of `behaviours`), or undefined for the actor's own receive. */
  behaviour: Receive | undefined = undefined;
  behaviours: Receive[] | undefined = undefined;
  receiveTimer: ReceiveTimer | undefined = undefined;
  supervisor: ChildSupervisor | undefined = undefined;
  /** Children spawned while stopping or restarting: stopped at once, their Terminated not delivered. */
  stillborn: Set<string> | undefined = undefined;
  private stats: RestartStatistics | undefined = undefined;
  /** Failure histories of children on other threads or nodes, kept by their supervisor. */
  private foreignStats: Map<string, RestartStatistics> | undefined = undefined;

  /** Failure history of this actor, for its supervisor's retry window. */
  get restartStats(): RestartStatistics {
    return (this.stats ??= new RestartStatistics());
  }

  /** The failure history of a child that lives on another thread or node. */
  foreignChildStats(child: PID): RestartStatistics {
    const key = child.toString();
    this.foreignStats ??= new Map<string, RestartStatistics>();
    let stats = this.foreignStats.get(key);
    if (stats === undefined) {
      stats = new RestartStatistics();
      this.foreignStats.set(key, stats);
    }
    return stats;
  }

  /** Forgets a terminated child; true when it was one of ours. */
  removeChild(pid: PID): boolean {
    this.foreignStats?.delete(pid.toString());
    if (this.children.delete(pid)) return true;
    // A PID rebuilt from the wire is another object for the same actor.
    for (const child of this.children) {
      if (child.equals(pid)) return this.children.delete(child);
    }
    return false;
  }

  /** Registers a watcher, keyed by address and id: generated ids repeat across nodes. */
  addWatcher(watcher: PID): void {
    (this.watchers ??= new Map()).set(watcher.toString(), watcher);
  }

  removeWatcher(watcher: PID): void {
    this.watchers?.delete(watcher.toString());
  }

  /** Tells every watcher but `except` (the parent, told separately) that the actor terminated. */
  notifyWatchers(registry: ProcessRegistry, terminated: Terminated, except: PID | undefined): void {
    if (this.watchers === undefined) return;
    for (const watcher of this.watchers.values()) {
      if (!watcher.equals(except)) registry.get(watcher).sendSystem(watcher, terminated);
    }
  }

  /** Sends every stashed message to dead letters. */
  dropStash(deadLetter: DeadLetterProcess, self: PID): void {
    if (this.stash === undefined) return;
    for (const message of this.stash) deadLetter.sendUser(self, message, 'stopped');
    this.stash = undefined;
  }
}
