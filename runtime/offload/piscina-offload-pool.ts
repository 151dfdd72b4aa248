import { availableParallelism } from 'node:os';
import { extname, isAbsolute } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import { InvalidConfigError, MailboxFullError, SystemStoppedError } from '../errors.ts';
import { createLogger, type Logger } from '../logger.ts';
import type { OffloadTaskMessage } from './offload-task-runner.ts';
import type { OffloadPool, OffloadRunOptions, OffloadStats } from './offload-pool.ts';
import { decodeTaskFailure } from './task-failure.ts';
import {
  isTypeScript,
  resolveModuleUrl,
  typescriptExecArgv,
  typescriptLoaderUrl,
} from '../typescript-loader.ts';

/** Options of a {@link PiscinaOffloadPool}; every field has a default. */
export interface PiscinaOffloadPoolOptions {
  /** Most threads the pool runs at once. Default: one fewer than the cores, at least 1. */
  readonly maxThreads?: number;
  /** Threads kept alive while idle, started with the first run. Default 0: idle costs nothing. */
  readonly minThreads?: number;
  /** How long a thread above `minThreads` may stay idle before it exits. `Infinity` keeps it. */
  readonly idleTimeoutMs?: number;
  /** Tasks that may wait for a thread; past it a run rejects with `ERR_MAILBOX_FULL`. */
  readonly maxQueue?: number;
  /** Where failures that belong to no task (a thread dying while idle) are logged. */
  readonly logger?: Logger;
}

/** Defaults of the offload pool; `maxThreads` depends on the machine and is computed per pool. */
export const OFFLOAD_DEFAULTS = Object.freeze({
  minThreads: 0,
  /** Long enough that a burst of offloads reuses warm threads instead of starting new ones. */
  idleTimeoutMs: 10_000,
  maxQueue: Infinity,
});

/** The module every pool thread loads; it has the extension of this file (`.ts` from source). */
const RUNNER = new URL(
  `./offload-task-runner${extname(fileURLToPath(import.meta.url))}`,
  import.meta.url,
);

/** piscina's rejections carry no code; these are its messages for a full queue. */
const QUEUE_FULL = new Set([
  'Task queue is at limit',
  'No task queue available and all Workers are busy',
]);

/**
 * The offload pool on piscina: one piscina instance for every task file, created on the first run
 * so that a node which never offloads starts no thread.
 *
 * ```
 * run(task, input) ──► piscina queue ──► pool thread: offload-task-runner
 *                                            import(task) → default(input)
 *        ◄── result, or TaskFailure ◄────────┘ (rebuilt into an error with name and code)
 * ```
 *
 * @example
 * const pool = new PiscinaOffloadPool({ maxThreads: 2 });
 * const sum = await pool.run<number>(new URL('./sum-task.ts', import.meta.url), { n: 1e6 });
 * await pool.close();
 */
export class PiscinaOffloadPool implements OffloadPool {
  readonly #maxThreads: number;
  readonly #minThreads: number;
  readonly #idleTimeoutMs: number;
  readonly #maxQueue: number;
  #logger: Logger | undefined;
  #piscina: Piscina<OffloadTaskMessage, unknown> | undefined;
  #closing: Promise<void> | undefined;
  #pending = 0;
  #completed = 0;

  /** @throws InvalidConfigError when an option is out of range. */
  constructor(options: PiscinaOffloadPoolOptions = {}) {
    const maxThreads = options.maxThreads ?? Math.max(1, availableParallelism() - 1);
    const minThreads = options.minThreads ?? OFFLOAD_DEFAULTS.minThreads;
    const idleTimeoutMs = options.idleTimeoutMs ?? OFFLOAD_DEFAULTS.idleTimeoutMs;
    const maxQueue = options.maxQueue ?? OFFLOAD_DEFAULTS.maxQueue;
    requireCount('maxThreads', maxThreads, 1, false);
    requireCount('minThreads', minThreads, 0, false);
    requireCount('idleTimeoutMs', idleTimeoutMs, 0, true);
    requireCount('maxQueue', maxQueue, 0, true);
    if (minThreads > maxThreads) {
      throw new InvalidConfigError(
        `offload minThreads (${minThreads}) must not exceed maxThreads (${maxThreads})`,
      );
    }
    this.#maxThreads = maxThreads;
    this.#minThreads = minThreads;
    this.#idleTimeoutMs = idleTimeoutMs;
    this.#maxQueue = maxQueue;
    this.#logger = options.logger;
  }

