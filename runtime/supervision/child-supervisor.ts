import type { ActorSystem } from '../actor-system.ts';
import type { PID } from '../pid.ts';
import type { Failure } from '../system-messages.ts';
import { SupervisorBase } from './supervisor-base.ts';
import type { SupervisorStrategy } from './supervisor-strategy.ts';

/**
 * The supervisor side of an actor: what its strategy may do to it and its children. It remembers
 * which child's failure it escalated, so that child is resumed too when the actor is resumed.
 */
export class ChildSupervisor extends SupervisorBase {
  private failingChild: PID | undefined;
  private escalatedChild: PID | undefined;

  constructor(
    system: ActorSystem,
    private readonly listChildren: () => readonly PID[],
    private readonly escalate: (reason: unknown, message: unknown) => void,
  ) {
    super(system);
  }

  get children(): readonly PID[] {
    return this.listChildren();
  }

  /** Lets `strategy` decide a child's failure. */
  decide(strategy: SupervisorStrategy, failure: Failure): void {
    this.failingChild = failure.who;
    try {
      this.system.applyStrategy(strategy, this, failure);
    } finally {
      this.failingChild = undefined;
    }
  }

  escalateFailure(reason: unknown, message: unknown): void {
    this.escalatedChild = this.failingChild;
    this.escalate(reason, message);
  }

  /** The child whose escalated failure is now resolved by resuming this actor, if any. */
  takeEscalatedChild(): PID | undefined {
    const child = this.escalatedChild;
    this.escalatedChild = undefined;
    return child;
  }
}
