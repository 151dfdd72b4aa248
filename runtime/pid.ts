import type { Process } from './process.ts';

/** The address of a node that has no remoting: its PIDs are only meaningful inside the process. */
export const LOCAL_ADDRESS = 'local';

/** Ids of actors owned by worker thread `k > 0` start with this prefix followed by `k/`. */
export const THREAD_PREFIX = '@';

/**
 * A process id: `address` names the node (`host:port`, or `local`), `id` is unique within the
 * node and names the owning thread (ids of thread `k > 0` start with `@k/`). It caches its resolved
 * `Process`, so a hot send to a live local actor is one property read and one enqueue.
 */
export class PID {
  /** Cached resolution; cleared by the registry when the process it points at is dead. */
  process: Process | undefined = undefined;
  /**
   * The registry that cached `process`. Two systems in one process (tests, a node and a client)
   * can hold the same PID object; each must resolve it through its own registry.
   */
  cachedBy: object | undefined = undefined;

  constructor(
    readonly address: string,
    readonly id: string,
  ) {}

  /** The index of the thread that owns this PID's actor (0 is the node's main thread). */
  get thread(): number {
    return threadOfId(this.id);
  }

  /** True when both PIDs name the same actor. */
  equals(other: PID | undefined): boolean {
    return other !== undefined && other.id === this.id && other.address === this.address;
  }

  /** `address/id`, the PID's canonical text form. */
  toString(): string {
    return `${this.address}/${this.id}`;
  }

  /** A plain-object form for logs and serialization. */
  toJSON(): { address: string; id: string } {
    return { address: this.address, id: this.id };
  }
}

/** Reads the owning thread out of an actor id (see `PID`); anything but `@<digits>/` is thread 0. */
export function threadOfId(id: string): number {
  if (id.charCodeAt(0) !== 64 /* @ */) return 0;
  let thread = 0;
  for (let i = 1; i < id.length; i++) {
    const c = id.charCodeAt(i);
    if (c === 47 /* / */) return i > 1 ? thread : 0;
    if (c < 48 || c > 57) return 0;
    thread = thread * 10 + (c - 48);
  }
  return 0;
}
