import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { MessageChannel, threadId } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidConfigError } from '../../../runtime/errors.ts';
import {
  PiscinaOffloadPool,
  type PiscinaOffloadPoolOptions,
} from '../../../runtime/offload/piscina-offload-pool.ts';
import { OPEN, type GateInput } from './fixtures/gate-task.ts';
import type { SumInput } from './fixtures/sum-task.ts';

const SUM = new URL('./fixtures/sum-task.ts', import.meta.url);
const FAILING = new URL('./fixtures/failing-task.ts', import.meta.url);
const REVERSE = fileURLToPath(new URL('./fixtures/reverse-task.js', import.meta.url));
const NO_DEFAULT = new URL('./fixtures/no-default-task.js', import.meta.url);
const GATE = new URL('./fixtures/gate-task.ts', import.meta.url);
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

const pools: PiscinaOffloadPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
});

/** A pool closed after the test. */
function pool(options: PiscinaOffloadPoolOptions = {}): PiscinaOffloadPool {
  const created = new PiscinaOffloadPool(options);
  pools.push(created);
  return created;
}

function sumOfSquares(n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i += 1) sum += i * i;
  return sum;
}

/**
 * Rejects if `promise` has not settled within `ms`, so a hang fails fast and says what it waited
 * for. (Kept local: this suite needs nothing else of the runtime's index.)
 */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  const timer = new AbortController();
  const expired = delay(ms, undefined, { signal: timer.signal }).then(() => {
    throw new Error(`timed out after ${ms} ms waiting for ${what}`);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    timer.abort();
    expired.catch(() => undefined);
  }
}

/** A gate task running on a pool thread, held there until `open` is called. */
interface HeldTask {
  readonly result: Promise<string>;
  open(): void;
}

/** Starts a gate task and resolves once it is on a thread (not merely queued). */
async function holdThread(
  offload: PiscinaOffloadPool,
  label: string,
  signal?: AbortSignal,
): Promise<HeldTask> {
  const gate = new Int32Array(new SharedArrayBuffer(4));
  const started = new MessageChannel();
  const input: GateInput = { gate, label, started: started.port2 };
  const result = offload.run<string>(GATE, input, {
    transferList: [started.port2],
    ...(signal !== undefined ? { signal } : {}),
  });
  // Surface a rejection here instead of hanging until the timeout below.
  const running = once(started.port1, 'message');
  await within(Promise.race([running, result]), 5_000, `gate task '${label}' to start`);
  started.port1.close();
  return {
    result,
    open() {
      Atomics.store(gate, OPEN, 1);
      Atomics.notify(gate, OPEN);
    },
  };
}

