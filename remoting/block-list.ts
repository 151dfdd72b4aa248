/**
 * System ids this node refuses: a blocked peer is turned away at the handshake, and connections
 * it already has are closed. Inspectable, so operators and the cluster layer can see who is out.
 */
export class BlockList {
  private readonly ids = new Set<string>();
  private readonly listeners = new Set<(id: string) => void>();

  constructor(initial: Iterable<string> = []) {
    for (const id of initial) this.ids.add(id);
  }

  /** Blocks `ids`; connections of newly blocked ids are closed at once. */
  block(...ids: string[]): void {
    for (const id of ids) {
      if (this.ids.has(id)) continue;
      this.ids.add(id);
      for (const listener of this.listeners) listener(id);
    }
  }

  has(id: string): boolean {
    return this.ids.has(id);
  }

  /** Every blocked id, sorted. */
  list(): string[] {
    return [...this.ids].sort();
  }

  get size(): number {
    return this.ids.size;
  }

  /** Calls `listener` with each id blocked from now on; returns the way to stop. */
  onBlocked(listener: (id: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
