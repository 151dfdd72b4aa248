import type { ActorSystem } from './actor-system.ts';
import type { Actor, Receive } from './actor.ts';
import type { Context, Settled } from './context.ts';
import { ContextExtras } from './context-extras.ts';
import type { Mailbox } from './mailbox.ts';
import { EMPTY_HEADERS, MessageEnvelope, isEnvelope, type Headers } from './message-envelope.ts';
import type { Sender } from './middleware.ts';
import type { PID } from './pid.ts';
import type { Props } from './props.ts';
import { ReceiveTimer } from './receive-timer.ts';
import { Continuation, Unwatch, Watch } from './system-messages.ts';
import { SpawnerContextBase } from './spawner-context-base.ts';

/**
 * What an actor sees and does while it processes a message: the `Context` API over the actor's
 * state. `ActorCell` extends it with how the runtime drives the actor (invoker, lifecycle,
 * supervision); the split keeps each half readable.
 */
export abstract class ActorContext extends SpawnerContextBase implements Context {
  actor: Actor;
  /** The current message as it arrived: bare, or a `MessageEnvelope`. */
  protected current: unknown = undefined;
  protected extras: ContextExtras | undefined;

  constructor(
    readonly system: ActorSystem,
    protected readonly props: Props,
    readonly parent: PID | undefined,
    readonly self: PID,
    protected readonly mailbox: Mailbox,
  ) {
    super();
    this.actor = props.producer();
  }

  /** The sender middleware chain of this actor's Props (read, not copied: one field less). */
  protected get senderChain(): Sender | undefined {
    return this.props.senderChain;
  }

  // ── what the actor sees ──────────────────────────────────────────────────────────────────

  get message(): unknown {
    const m = this.current;
    return isEnvelope(m) ? m.message : m;
  }

  get sender(): PID | undefined {
    const m = this.current;
    return isEnvelope(m) ? m.sender : undefined;
  }

  get headers(): Headers {
    const m = this.current;
    return isEnvelope(m) ? m.headers : EMPTY_HEADERS;
  }

  get children(): readonly PID[] {
    return this.extras === undefined ? [] : [...this.extras.children];
  }

  get receiveTimeout(): number {
    return this.extras?.receiveTimer?.ms ?? 0;
  }

  respond(message: unknown): void {
    const sender = this.sender;
    if (sender === undefined) this.system.deadLetter.sendUser(undefined, message);
    else this.send(sender, message);
  }

  forward(target: PID): void {
    const current = this.current;
    const chain = this.senderChain;
    if (chain === undefined) this.system.registry.get(target).sendUser(target, current);
    else {
      const envelope = isEnvelope(current)
        ? current
        : new MessageEnvelope(current, undefined, EMPTY_HEADERS);
      chain(this, target, envelope);
    }
  }

  watch(pid: PID): void {
    this.system.registry.get(pid).sendSystem(pid, new Watch(this.self));
  }

  unwatch(pid: PID): void {
    this.system.registry.get(pid).sendSystem(pid, new Unwatch(this.self));
  }

  become(receive: Receive): void {
    const extras = this.ensureExtras();
    extras.behaviours = [receive];
    extras.behaviour = receive;
  }

  becomeStacked(receive: Receive): void {
    const extras = this.ensureExtras();
    (extras.behaviours ??= []).push(receive);
    extras.behaviour = receive;
  }

  unbecomeStacked(): void {
    const extras = this.extras;
    const stack = extras?.behaviours;
    if (stack === undefined) return;
    stack.pop();
    extras!.behaviour = stack[stack.length - 1]; // extras exists: it holds the stack
  }

  stash(): void {
    (this.ensureExtras().stash ??= []).push(this.current);
  }

  unstashAll(): void {
    const stashed = this.extras?.stash;
    if (stashed === undefined || stashed.length === 0) return;
    this.extras!.stash = undefined; // extras exists: it held the stash
    this.mailbox.prependUser(stashed);
  }

  setReceiveTimeout(ms: number): void {
    const extras = this.ensureExtras();
    const timer = (extras.receiveTimer ??= new ReceiveTimer(this.system.scheduler, (tick) =>
      this.mailbox.postSystem(tick),
    ));
    timer.set(ms);
  }

  cancelReceiveTimeout(): void {
    this.extras?.receiveTimer?.cancel();
  }

  reenterAfter<T>(
    promise: PromiseLike<T>,
    continuation: (result: Settled<T>) => void | Promise<void>,
  ): void {
    // Two closures per call and no more: this runs once per reentrant request.
    const message = this.current;
    const mailbox = this.mailbox;
    promise.then(
      (value) => mailbox.postSystem(new Continuation(message, continuation, { ok: true, value })),
      (error: unknown) =>
        mailbox.postSystem(new Continuation(message, continuation, { ok: false, error })),
    );
  }

  // ── spawning children ────────────────────────────────────────────────────────────────────

  protected childId(name: string): string {
    return `${this.self.id}/${name}`;
  }

  protected spawnWithId(props: Props, id: string): PID {
    const pid = props.spawn(this.system, id, this.self);
    this.ensureExtras().children.add(pid);
    return pid;
  }

  protected ensureExtras(): ContextExtras {
    return (this.extras ??= new ContextExtras());
  }
}
