import { beforeAll, describe, expect, it } from 'vitest';
import { runSample, type Run } from './run-sample.ts';

/** The lines printed between the `== title ==` header and the next header. */
function block(run: Run, title: string): readonly string[] {
  const start = run.lines.indexOf(`== ${title} ==`);
  expect(start, `block "${title}" is missing`).toBeGreaterThanOrEqual(0);
  const end = run.lines.findIndex((l, i) => i > start && l.startsWith('== '));
  return run.lines.slice(start + 1, end === -1 ? undefined : end);
}

describe('samples/actor-toolkit', () => {
  let run: Run;
  beforeAll(async () => {
    run = await runSample('samples/actor-toolkit/main.ts');
  });

  it('actor-toolkit: exits with code 0 and writes nothing to stderr', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it('actor-toolkit: prints its blocks in order and ends with no actor left', () => {
    expect(run.lines.filter((l) => l.startsWith('== '))).toEqual([
      '== middleware ==',
      '== event stream ==',
      '== bounded mailboxes ==',
      '== manual scheduler ==',
      '== shutdown ==',
    ]);
    expect(run.lines.at(-1)).toBe('main: done, 0 actors left');
  });

  it('actor-toolkit: spawn, receive and sender middleware each run once, in message order', () => {
    expect(block(run, 'middleware')).toEqual([
      'spawn: local/echo under the root',
      'receive: local/echo <- "hi" from root',
      'send: local/echo -> "HI"',
      'main: echo answered "HI"',
    ]);
  });

  it('actor-toolkit: subscriptions by class and predicate see their events, none after unsubscribe', () => {
    expect(block(run, 'event stream')).toEqual([
      'events: OrderPlaced A-1',
      'events: RushOrderPlaced A-2',
      'events: orders subscription active: false',
      'events: local/fragile failed on "boom", restart',
      'events: dead letter "late" to local/fragile (no-target)',
    ]);
    expect(run.stdout).not.toContain('A-3');
  });

  it('actor-toolkit: a full mailbox drops to dead letters or makes send throw ERR_MAILBOX_FULL', () => {
    expect(block(run, 'bounded mailboxes')).toEqual([
      'events: dead letter 3 to local/dropper (mailbox-full)',
      'events: dead letter 4 to local/dropper (mailbox-full)',
      'mailbox: send 3 to local/rejecter threw ERR_MAILBOX_FULL',
      'mailbox: dropper handled 1, 2',
      'mailbox: rejecter handled 1, 2',
    ]);
  });

  it('actor-toolkit: the receive timeout fires on advance, once, counted from the last message', () => {
    expect(block(run, 'manual scheduler')).toEqual([
      'scheduler: 1 task pending, nothing has run yet',
      'sleeper: started at t=0, receive timeout 1000 ms',
      'scheduler: after one step, 0 pending',
      'sleeper: "work" at t=600',
      'scheduler: t=1000, no timeout yet',
      'sleeper: receive timeout at t=1600',
      'scheduler: t=6600, still one timeout per idle period',
    ]);
  });
});
