/**
 * A growable FIFO on a circular array: O(1) push, shift and pushFront, no `Array.shift`.
 *
 *   head                     tail
 *    v                        v
 *   [ . . a b c d e f . . . . ]   length = 6, capacity a power of two
 *
 * The backing array is allocated on first push, so an idle actor's queues cost two small objects.
 */
export class RingQueue<T> {
  private items: (T | undefined)[] = EMPTY as (T | undefined)[];
  private head = 0;
  private mask = -1;
  /** Number of queued items. */
  length = 0;

  /** Appends an item at the back. */
  push(item: T): void {
    if (this.length > this.mask) this.grow();
    this.items[(this.head + this.length) & this.mask] = item;
    this.length++;
  }

  /** Inserts an item at the front, so it is the next one shifted. */
  pushFront(item: T): void {
    if (this.length > this.mask) this.grow();
    this.head = (this.head - 1) & this.mask;
    this.items[this.head] = item;
    this.length++;
  }

  /** Removes and returns the front item; check `length` first, since `T` may include undefined. */
  shift(): T {
    const item = this.items[this.head] as T;
    this.items[this.head] = undefined;
    this.head = (this.head + 1) & this.mask;
    this.length--;
    return item;
  }

  /** Returns the front item without removing it. */
  peek(): T | undefined {
    return this.length === 0 ? undefined : this.items[this.head];
  }

  /** Drops every item and returns them in order. */
  drain(): T[] {
    const out: T[] = [];
    while (this.length > 0) out.push(this.shift());
    return out;
  }

  private grow(): void {
    const capacity = this.mask + 1;
    const next: (T | undefined)[] = new Array<T | undefined>(capacity === 0 ? 4 : capacity * 2);
    for (let i = 0; i < this.length; i++) next[i] = this.items[(this.head + i) & this.mask];
    this.items = next;
    this.head = 0;
    this.mask = next.length - 1;
  }
}

const EMPTY: unknown[] = [];
