import { Terminated } from '../messages.ts';
import { PID } from '../pid.ts';
import type { ProcessRegistry } from '../process-registry.ts';

/**
 * Which actors of this thread watch (or parent) actors on other threads. The watched actor's own
 * thread keeps the real watcher list; this copy exists so that when that thread dies, its
 * watchers here still receive `Terminated`.
 */
export class CrossThreadWatches {
  /** thread id → watched actor id → watcher key → watcher. */
  private readonly byThread = new Map<number, Map<string, Map<string, PID>>>();

  add(target: PID, watcher: PID): void {
    let targets = this.byThread.get(target.thread);
    if (targets === undefined) {
      targets = new Map<string, Map<string, PID>>();
      this.byThread.set(target.thread, targets);
    }
    let watchers = targets.get(target.id);
    if (watchers === undefined) {
      watchers = new Map<string, PID>();
      targets.set(target.id, watchers);
    }
    watchers.set(watcher.toString(), watcher);
  }

  remove(target: PID, watcher: PID): void {
    const targets = this.byThread.get(target.thread);
    const watchers = targets?.get(target.id);
    if (watchers === undefined) return;
    watchers.delete(watcher.toString());
    if (watchers.size === 0) targets!.delete(target.id); // found through `targets` just above
  }

  /** Number of watched actors on other threads. */
  get size(): number {
    let n = 0;
    for (const targets of this.byThread.values()) n += targets.size;
    return n;
  }

  /**
   * Thread `threadId` died: every local watcher of one of its actors receives `Terminated`.
   * Returns how many notifications were sent.
   */
  threadDied(threadId: number, address: string, registry: ProcessRegistry): number {
    const targets = this.byThread.get(threadId);
    if (targets === undefined) return 0;
    this.byThread.delete(threadId);
    let sent = 0;
    for (const [id, watchers] of targets) {
      const terminated = new Terminated(new PID(address, id), 'ThreadTerminated');
      for (const watcher of watchers.values()) {
        registry.get(watcher).sendSystem(watcher, terminated);
        sent++;
      }
    }
    return sent;
  }
}
