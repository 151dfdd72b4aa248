import type { ActorSystem } from '../actor-system.ts';
import type { PID } from '../pid.ts';
import type { TimerHandle } from '../scheduler.ts';
import { RESUME_MAILBOX, Restart, STOP } from '../system-messages.ts';
import type { Supervisor } from './supervisor-strategy.ts';

/** What every supervisor does the same way: directives become system messages to the children. */
export abstract class SupervisorBase implements Supervisor {
  constructor(protected readonly system: ActorSystem) {}

  abstract readonly children: readonly PID[];
  abstract escalateFailure(reason: unknown, message: unknown): void;

  now(): number {
    return this.system.scheduler.now();
  }

  setTimer(delayMs: number, callback: () => void): TimerHandle {
    return this.system.scheduler.setTimer(delayMs, callback);
  }

  restartChildren(reason: unknown, pids: readonly PID[]): void {
    for (const pid of pids) this.system.registry.get(pid).sendSystem(pid, new Restart(reason));
  }

  stopChildren(pids: readonly PID[]): void {
    for (const pid of pids) this.system.registry.get(pid).sendSystem(pid, STOP);
  }

  resumeChildren(pids: readonly PID[]): void {
    for (const pid of pids) this.system.registry.get(pid).sendSystem(pid, RESUME_MAILBOX);
  }
}
