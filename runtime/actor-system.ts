import { randomUUID } from 'node:crypto';
import { ActorCell } from './actor-cell.ts';
import { DeadLetterEvent, DeadLetterProcess } from './dead-letter-process.ts';
import { InvalidConfigError, SystemStoppedError } from './errors.ts';
import { EventStream } from './event-stream.ts';
import { FutureProcess } from './future-process.ts';
import { LogThrottle } from './log-throttle.ts';
import { createLogger, type Logger } from './logger.ts';
import { defaultKinds, type KindRegistry } from './kinds.ts';
import type { OffloadPool } from './offload/offload-pool.ts';
import { PiscinaOffloadPool } from './offload/piscina-offload-pool.ts';
import { PID, threadOfId } from './pid.ts';
import { ProcessRegistry } from './process-registry.ts';
import type { Props } from './props.ts';
import { RootContext } from './root-context.ts';
import { RUNTIME_DEFAULTS } from './runtime-config.ts';
import type { Scheduler } from './scheduler.ts';
import { EventLoopScheduler } from './schedulers/event-loop-scheduler.ts';
import { RootSupervisor } from './supervision/root-supervisor.ts';
import { OneForOneStrategy } from './supervision/one-for-one-strategy.ts';
import { SupervisionEvent } from './supervision/supervision-event.ts';
import type {
  Directive,
  Supervisor,
  SupervisorStrategy,
} from './supervision/supervisor-strategy.ts';
import type { Failure } from './system-messages.ts';
import type { ThreadRouter } from './thread-router.ts';
import { Timeouts } from './timeout-queue.ts';

/** Options of an ActorSystem; every field has a default in `RUNTIME_DEFAULTS`. */
export interface ActorSystemOptions {
  /** Node address stamped on PIDs (`host:port` once remoting binds, `local` otherwise). */
  readonly address?: string;
  /** Index of the thread this system runs on (0 is the main thread). */
  readonly thread?: number;
  readonly scheduler?: Scheduler;
  readonly throughput?: number;
  readonly requestTimeoutMs?: number;
  /** Strategy for actors spawned from the root context. */
  readonly guardianStrategy?: SupervisorStrategy;
  readonly logger?: Logger;
  readonly deadLetterLogLimit?: number;
  readonly deadLetterLogIntervalMs?: number;
  /** Where `context.offload` runs tasks (default: a piscina pool started on first use). */
  readonly offload?: OffloadPool;
  /** Actor kinds this system can spawn by name (default: this thread's `defaultKinds`). */
  readonly kinds?: KindRegistry;
}

/** The resolved configuration of a system. */
export interface ActorSystemConfig {
  readonly throughput: number;
  readonly requestTimeoutMs: number;
  readonly deadLetterLogLimit: number;
  readonly deadLetterLogIntervalMs: number;
}

/**
 * The composition root of the actor runtime on one thread: registry, scheduler, EventStream,
 * dead letters, supervision of top-level actors, and the root context.
 *
 * @example
 * const system = new ActorSystem();
 * const pid = system.root.spawn(Props.fromFunc((ctx) => console.log(ctx.message)));
 * system.root.send(pid, 'hello');
 * await system.shutdown();
 */
export class ActorSystem {
  /** Unique per system instance; a restarted node has a new id. */
  readonly id = randomUUID();
  readonly config: ActorSystemConfig;
  readonly scheduler: Scheduler;
  readonly logger: Logger;
  readonly eventStream: EventStream;
  readonly deadLetter: DeadLetterProcess;
  readonly registry: ProcessRegistry;
  readonly root: RootContext;
  readonly guardianStrategy: SupervisorStrategy;
  readonly kinds: KindRegistry;
  /** Set when this system is one thread of a node with worker threads. */
  threadRouter: ThreadRouter | undefined = undefined;
  private readonly timeouts: Timeouts;
  private offloadPool: OffloadPool | undefined;
  private readonly topLevel = new Map<string, PID>();
  private stopping = false;
  private stopped: Promise<void> | undefined;

  constructor(options: ActorSystemOptions = {}) {
    this.config = resolveConfig(options);
    this.scheduler = options.scheduler ?? new EventLoopScheduler();
    this.logger = options.logger ?? createLogger();
    this.eventStream = new EventStream((error, event) =>
      this.logger.error({ err: error, event: describeEvent(event) }, 'event stream handler failed'),
    );
    this.deadLetter = new DeadLetterProcess(this.eventStream, () => this.registry);
    this.registry = new ProcessRegistry(
      options.address ?? RUNTIME_DEFAULTS.address,
      options.thread ?? 0,
      () => this.deadLetter,
    );
    this.timeouts = new Timeouts(this.scheduler);
    this.guardianStrategy = options.guardianStrategy ?? new OneForOneStrategy();
    this.kinds = options.kinds ?? defaultKinds;
    this.offloadPool = options.offload;
    this.root = new RootContext(this);
    this.logDeadLetters();
  }

  /** The pool `context.offload` runs on; a piscina pool is created on first use. */
  get offload(): OffloadPool {
    return (this.offloadPool ??= new PiscinaOffloadPool());
  }

  /** The node address of this system's PIDs. */
  get address(): string {
    return this.registry.address;
  }

  /** True once `shutdown` has begun. */
  get isStopping(): boolean {
    return this.stopping;
  }

  /** Top-level actors (spawned from the root context) that are still alive. */
  get topLevelActors(): readonly PID[] {
    return [...this.topLevel.values()];
  }

