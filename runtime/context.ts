import type { OffloadRunOptions } from './offload/offload-pool.ts';
import type { ActorSystem } from './actor-system.ts';
import type { Actor, Receive } from './actor.ts';
import type { Headers } from './message-envelope.ts';
import type { PID } from './pid.ts';
import type { Props } from './props.ts';

/** Options of a single `send`. */
export interface SendOptions {
  /** The sender the receiver sees (and answers with `respond`). */
  readonly sender?: PID;
  readonly headers?: Headers;
}

/** Options of a single `request`. */
export interface RequestOptions {
  /** Milliseconds before the promise rejects with `TimeoutError` (system default otherwise). */
  readonly timeoutMs?: number;
  readonly headers?: Headers;
}

/** The outcome of a promise handed to `reenterAfter`. */
export type Settled<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/** Sending, requesting, spawning and stopping: what both actor contexts and the root context do. */
export interface SpawnerContext {
  readonly system: ActorSystem;
  /** Spawns a child (or a top-level actor from the root context) with a generated name. */
  spawn(props: Props): PID;
  /** Spawns with an exact name; a live actor with the same name is a `NameExistsError`. */
  spawnNamed(props: Props, name: string): PID;
  /** Spawns with a generated name that starts with `prefix`. */
  spawnPrefix(props: Props, prefix: string): PID;
  /** Sends one-way; delivery is ordered per sender-receiver pair. */
  send(target: PID, message: unknown, options?: SendOptions): void;
  /** Sends and returns the reply; rejects with `TimeoutError` or, for a dead target, `DeadLetterError`. */
  request<T = unknown>(
    target: PID,
    message: unknown,
    options?: number | RequestOptions,
  ): Promise<T>;
  /** Stops `pid` now: a system message that overtakes its queued user messages. */
  stop(pid: PID): void;
  /** Stops `pid` after it has processed every message queued before the poison pill. */
  poison(pid: PID): void;
  /** `stop`, resolving once `pid` has terminated. */
  stopAsync(pid: PID): Promise<void>;
  /** `poison`, resolving once `pid` has terminated. */
  poisonAsync(pid: PID): Promise<void>;
  /**
   * Runs the default export of the task module at `task` on `input` on the node's offload pool
   * (piscina), off every actor thread; for stateless CPU-bound work. Inside an actor, combine it
   * with `reenterAfter` to keep processing messages meanwhile.
   */
  offload<T = unknown>(task: URL | string, input: unknown, options?: OffloadRunOptions): Promise<T>;
}

/**
 * Everything an actor can see and do while it processes a message.
 *
 * @example
 * const greeter: Receive = (context) => {
 *   if (typeof context.message === 'string') context.respond(`hello ${context.message}`);
 * };
 */
export interface Context extends SpawnerContext {
  readonly self: PID;
  readonly parent: PID | undefined;
  /** The current message, exactly as it was sent. */
  readonly message: unknown;
  /** Who sent the current message, when the sender said so (`request` always does). */
  readonly sender: PID | undefined;
  readonly headers: Headers;
  readonly children: readonly PID[];
  readonly actor: Actor;
  /** The receive timeout in ms, or 0 when none is set. */
  readonly receiveTimeout: number;

  /** Answers the current message's sender; a dead letter when there is none. */
  respond(message: unknown): void;
  /** Passes the current message, with its original sender and headers, to `target`. */
  forward(target: PID): void;
  /** Delivers `Terminated` to this actor when `pid` terminates (at once if it is already gone). */
  watch(pid: PID): void;
  unwatch(pid: PID): void;

  /** Replaces the current behaviour. */
  become(receive: Receive): void;
  /** Pushes a behaviour; `unbecomeStacked` returns to the previous one. */
  becomeStacked(receive: Receive): void;
  unbecomeStacked(): void;

  /** Sets the current message aside; `unstashAll` queues the stash ahead of the mailbox. */
  stash(): void;
  unstashAll(): void;

  /** Delivers `ReceiveTimeout` after `ms` without an influencing message. */
  setReceiveTimeout(ms: number): void;
  cancelReceiveTimeout(): void;

  /**
   * Awaits `promise` without blocking the mailbox: other messages are processed meanwhile, and
   * `continuation` runs later inside the actor with the current message restored.
   */
  reenterAfter<T>(
    promise: PromiseLike<T>,
    continuation: (result: Settled<T>) => void | Promise<void>,
  ): void;
}
