import type { PID } from '../pid.ts';
import type { TimerHandle } from '../scheduler.ts';
import type { RestartStatistics } from './restart-statistics.ts';

/** What a supervisor does with a failed child. */
export type Directive = 'resume' | 'restart' | 'stop' | 'escalate';

/** Chooses a directive from the failure reason; the default always restarts. */
export type Decider = (reason: unknown, child: PID) => Directive;

/** The default decider: restart on any failure. */
export const restartDecider: Decider = () => 'restart';

/** What a strategy may do to the supervising actor and its children. */
export interface Supervisor {
  readonly children: readonly PID[];
  now(): number;
  setTimer(delayMs: number, callback: () => void): TimerHandle;
  escalateFailure(reason: unknown, message: unknown): void;
  restartChildren(reason: unknown, pids: readonly PID[]): void;
  stopChildren(pids: readonly PID[]): void;
  resumeChildren(pids: readonly PID[]): void;
}

/** Decides and applies the response to a child's failure; returns the directive it applied. */
export interface SupervisorStrategy {
  handleFailure(
    supervisor: Supervisor,
    child: PID,
    stats: RestartStatistics,
    reason: unknown,
    message: unknown,
  ): Directive;
}

/**
 * Applies a directive that takes effect at once (everything but a restart, which each strategy
 * schedules its own way): resume reaches the failed child alone, stop reaches `affected`.
 */
export function applyAtOnce(
  supervisor: Supervisor,
  directive: Exclude<Directive, 'restart'>,
  child: PID,
  affected: readonly PID[],
  reason: unknown,
  message: unknown,
): Directive {
  if (directive === 'resume') supervisor.resumeChildren([child]);
  else if (directive === 'stop') supervisor.stopChildren(affected);
  else supervisor.escalateFailure(reason, message);
  return directive;
}

/**
 * Records the failure and tells whether the child exceeded `maxRetries` within `withinMs`; when it
 * has, the statistics are reset and the child should be stopped instead of restarted.
 */
export function exceedsRetries(
  supervisor: Supervisor,
  stats: RestartStatistics,
  maxRetries: number,
  withinMs: number,
): boolean {
  if (maxRetries === 0) return true;
  const now = supervisor.now();
  stats.fail(now);
  // Failures older than the window never count again; forgetting them keeps the list bounded.
  if (withinMs > 0) stats.forgetUntil(now - withinMs);
  if (stats.numberOfFailures(withinMs, now) > maxRetries) {
    stats.reset();
    return true;
  }
  return false;
}
