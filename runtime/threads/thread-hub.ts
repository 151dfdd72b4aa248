import fnv from 'fnv-plus';
import type { ActorSystem } from '../actor-system.ts';
import { PlacementError, SpindleError, ThreadCrashedError } from '../errors.ts';
import { Terminated } from '../messages.ts';
import { deliverFromPeer } from '../peer-delivery.ts';
import { PeerWatches } from '../peer-watches.ts';
import { PID, threadOfId } from '../pid.ts';
import type { Placement } from '../placement.ts';
import type { Process } from '../process.ts';
import type { Props } from '../props.ts';
import { defaultCodecs, type CodecRegistry } from '../serialization/codec-registry.ts';
import type { ThreadRouter } from '../thread-router.ts';
import type { Subscription } from '../event-stream.ts';
import { Doorbell } from './ring/doorbell.ts';
import { RingPump } from './ring/ring-pump.ts';
import { RingReader } from './ring/ring-reader.ts';
import { RingWriter } from './ring/ring-writer.ts';
import { SpscRing } from './ring/spsc-ring.ts';
import {
  FRAME_ENVELOPE,
  FRAME_EVENT,
  FRAME_FORWARD,
  FRAME_SPAWN,
  FRAME_STOP,
  FRAME_SYSTEM,
  FRAME_USER,
  FRAME_VALUE,
  FrameEncoder,
  FrameReader,
} from './thread-frames.ts';
import { ThreadCrashed } from './thread-events.ts';
import { ThreadProcess } from './thread-process.ts';
import { ThreadTable } from './thread-table.ts';

/** How often a thread publishes its load for least-loaded placement. */
const LOAD_EVERY_MS = 10;

/** The shared memory one thread of a node starts with. */
export interface ThreadHubInit {
  readonly slot: number;
  readonly threadId: number;
  readonly table: SharedArrayBuffer;
  readonly bells: SharedArrayBuffer;
  /** The rings this thread reads (`to` is its slot) and writes (`from` is its slot). */
  readonly rings: readonly RingLink[];
  readonly spinMicros: number;
  readonly codecs?: CodecRegistry;
}

/** One ring between two slots. */
export interface RingLink {
  readonly from: number;
  readonly to: number;
  readonly buffer: SharedArrayBuffer;
}

/** A frame whose target was not known yet when it arrived (its spawn may be on another ring). */
interface Deferred {
  readonly kind: number;
  readonly id: string;
  readonly message: unknown;
}

/** Counters of one thread, for `ActorNode.stats()`. */
export interface ThreadStats {
  readonly slot: number;
  readonly threadId: number;
  readonly processes: number;
  readonly runnable: number;
  readonly framesIn: number;
  readonly queuedFrames: number;
  readonly sleeps: number;
  readonly wakeups: number;
}

/**
 * Joins one thread's ActorSystem to the node's other threads: it resolves their PIDs to ring
 * writers, turns inbound frames into deliveries, places and spawns actors on other threads,
 * bridges the EventStream, and keeps cross-thread watches so that a dead thread's watchers learn
 * of it. Main and worker threads run the same hub.
 */
export class ThreadHub implements ThreadRouter {
  readonly slot: number;
  readonly threadId: number;
  readonly table: ThreadTable;
  private readonly codecs: CodecRegistry;
  private readonly bells: Int32Array;
  private readonly pump: RingPump;
  private readonly encoder: FrameEncoder;
  private readonly frames: FrameReader;
  private readonly watches = new PeerWatches<number>();
  private readonly processes = new Map<number, ThreadProcess>();
  private readonly bySlot: (ThreadProcess | undefined)[] = [];
  private readonly inbound: (SpscRing | undefined)[] = [];
  private readonly readers: (RingReader | undefined)[] = [];
  private readonly writers: (RingWriter | undefined)[] = [];
  private deferred: Deferred[] = [];
  private readonly deferredIds = new Set<string>();
  private retryArmed = false;
  private roundRobin: number;
  private readonly unresolve: () => void;
  private readonly bridge: Subscription;
  private readonly unbridgeable = new Set<unknown>();
  private readonly loadTimer: NodeJS.Timeout;
  private decodeErrors = 0;
  /** Where the last user message went (see `deliverUser`). */
  private lastProcess: Process | undefined = undefined;
  private lastPid = new PID('', '');
  /** On a worker, PIDs of other nodes go to the main thread, where remoting runs. */
  private readonly forwarder: Process | undefined;