  /** The pool's current load; all zero before the first run. */
  get stats(): OffloadStats {
    const piscina = this.#piscina;
    const queued = piscina?.queueSize ?? 0;
    return {
      threads: piscina?.threads.length ?? 0,
      queued,
      running: Math.max(0, this.#pending - queued),
      completed: this.#completed,
    };
  }

  /** Runs the default export of `task` on `input` on a pool thread. */
  async run<T = unknown>(
    task: URL | string,
    input: unknown,
    options: OffloadRunOptions = {},
  ): Promise<T> {
    if (this.#closing !== undefined) throw new SystemStoppedError('run offloaded work');
    const message = taskMessage(task, input);
    const { signal, transferList } = options;
    if (signal?.aborted === true) throw abortError(signal.reason);
    const piscina = (this.#piscina ??= this.#start());
    this.#pending += 1;
    try {
      return (await piscina.run(message, {
        ...(signal !== undefined ? { signal } : {}),
        ...(transferList !== undefined ? { transferList: [...transferList] } : {}),
      })) as T;
    } catch (error) {
      throw this.#translate(error, signal);
    } finally {
      this.#pending -= 1;
      this.#completed += 1;
    }
  }

  /** Terminates every pool thread; tasks still queued or running reject with ERR_SYSTEM_STOPPED. */
  close(): Promise<void> {
    this.#closing ??= this.#piscina?.destroy() ?? Promise.resolve();
    this.#piscina = undefined;
    return this.#closing;
  }

  #start(): Piscina<OffloadTaskMessage, unknown> {
    const piscina = new Piscina<OffloadTaskMessage, unknown>({
      filename: RUNNER.href,
      minThreads: this.#minThreads,
      maxThreads: this.#maxThreads,
      idleTimeout: this.#idleTimeoutMs,
      maxQueue: this.#maxQueue,
      recordTiming: false,
      // From source the runner itself is TypeScript: threads need tsx before piscina loads it.
      ...(isTypeScript(RUNNER) ? { execArgv: typescriptExecArgv(typescriptLoaderUrl()) } : {}),
    });
    // piscina emits 'error' for a thread that fails with no task on it; unheard, it would throw.
    piscina.on('error', (error: unknown) => {
      this.#logger ??= createLogger('spindle:offload');
      this.#logger.warn({ err: error }, 'offload pool thread failed outside any task');
    });
    return piscina;
  }

  /** Turns a piscina rejection into the error the caller sees. */
  #translate(error: unknown, signal: AbortSignal | undefined): unknown {
    const failure = decodeTaskFailure(error);
    if (failure !== undefined) return failure;
    if (!(error instanceof Error)) return error;
    if (signal?.aborted === true && error.name === 'AbortError') return abortError(signal.reason);
    if (this.#closing !== undefined) {
      return new SystemStoppedError('finish offloaded work', { cause: error });
    }
    if (QUEUE_FULL.has(error.message)) {
      return new MailboxFullError('offload pool', this.#maxQueue, { cause: error });
    }
    return error;
  }
}

/** The message for one run, after checking that `task` names a module file. */
function taskMessage(task: URL | string, input: unknown): OffloadTaskMessage {
  const given = taskUrl(task);
  if (given?.protocol !== 'file:') {
    throw new InvalidConfigError(
      `an offload task must be a file URL or an absolute path, not '${String(task)}'`,
    );
  }
  const url = resolveModuleUrl(given);
  if (!isTypeScript(url)) return { task: url.href, input };
  return { task: url.href, input, loader: typescriptLoaderUrl() };
}

function taskUrl(task: URL | string): URL | undefined {
  if (task instanceof URL) return task;
  if (typeof task !== 'string') return undefined;
  if (isAbsolute(task)) return pathToFileURL(task);
  return URL.canParse(task) ? new URL(task) : undefined;
}

/** An abort, reported the way Node's own APIs report one (`name` AbortError, `code` ABORT_ERR). */
function abortError(reason: unknown): Error {
  const error = new Error('the offloaded task was aborted', { cause: reason }) as Error & {
    code: string;
  };
  error.name = 'AbortError';
  error.code = 'ABORT_ERR';
  return error;
}

function requireCount(name: string, value: number, min: number, infinite: boolean): void {
  const valid =
    typeof value === 'number' &&
    value >= min &&
    (Number.isInteger(value) || (infinite && value === Infinity));
  if (!valid) {
    const range = infinite ? `an integer >= ${min} or Infinity` : `an integer >= ${min}`;
    throw new InvalidConfigError(`offload ${name} must be ${range}, got ${String(value)}`);
  }
}
