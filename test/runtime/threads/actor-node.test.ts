import { describe, expect, test } from 'vitest';
import {
  ActorNode,
  Placement,
  Terminated,
  ThreadCrashed,
  type ActorNode as Node,
} from '../../../runtime/index.ts';
import { Latch, TestProbe } from '../../../testkit/index.ts';
import { CounterReport, Fragile, OrderedCounter } from './fixtures/test-kinds.ts';
import { startNode, TEST_KINDS } from './node-fixture.ts';

/** Waits for the next ThreadCrashed event on the main thread. */
function nextCrash(node: Node): Promise<ThreadCrashed> {
  return new Promise((resolve) => {
    const sub = node.system.eventStream.subscribe(ThreadCrashed, (event) => {
      sub.unsubscribe();
      resolve(event);
    });
  });
}

describe('threads: the node', () => {
  test('graceful shutdown processes every message already sent before stopping actors', async () => {
    const node = await startNode({ threads: 2, ringBytes: 8192 });
    const counters = [1, 2].map((slot) =>
      node.root.spawn(OrderedCounter.withPlacement(Placement.thread(slot))),
    );
    const reports = new Map<string, number>();
    const reported = new Latch(2);
    node.system.eventStream.subscribe(CounterReport, (report) => {
      reports.set(report.id, report.count);
      reported.countDown();
    });
    const perCounter = 20_000;
    for (let seq = 1; seq <= perCounter; seq++) {
      for (const counter of counters) node.root.send(counter, { seq, from: 'main' });
    }
    await node.shutdown();
    await reported.wait(1_000);
    expect([...reports.values()]).toEqual([perCounter, perCounter]);
  });

  test('a worker that exits is detected, its watchers are told, and it is replaced', async () => {
    const node = await startNode({ threads: 1 });
    const oldThread = node.threadIdOf(1);
    const probe = TestProbe.spawn(node.system);
    const fragile = node.root.spawn(Fragile.withPlacement(Placement.thread(1)));
    await expect(node.root.request(fragile, 'ping', 5_000)).resolves.toBe('pong');
    probe.watch(fragile);
    const crashed = nextCrash(node);
    const pending = node.root.request(fragile, 'never answered', 60_000);
    node.root.send(fragile, 'exit');
    await expect(pending).rejects.toMatchObject({ code: 'ERR_THREAD_CRASHED' });
    const terminated = await probe.expectInstance(Terminated, 10_000);
    expect(terminated).toMatchObject({ why: 'ThreadTerminated' });
    expect(terminated.who.id).toBe(fragile.id);
    const event = await crashed;
    expect(event).toMatchObject({ slot: 1, threadId: oldThread });
    expect(event.reason).toContain('7');
    expect(event.replacementId).not.toBe(oldThread);
    expect(node.threadIdOf(1)).toBe(event.replacementId);
    // The old PID is dead; the slot works again with a new thread.
    await expect(node.root.request(fragile, 'ping', 5_000)).rejects.toMatchObject({
      code: 'ERR_DEAD_LETTER',
    });
    const again = node.root.spawn(Fragile.withPlacement(Placement.thread(1)));
    expect(again.thread).toBe(event.replacementId);
    await expect(node.root.request(again, 'ping', 5_000)).resolves.toBe('pong');
  });

  test('an uncaught error in a worker is a crash with its message as the reason', async () => {
    const node = await startNode({ threads: 1 });
    const fragile = node.root.spawn(Fragile.withPlacement(Placement.thread(1)));
    const crashed = nextCrash(node);
    node.root.send(fragile, 'throw');
    const event = await crashed;
    expect(event.reason).toContain('uncaught in worker');
    const again = node.root.spawn(Fragile.withPlacement(Placement.thread(1)));
    await expect(node.root.request(again, 'ping', 5_000)).resolves.toBe('pong');
  });

  test('a module that fails to load makes start fail with the reason', async () => {
    const broken = new URL('./fixtures/broken-module.ts', import.meta.url);
    await expect(
      ActorNode.start({ threads: 1, modules: [TEST_KINDS, broken] }),
    ).rejects.toMatchObject({ code: 'ERR_THREAD_CRASHED', message: /refuses to load/ });
  });

  test('invalid options are refused before any thread starts', async () => {
    await expect(ActorNode.start({ threads: 0 })).rejects.toMatchObject({
      code: 'ERR_INVALID_CONFIG',
    });
    await expect(ActorNode.start({ threads: 1, ringBytes: 1000 })).rejects.toMatchObject({
      code: 'ERR_INVALID_CONFIG',
    });
  });

  test('shutdown is idempotent and later spawns are refused', async () => {
    const node = await startNode({ threads: 1 });
    const first = node.shutdown();
    expect(node.shutdown()).toBe(first);
    await first;
    expect(() => node.root.spawn(Fragile.withPlacement(Placement.thread(1)))).toThrow(
      expect.objectContaining({ code: 'ERR_SYSTEM_STOPPED' }),
    );
  });
});
