/**
 * actor-threads: one node, the main thread plus two worker threads, one PID space. Counters are
 * placed round-robin on the workers and fed from the main thread through SharedArrayBuffer rings;
 * their milestone events cross back through the bridged EventStream; a hasher offloads CPU work
 * to the node's piscina pool. Run it with `npx tsx samples/actor-threads/main.ts`.
 */
import { threadId } from 'node:worker_threads';
import { ActorNode, Placement } from '../../runtime/index.ts';
import { Count, Hasher, Milestone, WordCounter } from './kinds.ts';

const node = await ActorNode.start({
  threads: 2,
  modules: [new URL('./kinds.ts', import.meta.url)],
});

try {
  console.log(`main: node started with ${node.threads} worker threads`);

  // Events published on a worker reach subscribers on every thread, once each.
  const milestones: string[] = [];
  node.system.eventStream.subscribe(Milestone, (m) => milestones.push(`${m.word}@${m.total}`));

  // Placement picks the thread; spawn returns the PID at once, whichever thread it lands on.
  const words = ['apple', 'banana', 'cherry', 'damson'];
  const counters = words.map((word) => ({
    word,
    pid: node.root.spawn(WordCounter.withPlacement(Placement.roundRobin())),
  }));
  for (const { word, pid } of counters) {
    const slot = pid.thread === node.threadIdOf(1) ? 1 : 2;
    console.log(`main: counter for ${word} placed on worker slot ${slot}`);
  }

  // 20,000 one-way messages per counter, encoded once each and written into the rings.
  for (let i = 0; i < 20_000; i++) {
    for (const { word, pid } of counters) node.root.send(pid, new Count(word, 1));
  }

  // Requests cross threads both ways; replies arrive in order behind the counts.
  for (const { pid } of counters) {
    const { word, total, thread } = await node.root.request<{
      word: string;
      total: number;
      thread: number;
    }>(pid, 'total', 5_000);
    console.log(`main: ${word} counted ${total} on a worker (${thread !== threadId})`);
  }
  console.log(`main: ${milestones.length} milestones arrived through the bridged EventStream`);

  const hasher = node.root.spawn(Hasher.withPlacement(Placement.thread(1)));
  const digest = await node.root.request<string>(hasher, 'spindle', 20_000);
  console.log(`main: the offload pool hashed "spindle" to ${digest}`);

  const stats = await node.stats();
  console.log(`main: ${stats.length} threads report stats`);
} catch (error) {
  console.error('actor-threads failed:', error);
  process.exitCode = 1;
} finally {
  await node.shutdown();
  console.log('main: node stopped');
}
