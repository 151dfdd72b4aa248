import type { OffloadRunOptions } from './offload/offload-pool.ts';
import type { ActorSystem } from './actor-system.ts';
import type { RequestOptions, SendOptions, SpawnerContext } from './context.ts';
import { InvalidConfigError, InvalidNameError } from './errors.ts';
import { EMPTY_HEADERS, MessageEnvelope, type Headers } from './message-envelope.ts';
import { PoisonPill } from './messages.ts';
import type { Sender } from './middleware.ts';
import { THREAD_PREFIX, type PID } from './pid.ts';
import type { Props } from './props.ts';
import { Watch } from './system-messages.ts';

/**
 * Sending, requesting, spawning and stopping, shared by the root context and actor contexts.
 * A send with no options and no sender middleware goes straight to the target's process.
 */
export abstract class SpawnerContextBase implements SpawnerContext {
  abstract readonly system: ActorSystem;
  abstract readonly self: PID | undefined;
  abstract readonly headers: Headers;
  protected abstract readonly senderChain: Sender | undefined;

  /** The id of a child named `name`: a path under an actor, the bare name at the root. */
  protected abstract childId(name: string): string;

  /** Creates the actor under `id` as this context's child (a top-level actor for the root). */
  protected abstract spawnWithId(props: Props, id: string): PID;

  /**
   * Generated ids are flat (`$1k2`), not paths: unique in the registry by construction, short to
   * hash, and cheap to create by the million. The parent is known from the context, not the id.
   */
  spawn(props: Props): PID {
    const registry = this.system.registry;
    const thread = props.placement === undefined ? undefined : this.placedThread(props, undefined);
    if (thread === undefined) return this.spawnWithId(props, registry.generatedId());
    // Unique on the target thread without asking it: the spawner's thread and its own sequence.
    // The '.' keeps it apart from the target's own generated ids.
    const id = `${THREAD_PREFIX}${thread}/$${registry.thread}.${registry.nextId().slice(1)}`;
    return this.spawnWithId(props, id);
  }

  spawnNamed(props: Props, name: string): PID {
    validateName(name);
    return this.spawnWithId(props, this.placedChildId(props, name));
  }

  spawnPrefix(props: Props, prefix: string): PID {
    validateName(prefix);
    return this.spawnWithId(
      props,
      this.placedChildId(props, prefix + this.system.registry.nextId()),
    );
  }

  send(target: PID, message: unknown, options?: SendOptions): void {
    if (options === undefined && this.senderChain === undefined) {
      this.system.registry.get(target).sendUser(target, message);
      return;
    }
    const envelope = new MessageEnvelope(
      message,
      options?.sender,
      options?.headers ?? EMPTY_HEADERS,
    );
    this.sendEnvelope(target, envelope);
  }

  request<T = unknown>(
    target: PID,
    message: unknown,
    options?: number | RequestOptions,
  ): Promise<T> {
    // A numeric timeout allocates no options object: this runs once per request.
    const opts = typeof options === 'number' ? undefined : options;
    const timeoutMs =
      (typeof options === 'number' ? options : opts?.timeoutMs) ??
      this.system.config.requestTimeoutMs;
    if (!(timeoutMs >= 0)) {
      const reason = `request timeout must be a non-negative number of ms (0 = none), got ${timeoutMs}`;
      return Promise.reject(new InvalidConfigError(reason));
    }
    const future = this.system.createFuture(timeoutMs, 'request to', target);
    try {
      this.sendEnvelope(
        target,
        new MessageEnvelope(message, future.pid, opts?.headers ?? EMPTY_HEADERS),
      );
    } catch (error) {
      // The request never left (e.g. MailboxFullError): reject, as every other failure does.
      future.fail(error);
    }
    return future.promise as Promise<T>;
  }

  stop(pid: PID): void {
    this.system.registry.get(pid).sendStop(pid);
  }

  poison(pid: PID): void {
    this.system.registry.get(pid).sendUser(pid, PoisonPill);
  }

  stopAsync(pid: PID): Promise<void> {
    const done = this.awaitTermination(pid);
    this.stop(pid);
    return done;
  }

  poisonAsync(pid: PID): Promise<void> {
    const done = this.awaitTermination(pid);
    this.poison(pid);
    return done;
  }

  /**
   * The id of a named child, on the thread its props' placement picks. A top-level name is the
   * same from every thread (`@2/registry`), so duplicates collide as they should; a child keeps
   * its parent's full id, which is unique across threads.
   */
  private placedChildId(props: Props, name: string): string {
    const id = this.childId(name);
    if (props.placement === undefined) return id;
    const thread = this.placedThread(props, name);
    if (thread === undefined) return id;
    return `${THREAD_PREFIX}${thread}/${this.self === undefined ? name : id}`;
  }

  /** The thread a placed spawn goes to, or undefined for this thread (or no worker threads). */
  private placedThread(props: Props, name: string | undefined): number | undefined {
    const router = this.system.threadRouter;
    if (router === undefined || props.placement === undefined) return undefined;
    const thread = router.place(props.placement, name);
    return thread === this.system.registry.thread ? undefined : thread;
  }

  offload<T = unknown>(
    task: URL | string,
    input: unknown,
    options?: OffloadRunOptions,
  ): Promise<T> {
    return this.system.offload.run<T>(task, input, options);
  }

  protected sendEnvelope(target: PID, envelope: MessageEnvelope): void {
    const chain = this.senderChain;
    if (chain !== undefined) chain(this, target, envelope);
    else this.system.registry.get(target).sendUser(target, envelope);
  }

  private awaitTermination(pid: PID): Promise<void> {
    const future = this.system.createFuture(0, 'termination of', pid);
    this.system.registry.get(pid).sendSystem(pid, new Watch(future.pid));
    return future.promise.then(() => undefined);
  }
}

/** Rejects names that could collide with generated ids, thread prefixes or child paths. */
function validateName(name: string): void {
  if (name.length === 0) throw new InvalidNameError(name, 'it is empty');
  if (name.includes('/')) throw new InvalidNameError(name, "'/' separates parent and child names");
  if (name.includes('$')) throw new InvalidNameError(name, "'$' is reserved for generated ids");
  if (name.charCodeAt(0) === 64 /* @ */) {
    throw new InvalidNameError(name, "names starting with '@' are reserved for thread ids");
  }
}
