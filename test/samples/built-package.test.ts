import { execFile } from 'node:child_process';
import { cp, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTOR_THREADS_LINES } from './actor-threads-lines.ts';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
// Inside node_modules, so the built files resolve the installed dependencies by walking up.
const outDir = 'node_modules/.cache/spindle-built-package-test';

describe('the built package (tsc to JavaScript, run with plain node)', () => {
  beforeAll(async () => {
    await rm(`${repoRoot}${outDir}`, { recursive: true, force: true });
    await run('node_modules/.bin/tsc', ['-p', 'tsconfig.build.json', '--outDir', outDir], {
      cwd: repoRoot,
    });
    // As `npm run build` does: the wire schemas are loaded at run time from beside the code.
    await cp(`${repoRoot}proto`, `${repoRoot}${outDir}/proto`, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await rm(`${repoRoot}${outDir}`, { recursive: true, force: true });
  });

  it('built package: worker threads and offload run from .js with no TypeScript loader', async () => {
    const { stdout, stderr } = await run('node', [`${outDir}/samples/actor-threads/main.js`], {
      cwd: repoRoot,
      env: { ...process.env, SPINDLE_LOG_LEVEL: 'silent' },
      timeout: 60_000,
    });
    expect(stderr).toBe('');
    expect(stdout.split('\n').filter((l) => l !== '')).toEqual(ACTOR_THREADS_LINES);
  });
});