  constructor(
    readonly system: ActorSystem,
    init: ThreadHubInit,
  ) {
    this.slot = init.slot;
    this.threadId = init.threadId;
    this.table = new ThreadTable(init.table);
    this.codecs = init.codecs ?? defaultCodecs;
    this.codecs.registerJson(ThreadCrashed, 'spindle.ThreadCrashed');
    this.bells = new Int32Array(init.bells);
    this.roundRobin = init.slot;
    const address = (): string => system.address;
    this.encoder = new FrameEncoder(this.codecs, address);
    this.frames = new FrameReader(this.codecs, address);
    this.pump = new RingPump({
      bell: this.bell(init.slot),
      onFrame: (source, frame) => this.onFrame(source, frame),
      spinMicros: init.spinMicros,
    });
    for (const link of init.rings) {
      if (link.to === init.slot) this.attachInbound(link.from, link.buffer);
    }
    for (const link of init.rings) {
      if (link.from === init.slot) {
        this.attachOutbound(link.to, this.table.threadIdOf(link.to), link.buffer);
      }
    }
    this.unresolve = system.registry.addResolver((pid) =>
      system.registry.isOwnAddress(pid.address) ? this.processes.get(pid.thread) : this.forwarder,
    );
    this.forwarder = init.slot === 0 ? undefined : this.forwardingProcess();
    this.bridge = system.eventStream.subscribeAll((event) => this.forwardEvent(event));
    this.loadTimer = setInterval(() => this.publishLoad(), LOAD_EVERY_MS).unref();
    system.threadRouter = this;
    this.pump.start();
  }

  // ── placement and spawning on other threads ────────────────────────────────────────────────

  place(placement: Placement, name: string | undefined): number {
    const table = this.table;
    switch (placement.kind) {
      case 'thread': {
        if (placement.slot >= table.slots) {
          throw new PlacementError(
            `thread slot ${placement.slot} does not exist (the node has slots 0..${table.slots - 1})`,
          );
        }
        const threadId = table.threadIdOf(placement.slot);
        if (threadId < 0) {
          throw new PlacementError(`thread slot ${placement.slot} is being replaced`);
        }
        return threadId;
      }
      case 'least-loaded':
        return this.leastLoaded();
      case 'hash':
        if (name !== undefined) {
          const workers = table.slots - 1;
          return this.liveWorker(1 + (fnv.fast1a32(name) % workers));
        }
        return this.nextWorker();
      case 'round-robin':
        return this.nextWorker();
    }
  }

  spawnElsewhere(id: string, props: Props, parent: PID | undefined): PID {
    const kind = props.kind;
    if (kind === undefined) {
      throw new PlacementError(
        'props placed on another thread need a kind: create them with defineKind(name, props) in a module every thread loads (the node option `modules`)',
      );
    }
    const threadId = threadOfId(id);
    const process = this.processes.get(threadId);
    if (process === undefined) throw new PlacementError(`thread ${threadId} is not running`);
    process.sendFrame(this.encoder.spawn(id, kind, parent));
    const pid = new PID(this.system.address, id);
    // The parent is told of its child's end like any watcher, so a dead thread tells it too.
    if (parent !== undefined) this.watches.add(threadId, pid, parent);
    this.system.registry.cache(pid, process);
    return pid;
  }

  private nextWorker(): number {
    const workers = this.table.slots - 1;
    return this.liveWorker(1 + (this.roundRobin++ % workers));
  }

  /** The thread in `slot`, or the next worker slot with a live thread. */
  private liveWorker(slot: number): number {
    const table = this.table;
    const workers = table.slots - 1;
    for (let i = 0; i < workers; i++) {
      const candidate = 1 + ((slot - 1 + i) % workers);
      const threadId = table.threadIdOf(candidate);
      if (threadId >= 0) return threadId;
    }
    throw new PlacementError('no worker thread is running');
  }

