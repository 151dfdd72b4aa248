import type { ActorSystem } from './actor-system.ts';
import type { Actor, Producer, Receive } from './actor.ts';
import { InvalidConfigError } from './errors.ts';
import { Mailbox, type MailboxOptions, type MailboxSettings } from './mailbox.ts';
import {
  composeMiddleware,
  deliverEnvelope,
  type ReceiveMiddleware,
  type Sender,
  type SenderMiddleware,
  type SpawnMiddleware,
  type Spawner,
} from './middleware.ts';
import type { Placement } from './placement.ts';
import type { Scheduler } from './scheduler.ts';
import type { SupervisorStrategy } from './supervision/supervisor-strategy.ts';

interface PropsSettings {
  readonly producer: Producer;
  readonly mailbox: MailboxOptions;
  readonly throughput: number | undefined;
  readonly scheduler: Scheduler | undefined;
  readonly supervisor: SupervisorStrategy | undefined;
  readonly receiveMiddleware: readonly ReceiveMiddleware[];
  readonly senderMiddleware: readonly SenderMiddleware[];
  readonly spawnMiddleware: readonly SpawnMiddleware[];
  readonly kind: string | undefined;
  readonly placement: Placement | undefined;
}

/**
 * An immutable recipe for an actor: how to produce it, its mailbox, who schedules it, how it
 * supervises its children, and its middleware. Every `with*` returns a new Props.
 *
 * @example
 * const props = Props.fromProducer(() => new Counter()).withMailbox({ capacity: 1000 });
 * const pid = system.root.spawn(props);
 */
export class Props {
  /** Receive chain with middleware, composed once; undefined when there is no middleware. */
  readonly receiveChain: Receive | undefined;
  /** Sender chain with middleware, composed once; undefined when there is no middleware. */
  readonly senderChain: Sender | undefined;
  private readonly spawner: Spawner | undefined;
  /** Mailbox settings for the last system these props spawned in, shared by its mailboxes. */
  private mailboxSettings: MailboxSettings | undefined;
  private mailboxSystem: ActorSystem | undefined;

  private constructor(private readonly settings: PropsSettings) {
    const { receiveMiddleware, senderMiddleware, spawnMiddleware } = settings;
    this.receiveChain =
      receiveMiddleware.length === 0
        ? undefined
        : composeMiddleware(receiveMiddleware, invokeBehaviour);
    this.senderChain =
      senderMiddleware.length === 0
        ? undefined
        : composeMiddleware(senderMiddleware, deliverEnvelope);
    this.spawner =
      spawnMiddleware.length === 0 ? undefined : composeMiddleware(spawnMiddleware, defaultSpawn);
  }

  /** Props for a class actor: `producer` is called at spawn and on every restart. */
  static fromProducer(producer: Producer): Props {
    return new Props({
      producer,
      mailbox: {},
      throughput: undefined,
      scheduler: undefined,
      supervisor: undefined,
      receiveMiddleware: [],
      senderMiddleware: [],
      spawnMiddleware: [],
      kind: undefined,
      placement: undefined,
    });
  }

  /** Props for an actor written as a plain function. */
  static fromFunc(receive: Receive): Props {
    const actor: Actor = { receive };
    return Props.fromProducer(() => actor);
  }

  /** Creates a fresh actor instance (at spawn and on every restart). */
  get producer(): Producer {
    return this.settings.producer;
  }

  /** How this actor supervises its children; the system's guardian strategy when unset. */
  get supervisor(): SupervisorStrategy | undefined {
    return this.settings.supervisor;
  }

  /** Capacity, overflow policy and statistics of the mailbox. */
  get mailboxOptions(): MailboxOptions {
    return this.settings.mailbox;
  }

  /** The kind these props were defined as (`defineKind`), which other threads rebuild them from. */
  get kind(): string | undefined {
    return this.settings.kind;
  }

  /** Which thread of a node a spawn places the actor on; the spawning thread when unset. */
  get placement(): Placement | undefined {
    return this.settings.placement;
  }

  /** Tags these props with a kind name; `defineKind` does this and registers them. */
  withKind(kind: string): Props {
    return this.with({ kind });
  }

  /**
   * Places actors spawned from these props on a thread of the node (see `Placement`). Props placed
   * on another thread must come from `defineKind` in a module every thread loads.
   */
  withPlacement(placement: Placement): Props {
    return this.with({ placement });
  }

  /** Bounded capacity, overflow policy and statistics observers of the mailbox. */
  withMailbox(mailbox: MailboxOptions): Props {
    const capacity = mailbox.capacity;
    if (capacity !== undefined && (!Number.isInteger(capacity) || capacity < 1)) {
      throw new InvalidConfigError(`mailbox capacity must be a positive integer, got ${capacity}`);
    }
    return this.with({ mailbox: { ...this.settings.mailbox, ...mailbox } });
  }

  /** User messages processed per turn before the mailbox yields (default 300). */
  withThroughput(throughput: number): Props {
    if (!Number.isInteger(throughput) || throughput < 1) {
      throw new InvalidConfigError(`throughput must be a positive integer, got ${throughput}`);
    }
    return this.with({ throughput });
  }

  /** Runs this actor's mailbox on `scheduler` instead of the system's. */
  withScheduler(scheduler: Scheduler): Props {
    return this.with({ scheduler });
  }

  /** How this actor supervises its children (default: one-for-one restart, 10 within 10 s). */
  withSupervisor(supervisor: SupervisorStrategy): Props {
    return this.with({ supervisor });
  }

  /** Adds receive middleware; the first listed runs first (outermost). */
  withReceiveMiddleware(...middleware: ReceiveMiddleware[]): Props {
    return this.with({ receiveMiddleware: [...this.settings.receiveMiddleware, ...middleware] });
  }

  /** Adds sender middleware for this actor's outbound messages; the first listed runs first. */
  withSenderMiddleware(...middleware: SenderMiddleware[]): Props {
    return this.with({ senderMiddleware: [...this.settings.senderMiddleware, ...middleware] });
  }

  /** Adds spawn middleware, which wraps spawning an actor from these props. */
  withSpawnMiddleware(...middleware: SpawnMiddleware[]): Props {
    return this.with({ spawnMiddleware: [...this.settings.spawnMiddleware, ...middleware] });
  }

  /** Creates this actor's mailbox, with the system's defaults filling the gaps. */
  createMailbox(system: ActorSystem): Mailbox {
    if (this.mailboxSystem !== system) {
      const { mailbox, throughput, scheduler } = this.settings;
      this.mailboxSettings = {
        scheduler: scheduler ?? system.scheduler,
        throughput: throughput ?? system.config.throughput,
        capacity: mailbox.capacity ?? Number.POSITIVE_INFINITY,
        statistics: mailbox.statistics,
      };
      this.mailboxSystem = system;
    }
    return new Mailbox(this.mailboxSettings!); // set above whenever the system changed
  }

  /** Spawns through the spawn middleware, or directly when there is none. */
  spawn(system: ActorSystem, id: string, parent: Parameters<Spawner>[3]): ReturnType<Spawner> {
    return (this.spawner ?? defaultSpawn)(system, id, this, parent);
  }

  private with(changes: Partial<PropsSettings>): Props {
    return new Props({ ...this.settings, ...changes });
  }
}

/** The innermost receive: the context's current behaviour (see `ActorCell.receiveDirect`). */
const invokeBehaviour: Receive = (context) =>
  (context as unknown as { receiveDirect(): void | Promise<void> }).receiveDirect();

const defaultSpawn: Spawner = (system, id, props, parent) => system.spawnActor(id, props, parent);
