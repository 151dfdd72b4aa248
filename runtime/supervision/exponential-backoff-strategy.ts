import type { PID } from '../pid.ts';
import type { RestartStatistics } from './restart-statistics.ts';
import {
  applyAtOnce,
  type Decider,
  type Directive,
  type Supervisor,
  type SupervisorStrategy,
} from './supervisor-strategy.ts';

/** Settings of `ExponentialBackoffStrategy`. */
export interface BackoffOptions {
  /** Delay before the first restart. */
  readonly initialBackoffMs: number;
  /** Upper bound of the delay. */
  readonly maxBackoffMs: number;
  /** A failure more than this long after the previous one starts the count again. */
  readonly backoffWindowMs: number;
  /** Up to this much random delay is added, so siblings do not restart in lockstep. */
  readonly jitterMs?: number;
  /** Source of randomness for the jitter (seedable in tests). */
  readonly random?: () => number;
  /** Consecutive failures after which the child is stopped instead; unlimited when omitted. */
  readonly maxRetries?: number;
  /** Chooses the directive per failure; only `restart` is delayed. Always restart when omitted. */
  readonly decider?: Decider;
}

/**
 * Restarts a failed child after `initialBackoffMs × 2^(n-1)` (capped at `maxBackoffMs`) for its
 * n-th consecutive failure, plus jitter. Good for actors that wrap a flaky resource.
 */
export class ExponentialBackoffStrategy implements SupervisorStrategy {
  constructor(readonly options: BackoffOptions) {}

  handleFailure(
    supervisor: Supervisor,
    child: PID,
    stats: RestartStatistics,
    reason: unknown,
    message: unknown,
  ): Directive {
    const directive = this.options.decider?.(reason, child) ?? 'restart';
    if (directive !== 'restart') {
      return applyAtOnce(supervisor, directive, child, [child], reason, message);
    }
    const now = supervisor.now();
    const last = stats.lastFailureTime;
    if (last !== undefined && now - last > this.options.backoffWindowMs) stats.reset();
    stats.fail(now);
    const { maxRetries } = this.options;
    if (maxRetries !== undefined && stats.failureCount > maxRetries) {
      stats.reset();
      supervisor.stopChildren([child]);
      return 'stop';
    }
    const jitter = (this.options.random ?? Math.random)() * (this.options.jitterMs ?? 0);
    const delay = this.delayFor(stats.failureCount) + jitter;
    supervisor.setTimer(delay, () => supervisor.restartChildren(reason, [child]));
    return 'restart';
  }

  /** Delay before the restart that follows the n-th consecutive failure, without jitter. */
  delayFor(failures: number): number {
    const exponent = Math.max(0, failures - 1);
    return Math.min(this.options.maxBackoffMs, this.options.initialBackoffMs * 2 ** exponent);
  }
}
