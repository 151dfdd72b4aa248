import type { Context } from './context.ts';

/**
 * How an actor handles its current message (`context.message`). Returning a promise suspends the
 * actor's user messages until it settles; use `context.reenterAfter` to await without blocking.
 */
export type Receive = (context: Context) => void | Promise<void>;

/** An actor written as a class: state in fields, behaviour in `receive`. */
export interface Actor {
  receive(context: Context): void | Promise<void>;
}

/** Creates a fresh actor instance: at spawn, and again on every restart. */
export type Producer = () => Actor;
