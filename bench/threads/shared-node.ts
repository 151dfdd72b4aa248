import type { Worker } from 'node:worker_threads';
import { ActorNode, launchWorker, type ActorNodeOptions } from '../../runtime/index.ts';
import { BENCH_KINDS } from './bench-kinds.ts';
import { PLAIN_WORKER, type PlainWorkerMode } from './plain-worker.ts';

/**
 * One `ActorNode` shared by the subject and the baseline of a case (each calls `acquire` in its
 * setup and `release` in its teardown), so that a case starts one node, not two, and the node's
 * start-up is never measured. The last `release` shuts it down.
 */
export class SharedNode {
  private node: Promise<ActorNode> | undefined;
  private users = 0;

  constructor(private readonly options: ActorNodeOptions = {}) {}

  /** Starts the node on first use, with the benchmark kinds loaded on every worker. */
  acquire(): Promise<ActorNode> {
    this.users++;
    return (this.node ??= ActorNode.start({
      threads: 1,
      ...this.options,
      modules: [BENCH_KINDS, ...(this.options.modules ?? [])],
    }));
  }

  /** Gives the node back; the last user's release shuts it down. */
  async release(): Promise<void> {
    if (--this.users > 0 || this.node === undefined) return;
    const node = this.node;
    this.node = undefined;
    await (await node).shutdown();
  }
}

/** Starts the baseline worker in `mode` and resolves once it is online. */
export async function startPlainWorker(mode: PlainWorkerMode): Promise<Worker> {
  const worker = launchWorker(PLAIN_WORKER, { workerData: { mode }, name: `plain-${mode}` });
  await new Promise<void>((resolve, reject) => {
    worker.once('online', resolve);
    worker.once('error', reject);
  });
  return worker;
}
