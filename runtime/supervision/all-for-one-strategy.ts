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
 * Applies restart and stop to every child of the supervisor, for children that only make sense
 * together. Resume applies to the failed child alone, since the others did not fail.
 */
export class AllForOneStrategy implements SupervisorStrategy {
  constructor(
    readonly decider: Decider = restartDecider,
    readonly maxRetries: number = RUNTIME_DEFAULTS.supervisorMaxRetries,
    readonly withinMs: number = RUNTIME_DEFAULTS.supervisorWithinMs,
  ) {}

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
          supervisor.stopChildren(supervisor.children);
          return 'stop';
        }
        supervisor.restartChildren(reason, supervisor.children);
        return directive;
      case 'stop':
        supervisor.stopChildren(supervisor.children);
        return directive;
      case 'escalate':
        supervisor.escalateFailure(reason, message);
        return directive;
    }
  }
}
