import { RUNTIME_DEFAULTS } from '../runtime-config.ts';
import type { PID } from '../pid.ts';
import type { RestartStatistics } from './restart-statistics.ts';
import {
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
    switch (directive) {
      case 'resume':
        supervisor.resumeChildren([child]);
        return directive;
      case 'restart':
        if (exceedsRetries(supervisor, stats, this.maxRetries, this.withinMs)) {
          supervisor.stopChildren(this.affected(supervisor, child));
          return 'stop';
        }
        supervisor.restartChildren(reason, this.affected(supervisor, child));
        return directive;
      case 'stop':
        supervisor.stopChildren(this.affected(supervisor, child));
        return directive;
      case 'escalate':
        supervisor.escalateFailure(reason, message);
        return directive;
    }
  }
}
