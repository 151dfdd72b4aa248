import { ActorContext } from './actor-context.ts';
import type { MessageInvoker } from './mailbox.ts';
import { unwrapMessage } from './message-envelope.ts';
import {
  PoisonPill,
  ReceiveTimeout,
  Restarting,
  Started,
  Stopped,
  Stopping,
  Terminated,
} from './messages.ts';
import { MailboxFullError } from './errors.ts';
import type { PID } from './pid.ts';
import type { Process } from './process.ts';
import type { Props } from './props.ts';
import { ChildSupervisor } from './supervision/child-supervisor.ts';
import {
  Continuation,
  Failure,
  RESUME_MAILBOX,
  ReceiveTimeoutTick,
  Restart,
  STOP,
  Stop,
  Unwatch,
  Watch,
} from './system-messages.ts';

const ALIVE = 0;
const RESTARTING = 1;
const STOPPING = 2;
const STOPPED = 3;

/**
 * How the runtime drives one actor: it is the mailbox's invoker, runs the lifecycle, and
 * supervises the actor's children. What the actor itself sees is `ActorContext`.
 *
 *   ALIVE ──Restart──▶ RESTARTING ──children gone──▶ ALIVE (new instance, Started)
 *     └────Stop─────▶ STOPPING ───children gone──▶ STOPPED (unregistered, Terminated sent)
 */
export class ActorCell extends ActorContext implements MessageInvoker, Process {
  private state = ALIVE;

  // ── the process: how messages get in ────────────────────────────────────────────────────

  /** True once stopped: cached references to this cell must be re-resolved. */
  get dead(): boolean {
    return this.state === STOPPED;
  }

  sendUser(pid: PID, message: unknown): void {
    const mailbox = this.mailbox;
    if (mailbox.postUser(message)) return;
    // A poison pill always gets in line: dropping or rejecting it leaves poisonAsync hanging.
    if (unwrapMessage(message) === PoisonPill && mailbox.postUser(message, true)) return;
    if (this.props.mailboxOptions.overflow === 'drop') {
      this.system.deadLetter.sendUser(pid, message, 'mailbox-full');
    } else {
      throw new MailboxFullError(pid.toString(), mailbox.capacity);
    }
  }

  sendSystem(_pid: PID, message: unknown): void {
    this.mailbox.postSystem(message);
  }

  sendStop(): void {
    this.mailbox.postSystem(STOP);
  }

  // ── the mailbox's invoker ────────────────────────────────────────────────────────────────

  invokeUserMessage(message: unknown): void | PromiseLike<unknown> {
    if (this.state === STOPPED) {
      this.system.deadLetter.sendUser(this.self, message, 'stopped');
      return;
    }
    this.extras?.receiveTimer?.touch(message);
    this.current = message;
    const result = this.invokeReceive();
    // A finished receive lets go of its message: an idle actor must not keep its last one alive.
    if (result === undefined) this.current = undefined;
    return result;
  }

  invokeSystemMessage(message: unknown): void {
    // System messages are our own final classes: comparing constructors is exact, and cheaper
    // than a chain of instanceof (see isEnvelope). Stop and Terminated are the common ones.
    if (message === STOP) return this.handleStop();
    const type = (message as { constructor?: unknown }).constructor;
    if (type === Terminated) this.handleTerminated(message as Terminated);
    else if (type === Continuation) this.runContinuation(message as Continuation);
    else if (type === Watch) this.handleWatch((message as Watch).watcher);
    else if (type === Unwatch) this.extras?.removeWatcher((message as Unwatch).watcher);
    else if (type === Stop) this.handleStop();
    else if (type === Failure) this.handleChildFailure(message as Failure);
    else if (message === RESUME_MAILBOX) this.handleResume();
    else if (type === Restart) this.handleRestart();
    else if (type === ReceiveTimeoutTick) {
      // Through the user queue: never while an async receive awaits or the actor is suspended.
      const timer = this.extras?.receiveTimer;
      if (this.state === ALIVE && timer?.onTick(message as ReceiveTimeoutTick) === true) {
        this.mailbox.postUser(ReceiveTimeout, true); // outside the capacity: never lost
      }
    }
  }

