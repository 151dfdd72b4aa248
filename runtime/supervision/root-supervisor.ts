import type { ActorSystem } from '../actor-system.ts';
import type { PID } from '../pid.ts';
import type { TimerHandle } from '../scheduler.ts';
import { RESUME_MAILBOX, Restart, STOP } from '../system-messages.ts';
import type { Supervisor } from './supervisor-strategy.ts';

/**
 * The supervisor of top-level actors. Nothing is above it, so `escalate` stops the failing actor
 * (and logs why) instead of passing the failure on.
 */
export class RootSupervisor {
  constructor(private readonly system: ActorSystem) {}

  /** A supervisor view for one failing top-level actor. */
  for(child: PID): Supervisor {
    const system = this.system;
    const sendAll = (pids: readonly PID[], message: unknown): void => {
      for (const pid of pids) system.registry.get(pid).sendSystem(pid, message);
    };
    return {
      children: system.topLevelActors,
      now: (): number => system.scheduler.now(),
      setTimer: (delayMs: number, callback: () => void): TimerHandle =>
        system.scheduler.setTimer(delayMs, callback),
      escalateFailure: (reason: unknown): void => {
        system.logger.error(
          { actor: child.toString(), err: reason },
          'failure escalated past the root: stopping the actor',
        );
        sendAll([child], STOP);
      },
      restartChildren: (reason, pids) => sendAll(pids, new Restart(reason)),
      stopChildren: (pids) => sendAll(pids, STOP),
      resumeChildren: (pids) => sendAll(pids, RESUME_MAILBOX),
    };
  }
}
