import { expose, wrap, type Remote } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { MessageChannel, type Worker } from 'node:worker_threads';
import { ActorSystem, type ActorSystemOptions } from '../actor-system.ts';
import { InvalidConfigError, ThreadCrashedError, TimeoutError } from '../errors.ts';
import {
  PiscinaOffloadPool,
  type PiscinaOffloadPoolOptions,
} from '../offload/piscina-offload-pool.ts';
import { PID } from '../pid.ts';
import type { RootContext } from '../root-context.ts';
import { SpscRing } from './ring/spsc-ring.ts';
import { ThreadCrashed } from './thread-events.ts';
import { ThreadHub, type RingLink, type ThreadStats } from './thread-hub.ts';
import { ThreadTable } from './thread-table.ts';
import { THREADS_DEFAULTS } from './threads-config.ts';
import {
  fromPlainErrors,
  type NodeServices,
  type WorkerControl,
  type WorkerInit,
} from './worker-control.ts';
import { launchWorker } from './worker-launcher.ts';

/** Options of a node: its main-thread system, its worker threads and its offload pool. */
export interface ActorNodeOptions extends Omit<ActorSystemOptions, 'thread' | 'offload'> {
  /** Worker threads beside the main thread (default: one per core beyond the first, at least 1). */
  readonly threads?: number;
  /** Modules every worker imports before it starts: where kinds and codecs are registered. */
  readonly modules?: readonly (URL | string)[];
  readonly ringBytes?: number;
  readonly spinMicros?: number;
  readonly drainTimeoutMs?: number;
  readonly startTimeoutMs?: number;
  /** The node's one offload pool (piscina), shared by all its threads. */
  readonly offload?: PiscinaOffloadPoolOptions;
}

/** A worker thread as the main thread manages it. */
interface WorkerHandle {
  readonly slot: number;
  readonly threadId: number;
  readonly worker: Worker;
  readonly control: Remote<WorkerControl>;
  readonly exited: Promise<number>;
  /** The last error the thread reported, for the crash event. */
  error: unknown;
  /** Set once the node itself asked this thread to go. */
  retiring: boolean;
}

/**
 * One node: the main-thread ActorSystem plus N worker threads, each an ActorSystem shard, joined
 * by SharedArrayBuffer rings into one PID space. Actors go to threads through `Props` placement;
 * a worker that crashes is detected, its actors' watchers are told, and it is replaced.
 *
 * @example
 * const node = await ActorNode.start({ threads: 2, modules: [new URL('./kinds.ts', import.meta.url)] });
 * const pid = node.root.spawn(Counter.withPlacement(Placement.roundRobin()));
 * await node.shutdown();
 */
export class ActorNode {
  private readonly workers: (WorkerHandle | undefined)[] = [];
  private readonly rings: SharedArrayBuffer[][] = [];
  private readonly bells: SharedArrayBuffer;
  private readonly table: ThreadTable;
  private readonly hub: ThreadHub;
  private readonly modules: URL[];
  private readonly offloadPool: PiscinaOffloadPool;
  private nextThreadId: number;
  private replacing: Promise<void> = Promise.resolve();
  private stopped: Promise<void> | undefined;

  private constructor(
    readonly system: ActorSystem,
    private readonly options: ResolvedOptions,
    offloadPool: PiscinaOffloadPool,
  ) {
    const slots = options.threads + 1;
    this.offloadPool = offloadPool;
    this.modules = options.modules;
    this.table = new ThreadTable(ThreadTable.allocate(slots));
    this.bells = new SharedArrayBuffer(slots * Int32Array.BYTES_PER_ELEMENT);
    for (let from = 0; from < slots; from++) {
      this.rings.push([]);
      for (let to = 0; to < slots; to++) {
        this.rings[from]!.push(from === to ? EMPTY : SpscRing.allocate(options.ringBytes));
      }
      this.table.setThreadId(from, from); // thread ids start equal to slots
    }
    this.nextThreadId = slots;
    this.hub = new ThreadHub(system, this.hubInit(0, 0));
  }

