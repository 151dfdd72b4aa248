import { threadId } from 'node:worker_threads';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  Placement,
  Props,
  SupervisionEvent,
  Terminated,
  type ActorNode,
  type PID,
} from '../../../runtime/index.ts';
import { TestProbe } from '../../../testkit/index.ts';
import {
  Announced,
  Announcer,
  Echo,
  Fragile,
  Guardian,
  Listener,
  Offloader,
  OrderedCounter,
} from './fixtures/test-kinds.ts';
import { startNode } from './node-fixture.ts';

type EchoReply = { echo: unknown; thread: number; headers: Record<string, string> };

describe('threads: messages between threads', () => {
  let node: ActorNode;
  beforeAll(async () => {
    node = await startNode({ threads: 2, ringBytes: 4096 });
  });

  test('a placed spawn returns a PID of the worker at once and requests are answered there', async () => {
    const pid = node.root.spawn(Echo.withPlacement(Placement.thread(1)));
    expect(pid.thread).toBe(node.threadIdOf(1));
    const reply = await node.root
      .withHeaders({ trace: 't-1' })
      .request<EchoReply>(pid, { hello: [1, 2, 3] }, 5_000);
    expect(reply.echo).toEqual({ hello: [1, 2, 3] });
    expect(reply.thread).not.toBe(threadId);
    expect(reply.headers).toEqual({ trace: 't-1' });
  });

  test('one-way sends keep each sender’s order through a full ring and its overflow', async () => {
    const counter = node.root.spawn(OrderedCounter.withPlacement(Placement.thread(2)));
    const total = 30_000;
    for (let seq = 1; seq <= total; seq++) node.root.send(counter, { seq, from: 'main' });
    const report = await node.root.request<{ count: number; outOfOrder: number }>(
      counter,
      'report',
      10_000,
    );
    expect(report).toEqual({ count: total, outOfOrder: 0 });
  });

  test('frames many times larger than the ring go through whole', async () => {
    const pid = node.root.spawn(Echo.withPlacement(Placement.thread(1)));
    const big = 'x'.repeat(100_000) + 'end';
    const bytes = Uint8Array.from({ length: 50_000 }, (_, i) => i % 251);
    const reply = await node.root.request<EchoReply>(pid, { big, bytes }, 5_000);
    expect(reply.echo).toEqual({ big, bytes });
  });

  test('watching an actor on another thread delivers its Terminated', async () => {
    const probe = TestProbe.spawn(node.system);
    const pid = node.root.spawn(Echo.withPlacement(Placement.thread(2)));
    probe.watch(pid);
    await node.root.stopAsync(pid);
    const terminated = await probe.expectInstance(Terminated, 5_000);
    expect(terminated.who.id).toBe(pid.id);
    expect(terminated.why).toBe('Stopped');
  });

  test('poison across threads resolves after the queued messages', async () => {
    const counter = node.root.spawn(OrderedCounter.withPlacement(Placement.thread(1)));
    for (let seq = 1; seq <= 100; seq++) node.root.send(counter, { seq, from: 'p' });
    await node.root.poisonAsync(counter);
    await expect(node.root.request(counter, 'report', 5_000)).rejects.toMatchObject({
      code: 'ERR_DEAD_LETTER',
    });
  });

  test('a request to an unknown id on another thread fails fast as a dead letter', async () => {
    const pid = node.root.spawn(Echo.withPlacement(Placement.thread(1)));
    await node.root.stopAsync(pid);
    await expect(node.root.request(pid, 'anyone?', 5_000)).rejects.toMatchObject({
      code: 'ERR_DEAD_LETTER',
    });
  });

  test('a request that gets no answer on another thread times out', async () => {
    const pid = node.root.spawn(Fragile.withPlacement(Placement.thread(2)));
    await expect(node.root.request(pid, 'silence', 50)).rejects.toMatchObject({
      code: 'ERR_TIMEOUT',
    });
  });

  test('a parent supervises a child placed on another thread: restart, then stop', async () => {
    const events: SupervisionEvent[] = [];
    const sub = node.system.eventStream.subscribe(SupervisionEvent, (e) => {
      if (!node.system.eventStream.isForeign(e)) events.push(e);
    });
    const probe = TestProbe.spawn(node.system);
    const guardian = node.root.spawn(Guardian);
    const { child } = await node.root.request<{ child: PID }>(
      guardian,
      { spawnOn: 1, watcher: probe.pid },
      5_000,
    );
    expect(child.thread).toBe(node.threadIdOf(1));
    node.root.send(child, 'fail');
    await expect(node.root.request(child, 'ping', 5_000)).resolves.toBe('pong');
    expect(events.map((e) => e.directive)).toEqual(['restart']);
    node.root.send(child, 'fail'); // the second failure within the window exceeds maxRetries 1
    const ended = await probe.expectMessage<{ terminated: string; why: string }>(undefined, 5_000);
    expect(ended).toEqual({ terminated: child.id, why: 'Stopped' });
    expect(events.map((e) => e.directive)).toEqual(['restart', 'stop']);
    sub.unsubscribe();
  });

  test('a worker places a child on another worker', async () => {
    const guardian = node.root.spawn(Guardian.withPlacement(Placement.thread(1)));
    const { child } = await node.root.request<{ child: PID }>(guardian, { spawnOn: 2 }, 5_000);
    expect(child.thread).toBe(node.threadIdOf(2));
    await expect(node.root.request(child, 'ping', 5_000)).resolves.toBe('pong');
  });

  test('an event published on any thread reaches subscribers on every thread exactly once', async () => {
    const listeners = [1, 2].map((slot) =>
      node.root.spawn(Listener.withPlacement(Placement.thread(slot))),
    );
    const counts = async (): Promise<number[]> =>
      Promise.all(listeners.map((pid) => node.root.request<number>(pid, 'count', 5_000)));
    expect(await counts()).toEqual([0, 0]);
    let seenOnMain = 0;
    const sub = node.system.eventStream.subscribe(Announced, () => seenOnMain++);
    node.system.eventStream.publish(new Announced(0, 'from main'));
    const announcer = node.root.spawn(Announcer.withPlacement(Placement.thread(1)));
    await node.root.request(announcer, 'announce:from worker 1', 5_000);
    // A round trip through each listener's thread orders the checks after the bridged events.
    await expect.poll(counts, { timeout: 5_000 }).toEqual([2, 2]);
    expect(seenOnMain).toBe(2);
    sub.unsubscribe();
  });

  test('placement: round-robin alternates workers, hash is stable per name', () => {
    const a = node.root.spawn(Echo.withPlacement(Placement.roundRobin()));
    const b = node.root.spawn(Echo.withPlacement(Placement.roundRobin()));
    expect(new Set([a.thread, b.thread])).toEqual(
      new Set([node.threadIdOf(1), node.threadIdOf(2)]),
    );
    const hashed = Echo.withPlacement(Placement.hash());
    const first = node.root.spawnNamed(hashed, 'stable-name');
    expect([node.threadIdOf(1), node.threadIdOf(2)]).toContain(first.thread);
    node.root.stop(first);
    const least = node.root.spawn(Echo.withPlacement(Placement.leastLoaded()));
    expect([node.threadIdOf(1), node.threadIdOf(2)]).toContain(least.thread);
  });

  test('a named spawn on a worker is reachable by name and a duplicate is refused there', async () => {
    const props = Echo.withPlacement(Placement.thread(2));
    const pid = node.root.spawnNamed(props, 'echo-by-name');
    expect(pid.id).toBe(`@${node.threadIdOf(2)}/echo-by-name`);
    await expect(node.root.request<EchoReply>(pid, 1, 5_000)).resolves.toMatchObject({ echo: 1 });
    await expect(node.spawnOnThread(2, 'test.echo', 'echo-by-name')).rejects.toMatchObject({
      code: 'ERR_NAME_EXISTS',
    });
  });

  test('props without a kind cannot go to another thread', () => {
    const anonymous = Props.fromFunc(() => {}).withPlacement(Placement.thread(1));
    expect(() => node.root.spawn(anonymous)).toThrow(
      expect.objectContaining({ code: 'ERR_PLACEMENT' }),
    );
  });

  test('an unregistered class instance is refused at the sender with ERR_NOT_SERIALIZABLE', () => {
    class Secret {
      constructor(readonly value: number) {}
    }
    const pid = node.root.spawn(Echo.withPlacement(Placement.thread(1)));
    expect(() => node.root.send(pid, new Secret(1))).toThrow(
      expect.objectContaining({ code: 'ERR_NOT_SERIALIZABLE' }),
    );
  });

  test('spawnOnThread answers once the actor exists; an unknown kind is ERR_UNKNOWN_KIND', async () => {
    const pid = await node.spawnOnThread(1, 'test.echo');
    await expect(node.root.request<EchoReply>(pid, 'hi', 5_000)).resolves.toMatchObject({
      echo: 'hi',
    });
    await expect(node.spawnOnThread(1, 'no.such.kind')).rejects.toMatchObject({
      code: 'ERR_UNKNOWN_KIND',
    });
  });

  test('an actor on a worker offloads to the node’s one pool', async () => {
    const pid = node.root.spawn(Offloader.withPlacement(Placement.thread(1)));
    const task = new URL('../offload/fixtures/sum-task.ts', import.meta.url).href;
    const result = await node.root.request<{ sum: number }>(
      pid,
      { task, input: { n: 1000 } },
      20_000,
    );
    expect(result.sum).toBe(332_833_500);
  });

  test('stats report every thread', async () => {
    const stats = await node.stats();
    expect(stats.map((s) => s.slot)).toEqual([0, 1, 2]);
    expect(stats[1]!.framesIn).toBeGreaterThan(0);
  });
});
