import type { PID } from './pid.ts';

/**
 * Anything that can receive messages: a local actor's mailbox, a future, a thread proxy, a remote
 * endpoint proxy, or the dead-letter process. A PID resolves to exactly one of these.
 */
export interface Process {
  /** True once the process can never receive again, so cached references must be re-resolved. */
  readonly dead: boolean;
  /** Delivers a user message (possibly wrapped in a `MessageEnvelope`). */
  sendUser(pid: PID, message: unknown): void;
  /** Delivers a system message; system messages overtake user messages. */
  sendSystem(pid: PID, message: unknown): void;
  /** Asks the process to stop (a system message that jumps the user queue). */
  sendStop(pid: PID): void;
}
