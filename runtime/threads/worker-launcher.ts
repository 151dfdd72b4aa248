import { Worker, type WorkerOptions } from 'node:worker_threads';
import { isTypeScript, resolveModuleUrl, typescriptLoaderUrl } from '../typescript-loader.ts';

/**
 * Starts a worker thread running the ES module at `entry`, plus `preload` modules imported first.
 *
 * A worker does not inherit the parent's module loader hooks on Node 20, so when any module is
 * TypeScript (the package run from source under `tsx` or vitest) the worker starts from a small
 * `data:` bootstrap that registers `tsx` and then imports the modules. Compiled `.js` modules load
 * directly and need no loader. A `.ts` URL whose file is missing but whose `.js` twin exists (a
 * built package) loads the twin.
 */
export function launchWorker(
  entry: URL,
  options: WorkerOptions & { readonly preload?: readonly URL[] } = {},
): Worker {
  const { preload = [], ...workerOptions } = options;
  const modules = [...preload, entry].map(resolveModuleUrl);
  if (!modules.some(isTypeScript)) {
    if (preload.length === 0) return new Worker(modules[0]!, workerOptions); // the entry alone
    return new Worker(bootstrapUrl(undefined, modules), workerOptions);
  }
  return new Worker(bootstrapUrl(typescriptLoaderUrl(), modules), workerOptions);
}

/** A `data:` module that optionally registers a loader, then imports `modules` in order. */
function bootstrapUrl(loader: string | undefined, modules: readonly URL[]): URL {
  const lines = modules.map((url) => `await import(${JSON.stringify(url.href)});`);
  if (loader !== undefined) {
    lines.unshift(`(await import(${JSON.stringify(loader)})).register();`);
  }
  return new URL(`data:text/javascript,${encodeURIComponent(lines.join('\n'))}`);
}
