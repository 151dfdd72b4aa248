import type { MessagePort } from 'node:worker_threads';
import { SpindleError } from '../errors.ts';
import type { ThreadHubInit, ThreadStats } from './thread-hub.ts';

/** What a worker thread starts from (its `workerData`). */
export interface WorkerInit extends Omit<ThreadHubInit, 'codecs'> {
  readonly address: string;
  readonly throughput: number | undefined;
  readonly requestTimeoutMs: number | undefined;
  /** The port the node's services (offload) answer on. */
  readonly services: MessagePort;
}

/**
 * The control plane of one worker thread, called from the main thread through comlink: spawn on
 * the thread, stats, thread membership changes and the phases of a graceful shutdown. Data never
 * goes this way; it goes through the rings.
 */
export interface WorkerControl {
  /** Resolves once the thread's system and hub are up (its modules are loaded by then). */
  ready(): Promise<boolean>;
  /** Spawns a kind on this thread and answers once the actor exists. */
  spawn(kind: string, name: string | undefined): Promise<{ address: string; id: string }>;
  stats(): Promise<ThreadStats>;
  quiescent(): Promise<boolean>;
  attachSlot(
    slot: number,
    threadId: number,
    inbound: SharedArrayBuffer,
    outbound: SharedArrayBuffer,
  ): Promise<void>;
  detachSlot(slot: number, threadId: number): Promise<number>;
  /** Sets the node address stamped on this thread's PIDs (once remoting has bound a port). */
  setAddress(address: string): Promise<void>;
  /** Stops the thread's actors (the rings keep running so cross-thread stops complete). */
  shutdownSystem(): Promise<void>;
  /** Stops the rings; the thread may be terminated afterwards. */
  close(): Promise<void>;
}

/** Services of the node that worker threads call on the main thread. */
export interface NodeServices {
  offload(task: string, input: unknown): Promise<unknown>;
}

/** An error as it crosses the control plane: comlink keeps only the message of an Error. */
export interface PlainError {
  readonly code: string | undefined;
  readonly name: string;
  readonly message: string;
}

/** Runs `action`, turning what it throws into a `PlainError` so that its code survives. */
export async function withPlainErrors<T>(action: () => T | Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    const e = error as { code?: unknown; name?: unknown; message?: unknown };
    const plain: PlainError = {
      code: typeof e.code === 'string' ? e.code : undefined,
      name: typeof e.name === 'string' ? e.name : 'Error',
      message: typeof e.message === 'string' ? e.message : String(error),
    };
    // A plain object, not an Error: comlink passes it through whole, code included.
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    throw plain;
  }
}

/** Awaits a control call, turning a `PlainError` back into a `SpindleError` with its code. */
export async function fromPlainErrors<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    if (typeof error === 'object' && error !== null && !(error instanceof Error)) {
      const plain = error as PlainError;
      const restored = new SpindleError(plain.code ?? 'ERR_WORKER', plain.message);
      restored.name = plain.name;
      throw restored;
    }
    throw error;
  }
}