describe('PiscinaOffloadPool', () => {
  it('runs a TypeScript task on a pool thread and returns its result', async () => {
    const offload = pool({ maxThreads: 1 });
    const result = await offload.run<{ sum: number; threadId: number }>(SUM, {
      n: 100_000,
    } satisfies SumInput);
    expect(result.sum).toBe(sumOfSquares(100_000));
    expect(result.threadId).not.toBe(threadId);
  });

  it('runs a plain JavaScript task given by absolute path', async () => {
    const offload = pool({ maxThreads: 1 });
    const result = await offload.run<{ reversed: string; threadId: number }>(REVERSE, 'spindle');
    expect(result.reversed).toBe('eldnips');
    expect(result.threadId).not.toBe(threadId);
  });

  it('runs TypeScript and JavaScript tasks on the same threads of one pool', async () => {
    const offload = pool({ maxThreads: 1 });
    const fromTs = await offload.run<{ threadId: number }>(SUM, { n: 3 });
    const fromJs = await offload.run<{ threadId: number }>(REVERSE, 'ab');
    expect(fromJs.threadId).toBe(fromTs.threadId);
    expect(offload.stats.threads).toBe(1);
  });

  it('runs many concurrent tasks and gives each its own result', async () => {
    const offload = pool({ maxThreads: 3 });
    const sizes = Array.from({ length: 40 }, (_, i) => 1_000 + i * 997);
    const results = await Promise.all(
      sizes.map((n) => offload.run<{ sum: number }>(SUM, { n }).then((r) => r.sum)),
    );
    expect(results).toEqual(sizes.map(sumOfSquares));
    expect(offload.stats.threads).toBeGreaterThanOrEqual(1);
    expect(offload.stats.threads).toBeLessThanOrEqual(3);
    expect(offload.stats).toMatchObject({ queued: 0, running: 0, completed: 40 });
  });

  it('a failing task rejects with its name, message and code', async () => {
    const offload = pool({ maxThreads: 1 });
    const error = await offload.run(FAILING, { user: 'ada' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      name: 'QuotaExceededError',
      message: 'quota exceeded for ada',
      code: 'ERR_QUOTA_EXCEEDED',
    });
    // The thread survives a task's error and serves the next task.
    await expect(offload.run(REVERSE, 'ok')).resolves.toMatchObject({ reversed: 'ko' });
  });

  it('a module without a default export function rejects with ERR_INVALID_CONFIG', async () => {
    const offload = pool({ maxThreads: 1 });
    await expect(offload.run(NO_DEFAULT, 1)).rejects.toMatchObject({
      name: 'InvalidConfigError',
      code: 'ERR_INVALID_CONFIG',
    });
  });

  it.each([['relative/task.ts'], ['https://example.com/task.js'], ['not a url']])(
    'a task reference %s rejects with ERR_INVALID_CONFIG and starts no thread',
    async (task) => {
      const offload = pool({ maxThreads: 1 });
      await expect(offload.run(task, 1)).rejects.toBeInstanceOf(InvalidConfigError);
      expect(offload.stats.threads).toBe(0);
    },
  );

  it('abort: a running task rejects with AbortError and its thread is replaced', async () => {
    const offload = pool({ maxThreads: 1 });
    const controller = new AbortController();
    const held = await holdThread(offload, 'running', controller.signal);
    expect(offload.stats.running).toBe(1);
    const reason = new Error('user cancelled');
    controller.abort(reason);
    await expect(held.result).rejects.toMatchObject({
      name: 'AbortError',
      code: 'ABORT_ERR',
      cause: reason,
    });
    // The blocked thread was terminated: without that, this task would wait forever.
    await expect(offload.run<{ sum: number }>(SUM, { n: 4 })).resolves.toMatchObject({ sum: 14 });
  });

  it('abort: a queued task leaves the queue and the running one still finishes', async () => {
    const offload = pool({ maxThreads: 1 });
    const held = await holdThread(offload, 'first');
    const controller = new AbortController();
    const queued = offload.run(SUM, { n: 4 }, { signal: controller.signal });
    expect(offload.stats).toMatchObject({ threads: 1, queued: 1, running: 1 });
    controller.abort();
    await expect(queued).rejects.toMatchObject({ name: 'AbortError', code: 'ABORT_ERR' });
    expect(offload.stats.queued).toBe(0);
    held.open();
    await expect(held.result).resolves.toBe('first');
  });

  it('abort: an already aborted signal rejects without starting a thread', async () => {
    const offload = pool({ maxThreads: 1 });
    const reason = new Error('too late');
    await expect(
      offload.run(SUM, { n: 1 }, { signal: AbortSignal.abort(reason) }),
    ).rejects.toMatchObject({ name: 'AbortError', cause: reason });
    expect(offload.stats.threads).toBe(0);
  });

  it('a run past maxQueue rejects with ERR_MAILBOX_FULL', async () => {
    const offload = pool({ maxThreads: 1, maxQueue: 1 });
    const held = await holdThread(offload, 'first');
    const queued = offload.run<{ sum: number }>(SUM, { n: 3 });
    await expect(offload.run(SUM, { n: 3 })).rejects.toMatchObject({ code: 'ERR_MAILBOX_FULL' });
    held.open();
    await expect(held.result).resolves.toBe('first');
    await expect(queued).resolves.toMatchObject({ sum: 5 });
  });

  it.each<[string, PiscinaOffloadPoolOptions]>([
    ['maxThreads 0', { maxThreads: 0 }],
    ['fractional maxThreads', { maxThreads: 1.5 }],
    ['NaN maxThreads', { maxThreads: Number.NaN }],
    ['infinite maxThreads', { maxThreads: Infinity }],
    ['negative minThreads', { minThreads: -1 }],
    ['minThreads above maxThreads', { minThreads: 3, maxThreads: 2 }],
    ['negative idleTimeoutMs', { idleTimeoutMs: -1 }],
    ['negative maxQueue', { maxQueue: -1 }],
  ])('invalid options (%s) throw InvalidConfigError', (_, options) => {
    expect(() => new PiscinaOffloadPool(options)).toThrow(InvalidConfigError);
  });

  it('accepts Infinity for idleTimeoutMs and maxQueue', () => {
    expect(
      () => new PiscinaOffloadPool({ maxThreads: 1, idleTimeoutMs: Infinity, maxQueue: Infinity }),
    ).not.toThrow();
  });

  it('starts no thread before the first run, then its minimum', async () => {
    const offload = pool({ minThreads: 2, maxThreads: 2 });
    expect(offload.stats).toEqual({ threads: 0, queued: 0, running: 0, completed: 0 });
    await offload.run(SUM, { n: 1 });
    expect(offload.stats.threads).toBe(2);
  });

  it('close: later runs reject with ERR_SYSTEM_STOPPED and no thread is left', async () => {
    const offload = pool({ minThreads: 1, maxThreads: 2 });
    await offload.run(SUM, { n: 1 });
    await offload.close();
    await offload.close();
    expect(offload.stats.threads).toBe(0);
    await expect(offload.run(SUM, { n: 1 })).rejects.toMatchObject({
      name: 'SystemStoppedError',
      code: 'ERR_SYSTEM_STOPPED',
    });
  });

  it('close: a pool that never ran closes at once and then refuses work', async () => {
    const offload = pool();
    await offload.close();
    await expect(offload.run(SUM, { n: 1 })).rejects.toMatchObject({
      code: 'ERR_SYSTEM_STOPPED',
    });
    expect(offload.stats.threads).toBe(0);
  });

  it('close: a task still running or queued rejects with ERR_SYSTEM_STOPPED', async () => {
    const offload = pool({ maxThreads: 1 });
    const held = await holdThread(offload, 'held');
    const queued = offload.run(SUM, { n: 1 });
    const outcomes = Promise.allSettled([held.result, queued]);
    await offload.close();
    const stopped = { status: 'rejected', reason: { code: 'ERR_SYSTEM_STOPPED' } };
    expect(await outcomes).toMatchObject([stopped, stopped]);
  });

  it('under the tsx CLI, close() lets the process exit with a blocked task on a thread', async () => {
    const { code, stdout, stderr } = await new Promise<{
      code: number;
      stdout: string;
      stderr: string;
    }>((resolve, reject) => {
      execFile(
        'node_modules/.bin/tsx',
        ['test/runtime/offload/fixtures/exit-after-close.ts'],
        { cwd: repoRoot, env: { ...process.env, SPINDLE_LOG_LEVEL: 'silent' }, timeout: 15_000 },
        (error, out, err) => {
          // A non-zero exit is a result to assert on; a timeout kill (a hang) is a failure.
          if (error !== null && typeof error.code !== 'number') {
            reject(new Error(`the process did not exit: ${err}`, { cause: error }));
            return;
          }
          resolve({ code: error === null ? 0 : Number(error.code), stdout: out, stderr: err });
        },
      );
    });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout.trim())).toEqual({
      sum: 14,
      reversed: 'xst',
      blocked: 'ERR_SYSTEM_STOPPED',
      stats: { threads: 0, queued: 0, running: 0, completed: 3 },
    });
  });
});
