import { Started } from './messages.ts';
import { RingQueue } from './ring-queue.ts';
import type { Runnable, Scheduler } from './scheduler.ts';

/** What a mailbox drives: the actor context, in practice. */
export interface MessageInvoker {
  invokeSystemMessage(message: unknown): void;
  /** Returns a promise-like when the actor's receive is async: user messages wait for it. */
  invokeUserMessage(message: unknown): void | PromiseLike<unknown>;
  /** Called when an invocation threw or rejected; the mailbox is already suspended. */
  escalateFailure(reason: unknown, message: unknown): void;
}

/** Observes a mailbox (metrics, tracing); every callback is optional. */
export interface MailboxStatistics {
  mailboxStarted?(): void;
  messagePosted?(message: unknown): void;
  messageReceived?(message: unknown): void;
  mailboxEmpty?(): void;
}

/** What a bounded mailbox does with a message that does not fit. */
export type OverflowPolicy = 'reject' | 'drop';

/** Mailbox settings carried by Props. */
export interface MailboxOptions {
  /** Maximum queued user messages; unbounded when omitted. */
  readonly capacity?: number;
  /** `reject` throws `MailboxFullError` at the sender; `drop` sends the message to dead letters. */
  readonly overflow?: OverflowPolicy;
  readonly statistics?: readonly MailboxStatistics[];
}

/**
 * What every mailbox of one Props in one system shares: one object referenced by each mailbox
 * instead of four fields copied into each (a million mailboxes notice).
 */
export interface MailboxSettings {
  readonly scheduler: Scheduler;
  /** User messages per turn before yielding. */
  readonly throughput: number;
  /** Maximum queued user messages (`Infinity` when unbounded). */
  readonly capacity: number;
  readonly statistics: readonly MailboxStatistics[] | undefined;
}

/** Marks an empty system slot (`undefined` could be a message). */
const NONE: unique symbol = Symbol('none');

/** Bits of `Mailbox.flags`: one small integer instead of three fields on a million mailboxes. */
const SCHEDULED = 1;
const SUSPENDED = 2;
const START_PENDING = 4;

/**
 * A system queue and a user queue on ring buffers, scheduled when it goes from idle to busy.
 *
 *   post ──▶ [system ring] ─┐ always first
 *   post ──▶ [user ring]  ──┴▶ run(): up to `throughput` user messages, then yield
 *
 * User processing stops while the actor is suspended by its supervisor or awaiting an async
 * receive; system messages (stop, watch, resume) are still processed then.
 */
export class Mailbox implements Runnable {
  /**
   * System messages: the oldest in one slot, later ones in a ring allocated only when a second
   * one is queued. Most actors get one system message at a time (Stop, Terminated), if any.
   */
  private systemHead: unknown = NONE;
  private systemQueue: RingQueue<unknown> | undefined;
  /** User messages, likewise: the oldest in a slot, a ring only for a backlog. */
  private userHead: unknown = NONE;
  private userQueue: RingQueue<unknown> | undefined;
  /** Messages the runtime put back at the front (unstash): outside the capacity. */
  private prepended = 0;
  private flags = 0;
  /** The async receive user messages wait for; a settlement of any other promise is stale. */
  private awaiting: PromiseLike<unknown> | undefined = undefined;
  private invoker: MessageInvoker | undefined;

  constructor(private readonly settings: MailboxSettings) {}

  /** Maximum queued user messages (`Infinity` when unbounded). */
  get capacity(): number {
    return this.settings.capacity;
  }

  /** Binds the invoker and reports the start to statistics observers. */
  start(invoker: MessageInvoker): void {
    this.invoker = invoker;
    if (this.settings.statistics !== undefined)
      for (const s of this.settings.statistics) s.mailboxStarted?.();
  }

  /** Number of user messages waiting. */
  get userCount(): number {
    return (this.userHead === NONE ? 0 : 1) + (this.userQueue?.length ?? 0);
  }

  /**
   * Queues a user message; returns false (and queues nothing) when a bounded mailbox is full,
   * unless `unbounded` is set.
   */
  postUser(message: unknown, unbounded = false): boolean {
    const capacity = this.settings.capacity;
    if (!unbounded && capacity !== Infinity && this.userCount - this.prepended >= capacity) {
      return false;
    }
    if (this.userHead === NONE) this.userHead = message;
    else (this.userQueue ??= new RingQueue()).push(message);
    if (this.settings.statistics !== undefined)
      for (const s of this.settings.statistics) s.messagePosted?.(message);
    if ((this.flags & SCHEDULED) === 0) this.scheduleNow();
    return true;
  }

  /** Delivers `Started` before any other user message (at spawn and after a restart). */
  requestStart(): void {
    // Started is a flag, not a queued message: it takes no room and never needs a ring.
    this.flags |= START_PENDING;
    if (this.settings.statistics !== undefined)
      for (const s of this.settings.statistics) s.messagePosted?.(Started);
    this.scheduleIfPending();
  }

