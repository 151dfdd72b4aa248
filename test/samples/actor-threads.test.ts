import { beforeAll, describe, expect, it } from 'vitest';
import { ACTOR_THREADS_LINES } from './actor-threads-lines.ts';
import { runSample, type Run } from './run-sample.ts';

describe('samples/actor-threads', () => {
  let run: Run;
  beforeAll(async () => {
    run = await runSample('samples/actor-threads/main.ts');
  }, 60_000);

  it('actor-threads: exits with code 0 and writes nothing to stderr', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it('actor-threads: places, counts on workers, bridges events, offloads and stops', () => {
    expect(run.lines).toEqual(ACTOR_THREADS_LINES);
  });
});
