import { describe, expect, it } from 'vitest';
import { runSample } from './run-sample.ts';

describe('samples/remote-ping-pong', () => {
  it.each(['tcp', 'grpc'])(
    'remote-ping-pong over %s: two processes tell the whole story',
    async (transport) => {
      const run = await runSample('samples/remote-ping-pong/main.ts', { TRANSPORT: transport });
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.lines).toEqual([
        `ping: connected to the pong node over ${transport}`,
        'ping: pong 1 from the pong node (true)',
        'ping: pong 2 from the pong node (true)',
        'ping: pong 3 from the pong node (true)',
        'ping: the pong node counted 10000 one-way pings',
        'ping: a spawned ponger answered ping 99',
        'ping: spawning an unknown kind failed with ERR_UNKNOWN_KIND',
        'ping: the watcher saw the spawned ponger end: Stopped',
        'ping: the watcher saw ponger end: AddressTerminated',
        'ping: both nodes stopped',
      ]);
    },
    60_000,
  );
});