  private runContinuation(continuation: Continuation): void {
    if (this.state === STOPPED) return;
    const suspended = this.current;
    this.current = continuation.message;
    try {
      this.watchResult(continuation.run(), continuation.message);
    } catch (error) {
      // Report the message the continuation resumed, not the internal Continuation wrapper.
      this.escalateFailure(error, continuation.message);
    } finally {
      this.current = suspended;
    }
  }

  escalateFailure(reason: unknown, message: unknown): void {
    this.mailbox.suspend();
    const failure = new Failure(this.self, reason, this.ensureExtras().restartStats, message);
    if (this.parent === undefined) this.system.handleRootFailure(failure);
    else this.system.registry.get(this.parent).sendSystem(this.parent, failure);
  }

  /**
   * The innermost receive, under any middleware: the current behaviour or the actor itself. A
   * PoisonPill stops the actor here, so receive middleware sees it like any other message.
   */
  receiveDirect(): void | Promise<void> {
    if (unwrapMessage(this.current) === PoisonPill) return this.handleStop();
    const behaviour = this.extras?.behaviour;
    return behaviour === undefined ? this.actor.receive(this) : behaviour(this);
  }

  /** A child born while we stop or restart must stop too: we are waiting for every child. */
  protected override spawnWithId(props: Props, id: string): PID {
    const pid = super.spawnWithId(props, id);
    if (this.state !== ALIVE) {
      // Telling the handler of its end would let one that respawns on Terminated loop forever.
      (this.ensureExtras().stillborn ??= new Set()).add(pid.id);
      this.supervisor.stopChildren([pid]);
    }
    return pid;
  }

  // ── the supervisor's side ────────────────────────────────────────────────────────────────

  private get supervisor(): ChildSupervisor {
    const extras = this.ensureExtras();
    return (extras.supervisor ??= new ChildSupervisor(
      this.system,
      () => this.children,
      (reason, message) => this.escalateFailure(reason, message),
    ));
  }

  // ── lifecycle ────────────────────────────────────────────────────────────────────────────

  private invokeReceive(): void | PromiseLike<unknown> {
    const chain = this.props.receiveChain;
    const result = chain === undefined ? this.receiveDirect() : chain(this);
    return isThenable(result) ? result : undefined;
  }

  /** Invokes a lifecycle or Terminated message inline; an async result only reports failure. */
  private invokeInline(message: unknown): void {
    // An async receive may still be awaiting with its own message: give it back afterwards.
    const suspended = this.current;
    this.current = message;
    try {
      this.watchResult(this.invokeReceive(), message);
    } finally {
      this.current = suspended;
    }
  }

  private watchResult(result: unknown, message: unknown): void {
    if (!isThenable(result)) return;
    result.then(undefined, (error: unknown) => {
      this.mailbox.suspend();
      this.escalateFailure(error, message);
    });
  }

  private handleChildFailure(failure: Failure): void {
    const strategy = this.props.supervisor ?? this.system.guardianStrategy;
    if (this.system.registry.isLocal(failure.who)) {
      this.supervisor.decide(strategy, failure);
      return;
    }
    // A child on another thread sends a copy of its history; the copy kept here is what counts.
    const { who, reason, message } = failure;
    const stats = this.ensureExtras().foreignChildStats(who);
    this.supervisor.decide(strategy, new Failure(who, reason, stats, message));
  }

  /** Resumes this actor and, when its failure was a child's escalated one, that child too. */
  private handleResume(): void {
    // A stop or restart under way keeps user messages out; a late resume must not let them in.
    if (this.state !== ALIVE) return;
    const child = this.extras?.supervisor?.takeEscalatedChild();
    if (child !== undefined) this.supervisor.resumeChildren([child]);
    this.mailbox.resume();
  }

