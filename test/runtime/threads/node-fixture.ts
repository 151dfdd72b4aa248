import { afterAll } from 'vitest';
import { ActorNode, type ActorNodeOptions } from '../../../runtime/index.ts';

/** The module every test worker loads: it defines the test kinds and codecs. */
export const TEST_KINDS = new URL('./fixtures/test-kinds.ts', import.meta.url);

const started: ActorNode[] = [];
afterAll(async () => {
  await Promise.all(started.splice(0).map((node) => node.shutdown()));
});

/** Starts a real node with worker threads that know the test kinds; shut down after the file. */
export async function startNode(options: ActorNodeOptions = {}): Promise<ActorNode> {
  const node = await ActorNode.start({ threads: 1, modules: [TEST_KINDS], ...options });
  started.push(node);
  return node;
}