  /** Withdraws a pending Started so the caller can deliver it now; false when none is pending. */
  takeStart(): boolean {
    if ((this.flags & START_PENDING) === 0) return false;
    this.flags &= ~START_PENDING;
    return true;
  }

  /** Queues user messages at the front, in order (unstash). */
  prependUser(messages: readonly unknown[]): void {
    for (let i = messages.length - 1; i >= 0; i--) {
      if (this.userHead !== NONE) (this.userQueue ??= new RingQueue()).pushFront(this.userHead);
      this.userHead = messages[i];
    }
    this.prepended += messages.length;
    if (this.settings.statistics !== undefined) {
      for (const m of messages) for (const s of this.settings.statistics) s.messagePosted?.(m);
    }
    this.scheduleIfPending();
  }

  /** Queues a system message; it overtakes every queued user message. */
  postSystem(message: unknown): void {
    if (this.systemHead === NONE) this.systemHead = message;
    else (this.systemQueue ??= new RingQueue()).push(message);
    if ((this.flags & SCHEDULED) === 0) this.scheduleNow();
  }

  /** Stops user processing until `resume` (supervision). */
  suspend(): void {
    this.flags |= SUSPENDED;
  }

  /** Restarts user processing after `suspend`. */
  resume(): void {
    this.flags &= ~SUSPENDED;
    this.scheduleIfPending();
  }

  /** Forgets the in-flight async receive (restart, stop): its outcome no longer affects us. */
  abandonAwait(): void {
    this.awaiting = undefined;
    this.scheduleIfPending();
  }

  /** Removes and returns every queued user message (for dead-lettering on stop). */
  drainUser(): unknown[] {
    this.prepended = 0;
    this.flags &= ~START_PENDING;
    const drained: unknown[] = [];
    while (this.userHead !== NONE) drained.push(this.takeUser());
    return drained;
  }

  /** Processes system messages, then up to `throughput` user messages; returns how many ran. */
  run(): number {
    const invoker = this.invoker!; // set by start() before anything is posted
    let processed = 0;
    let systemProcessed = 0;
    let current: unknown;
    for (;;) {
      try {
        for (;;) {
          if (this.systemHead !== NONE) {
            current = this.takeSystem();
            systemProcessed++;
            invoker.invokeSystemMessage(current);
            continue;
          }
          if (
            (this.flags & SUSPENDED) !== 0 ||
            this.awaiting !== undefined ||
            processed >= this.settings.throughput
          )
            break;
          if ((this.flags & START_PENDING) !== 0) {
            this.flags &= ~START_PENDING;
            current = Started;
          } else if (this.userHead !== NONE) {
            current = this.takeUser();
            if (this.prepended > 0) this.prepended--;
          } else break;
          processed++;
          const result = invoker.invokeUserMessage(current);
          if (result !== undefined) this.awaitResult(result, current);
          if (this.settings.statistics !== undefined) this.received(current);
        }
        break;
      } catch (error) {
        this.flags |= SUSPENDED;
        invoker.escalateFailure(error, current);
      }
    }
    this.flags &= ~SCHEDULED;
    this.scheduleIfPending();
    return processed + systemProcessed;
  }

  /** Takes the oldest user message and moves the next one, if any, into the slot. */
  private takeUser(): unknown {
    const message = this.userHead;
    const queue = this.userQueue;
    this.userHead = queue !== undefined && queue.length > 0 ? queue.shift() : NONE;
    return message;
  }

  /** Takes the oldest system message and moves the next one, if any, into the slot. */
  private takeSystem(): unknown {
    const message = this.systemHead;
    const queue = this.systemQueue;
    this.systemHead = queue !== undefined && queue.length > 0 ? queue.shift() : NONE;
    return message;
  }

  private awaitResult(result: PromiseLike<unknown>, message: unknown): void {
    this.awaiting = result;
    result.then(
      () => {
        if (this.awaiting !== result) return; // abandoned by a restart or stop
        this.awaiting = undefined;
        this.scheduleIfPending();
      },
      (error: unknown) => {
        if (this.awaiting !== result) return; // the failed instance is gone already
        this.awaiting = undefined;
        this.flags |= SUSPENDED;
        this.invoker!.escalateFailure(error, message); // invoker bound before any message runs
        this.scheduleIfPending();
      },
    );
  }

  private received(message: unknown): void {
    const statistics = this.settings.statistics!; // only called when statistics are configured
    for (const s of statistics) s.messageReceived?.(message);
    if (this.userHead === NONE) for (const s of statistics) s.mailboxEmpty?.();
  }

  private scheduleIfPending(): void {
    const flags = this.flags;
    if ((flags & SCHEDULED) !== 0) return;
    const userReady =
      ((flags & START_PENDING) !== 0 || this.userHead !== NONE) &&
      (flags & SUSPENDED) === 0 &&
      this.awaiting === undefined;
    if (this.systemHead !== NONE || userReady) this.scheduleNow();
  }

  private scheduleNow(): void {
    this.flags |= SCHEDULED;
    this.settings.scheduler.schedule(this);
  }
}