  /**
   * Stops every top-level actor (children first, as always) and waits until all have terminated.
   * New spawns are refused from the moment it is called.
   */
  shutdown(): Promise<void> {
    if (this.stopped === undefined) {
      this.stopping = true;
      this.stopped = this.stopTopLevel();
    }
    return this.stopped;
  }

  private async stopTopLevel(): Promise<void> {
    await Promise.all(this.topLevelActors.map((pid) => this.root.stopAsync(pid)));
    await this.offloadPool?.close();
    this.logger.debug({ system: this.id }, 'actor system stopped');
  }

  /** Creates a local actor under `id`; the default spawner behind every spawn middleware chain. */
  spawnActor(id: string, props: Props, parent: PID | undefined): PID {
    if (this.stopping) throw new SystemStoppedError(`spawn '${id}'`);
    const registry = this.registry;
    const router = this.threadRouter;
    if (router !== undefined && threadOfId(id) !== registry.thread) {
      return router.spawnElsewhere(id, props, parent);
    }
    registry.ensureFree(id);
    const pid = new PID(registry.address, id);
    const mailbox = props.createMailbox(this);
    // The producer runs in the constructor: if it throws, nothing has been registered yet.
    const cell = new ActorCell(this, props, parent, pid, mailbox);
    registry.register(pid, cell);
    if (parent === undefined) this.topLevel.set(id, pid);
    mailbox.start(cell);
    mailbox.requestStart();
    return pid;
  }

  /** Creates a pending future with its own PID (the sender of a `request`). */
  createFuture(timeoutMs: number, what: string, target: PID): FutureProcess {
    return new FutureProcess(this.registry, this.timeouts, timeoutMs, what, target);
  }

  /**
   * Fails at once every pending request (and `stopAsync`/`poisonAsync` wait) whose target
   * matches: a peer that will never answer (a crashed thread, an unreachable node) should not
   * leave callers waiting for their timeouts. Returns how many were failed.
   */
  failPendingRequests(matches: (target: PID) => boolean, error: () => Error): number {
    let failed = 0;
    for (const process of this.registry.localProcesses()) {
      if (process instanceof FutureProcess && !process.dead && matches(process.target)) {
        process.fail(error());
        failed++;
      }
    }
    return failed;
  }

  /** Removes a stopped actor from the registry so that later sends become dead letters. */
  unregister(pid: PID, topLevel: boolean): void {
    this.registry.remove(pid);
    pid.process = undefined; // PIDs outlive actors: don't pin the mailbox, context and actor
    if (topLevel) this.topLevel.delete(pid.id);
  }

  /** A top-level actor failed: the guardian strategy decides. */
  handleRootFailure(failure: Failure): void {
    // Decided on a later turn, as a parent's mailbox would, so the failing turn completes first.
    this.scheduler.schedule({
      run: () =>
        this.applyStrategy(this.guardianStrategy, new RootSupervisor(this, failure.who), failure),
    });
  }

  /** Lets `strategy` decide a failure, then logs and publishes the directive it applied. */
  applyStrategy(strategy: SupervisorStrategy, supervisor: Supervisor, failure: Failure): void {
    const { who, stats, reason, message } = failure;
    let directive: Directive;
    try {
      directive = strategy.handleFailure(supervisor, who, stats, reason, message);
    } catch (error) {
      // A decider is user code; if it throws, stop the child rather than leave it suspended.
      this.logger.error({ actor: who.toString(), err: error }, 'supervisor strategy threw');
      supervisor.stopChildren([who]);
      directive = 'stop';
    }
    this.logger.warn({ actor: who.toString(), err: reason, directive }, 'actor failed');
    this.eventStream.publish(new SupervisionEvent(who, reason, directive, message));
  }

  private logDeadLetters(): void {
    const { deadLetterLogLimit, deadLetterLogIntervalMs } = this.config;
    const throttle = new LogThrottle(
      this.scheduler,
      deadLetterLogLimit,
      deadLetterLogIntervalMs,
      (n) =>
        this.logger.info(
          { suppressed: n },
          `${n} more dead letters in the last ${deadLetterLogIntervalMs} ms`,
        ),
    );
    this.eventStream.subscribe(DeadLetterEvent, (event) => {
      if (!this.logger.isLevelEnabled('info') || this.eventStream.isForeign(event)) return;
      if (!throttle.allow()) return;
      this.logger.info(
        {
          target: event.pid?.toString(),
          sender: event.sender?.toString(),
          type: describeEvent(event.message),
          reason: event.reason,
        },
        'dead letter',
      );
    });
  }
}

function resolveConfig(options: ActorSystemOptions): ActorSystemConfig {
  const config = {
    throughput: options.throughput ?? RUNTIME_DEFAULTS.throughput,
    requestTimeoutMs: options.requestTimeoutMs ?? RUNTIME_DEFAULTS.requestTimeoutMs,
    deadLetterLogLimit: options.deadLetterLogLimit ?? RUNTIME_DEFAULTS.deadLetterLogLimit,
    deadLetterLogIntervalMs:
      options.deadLetterLogIntervalMs ?? RUNTIME_DEFAULTS.deadLetterLogIntervalMs,
  };
  for (const [key, value] of Object.entries(config)) {
    if (!Number.isFinite(value) || value < 0) {
      throw new InvalidConfigError(`${key} must be a non-negative number, got ${value}`);
    }
  }
  if (!Number.isInteger(config.throughput) || config.throughput < 1) {
    throw new InvalidConfigError(`throughput must be a positive integer, got ${config.throughput}`);
  }
  return Object.freeze(config);
}

function describeEvent(event: unknown): string {
  if (typeof event === 'object' && event !== null) return event.constructor.name;
  return typeof event;
}
