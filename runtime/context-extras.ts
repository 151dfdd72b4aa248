import type { Receive } from './actor.ts';
import type { PID } from './pid.ts';
import type { TimerHandle } from './scheduler.ts';
import type { ReceiveTimeoutTick } from './system-messages.ts';
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
  receiveTimeoutMs = 0;
  receiveTimeoutTimer: TimerHandle | undefined = undefined;
  /** The tick the armed timer will post; any other tick is stale. */
  pendingTick: ReceiveTimeoutTick | undefined = undefined;
  lastActivity = 0;

  /** Cancels the receive-timeout timer, if armed. */
  cancelTimer(): void {
    this.receiveTimeoutTimer?.cancel();
    this.receiveTimeoutTimer = undefined;
    this.pendingTick = undefined;
  }
}
