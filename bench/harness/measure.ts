import { performance } from 'node:perf_hooks';
import type { Trial } from './bench-case.ts';
import type { Completion } from './completion.ts';
import { settle } from './completion.ts';

/**
 * A throughput trial in millions per second: `count` operations over the completion's timed
 * window. `count` defaults to `sent`; pass it when a figure counts something else (round trips).
 */
export function throughputTrial(
  completion: Completion,
  sent: number,
  count: number = sent,
  note?: string,
): Trial {
  const value = count / completion.elapsedMs / 1000;
  const trial = { value, sent, delivered: completion.delivered };
  return note === undefined ? trial : { ...trial, note };
}

/** Runs a full collection when the process has `--expose-gc`; a no-op otherwise. */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc !== undefined) {
    gc();
    gc(); // a second pass frees what the first one's finalization released
  }
}

/** True when `collectGarbage` really collects (the child process runs with `--expose-gc`). */
export function canCollectGarbage(): boolean {
  return typeof (globalThis as { gc?: unknown }).gc === 'function';
}

/** Heap in use after a full collection, in bytes. */
export async function settledHeapUsed(): Promise<number> {
  await settle();
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

/** A monotonic stopwatch in milliseconds. */
export class Stopwatch {
  private readonly startedAt = performance.now();

  /** Milliseconds since the stopwatch was created. */
  ms(): number {
    return performance.now() - this.startedAt;
  }
}

/** Formats milliseconds as `812 ms` or `1.42 s`. */
export function formatMs(ms: number): string {
  return ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(2)} s`;
}
