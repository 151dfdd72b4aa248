import type { ActorSystem } from './actor-system.ts';
import type { Receive } from './actor.ts';
import type { Headers, MessageEnvelope } from './message-envelope.ts';
import type { PID } from './pid.ts';
import type { Props } from './props.ts';

/** Wraps an actor's receive: tracing, metrics, logging. Call `next(context)` to continue. */
export type ReceiveMiddleware = (next: Receive) => Receive;

/** The part of a context an outbound message is sent from. */
export interface SenderContext {
  readonly system: ActorSystem;
  readonly self: PID | undefined;
  readonly headers: Headers;
}

/** Delivers one outbound envelope. */
export type Sender = (context: SenderContext, target: PID, envelope: MessageEnvelope) => void;

/** Wraps outbound sends: add headers, count, trace. Call `next(...)` to deliver. */
export type SenderMiddleware = (next: Sender) => Sender;

/** Creates an actor under `id` with `parent`, returning its PID. */
export type Spawner = (
  system: ActorSystem,
  id: string,
  props: Props,
  parent: PID | undefined,
) => PID;

/** Wraps spawning: inject dependencies, register, decorate props. */
export type SpawnMiddleware = (next: Spawner) => Spawner;

/** Composes middleware right to left, so the first in the list runs first. */
export function composeMiddleware<T>(middleware: readonly ((next: T) => T)[], terminal: T): T {
  let next = terminal;
  for (let i = middleware.length - 1; i >= 0; i--) next = middleware[i]!(next); // i < length
  return next;
}

/** The innermost sender: hands the envelope to the target's process. */
export const deliverEnvelope: Sender = (context, target, envelope) =>
  context.system.registry.get(target).sendUser(target, envelope);
