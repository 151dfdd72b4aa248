import { beforeAll, describe, expect, it } from 'vitest';
import { runSample, type Run } from './run-sample.ts';

/** Asserts that every line is printed, in this order (other lines may come between). */
function expectInOrder(run: Run, lines: readonly string[]): void {
  let previous = -1;
  for (const line of lines) {
    const index = run.lines.indexOf(line, previous + 1);
    expect(index, `"${line}" is missing or out of order`).toBeGreaterThan(previous);
    previous = index;
  }
}

describe('samples/actor-hello', () => {
  let run: Run;
  beforeAll(async () => {
    run = await runSample('samples/actor-hello/main.ts');
  });

  it('actor-hello: exits with code 0 and writes nothing to stderr', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it('actor-hello: prints the whole story, line for line, in a fixed order', () => {
    expect(run.lines).toEqual([
      'main: spawning the parent',
      'parent: started, spawned greeter and lookup',
      'greeter: started (instance 1)',
      'lookup: started',
      'main: greeter answered "hello, Ada (greeting 1 of instance 1)"',
      'main: greeter answered "hello, Grace (greeting 2 of instance 1)"',
      'main: sending an empty name to the greeter',
      'supervision: local/parent/greeter failed (cannot greet an empty name), restart',
      'greeter: restarting, instance 1 is discarded',
      'greeter: started (instance 2)',
      'main: greeter answered "hello, Linus (greeting 1 of instance 2)"',
      'lookup: resolving db',
      'lookup: db is db.internal:5432',
      'lookup: resolving cache',
      'lookup: cache is cache.internal:6379',
      'main: lookups answered db.internal:5432, cache.internal:6379',
      'greeter: stopping',
      'monitor: local/parent/greeter terminated (Stopped)',
      'main: monitor reported local/parent/greeter Stopped',
      'main: request to the stopped greeter failed with ERR_DEAD_LETTER',
      'main: shutting down',
      'parent: stopping, children first: parent/lookup',
      'lookup: stopped',
      'parent: stopped',
      'main: done',
    ]);
  });

  it('actor-hello: the failed greeter is restarted by its supervisor as a fresh instance', () => {
    expectInOrder(run, [
      'main: greeter answered "hello, Grace (greeting 2 of instance 1)"',
      'supervision: local/parent/greeter failed (cannot greet an empty name), restart',
      'greeter: restarting, instance 1 is discarded',
      'greeter: started (instance 2)',
      'main: greeter answered "hello, Linus (greeting 1 of instance 2)"',
    ]);
  });

  it('actor-hello: the async receive handles one lookup at a time, in arrival order', () => {
    const lookups = run.lines.filter((l) => l.startsWith('lookup: ') && !l.endsWith('started'));
    expect(lookups.slice(0, 4)).toEqual([
      'lookup: resolving db',
      'lookup: db is db.internal:5432',
      'lookup: resolving cache',
      'lookup: cache is cache.internal:6379',
    ]);
  });

  it('actor-hello: the watcher gets Terminated, then a request to the stopped actor fails fast', () => {
    expectInOrder(run, [
      'greeter: stopping',
      'monitor: local/parent/greeter terminated (Stopped)',
      'main: monitor reported local/parent/greeter Stopped',
      'main: request to the stopped greeter failed with ERR_DEAD_LETTER',
    ]);
  });

  it('actor-hello: shutdown stops the remaining child before the parent, then main finishes', () => {
    expectInOrder(run, [
      'main: shutting down',
      'parent: stopping, children first: parent/lookup',
      'lookup: stopped',
      'parent: stopped',
      'main: done',
    ]);
    expect(run.lines.at(-1)).toBe('main: done');
  });
});
