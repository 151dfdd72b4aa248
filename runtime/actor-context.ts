import type { ActorSystem } from './actor-system.ts';
import type { Actor, Receive } from './actor.ts';
import type { Context, Settled } from './context.ts';
import { ContextExtras } from './context-extras.ts';
import { InvalidConfigError } from './errors.ts';
import type { Mailbox, MessageInvoker } from './mailbox.ts';
import { EMPTY_HEADERS, MessageEnvelope, unwrapMessage, type Headers } from './message-envelope.ts';
import {
  isNotInfluenceReceiveTimeout,
  PoisonPill,
  ReceiveTimeout,
  Restarting,
  Started,
  Stopped,
  Stopping,
  Terminated,
} from './messages.ts';
import type { Sender } from './middleware.ts';
import type { PID } from './pid.ts';
import type { Props } from './props.ts';
import type { TimerHandle } from './scheduler.ts';
import type { Supervisor } from './supervision/supervisor-strategy.ts';
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
import { SpawnerContextBase } from './spawner-context-base.ts';

const ALIVE = 0;
const RESTARTING = 1;
const STOPPING = 2;
const STOPPED = 3;

/**
 * The context of one actor: it invokes the actor for each message (as the mailbox's invoker),
 * runs the lifecycle, and supervises the actor's children.
 *
 *   ALIVE ──Restart──▶ RESTARTING ──children gone──▶ ALIVE (new instance, Started)
 *     └────Stop─────▶ STOPPING ───children gone──▶ STOPPED (unregistered, Terminated sent)
 */
