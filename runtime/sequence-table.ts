const PAGE_BITS = 6;
const PAGE_SIZE = 1 << PAGE_BITS;
const PAGE_MASK = PAGE_SIZE - 1;

interface Page<T> {
  readonly slots: (T | undefined)[];
  live: number;
}

/**
 * A map from positive sequence numbers to values, for keys handed out in increasing order and
 * removed in any order: the registry's table of generated ids. Keys live in pages of 64 slots
 * indexed by a small map of pages, so a lookup is one small-map hit and one array load, and a
 * page is freed as soon as its last key is removed.
 *
 *   seq ─▶ page = seq >> 6 ─▶ pages.get(page).slots[seq & 63]
 *
 * Compared with one Map entry per key, this keeps a million actors' registrations in about 16,000
 * small arrays that the garbage collector scans cheaply, and adding or removing a key never
 * rehashes a million-entry table.
 */
export class SequenceTable<T> {
  private readonly pages = new Map<number, Page<T>>();
  private lastIndex = -1;
  private lastPage: Page<T> | undefined;
  private count = 0;

  /** Number of keys present. */
  get size(): number {
    return this.count;
  }

  get(seq: number): T | undefined {
    return this.page(seq >>> PAGE_BITS)?.slots[seq & PAGE_MASK];
  }

  set(seq: number, value: T): void {
    const index = seq >>> PAGE_BITS;
    let page = this.page(index);
    if (page === undefined) {
      page = { slots: new Array<T | undefined>(PAGE_SIZE).fill(undefined), live: 0 };
      this.pages.set(index, page);
      this.lastIndex = index;
      this.lastPage = page;
    }
    const slot = seq & PAGE_MASK;
    if (page.slots[slot] === undefined) {
      page.live++;
      this.count++;
    }
    page.slots[slot] = value;
  }

  delete(seq: number): boolean {
    const index = seq >>> PAGE_BITS;
    const page = this.page(index);
    const slot = seq & PAGE_MASK;
    if (page === undefined || page.slots[slot] === undefined) return false;
    page.slots[slot] = undefined;
    this.count--;
    if (--page.live === 0) {
      this.pages.delete(index);
      if (this.lastIndex === index) {
        this.lastIndex = -1;
        this.lastPage = undefined;
      }
    }
    return true;
  }

  /** Every value present, in no particular order, as a new array the caller may delete keys while walking. */
  values(): T[] {
    const out: T[] = [];
    for (const page of this.pages.values()) {
      for (const value of page.slots) if (value !== undefined) out.push(value);
    }
    return out;
  }

  private page(index: number): Page<T> | undefined {
    if (index === this.lastIndex) return this.lastPage;
    const page = this.pages.get(index);
    if (page !== undefined) {
      this.lastIndex = index;
      this.lastPage = page;
    }
    return page;
  }
}
