import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ActorNode, PID, Placement } from '../../runtime/index.ts';
import { Remote } from '../../remoting/index.ts';
import { Relay, RemoteEcho } from './fixtures/remote-kinds.ts';
import { startPeer, type Peer } from './peer-fixture.ts';

describe('remote: worker threads', () => {
  let peer: Peer;
  let node: ActorNode;
  let remote: Remote;

  beforeAll(async () => {
    peer = await startPeer();
    node = await ActorNode.start({
      threads: 1,
      modules: [new URL('./fixtures/remote-kinds.ts', import.meta.url)],
    });
    remote = await Remote.start(node);
  }, 30_000);

  afterAll(async () => {
    await remote.shutdown();
    await node.shutdown();
    await peer.exit();
  });

  test('an actor on a worker thread requests an actor on another node, and is answered', async () => {
    const relay = node.root.spawn(Relay.withPlacement(Placement.thread(1)));
    expect(relay.address).toBe(remote.address);
    expect(relay.thread).toBe(node.threadIdOf(1));
    const reply = await node.root.request<{ echo: unknown; sender: string }>(
      relay,
      { ask: new PID(peer.address, 'echo'), message: 'from a worker' },
      10_000,
    );
    // The peer saw a sender of this node (the worker's future) and its reply came back.
    expect(reply).toMatchObject({ echo: 'from a worker', sender: remote.address });
  });

  test('another node reaches an actor on one of our worker threads', async () => {
    const echo = node.root.spawnNamed(RemoteEcho.withPlacement(Placement.thread(1)), 'threaded');
    expect(echo.thread).toBe(node.threadIdOf(1));
    const reply = await peer.request(remote.address, echo.id, 'to a worker');
    expect(reply).toMatchObject({ echo: 'to a worker', node: remote.address });
  });
});
