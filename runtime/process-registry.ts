import { NameExistsError } from './errors.ts';
import { LOCAL_ADDRESS, PID, THREAD_PREFIX } from './pid.ts';
import type { Process } from './process.ts';
import { SequenceTable } from './sequence-table.ts';

/** Generated sequence numbers stay below 2^32, the range of `SequenceTable`'s page arithmetic. */
const MAX_SEQUENCE = 0xffff_ffff;

/** Resolves PIDs this registry does not own (other threads, other nodes). */
export type ProcessResolver = (pid: PID) => Process | undefined;

/**
 * Maps actor ids to processes for one ActorSystem (one thread of one node). PIDs of other
 * addresses or threads are handed to resolvers that later layers register (thread rings, remoting).
 *
 * Generated ids (`$<base36 sequence>`, after the thread prefix) are kept by their sequence number:
 * a small-integer key hashes and compares without touching string memory, which matters with a
 * million actors. Ids with a user-chosen name are kept by the id itself.
 */
export class ProcessRegistry {
  private readonly generated = new SequenceTable<Process>();
  private readonly named = new Map<string, Process>();
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

  /** A fresh generated id for an actor or future of this thread, such as `@2/$1a`. */
  generatedId(): string {
    return this.idPrefix + this.nextId();
  }

  /** Registers a process under `id`; a live holder of the same id is a typed error. */
  add(id: string, process: Process): PID {
    this.ensureFree(id);
    const pid = new PID(this.address, id);
    this.register(pid, process);
    return pid;
  }

  /** Throws `NameExistsError` when a live process holds `id`. */
  ensureFree(id: string): void {
    const existing = this.getLocal(id);
    if (existing !== undefined && !existing.dead) throw new NameExistsError(id);
  }

  /** Registers `process` under `pid` (checked with `ensureFree` first) and caches it on the PID. */
  register(pid: PID, process: Process): void {
    const id = pid.id;
    const seq = this.sequenceOf(id);
    if (seq > 0) this.generated.set(seq, process);
    else this.named.set(id, process);
    this.cache(pid, process);
  }

  /** Caches `process` on `pid` for this registry (see `PID.cachedBy`). */
  cache(pid: PID, process: Process | undefined): void {
    pid.process = process;
    pid.cachedBy = this;
  }

  /** Forgets `pid`'s process so later sends reach dead letters. */
  remove(pid: PID): void {
    const id = pid.id;
    const seq = this.sequenceOf(id);
    if (seq > 0) this.generated.delete(seq);
    else this.named.delete(id);
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
    if (cached !== undefined && pid.cachedBy === this && !cached.dead) return cached;
    const resolved = this.resolve(pid);
    // Dead letters are not cached: a named actor may be spawned under this id later. A dead
    // process is dropped too, so that a PID held anywhere does not keep its actor reachable.
    this.cache(pid, resolved === this.deadLetter() ? undefined : resolved);
    return resolved;
  }

  /** Looks up a local id, or undefined. */
  getLocal(id: string): Process | undefined {
    const seq = this.sequenceOf(id);
    return seq > 0 ? this.generated.get(seq) : this.named.get(id);
  }

  /** A snapshot of every registered local process (actors and pending futures). */
  localProcesses(): Process[] {
    return [...this.generated.values(), ...this.named.values()];
  }

  /** Number of registered local processes (actors and pending futures). */
  get size(): number {
    return this.generated.size + this.named.size;
  }

  /**
   * True when `pid` belongs to this registry: same thread, and this node's address or `local`
   * (a PID made before remoting gave the node its address still names this node).
   */
  isLocal(pid: PID): boolean {
    return this.isOwnAddress(pid.address) && pid.thread === this.thread;
  }

  /** True for this node's address and for `local`. */
  isOwnAddress(address: string): boolean {
    return address === this.address || address === LOCAL_ADDRESS;
  }

  private resolve(pid: PID): Process {
    if (this.isLocal(pid)) return this.getLocal(pid.id) ?? this.deadLetter();
    for (const resolver of this.resolvers) {
      const process = resolver(pid);
      if (process !== undefined) return process;
    }
    return this.deadLetter();
  }

  /**
   * The sequence number of a generated id of this thread, or 0 when `id` is not one. Only the
   * canonical form counts (`$1a`, never `$01a`), so two spellings never share a key.
   */
  private sequenceOf(id: string): number {
    const start = this.idPrefix.length;
    if (id.charCodeAt(start) !== 36 /* $ */ || id.length === start + 1) return 0;
    if (start > 0 && !id.startsWith(this.idPrefix)) return 0;
    if (id.charCodeAt(start + 1) === 48 /* 0 */) return 0;
    let seq = 0;
    for (let i = start + 1; i < id.length; i++) {
      const c = id.charCodeAt(i);
      const digit = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 122 ? c - 87 : -1;
      if (digit < 0) return 0;
      seq = seq * 36 + digit;
      if (seq > MAX_SEQUENCE) return 0;
    }
    return seq;
  }
}
