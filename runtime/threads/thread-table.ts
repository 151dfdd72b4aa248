/** Int32 cells per slot: the thread id running in the slot (-1 when none) and its load. */
const CELLS = 2;
const THREAD_ID = 0;
const LOAD = 1;

/**
 * The node's thread table in shared memory, readable by every thread without a message: which
 * thread id runs in each slot (a replaced thread gets a new id, so old PIDs never reach the new
 * thread) and each slot's published load, for least-loaded placement.
 */
export class ThreadTable {
  private readonly cells: Int32Array;
  readonly slots: number;

  constructor(readonly buffer: SharedArrayBuffer) {
    this.cells = new Int32Array(buffer);
    this.slots = this.cells.length / CELLS;
  }

  /** A table for `slots` slots, all empty. */
  static allocate(slots: number): SharedArrayBuffer {
    const buffer = new SharedArrayBuffer(slots * CELLS * Int32Array.BYTES_PER_ELEMENT);
    new Int32Array(buffer).fill(-1);
    return buffer;
  }

  /** The thread id running in `slot`, or -1 while the slot is empty (its thread died). */
  threadIdOf(slot: number): number {
    return Atomics.load(this.cells, slot * CELLS + THREAD_ID);
  }

  /** The slot running thread `threadId`, or -1 when no slot does. */
  slotOf(threadId: number): number {
    for (let slot = 0; slot < this.slots; slot++) {
      if (this.threadIdOf(slot) === threadId) return slot;
    }
    return -1;
  }

  setThreadId(slot: number, threadId: number): void {
    Atomics.store(this.cells, slot * CELLS + THREAD_ID, threadId);
  }

  /** The load `slot` last published (runnable mailboxes). */
  load(slot: number): number {
    return Atomics.load(this.cells, slot * CELLS + LOAD);
  }

  publishLoad(slot: number, load: number): void {
    Atomics.store(this.cells, slot * CELLS + LOAD, load);
  }
}
