/** The owner is running (or about to re-check its sources): ringing costs one load. */
const AWAKE = 0;
/** The owner announced it will wait: the next ring wakes it. */
const SLEEPING = 1;

/** `Atomics.waitAsync`, typed here because the project's ES2023 lib does not declare it. */
type WaitAsync = (
  cells: Int32Array,
  index: number,
  value: number,
) => { async: false; value: 'not-equal' | 'timed-out' } | { async: true; value: Promise<unknown> };

const waitAsync = (Atomics as unknown as { readonly waitAsync: WaitAsync }).waitAsync;

const RESOLVED: Promise<void> = Promise.resolve();

/**
 * A wake-up cell in a SharedArrayBuffer that lets one thread sleep without blocking its event
 * loop, and any thread wake it.
 *
 *   owner:   prepareSleep() ─▶ re-check sources ─┬─▶ cancelSleep()   (found work)
 *                                                └─▶ await wait()     (Atomics.waitAsync)
 *   ringer:  ring(): SLEEPING ──CAS──▶ AWAKE, then Atomics.notify
 *
 * The owner stores SLEEPING before its re-check, so a producer that published work after the
 * re-check finds SLEEPING and notifies: no wake-up is lost. Only the ringer whose compare-exchange
 * wins notifies, so however many producers ring, a sleep costs one notify; while the owner is
 * awake a ring is a single atomic load. `Atomics.wait` is never used: it would block the loop.
 *
 * @example
 * const bell = new Doorbell(new Int32Array(Doorbell.allocate()));
 * bell.prepareSleep();
 * if (hasWork()) bell.cancelSleep();
 * else await bell.wait(); // another thread calls bell.ring()
 */
export class Doorbell {
  private readonly cells: Int32Array;
  private readonly index: number;

  /** Wraps cell `index` of `cells`, which must view a SharedArrayBuffer. */
  constructor(cells: Int32Array, index = 0) {
    this.cells = cells;
    this.index = index;
  }

  /** Allocates a buffer for one doorbell, alone on its 64-byte cache line. */
  static allocate(): SharedArrayBuffer {
    return new SharedArrayBuffer(64);
  }

  /** Any thread: wakes the owner if it sleeps; returns whether this call notified it. */
  ring(): boolean {
    const cells = this.cells;
    const index = this.index;
    if (Atomics.load(cells, index) !== SLEEPING) return false;
    if (Atomics.compareExchange(cells, index, SLEEPING, AWAKE) !== SLEEPING) return false;
    Atomics.notify(cells, index);
    return true;
  }

  /** Owner: announces a sleep; re-check every source afterwards, then `cancelSleep` or `wait`. */
  prepareSleep(): void {
    Atomics.store(this.cells, this.index, SLEEPING);
  }

  /** Owner: stays awake after all, because the re-check found work. */
  cancelSleep(): void {
    Atomics.store(this.cells, this.index, AWAKE);
  }

  /** Whether the owner has announced a sleep that no ring has ended yet. */
  get sleeping(): boolean {
    return Atomics.load(this.cells, this.index) === SLEEPING;
  }

  /**
   * Owner: resolves when the bell rings after `prepareSleep`, at once if it already has. The
   * pending wait does not keep the thread alive by itself; the owner holds a handle if it must.
   */
  wait(): Promise<void> {
    const result = waitAsync(this.cells, this.index, SLEEPING);
    if (!result.async) return RESOLVED;
    return result.value.then(this.awake);
  }

  /** Leaves the cell AWAKE after a wake-up, whoever woke us. */
  private readonly awake = (): void => {
    Atomics.store(this.cells, this.index, AWAKE);
  };
}