  private leastLoaded(): number {
    const table = this.table;
    let best = -1;
    let bestLoad = Number.POSITIVE_INFINITY;
    for (let slot = 1; slot < table.slots; slot++) {
      const threadId = table.threadIdOf(slot);
      if (threadId < 0) continue;
      const load = table.load(slot);
      if (load < bestLoad) {
        bestLoad = load;
        best = threadId;
      }
    }
    if (best < 0) throw new PlacementError('no worker thread is running');
    return best;
  }

  private publishLoad(): void {
    let backlog = 0;
    for (const ring of this.inbound) if (ring !== undefined) backlog += ring.backlog;
    // Frames in flight are counted in 64-byte units, about one small message each.
    this.table.publishLoad(this.slot, this.system.scheduler.pending + (backlog >>> 6));
  }

  // ── inbound frames ─────────────────────────────────────────────────────────────────────────

  private onFrame(_source: number, frame: Uint8Array): void {
    const frames = this.frames;
    try {
      let kind = frames.begin(frame);
      if (kind === FRAME_VALUE) {
        const id = frames.targetId();
        this.deliverUser(id, frames.value());
        return;
      }
      let address: string | undefined;
      if (kind === FRAME_FORWARD) {
        address = frames.string();
        kind = frames.kind();
      }
      switch (kind) {
        case FRAME_VALUE: {
          const id = frames.targetId();
          this.route(address, FRAME_USER, id, frames.value());
          break;
        }
        case FRAME_USER:
        case FRAME_SYSTEM: {
          const id = frames.targetId();
          this.route(address, kind, id, frames.message());
          break;
        }
        case FRAME_ENVELOPE: {
          const id = frames.targetId();
          this.route(address, kind, id, frames.envelope());
          break;
        }
        case FRAME_STOP:
          this.route(address, kind, frames.targetId(), undefined);
          break;
        case FRAME_SPAWN: {
          const id = frames.string();
          const kindName = frames.string();
          this.spawnHere(id, kindName, frames.optionalPid());
          break;
        }
        case FRAME_EVENT:
          this.system.eventStream.publishForeign(frames.message() as object);
          break;
        default:
          throw new SpindleError('ERR_DECODE', `unknown frame kind ${kind}`);
      }
    } catch (error) {
      // Threads of one node run the same code, so this is a bug or a codec missing on one
      // thread: report it and keep the ring going.
      this.decodeErrors++;
      this.system.logger.error({ err: error, thread: this.threadId }, 'bad frame from thread');
    }
  }

  /** Delivers here, or, for a message a worker forwarded to another node, to that node. */
  private route(address: string | undefined, kind: number, id: string, message: unknown): void {
    if (address === undefined) {
      this.deliver(kind, id, message);
      return;
    }
    const pid = new PID(address, id);
    this.deliverTo(this.system.registry.get(pid), kind, id, message, pid);
  }

  /**
   * The common case of `deliver`: a bare user message for an actor of this thread. The actor the
   * last frame went to, and a PID for it, are kept, so a stream of messages to one actor costs no
   * registry lookup and no PID each (a process is only used while it is not dead, as PIDs cache
   * theirs).
   */
  private deliverUser(id: string, message: unknown): void {
    if (this.deferredIds.size > 0 && this.deferredIds.has(id)) {
      this.defer(FRAME_USER, id, message); // keep the order behind what waits already
      return;
    }
    let process = this.lastProcess;
    let pid = this.lastPid;
    if (
      id !== pid.id ||
      process === undefined ||
      process.dead ||
      pid.address !== this.system.address
    ) {
      process = this.system.registry.getLocal(id);
      if (process === undefined || process.dead) {
        this.lastProcess = undefined;
        // Its spawn may still sit in another thread's ring: look again after draining them all.
        this.defer(FRAME_USER, id, message);
        return;
      }
      pid = new PID(this.system.address, id);
      this.lastProcess = process;
      this.lastPid = pid;
    }
    deliverFromPeer(this.system, process, pid, message);
  }