export class ActorContext
  extends SpawnerContextBase
  implements Context, MessageInvoker, Supervisor
{
  actor: Actor;
  private current: unknown = undefined;
  private state = ALIVE;
  private extras: ContextExtras | undefined;
  private behaviour: Receive | undefined;
  /** False until the current instance has received Started. */
  private started = false;
  /** The child whose failure this actor is handling right now, and the one it escalated. */
  private failingChild: PID | undefined;
  private escalatedChild: PID | undefined;
  protected readonly senderChain: Sender | undefined;

  constructor(
    readonly system: ActorSystem,
    private readonly props: Props,
    readonly parent: PID | undefined,
    readonly self: PID,
    private readonly mailbox: Mailbox,
  ) {
    super();
    this.senderChain = props.senderChain;
    this.actor = props.producer();
  }

  // ── what the actor sees ──────────────────────────────────────────────────────────────────

  get message(): unknown {
    const m = this.current;
    return m instanceof MessageEnvelope ? m.message : m;
  }

  get sender(): PID | undefined {
    const m = this.current;
    return m instanceof MessageEnvelope ? m.sender : undefined;
  }

  get headers(): Headers {
    const m = this.current;
    return m instanceof MessageEnvelope ? m.headers : EMPTY_HEADERS;
  }

  get children(): readonly PID[] {
    return this.extras === undefined ? [] : [...this.extras.children.values()];
  }

  get receiveTimeout(): number {
    return this.extras?.receiveTimeoutMs ?? 0;
  }

  respond(message: unknown): void {
    const sender = this.sender;
    if (sender === undefined) this.system.deadLetter.sendUser(undefined, message);
    else this.send(sender, message);
  }

  forward(target: PID): void {
    this.system.registry.get(target).sendUser(target, this.current);
  }

  watch(pid: PID): void {
    this.system.registry.get(pid).sendSystem(pid, new Watch(this.self));
  }

  unwatch(pid: PID): void {
    this.system.registry.get(pid).sendSystem(pid, new Unwatch(this.self));
  }

  become(receive: Receive): void {
    const stack = this.ensureExtras().behaviours;
    stack.length = 0;
    stack.push(receive);
    this.behaviour = receive;
  }

  becomeStacked(receive: Receive): void {
    this.ensureExtras().behaviours.push(receive);
    this.behaviour = receive;
  }

  unbecomeStacked(): void {
    const stack = this.ensureExtras().behaviours;
    stack.pop();
    this.behaviour = stack[stack.length - 1];
  }

  stash(): void {
    this.ensureExtras().stash.push(this.current);
  }

  unstashAll(): void {
    const extras = this.extras;
    if (extras === undefined || extras.stash.length === 0) return;
    const stashed = extras.stash;
    extras.stash = [];
    this.mailbox.prependUser(stashed);
  }

  setReceiveTimeout(ms: number): void {
    if (!(ms > 0) || !Number.isFinite(ms)) {
      throw new InvalidConfigError(`receive timeout must be a positive number of ms, got ${ms}`);
    }
    const extras = this.ensureExtras();
    extras.receiveTimeoutMs = ms;
    extras.lastActivity = this.system.scheduler.now();
    extras.cancelTimer();
    extras.receiveTimeoutTimer = this.armReceiveTimeout(ms);
  }

  cancelReceiveTimeout(): void {
    const extras = this.extras;
    if (extras === undefined) return;
    extras.receiveTimeoutMs = 0;
    extras.cancelTimer();
  }

  reenterAfter<T>(
    promise: PromiseLike<T>,
    continuation: (result: Settled<T>) => void | Promise<void>,
  ): void {
    const message = this.current;
    const post = (result: Settled<T>): void =>
      this.mailbox.postSystem(new Continuation(message, () => continuation(result)));
    promise.then(
      (value) => post({ ok: true, value }),
      (error: unknown) => post({ ok: false, error }),
    );
  }

  // ── spawning children ────────────────────────────────────────────────────────────────────

  protected spawnWithName(props: Props, name: string): PID {
    const pid = props.spawn(this.system, `${this.self.id}/${name}`, this.self);
    this.ensureExtras().children.set(pid.id, pid);
    return pid;
  }

  // ── the mailbox's invoker ────────────────────────────────────────────────────────────────

  invokeUserMessage(message: unknown): void | PromiseLike<unknown> {
    if (this.state === STOPPED) {
      this.system.deadLetter.sendUser(this.self, message, 'stopped');
      return;
    }
    if (message === Started) {
      // A stop that overtook the queued Started has delivered it already.
      if (this.started) return;
      this.started = true;
    }
    const extras = this.extras;
    if (extras !== undefined && extras.receiveTimeoutMs > 0)
      this.touchReceiveTimeout(extras, message);
    if (unwrapMessage(message) === PoisonPill) {
      this.handleStop();
      return;
    }
    this.current = message;
    return this.invokeReceive();
  }

  invokeSystemMessage(message: unknown): void {
    if (message instanceof Continuation) {
      if (this.state === STOPPED) return;
      const suspended = this.current;
      this.current = message.message;
      try {
        this.watchResult(message.run(), message.message);
      } catch (error) {
        // Report the message the continuation resumed, not the internal Continuation wrapper.
        this.escalateFailure(error, message.message);
      } finally {
        this.current = suspended;
      }
    } else if (message instanceof Terminated) this.handleTerminated(message);
    else if (message instanceof Watch) this.handleWatch(message.watcher);
    else if (message instanceof Unwatch) this.extras?.watchers.delete(message.watcher.id);
    else if (message instanceof Stop) this.handleStop();
    else if (message instanceof Failure) this.handleChildFailure(message);
    else if (message === RESUME_MAILBOX) this.handleResume();
    else if (message instanceof Restart) this.handleRestart();
    else if (message instanceof ReceiveTimeoutTick) this.handleReceiveTimeoutTick(message);
  }

  escalateFailure(reason: unknown, message: unknown): void {
    this.escalatedChild = this.failingChild;
    this.mailbox.suspend();
    const failure = new Failure(this.self, reason, this.ensureExtras().restartStats, message);
    if (this.parent === undefined) this.system.handleRootFailure(failure);
    else this.system.registry.get(this.parent).sendSystem(this.parent, failure);
  }

  /** The innermost receive, under any middleware: the current behaviour or the actor itself. */
  receiveDirect(): void | Promise<void> {
    const behaviour = this.behaviour;
    return behaviour === undefined ? this.actor.receive(this) : behaviour(this);
  }

  // ── the supervisor's side ────────────────────────────────────────────────────────────────

  now(): number {
    return this.system.scheduler.now();
  }

  setTimer(delayMs: number, callback: () => void): TimerHandle {
    return this.system.scheduler.setTimer(delayMs, callback);
  }

  restartChildren(reason: unknown, pids: readonly PID[]): void {
    for (const pid of pids) this.system.registry.get(pid).sendSystem(pid, new Restart(reason));
  }

  stopChildren(pids: readonly PID[]): void {
    for (const pid of pids) this.system.registry.get(pid).sendSystem(pid, STOP);
  }

  resumeChildren(pids: readonly PID[]): void {
    for (const pid of pids) this.system.registry.get(pid).sendSystem(pid, RESUME_MAILBOX);
  }

  /** The strategy for this actor's children. */
  get supervisorStrategy(): Props['supervisor'] {
    return this.props.supervisor;
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
    this.failingChild = failure.who;
    try {
      this.system.handleChildFailure(this, failure);
    } finally {
      this.failingChild = undefined;
    }
  }

  /** Resumes this actor and, when its failure was a child's escalated one, that child too. */
  private handleResume(): void {
    const child = this.escalatedChild;
    this.escalatedChild = undefined;
    if (child !== undefined) this.resumeChildren([child]);
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
      this.ensureExtras().watchers.set(watcher.id, watcher);
    }
  }

  private handleTerminated(message: Terminated): void {
    const extras = this.extras;
    if (extras !== undefined) extras.children.delete(message.who.id);
    if (this.state !== STOPPED) this.invokeInline(message);
    this.tryRestartOrStop();
  }

  private handleStop(): void {
    if (this.state >= STOPPING) return;
    if (!this.started) {
      this.started = true;
      this.invokeLifecycle(Started);
    }
    this.state = STOPPING;
    // No user message runs while the children stop; finalizeStop dead-letters the queue.
    this.mailbox.suspend();
    this.extras?.cancelTimer();
    this.invokeLifecycle(Stopping);
    this.stopAllChildren();
    this.tryRestartOrStop();
  }

  private handleRestart(): void {
    if (this.state >= STOPPING) return;
    this.state = RESTARTING;
    this.mailbox.suspend();
    this.extras?.cancelTimer();
    this.invokeLifecycle(Restarting);
    this.stopAllChildren();
    this.tryRestartOrStop();
  }

  private stopAllChildren(): void {
    const extras = this.extras;
    if (extras !== undefined && extras.children.size > 0)
      this.stopChildren([...extras.children.values()]);
  }

  private tryRestartOrStop(): void {
    if (this.extras !== undefined && this.extras.children.size > 0) return;
    if (this.state === RESTARTING) this.restart();
    else if (this.state === STOPPING) this.finalizeStop();
  }

  private restart(): void {
    this.actor = this.props.producer();
    this.behaviour = undefined;
    const extras = this.extras;
    if (extras !== undefined) {
      extras.behaviours.length = 0;
      extras.receiveTimeoutMs = 0;
    }
    this.state = ALIVE;
    this.unstashAll();
    this.started = false;
    this.mailbox.prependUser([Started]);
    this.mailbox.resume();
  }

  private finalizeStop(): void {
    this.system.unregister(this.self);
    this.state = STOPPED;
    this.invokeLifecycle(Stopped);
    const registry = this.system.registry;
    const deadLetter = this.system.deadLetter;
    for (const message of this.extras?.stash ?? [])
      deadLetter.sendUser(this.self, message, 'stopped');
    for (const message of this.mailbox.drainUser()) {
      if (message !== Started && message !== ReceiveTimeout)
        deadLetter.sendUser(this.self, message, 'stopped');
    }
    const terminated = new Terminated(this.self, 'Stopped');
    const parent = this.parent;
    if (this.extras !== undefined) {
      for (const watcher of this.extras.watchers.values()) {
        // The parent is told below; a parent that also watches must not hear it twice.
        if (!watcher.equals(parent)) registry.get(watcher).sendSystem(watcher, terminated);
      }
    }
    if (parent !== undefined) registry.get(parent).sendSystem(parent, terminated);
    this.current = undefined;
  }

  // ── receive timeout ──────────────────────────────────────────────────────────────────────

  private touchReceiveTimeout(extras: ContextExtras, message: unknown): void {
    if (
      isNotInfluenceReceiveTimeout(message instanceof MessageEnvelope ? message.message : message)
    )
      return;
    extras.lastActivity = this.system.scheduler.now();
    if (extras.receiveTimeoutTimer === undefined) {
      extras.receiveTimeoutTimer = this.armReceiveTimeout(extras.receiveTimeoutMs);
    }
  }

  /** Arms the timer; its tick is matched on arrival, so a tick of a replaced timer is ignored. */
  private armReceiveTimeout(ms: number): TimerHandle {
    const tick = new ReceiveTimeoutTick();
    this.ensureExtras().pendingTick = tick;
    return this.system.scheduler.setTimer(ms, () => this.mailbox.postSystem(tick));
  }

  private handleReceiveTimeoutTick(tick: ReceiveTimeoutTick): void {
    const extras = this.extras;
    if (extras === undefined || extras.pendingTick !== tick) return;
    extras.pendingTick = undefined;
    extras.receiveTimeoutTimer = undefined;
    if (extras.receiveTimeoutMs === 0 || this.state !== ALIVE) return;
    const idle = this.system.scheduler.now() - extras.lastActivity;
    if (idle + 1 >= extras.receiveTimeoutMs) {
      // Fires once per idle period; the next influencing message arms it again.
      // Through the user queue: never while an async receive awaits or the actor is suspended.
      this.mailbox.postUser(ReceiveTimeout);
    } else {
      extras.receiveTimeoutTimer = this.armReceiveTimeout(extras.receiveTimeoutMs - idle);
    }
  }

  private ensureExtras(): ContextExtras {
    return (this.extras ??= new ContextExtras());
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
