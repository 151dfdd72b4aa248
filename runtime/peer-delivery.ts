import type { ActorSystem } from './actor-system.ts';
import type { PID } from './pid.ts';
import type { Process } from './process.ts';

/**
 * Delivers a user message that arrived from another thread or node. A full bounded mailbox
 * cannot push back on a sender that is elsewhere, so instead of throwing, the message becomes a
 * dead letter with the reason `mailbox-full`, and the rest of the frame or batch goes on.
 */
export function deliverFromPeer(
  system: ActorSystem,
  process: Pick<Process, 'sendUser'>,
  pid: PID,
  message: unknown,
): void {
  try {
    process.sendUser(pid, message);
  } catch {
    system.deadLetter.sendUser(pid, message, 'mailbox-full');
  }
}
