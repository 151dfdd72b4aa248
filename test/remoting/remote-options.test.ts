import { describe, expect, it } from 'vitest';
import { ActorSystem } from '../../runtime/index.ts';
import { Remote, REMOTING_DEFAULTS } from '../../remoting/index.ts';

describe('Remote options', () => {
  it.each([
    [{ port: 70_000 }],
    [{ port: -1 }],
    [{ maxFrameBytes: 0 }],
    [{ batchMaxBytes: 32 * 1024 * 1024 }],
    [{ reconnectMaxRetries: -1 }],
    [{ connectTimeoutMs: Number.NaN }],
    [{ secret: '' }],
  ])('remote-options: %j is refused before anything binds', async (options) => {
    const system = new ActorSystem();
    await expect(Remote.start(system, options)).rejects.toMatchObject({
      code: 'ERR_INVALID_CONFIG',
    });
    await system.shutdown();
  });

  it('remote-options: a port in use fails the start with the reason', async () => {
    const system = new ActorSystem();
    const first = await Remote.start(system);
    const port = Number(first.address.split(':')[1]);
    const other = new ActorSystem();
    await expect(Remote.start(other, { port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
    await first.shutdown();
    await system.shutdown();
    await other.shutdown();
    expect(REMOTING_DEFAULTS.port).toBe(0);
  });
});