  private deliver(kind: number, id: string, message: unknown): void {
    if (this.deferredIds.size > 0 && this.deferredIds.has(id)) {
      this.defer(kind, id, message); // keep the order behind what waits already
      return;
    }
    const process = this.system.registry.getLocal(id);
    if (process === undefined || process.dead) {
      // Its spawn may still sit in another thread's ring: look again after draining them all.
      this.defer(kind, id, message);
      return;
    }
    this.deliverTo(process, kind, id, message);
  }

  private deliverTo(
    process: {
      sendUser(p: PID, m: unknown): void;
      sendSystem(p: PID, m: unknown): void;
      sendStop(p: PID): void;
    },
    kind: number,
    id: string,
    message: unknown,
    pid = new PID(this.system.address, id),
  ): void {
    if (kind === FRAME_SYSTEM) {
      if (message instanceof Terminated) this.forgetWatch(message, pid);
      process.sendSystem(pid, message);
    } else if (kind === FRAME_STOP) {
      process.sendStop(pid);
    } else {
      deliverFromPeer(this.system, process, pid, message);
    }
  }

  /** A watched actor of another thread ended: it need not be remembered for that thread's death. */
  private forgetWatch(terminated: Terminated, watcher: PID): void {
    const who = terminated.who;
    if (who.thread !== this.threadId) this.watches.remove(who.thread, who, watcher);
  }

  private defer(kind: number, id: string, message: unknown): void {
    this.deferred.push({ kind, id, message });
    this.deferredIds.add(id);
    if (!this.retryArmed) {
      this.retryArmed = true;
      setImmediate(this.retryDeferred);
    }
  }

  /** Drains every ring once more, then delivers what waited, or makes it a dead letter. */
  private readonly retryDeferred = (): void => {
    this.retryArmed = false;
    // Drain every ring to the bottom (a spawn may sit deep in one); frames for waiting ids keep
    // queueing behind them meanwhile.
    for (let rounds = 0; rounds < 64 && this.pump.pollNow() > 0; rounds++);
    const batch = this.deferred;
    this.deferred = [];
    this.deferredIds.clear();
    const registry = this.system.registry;
    for (const { kind, id, message } of batch) {
      const process = registry.getLocal(id);
      this.deliverTo(
        process === undefined || process.dead ? this.deadLetterSink : process,
        kind,
        id,
        message,
      );
    }
  };

  private readonly deadLetterSink = {
    sendUser: (pid: PID, message: unknown): void => this.system.deadLetter.sendUser(pid, message),
    sendSystem: (pid: PID, message: unknown): void =>
      this.system.deadLetter.sendSystem(pid, message),
    sendStop: (): void => {},
  };

  private spawnHere(id: string, kind: string, parent: PID | undefined): void {
    const system = this.system;
    try {
      system.spawnActor(id, system.kinds.get(kind), parent);
    } catch (error) {
      system.logger.error({ err: error, actor: id, kind }, 'spawn from another thread failed');
      // The parent counts the child among its own: tell it the child never came to be.
      if (parent !== undefined) {
        const child = new PID(system.address, id);
        system.registry.get(parent).sendSystem(parent, new Terminated(child, 'NotFound'));
      }
    }
  }

  /** Sends messages for other nodes to the main thread's ring, with their full address. */
  private forwardingProcess(): Process {
    const main = (): ThreadProcess | undefined => this.bySlot[0];
    const encoder = this.encoder;
    return {
      dead: false,
      sendUser: (pid, message) => main()?.sendFrame(encoder.user(pid.id, message, pid.address)),
      sendSystem: (pid, message) => main()?.sendFrame(encoder.system(pid.id, message, pid.address)),
      sendStop: (pid) => main()?.sendFrame(encoder.stop(pid.id, pid.address)),
    };
  }

  // ── the EventStream bridge ─────────────────────────────────────────────────────────────────

  private forwardEvent(event: unknown): void {
    if (this.processes.size === 0 || this.system.eventStream.isForeign(event)) return;
    let frame: Uint8Array;
    try {
      frame = this.encoder.event(event);
    } catch (error) {
      // An event type with no codec stays on its thread; say so once per type.
      const type = typeof event === 'object' && event !== null ? event.constructor : typeof event;
      if (!this.unbridgeable.has(type)) {
        this.unbridgeable.add(type);
        this.system.logger.warn({ err: error }, 'event not bridged to other threads');
      }
      return;
    }
    for (const process of this.processes.values()) process.sendFrame(frame);
  }

