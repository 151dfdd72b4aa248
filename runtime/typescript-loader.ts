import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InvalidConfigError } from './errors.ts';

/** File extensions that need a TypeScript loader in a worker or pool thread. */
const TYPESCRIPT = /\.[cm]?tsx?$/;

/**
 * Set on a thread's global object once `tsx` is registered there, so the loader is registered at
 * most once per thread whether the thread's bootstrap or the first TypeScript task did it.
 */
const REGISTERED = 'spindle.offload.typescriptLoader';

/** True when the module at `url` is TypeScript and so needs a loader outside the main thread. */
export function isTypeScript(url: URL): boolean {
  return TYPESCRIPT.test(url.pathname);
}

let loaderUrl: string | undefined;

/**
 * The file URL of `tsx/esm/api`, resolved once through the package's export map.
 *
 * @throws InvalidConfigError when `tsx` is not installed.
 */
export function typescriptLoaderUrl(): string {
  if (loaderUrl !== undefined) return loaderUrl;
  try {
    const require = createRequire(import.meta.url);
    const manifest = require.resolve('tsx/package.json');
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as {
      exports: Record<string, { import: { default: string } }>;
    };
    const api = pkg.exports['./esm/api']?.import.default;
    if (api === undefined) throw new Error('tsx has no ./esm/api export');
    loaderUrl = pathToFileURL(join(dirname(manifest), api)).href;
    return loaderUrl;
  } catch (error) {
    throw new InvalidConfigError(
      'modules for worker or pool threads are TypeScript but the tsx loader is not installed: install tsx, or build to JavaScript',
      { cause: error },
    );
  }
}

/**
 * `execArgv` that makes a new thread register `tsx` before anything else loads, for pools whose
 * task runner is itself TypeScript. A thread does not inherit the parent's loader hooks on Node
 * 20, and piscina starts its threads from its own entry file, so `--import` of a `data:` module is
 * the one place a loader can go in first.
 */
export function typescriptExecArgv(loader: string): string[] {
  const source = [
    `(await import(${JSON.stringify(loader)})).register();`,
    `globalThis[Symbol.for(${JSON.stringify(REGISTERED)})] = true;`,
  ].join('\n');
  return ['--import', `data:text/javascript,${encodeURIComponent(source)}`];
}

/** Registers `tsx` on the calling thread unless this thread already has it. */
export async function ensureTypeScriptLoader(loader: string): Promise<void> {
  const flag = Symbol.for(REGISTERED);
  const scope = globalThis as Record<symbol, unknown>;
  if (scope[flag] === true) return;
  const api = (await import(loader)) as { register(): unknown };
  if (scope[flag] === true) return;
  api.register();
  scope[flag] = true;
}

/**
 * The module to load for `url`: `url` itself, or, when it names a TypeScript file that does not
 * exist but its `.js` twin does (source URLs such as `new URL('./kinds.ts', import.meta.url)`
 * inside a package built to JavaScript), the twin. Only `file:` URLs are checked.
 */
export function resolveModuleUrl(url: URL): URL {
  if (url.protocol !== 'file:' || !isTypeScript(url) || existsSync(url)) return url;
  const twin = new URL(url.href.replace(/\.([cm]?)tsx?$/, '.$1js'));
  return existsSync(twin) ? twin : url;
}
