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
 * Applies the directive to the failed child only. A child that fails more than `maxRetries`
 * times within `withinMs` is stopped instead of restarted.
 *
 * @example
 * Props.fromProducer(() => new Worker()).withSupervisor(
 *   new OneForOneStrategy((reason) => (reason instanceof TransientError ? 'resume' : 'restart')),
 * );
 */
export class OneForOneStrategy implements SupervisorStrategy {
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
          supervisor.stopChildren([child]);
          return 'stop';
        }
        supervisor.restartChildren(reason, [child]);
        return directive;
      case 'stop':
        supervisor.stopChildren([child]);
        return directive;
      case 'escalate':
        supervisor.escalateFailure(reason, message);
        return directive;
    }
  }
}
