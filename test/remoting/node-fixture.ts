import { afterAll } from 'vitest';
import { ActorSystem } from '../../runtime/index.ts';
import { Remote, type RemoteOptions } from '../../remoting/index.ts';
import './fixtures/remote-kinds.ts';

const started: { system: ActorSystem; remote: Remote }[] = [];
afterAll(async () => {
  for (const { system, remote } of started.splice(0)) {
    await remote.shutdown();
    await system.shutdown();
  }
});

/** A node in this test process: an ActorSystem with remoting on 127.0.0.1, stopped after the file. */
export async function startLocalNode(
  options: RemoteOptions = {},
): Promise<{ system: ActorSystem; remote: Remote }> {
  const system = new ActorSystem();
  const remote = await Remote.start(system, options);
  const node = { system, remote };
  started.push(node);
  return node;
}
