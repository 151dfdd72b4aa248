import type { PID } from '../pid.ts';
import { DirectiveStrategy } from './directive-strategy.ts';
import type { Supervisor } from './supervisor-strategy.ts';

/**
 * Applies the directive to the failed child only. A child that fails more than `maxRetries`
 * times within `withinMs` is stopped instead of restarted.
 *
 * @example
 * Props.fromProducer(() => new Worker()).withSupervisor(
 *   new OneForOneStrategy((reason) => (reason instanceof TransientError ? 'resume' : 'restart')),
 * );
 */
export class OneForOneStrategy extends DirectiveStrategy {
  protected affected(_supervisor: Supervisor, child: PID): readonly PID[] {
    return [child];
  }
}