  /** Starts the main-thread system and every worker; resolves once all are ready. */
  static async start(options: ActorNodeOptions = {}): Promise<ActorNode> {
    const resolved = resolveOptions(options);
    const offload = new PiscinaOffloadPool(options.offload ?? {});
    const system = new ActorSystem({ ...options, thread: 0, offload });
    const node = new ActorNode(system, resolved, offload);
    try {
      await Promise.all(
        Array.from({ length: resolved.threads }, (_, i) => node.startWorker(i + 1, i + 1)),
      );
    } catch (error) {
      await node.shutdown();
      throw error;
    }
    return node;
  }

  /** The main thread's root context. */
  get root(): RootContext {
    return this.system.root;
  }

  /** Number of worker threads. */
  get threads(): number {
    return this.options.threads;
  }

  /** The id of the thread running in `slot` now (a replaced thread has a new id). */
  threadIdOf(slot: number): number {
    return this.table.threadIdOf(slot);
  }

  /**
   * Spawns `kind` on the thread in `slot` through the control plane and resolves once the actor
   * exists; errors (unknown kind, name taken) come back typed. `spawn` with a placement is the
   * fast path: it returns the PID at once.
   */
  async spawnOnThread(slot: number, kind: string, name?: string): Promise<PID> {
    if (slot === 0) {
      const props = this.system.kinds.get(kind);
      return name === undefined ? this.root.spawn(props) : this.root.spawnNamed(props, name);
    }
    const worker = this.workers[slot];
    if (worker === undefined) throw new InvalidConfigError(`no worker thread in slot ${slot}`);
    const { address, id } = await fromPlainErrors(worker.control.spawn(kind, name));
    return new PID(address, id);
  }

  /**
   * Sets the node address stamped on every thread's PIDs: remoting calls it once it has bound its
   * port, before any PID leaves the node. PIDs made before keep the old address.
   */
  async setAddress(address: string): Promise<void> {
    this.system.registry.address = address;
    await Promise.all(
      this.liveWorkers().map((w) => fromPlainErrors(w.control.setAddress(address))),
    );
  }

  /** Counters of every thread, main first. */
  async stats(): Promise<ThreadStats[]> {
    const remote = await Promise.all(
      this.liveWorkers().map((w) => ask(w, (c) => c.stats(), undefined)),
    );
    return [this.hub.stats(), ...remote.filter((s): s is ThreadStats => s !== undefined)];
  }

  /**
   * Stops the node gracefully: waits (up to `drainTimeoutMs`) until no message is in flight or
   * queued on any thread, stops the actors of every thread (rings still running, so stops and
   * Terminated cross threads), then stops the rings and the worker threads.
   */
  shutdown(): Promise<void> {
    return (this.stopped ??= this.stopAll());
  }

  private async stopAll(): Promise<void> {
    await this.replacing;
    const workers = this.liveWorkers();
    for (const worker of workers) worker.retiring = true;
    await this.drain(workers);
    await Promise.all([
      this.system.shutdown(),
      ...workers.map((w) => ask(w, (c) => c.shutdownSystem(), undefined)),
    ]);
    await this.drain(workers);
    await Promise.all(workers.map((w) => ask(w, (c) => c.close(), undefined)));
    await this.hub.stop();
    await Promise.all(workers.map((w) => w.worker.terminate()));
    await this.offloadPool.close();
    this.system.logger.debug({ threads: workers.length }, 'node stopped');
  }

