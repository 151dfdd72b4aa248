import type { Remote } from 'comlink';
import type { OffloadPool, OffloadRunOptions, OffloadStats } from '../offload/offload-pool.ts';
import { fromPlainErrors, type NodeServices } from './worker-control.ts';

/**
 * The offload pool as a worker thread sees it: every run goes to the node's one pool on the main
 * thread, so a node has a single pool whatever its number of worker threads.
 */
export class ForwardingOffloadPool implements OffloadPool {
  private running = 0;
  private completed = 0;

  constructor(private readonly services: Remote<NodeServices>) {}

  async run<T = unknown>(
    task: URL | string,
    input: unknown,
    options?: OffloadRunOptions,
  ): Promise<T> {
    options?.signal?.throwIfAborted();
    this.running++;
    try {
      const href = typeof task === 'string' ? task : task.href;
      return (await fromPlainErrors(this.services.offload(href, input))) as T;
    } finally {
      this.running--;
      this.completed++;
    }
  }

  get stats(): OffloadStats {
    return { threads: 0, queued: 0, running: this.running, completed: this.completed };
  }

  /** The pool belongs to the main thread, which closes it. */
  async close(): Promise<void> {}
}
