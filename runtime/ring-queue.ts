/**
 * A growable FIFO on a circular array: O(1) push, shift and pushFront, no `Array.shift`.
 *
 *   head                     tail
 *    v                        v
 *   [ . . a b c d e f . . . . ]   length = 6, capacity a power of two
 *
 * Until a second item is queued there is no array at all: one item waits in a field. Most
 * mailboxes hold at most one message at a time, and a million idle actors then cost no arrays.
 */
export class RingQueue<T> {
  private items: (T | undefined)[] = EMPTY as (T | undefined)[];
  private head = 0;
  /** Capacity - 1 of `items`; -1 while there is no array and `single` holds the only item. */
  private mask = -1;
  private single: T | undefined = undefined;
  /** Number of queued items. */
  length = 0;

  /** Appends an item at the back. */
  push(item: T): void {
    if (this.length > this.mask && this.makeRoom(item)) return;
    this.items[(this.head + this.length) & this.mask] = item;
    this.length++;
  }

  /** Inserts an item at the front, so it is the next one shifted. */
  pushFront(item: T): void {
    if (this.length > this.mask && this.makeRoom(item)) return;
    this.head = (this.head - 1) & this.mask;
    this.items[this.head] = item;
    this.length++;
  }

  /** Removes and returns the front item; check `length` first, since `T` may include undefined. */
  shift(): T {
    if (this.mask === -1) {
      const only = this.single as T;
      this.single = undefined;
      this.length = 0;
      return only;
    }
    const item = this.items[this.head] as T;
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.length--;
    return item;
  }

  /** Returns the front item without removing it. */
  peek(): T | undefined {
    if (this.length === 0) return undefined;
    return this.mask === -1 ? this.single : this.items[this.head];
  }

  /** Drops every item and returns them in order. */
  drain(): T[] {
    const out: T[] = [];
    while (this.length > 0) out.push(this.shift());
    return out;
  }

  /** Called when full: an empty queue keeps `item` in its field (true); otherwise it grows. */
  private makeRoom(item: T): boolean {
    if (this.length === 0) {
      this.single = item;
      this.length = 1;
      return true;
    }
    this.grow();
    return false;
  }

  private grow(): void {
    const capacity = this.mask + 1;
    const next: (T | undefined)[] = new Array<T | undefined>(capacity === 0 ? 4 : capacity * 2);
    if (capacity === 0) {
      next[0] = this.single; // length is 1 here: the item held in the field
      this.single = undefined;
    } else {
      for (let i = 0; i < this.length; i++) next[i] = this.items[(this.head + i) & this.mask];
    }
    this.items = next;
    this.head = 0;
    this.mask = next.length - 1;
  }
}

const EMPTY: unknown[] = [];
