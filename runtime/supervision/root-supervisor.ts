import type { ActorSystem } from '../actor-system.ts';
import type { PID } from '../pid.ts';
import { SupervisorBase } from './supervisor-base.ts';

/**
 * The supervisor of one failing top-level actor. Nothing is above it, so `escalate` stops the
 * actor (and logs why) instead of passing the failure on.
 */
export class RootSupervisor extends SupervisorBase {
  constructor(
    system: ActorSystem,
    private readonly child: PID,
  ) {
    super(system);
  }

  get children(): readonly PID[] {
    return this.system.topLevelActors;
  }

  escalateFailure(reason: unknown): void {
    this.system.logger.error(
      { actor: this.child.toString(), err: reason },
      'failure escalated past the root: stopping the actor',
    );
    this.stopChildren([this.child]);
  }
}