  /** Waits until every thread is quiescent twice in a row, or the drain timeout passes. */
  private async drain(workers: readonly WorkerHandle[]): Promise<void> {
    const deadline = performance.now() + this.options.drainTimeoutMs;
    let calm = 0;
    while (calm < 2) {
      if (performance.now() > deadline) {
        this.system.logger.warn('node drain timed out; stopping with messages in flight');
        return;
      }
      const states = await Promise.all(workers.map((w) => ask(w, (c) => c.quiescent(), true)));
      calm = this.hub.quiescent() && states.every(Boolean) ? calm + 1 : 0;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private liveWorkers(): WorkerHandle[] {
    return this.workers.filter((w): w is WorkerHandle => w !== undefined);
  }

  // ── workers ────────────────────────────────────────────────────────────────────────────────

  private hubInit(slot: number, threadId: number) {
    const rings: RingLink[] = [];
    const slots = this.options.threads + 1;
    for (let other = 0; other < slots; other++) {
      if (other === slot) continue;
      rings.push({ from: slot, to: other, buffer: this.rings[slot]![other]! });
      rings.push({ from: other, to: slot, buffer: this.rings[other]![slot]! });
    }
    return {
      slot,
      threadId,
      table: this.table.buffer,
      bells: this.bells,
      rings,
      spinMicros: this.options.spinMicros,
    };
  }

  private async startWorker(slot: number, threadId: number): Promise<void> {
    const { port1, port2 } = new MessageChannel();
    const services: NodeServices = {
      offload: (task, input) => this.offloadPool.run(task, input),
    };
    expose(services, nodeEndpoint(port1));
    const init: WorkerInit = {
      ...this.hubInit(slot, threadId),
      address: this.system.address, // a replacement thread starts with the current address
      throughput: this.options.throughput,
      requestTimeoutMs: this.options.requestTimeoutMs,
      services: port2,
    };
    const worker = launchWorker(workerEntry(), {
      workerData: init,
      transferList: [port2],
      preload: this.modules,
      name: `spindle-thread-${slot}`,
    });
    const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
    const handle: WorkerHandle = {
      slot,
      threadId,
      worker,
      control: wrap<WorkerControl>(nodeEndpoint(worker)),
      exited,
      error: undefined,
      retiring: false,
    };
    worker.on('error', (error) => {
      handle.error = error;
    });
    this.workers[slot] = handle;
    const failedStart = exited.then((code) => {
      throw new ThreadCrashedError(slot, describeFailure(handle.error, code));
    });
    try {
      await withDeadline(
        Promise.race([fromPlainErrors(handle.control.ready()), failedStart]),
        this.options.startTimeoutMs,
        `worker thread ${slot} did not start`,
      );
    } catch (error) {
      // Not left half-alive: a thread that did not start is stopped and forgotten.
      handle.retiring = true;
      if (this.workers[slot] === handle) this.workers[slot] = undefined;
      await worker.terminate();
      throw error;
    }
    void exited.then((code) => {
      port1.close();
      if (!handle.retiring && this.workers[slot] === handle) this.onCrash(handle, code);
    });
  }

  /** A worker died on its own: tell everyone, reset its rings, start a replacement. */
  private onCrash(handle: WorkerHandle, code: number): void {
    this.replacing = this.replacing.then(() => this.replace(handle, code));
  }

  private async replace(dead: WorkerHandle, code: number): Promise<void> {
    const { slot, threadId } = dead;
    const reason = describeFailure(dead.error, code);
    this.system.logger.error({ slot, thread: threadId, reason }, 'worker thread crashed');
    this.table.setThreadId(slot, -1);
    this.workers[slot] = undefined;
    const others = this.liveWorkers();
    this.hub.detachSlot(slot, threadId);
    await Promise.all(others.map((w) => ask(w, (c) => c.detachSlot(slot, threadId), 0)));
    if (this.stopped !== undefined) {
      this.system.eventStream.publish(new ThreadCrashed(slot, threadId, reason, -1));
      return;
    }
    // Fresh rings: whatever the dead thread left half-written goes with the old ones.
    const slots = this.options.threads + 1;
    for (let other = 0; other < slots; other++) {
      if (other === slot) continue;
      this.rings[slot]![other] = SpscRing.allocate(this.options.ringBytes);
      this.rings[other]![slot] = SpscRing.allocate(this.options.ringBytes);
    }
    Atomics.store(new Int32Array(this.bells), slot, 0);
    const replacementId = this.nextThreadId++;
    this.table.setThreadId(slot, replacementId);
    this.hub.attachSlot(slot, replacementId, this.rings[slot]![0]!, this.rings[0]![slot]!);
    await Promise.all(
      others.map((w) =>
        ask(
          w,
          (c) =>
            c.attachSlot(
              slot,
              replacementId,
              this.rings[slot]![w.slot]!,
              this.rings[w.slot]![slot]!,
            ),
          undefined,
        ),
      ),
    );
    try {
      await this.startWorker(slot, replacementId);
    } catch (error) {
      // The slot stays empty: nothing may be placed on, or sent into, a thread that never ran.
      this.system.logger.error({ slot, err: error }, 'replacement worker thread failed to start');
      this.table.setThreadId(slot, -1);
      this.hub.detachSlot(slot, replacementId);
      await Promise.all(others.map((w) => ask(w, (c) => c.detachSlot(slot, replacementId), 0)));
      this.system.eventStream.publish(new ThreadCrashed(slot, threadId, reason, -1));
      return;
    }
    this.system.eventStream.publish(new ThreadCrashed(slot, threadId, reason, replacementId));
  }
}

const EMPTY = new SharedArrayBuffer(0);

/**
 * Calls a worker's control plane; if the thread exits first (a call to a dead thread never
 * settles) or the call fails, the answer is `fallback`: shutdown and crash handling go on.
 */
async function ask<T>(
  worker: WorkerHandle,
  call: (control: Remote<WorkerControl>) => Promise<T>,
  fallback: T,
): Promise<T> {
  try {
    return await Promise.race([
      fromPlainErrors(call(worker.control)),
      worker.exited.then(() => fallback),
    ]);
  } catch {
    return fallback;
  }
}

interface ResolvedOptions {
  readonly threads: number;
  readonly modules: URL[];
  readonly ringBytes: number;
  readonly spinMicros: number;
  readonly drainTimeoutMs: number;
  readonly startTimeoutMs: number;
  readonly throughput: number | undefined;
  readonly requestTimeoutMs: number | undefined;
}

function resolveOptions(options: ActorNodeOptions): ResolvedOptions {
  const threads = options.threads ?? THREADS_DEFAULTS.threads;
  if (!Number.isInteger(threads) || threads < 1 || threads > 254) {
    throw new InvalidConfigError(`threads must be an integer from 1 to 254, got ${threads}`);
  }
  const resolved = {
    threads,
    modules: (options.modules ?? []).map((m) => (typeof m === 'string' ? toUrl(m) : m)),
    ringBytes: options.ringBytes ?? THREADS_DEFAULTS.ringBytes,
    spinMicros: options.spinMicros ?? THREADS_DEFAULTS.spinMicros,
    drainTimeoutMs: options.drainTimeoutMs ?? THREADS_DEFAULTS.drainTimeoutMs,
    startTimeoutMs: options.startTimeoutMs ?? THREADS_DEFAULTS.startTimeoutMs,
    throughput: options.throughput,
    requestTimeoutMs: options.requestTimeoutMs,
  };
  for (const key of ['spinMicros', 'drainTimeoutMs', 'startTimeoutMs'] as const) {
    const value = resolved[key];
    if (!Number.isFinite(value) || value < 0) {
      throw new InvalidConfigError(`${key} must be a non-negative number, got ${value}`);
    }
  }
  SpscRing.allocate(resolved.ringBytes); // validates the ring size before any thread starts
  return resolved;
}

function toUrl(module: string): URL {
  return module.startsWith('file:') ? new URL(module) : new URL(`file://${module}`);
}

/** The worker entry beside this file, in the same form (TypeScript source or built JavaScript). */
function workerEntry(): URL {
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./worker-main${ext}`, import.meta.url);
}

function describeFailure(error: unknown, code: number): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return `exited with code ${code}`;
}

async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`${what} within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
