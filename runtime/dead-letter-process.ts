import type { EventStream } from './event-stream.ts';
import { unwrapMessage, unwrapSender } from './message-envelope.ts';
import { DeadLetterResponse, Terminated } from './messages.ts';
import type { PID } from './pid.ts';
import type { Process } from './process.ts';
import type { ProcessRegistry } from './process-registry.ts';
import { Watch } from './system-messages.ts';

/** Why a message became a dead letter. */
export type DeadLetterReason = 'no-target' | 'mailbox-full' | 'stopped';

/** Published on the EventStream for every message that reached no live actor. */
export class DeadLetterEvent {
  constructor(
    /** The PID it was addressed to (undefined for a `respond` with no sender). */
    readonly pid: PID | undefined,
    readonly message: unknown,
    readonly sender: PID | undefined,
    readonly reason: DeadLetterReason = 'no-target',
  ) {}
}

/**
 * Where messages to dead or unknown PIDs end up. It publishes a `DeadLetterEvent`, answers a
 * message that has a sender with `DeadLetterResponse` (so requests fail fast), and answers a
 * `Watch` with `Terminated { why: 'NotFound' }`.
 */
export class DeadLetterProcess implements Process {
  readonly dead = false;

  constructor(
    private readonly eventStream: EventStream,
    private readonly registry: () => ProcessRegistry,
  ) {}

  sendUser(pid: PID | undefined, message: unknown, reason: DeadLetterReason = 'no-target'): void {
    const payload = unwrapMessage(message);
    const sender = unwrapSender(message);
    this.eventStream.publish(new DeadLetterEvent(pid, payload, sender, reason));
    if (sender !== undefined && pid !== undefined && !(payload instanceof DeadLetterResponse)) {
      this.registry().get(sender).sendUser(sender, new DeadLetterResponse(pid));
    }
  }

  sendSystem(pid: PID, message: unknown): void {
    if (message instanceof Watch) {
      this.registry()
        .get(message.watcher)
        .sendSystem(message.watcher, new Terminated(pid, 'NotFound'));
    }
  }

  sendStop(): void {}
}
