import { MailboxFullError } from './errors.ts';
import type { DeadLetterProcess } from './dead-letter-process.ts';
import type { Mailbox, OverflowPolicy } from './mailbox.ts';
import { unwrapMessage } from './message-envelope.ts';
import { PoisonPill } from './messages.ts';
import type { PID } from './pid.ts';
import type { Process } from './process.ts';
import { STOP } from './system-messages.ts';

/** The process of a local actor: posts into its mailbox and applies the overflow policy. */
export class ActorProcess implements Process {
  dead = false;

  constructor(
    readonly mailbox: Mailbox,
    private readonly overflow: OverflowPolicy,
    private readonly deadLetter: DeadLetterProcess,
  ) {}

  sendUser(pid: PID, message: unknown): void {
    if (this.mailbox.postUser(message)) return;
    // A poison pill always gets in line: dropping or rejecting it leaves poisonAsync hanging.
    if (unwrapMessage(message) === PoisonPill && this.mailbox.postUser(message, true)) return;
    if (this.overflow === 'drop') this.deadLetter.sendUser(pid, message, 'mailbox-full');
    else throw new MailboxFullError(pid.toString(), this.mailbox.capacity);
  }

  sendSystem(_pid: PID, message: unknown): void {
    this.mailbox.postSystem(message);
  }

  stop(pid: PID): void {
    this.sendSystem(pid, STOP);
  }
}
