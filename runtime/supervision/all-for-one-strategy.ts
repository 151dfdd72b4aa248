import type { PID } from '../pid.ts';
import { DirectiveStrategy } from './directive-strategy.ts';
import type { Supervisor } from './supervisor-strategy.ts';

/**
 * Applies restart and stop to every child of the supervisor, for children that only make sense
 * together. Resume applies to the failed child alone, since the others did not fail.
 */
export class AllForOneStrategy extends DirectiveStrategy {
  protected affected(supervisor: Supervisor): readonly PID[] {
    return supervisor.children;
  }
}