  /** Delivers Restarting, Stopping or Stopped; a failure there is logged and the lifecycle goes on. */
  private invokeLifecycle(message: unknown): void {
    try {
      this.invokeInline(message);
    } catch (error) {
      this.system.logger.error(
        { actor: this.self.toString(), err: error },
        'lifecycle handler failed; continuing',
      );
    }
  }

  private handleWatch(watcher: PID): void {
    // A watcher that arrives while the actor waits for its children is told in finalizeStop.
    if (this.state === STOPPED) {
      this.system.registry.get(watcher).sendSystem(watcher, new Terminated(this.self, 'Stopped'));
    } else {
      this.ensureExtras().addWatcher(watcher);
    }
  }

  private handleTerminated(message: Terminated): void {
    const extras = this.extras;
    if (extras !== undefined) extras.removeChild(message.who);
    // A child born while we stop or restart is ours to wait for, not the handler's to hear of.
    if (extras?.stillborn?.delete(message.who.id) !== true) {
      if (this.state === ALIVE) this.invokeInline(message);
      // While stopping or restarting, a throwing handler must not keep us from the next state.
      else if (this.state !== STOPPED) this.invokeLifecycle(message);
    }
    this.tryRestartOrStop();
  }

  private handleStop(): void {
    if (this.state >= STOPPING) return;
    // A stop that overtakes the pending Started delivers it first: every instance sees Started.
    if (this.mailbox.takeStart()) this.invokeLifecycle(Started);
    this.state = STOPPING;
    // No user message runs while the children stop; finalizeStop dead-letters the queue.
    this.mailbox.suspend();
    this.extras?.receiveTimer?.cancel();
    this.invokeLifecycle(Stopping);
    this.stopAllChildren();
    this.tryRestartOrStop();
  }

  private handleRestart(): void {
    if (this.state >= STOPPING) return;
    this.state = RESTARTING;
    this.mailbox.suspend();
    this.extras?.receiveTimer?.cancel();
    this.invokeLifecycle(Restarting);
    this.stopAllChildren();
    this.tryRestartOrStop();
  }

  private stopAllChildren(): void {
    const extras = this.extras;
    if (extras === undefined) return;
    for (const child of extras.children) this.system.registry.get(child).sendStop(child);
  }

  private tryRestartOrStop(): void {
    if (this.extras !== undefined && this.extras.children.size > 0) return;
    if (this.state === RESTARTING) this.restart();
    else if (this.state === STOPPING) this.finalizeStop();
  }

  private restart(): void {
    this.actor = this.props.producer();
    const extras = this.extras;
    if (extras !== undefined) extras.behaviour = extras.behaviours = undefined;
    this.state = ALIVE;
    this.mailbox.abandonAwait(); // the old instance's pending receive must not hold up this one
    this.unstashAll();
    this.mailbox.requestStart();
    this.mailbox.resume();
  }

  private finalizeStop(): void {
    this.state = STOPPED;
    this.system.unregister(this.self, this.parent === undefined);
    this.mailbox.abandonAwait();
    this.invokeLifecycle(Stopped);
    const { registry, deadLetter } = this.system;
    this.extras?.dropStash(deadLetter, this.self);
    for (const message of this.mailbox.drainUser()) {
      // A queued ReceiveTimeout is the runtime's own; nobody is waiting for it.
      if (message !== ReceiveTimeout) deadLetter.sendUser(this.self, message, 'stopped');
    }
    const terminated = new Terminated(this.self, 'Stopped');
    const parent = this.parent;
    // A parent that also watches is told once, as the parent.
    this.extras?.notifyWatchers(registry, terminated, parent);
    if (parent !== undefined) registry.get(parent).sendSystem(parent, terminated);
    this.current = undefined;
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