  // ── thread membership ──────────────────────────────────────────────────────────────────────

  /** Starts reading and writing the rings of a (new) thread in `slot`. */
  attachSlot(
    slot: number,
    threadId: number,
    inbound: SharedArrayBuffer,
    outbound: SharedArrayBuffer,
  ): void {
    this.attachInbound(slot, inbound);
    this.attachOutbound(slot, threadId, outbound);
  }

  /**
   * The thread in `slot` died: frames it sent before dying are still delivered, frames queued for
   * it are dropped, its PIDs become dead letters, and local watchers of its actors receive
   * `Terminated` with `ThreadTerminated`. Returns the number of dropped frames.
   */
  detachSlot(slot: number, threadId: number): number {
    const reader = this.readers[slot];
    if (reader !== undefined) {
      reader.read(this.pumpFrame, Number.MAX_SAFE_INTEGER);
      this.pump.removeReader(slot);
      this.readers[slot] = undefined;
      this.inbound[slot] = undefined;
    }
    let dropped = 0;
    const writer = this.writers[slot];
    if (writer !== undefined) {
      dropped = writer.drop().length;
      this.pump.removeWriter(slot);
      this.writers[slot] = undefined;
    }
    const process = this.bySlot[slot];
    if (process !== undefined) {
      process.dead = true;
      this.processes.delete(process.threadId);
      this.bySlot[slot] = undefined;
    }
    const system = this.system;
    this.watches.peerDied(threadId, 'ThreadTerminated', system.registry);
    // Whatever still waits on an actor of that thread would only time out: fail it now.
    system.failPendingRequests(
      (target) => target.address === system.address && target.thread === threadId,
      () => new ThreadCrashedError(slot, `thread ${threadId} died before answering`),
    );
    return dropped;
  }

  private readonly pumpFrame = (frame: Uint8Array): void => this.onFrame(-1, frame);

  private attachInbound(slot: number, buffer: SharedArrayBuffer): void {
    const ring = new SpscRing(buffer);
    const reader = new RingReader(ring, this.bell(slot));
    this.inbound[slot] = ring;
    this.readers[slot] = reader;
    this.pump.addReader(slot, reader);
  }

  private attachOutbound(slot: number, threadId: number, buffer: SharedArrayBuffer): void {
    const writer = new RingWriter(new SpscRing(buffer), this.bell(slot));
    this.writers[slot] = writer;
    this.pump.addWriter(slot, writer);
    const process = new ThreadProcess(threadId, writer, this.encoder, this.watches);
    this.processes.set(threadId, process);
    this.bySlot[slot] = process;
  }

  private bell(slot: number): Doorbell {
    return new Doorbell(this.bells, slot);
  }

  // ── state ──────────────────────────────────────────────────────────────────────────────────

  /** True when nothing waits here: no runnable mailbox, no unread frame, no queued frame. */
  quiescent(): boolean {
    if (this.system.scheduler.pending > 0 || this.deferred.length > 0) return false;
    for (const ring of this.inbound) if (ring !== undefined && !ring.isEmpty()) return false;
    for (const writer of this.writers)
      if (writer !== undefined && writer.queuedFrames > 0) return false;
    return true;
  }

  stats(): ThreadStats {
    let queuedFrames = 0;
    for (const writer of this.writers)
      if (writer !== undefined) queuedFrames += writer.queuedFrames;
    return {
      slot: this.slot,
      threadId: this.threadId,
      processes: this.system.registry.size,
      runnable: this.system.scheduler.pending,
      framesIn: this.pump.framesIn,
      queuedFrames,
      sleeps: this.pump.sleeps,
      wakeups: this.pump.wakeups,
    };
  }

  /** Frames that could not be decoded so far. */
  get badFrames(): number {
    return this.decodeErrors;
  }

  /** Stops the pump and detaches from the system; the rings stay as they are. */
  async stop(): Promise<void> {
    clearInterval(this.loadTimer);
    this.bridge.unsubscribe();
    this.unresolve();
    if (this.system.threadRouter === this) this.system.threadRouter = undefined;
    await this.pump.stop();
  }
}
