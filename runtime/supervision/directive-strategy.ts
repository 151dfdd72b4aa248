import { RUNTIME_DEFAULTS } from '../runtime-config.ts';
import type { PID } from '../pid.ts';
import type { RestartStatistics } from './restart-statistics.ts';
import {
  applyAtOnce,
  exceedsRetries,
  restartDecider,
  type Decider,
  type Directive,
  type Supervisor,
  type SupervisorStrategy,
} from './supervisor-strategy.ts';

/**
 * A strategy that asks its decider for a directive and applies it, stopping a child that fails
 * more than `maxRetries` times within `withinMs` instead of restarting it. Subclasses say which
 * children a restart or stop reaches; resume always reaches the failed child alone.
 */
export abstract class DirectiveStrategy implements SupervisorStrategy {
  constructor(
    readonly decider: Decider = restartDecider,
    readonly maxRetries: number = RUNTIME_DEFAULTS.supervisorMaxRetries,
    readonly withinMs: number = RUNTIME_DEFAULTS.supervisorWithinMs,
  ) {}

  /** The children that a restart or stop caused by `child`'s failure applies to. */
  protected abstract affected(supervisor: Supervisor, child: PID): readonly PID[];

  handleFailure(
    supervisor: Supervisor,
    child: PID,
    stats: RestartStatistics,
    reason: unknown,
    message: unknown,
  ): Directive {
    const directive = this.decider(reason, child);
    const affected = this.affected(supervisor, child);
    if (directive !== 'restart') {
      return applyAtOnce(supervisor, directive, child, affected, reason, message);
    }
    if (exceedsRetries(supervisor, stats, this.maxRetries, this.withinMs)) {
      return applyAtOnce(supervisor, 'stop', child, affected, reason, message);
    }
    supervisor.restartChildren(reason, affected);
    return directive;
  }
}
