import { NameExistsError } from './errors.ts';
import { PID, THREAD_PREFIX } from './pid.ts';
import type { Process } from './process.ts';

/** Resolves PIDs this registry does not own (other threads, other nodes). */
export type ProcessResolver = (pid: PID) => Process | undefined;

/**
 * Maps actor ids to processes for one ActorSystem (one thread of one node). PIDs of other
 * addresses or threads are handed to resolvers that later layers register (thread rings, remoting).
 */
export class ProcessRegistry {
  private readonly local = new Map<string, Process>();
  private readonly resolvers: ProcessResolver[] = [];
  private sequence = 0;
  /** Id prefix of this registry's thread: '' on the main thread, '@k/' on worker thread k. */
  readonly idPrefix: string;

  constructor(
    /** The node address stamped on every PID this registry creates. */
    public address: string,
    /** Thread index of the owning ActorSystem. */
    readonly thread: number,
    private readonly deadLetter: () => Process,
  ) {
    this.idPrefix = thread === 0 ? '' : `${THREAD_PREFIX}${thread}/`;
  }

  /** A fresh, never reused id segment such as `$1a`. */
  nextId(): string {
    return '$' + (++this.sequence).toString(36);
  }

  /** Registers a process under `id`; a live holder of the same id is a typed error. */
  add(id: string, process: Process): PID {
    const existing = this.local.get(id);
    if (existing !== undefined && !existing.dead) throw new NameExistsError(id);
    this.local.set(id, process);
    const pid = new PID(this.address, id);
    pid.process = process;
    return pid;
  }

  /** Forgets `pid`'s process so later sends reach dead letters. */
  remove(pid: PID): void {
    this.local.delete(pid.id);
  }

  /** Adds a resolver for PIDs outside this registry; the first one that answers wins. */
  addResolver(resolver: ProcessResolver): () => void {
    this.resolvers.push(resolver);
    return () => {
      const i = this.resolvers.indexOf(resolver);
      if (i >= 0) this.resolvers.splice(i, 1);
    };
  }

  /** Resolves a PID to its process, caching the result on the PID. Never returns undefined. */
  get(pid: PID): Process {
    const cached = pid.process;
    if (cached !== undefined && !cached.dead) return cached;
    const resolved = this.resolve(pid);
    // Dead letters are not cached: a named actor may be spawned under this id later. A dead
    // process is dropped too, so that a PID held anywhere does not keep its actor reachable.
    pid.process = resolved === this.deadLetter() ? undefined : resolved;
    return resolved;
  }

  /** Looks up a local id, or undefined. */
  getLocal(id: string): Process | undefined {
    return this.local.get(id);
  }

  /** Number of registered local processes (actors and pending futures). */
  get size(): number {
    return this.local.size;
  }

  /** True when `pid` belongs to this registry (same address and thread). */
  isLocal(pid: PID): boolean {
    return pid.address === this.address && pid.thread === this.thread;
  }

  private resolve(pid: PID): Process {
    if (this.isLocal(pid)) return this.local.get(pid.id) ?? this.deadLetter();
    for (const resolver of this.resolvers) {
      const process = resolver(pid);
      if (process !== undefined) return process;
    }
    return this.deadLetter();
  }
}
