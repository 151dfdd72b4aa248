import type { PID } from './pid.ts';

/**
 * Lifecycle messages an actor receives through `receive`. Singletons are compared by identity:
 * `if (context.message === Started)` or `instanceof` on the class.
 */
/** The type of `Started`. */
export class StartedMessage {
  readonly kind = 'Started';
}
/** Delivered once, before the actor processes anything else. */
export const Started = new StartedMessage();

/** The type of `Stopping`. */
export class StoppingMessage {
  readonly kind = 'Stopping';
}
/** Delivered when the actor begins to stop, before its children are stopped. */
export const Stopping = new StoppingMessage();

/** The type of `Stopped`. */
export class StoppedMessage {
  readonly kind = 'Stopped';
}
/** Delivered last, after every child has terminated and the actor is unregistered. */
export const Stopped = new StoppedMessage();

/** The type of `Restarting`. */
export class RestartingMessage {
  readonly kind = 'Restarting';
}
/** Delivered to the failed instance before it is replaced by a fresh one. */
export const Restarting = new RestartingMessage();

/** The type of `ReceiveTimeout`. */
export class ReceiveTimeoutMessage {
  readonly kind = 'ReceiveTimeout';
  /** Being told about idleness is not activity. */
  readonly notInfluenceReceiveTimeout = true;
}
/** Delivered when no influencing message arrived within `setReceiveTimeout`'s duration. */
export const ReceiveTimeout = new ReceiveTimeoutMessage();

/** The type of `PoisonPill`. */
export class PoisonPillMessage {
  readonly kind = 'PoisonPill';
}
/** A user message that stops the actor once every message queued before it is processed. */
export const PoisonPill = new PoisonPillMessage();

/** Why a watched actor terminated. */
/**
 * Why a watched actor is gone: it stopped, it never existed, its node left (`AddressTerminated`),
 * or the worker thread that ran it died (`ThreadTerminated`).
 */
export type TerminatedReason = 'Stopped' | 'AddressTerminated' | 'NotFound' | 'ThreadTerminated';

/** Sent to watchers (and the parent) when an actor has terminated. */
export class Terminated {
  constructor(
    readonly who: PID,
    readonly why: TerminatedReason,
  ) {}
}

/**
 * Marks a message that must not reset the receiver's receive timeout (heartbeats, metrics polls).
 * Implement it on a message class: `readonly notInfluenceReceiveTimeout = true`.
 */
export interface NotInfluenceReceiveTimeout {
  readonly notInfluenceReceiveTimeout: true;
}

/** Answer of the dead-letter process to a message that carried a sender. */
export class DeadLetterResponse {
  constructor(readonly target: PID) {}
}

/** True for messages that opt out of resetting the receive timeout. */
export function isNotInfluenceReceiveTimeout(message: unknown): boolean {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as Partial<NotInfluenceReceiveTimeout>).notInfluenceReceiveTimeout === true
  );
}
