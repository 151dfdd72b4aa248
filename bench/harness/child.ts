import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BenchFigure, BenchModule } from './bench-case.ts';
import { canCollectGarbage } from './measure.ts';
import { runCases } from './run-cases.ts';

/** What a child process reports to the runner over IPC. */
export type ChildMessage =
  | { readonly type: 'figure'; readonly figure: BenchFigure }
  | { readonly type: 'error'; readonly message: string };

/**
 * Child-process entry: measures the cases of one `*.bench.ts` module and reports each figure to
 * the runner over IPC as soon as it is known. It also runs alone, which is handy under a profiler
 * (`BENCH_CASE=<part of a name>` keeps only matching cases):
 *
 *   node --import tsx --expose-gc --cpu-prof bench/harness/child.ts bench/tell.bench.ts
 */
async function main(): Promise<void> {
  const file = process.argv[2];
  if (file === undefined) throw new Error('usage: child.ts <path/to/topic.bench.ts>');
  if (!canCollectGarbage()) console.warn('warning: run with --expose-gc for steadier figures');
  const module = (await import(pathToFileURL(resolve(file)).href)) as BenchModule;
  const only = process.env['BENCH_CASE'];
  const cases =
    only === undefined || only === ''
      ? module.cases
      : module.cases.filter((c) => c.name.includes(only));
  await runCases(cases, (result) => report({ type: 'figure', figure: result.figure }));
}

/** Sends one message to the runner and waits until it is written (a no-op when run alone). */
function report(message: ChildMessage): Promise<void> {
  const send = process.send?.bind(process);
  if (send === undefined) return Promise.resolve();
  return new Promise((done) => {
    send(message, undefined, {}, () => done());
  });
}

function exit(code: number): never {
  // Idle actor systems may still hold timers: leave at once rather than wait for them.
  if (process.connected) process.disconnect();
  process.exit(code);
}

try {
  await main();
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`error: ${message}`);
  await report({ type: 'error', message });
  exit(1);
}
exit(0);
