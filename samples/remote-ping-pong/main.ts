/**
 * remote-ping-pong: two nodes in two processes on loopback. This process starts the pong node as
 * a child, then pings it: requests with replies, a burst of one-way messages, a remote spawn, and
 * watches that report a remote stop and the pong node going away. Run it with `npm start`, or
 * with `TRANSPORT=grpc npx tsx samples/remote-ping-pong/main.ts` for the gRPC transport.
 */
import { fork } from 'node:child_process';
import { ActorSystem, PID, Props, Terminated } from '../../runtime/index.ts';
import { EndpointConnected, Remote } from '../../remoting/index.ts';
import { Ping, type Pong } from './messages.ts';

const transport = process.env.TRANSPORT === 'grpc' ? 'grpc' : 'tcp';
const child = fork(new URL('./pong-node.ts', import.meta.url), [], {
  execArgv: ['--import', 'tsx'],
  env: { ...process.env, SPINDLE_LOG_LEVEL: process.env.SPINDLE_LOG_LEVEL ?? 'silent' },
});
const pongAddress = await new Promise<string>((resolve) =>
  child.once('message', (m) => resolve((m as { address: string }).address)),
);

const system = new ActorSystem();
// A small retry budget, so that the pong node's exit is noticed within a fraction of a second.
const remote = await Remote.start(system, {
  port: 0,
  transport,
  reconnectMaxRetries: 2,
  reconnectInitialMs: 50,
});
system.eventStream.subscribe(EndpointConnected, () =>
  console.log(`ping: connected to the pong node over ${transport}`),
);

try {
  const ponger = new PID(pongAddress, 'ponger');

  // Request/response across processes: the reply says which node answered.
  for (let seq = 1; seq <= 3; seq++) {
    const pong = await system.root.request<Pong>(ponger, new Ping(seq), 5_000);
    console.log(`ping: pong ${pong.seq} from the pong node (${pong.node === pongAddress})`);
  }

  // One-way messages are batched: many per frame, one write per event-loop turn.
  for (let seq = 1; seq <= 10_000; seq++) system.root.send(ponger, new Ping(seq));
  const counted = await system.root.request<number>(ponger, 'count', 5_000);
  console.log(`ping: the pong node counted ${counted} one-way pings`);

  // Remote spawn of a kind the other node defines, and a typed error for one it does not.
  const spawned = await remote.spawn(pongAddress, 'sample.ponger');
  const pong = await system.root.request<Pong>(spawned, new Ping(99), 5_000);
  console.log(`ping: a spawned ponger answered ping ${pong.seq}`);
  try {
    await remote.spawn(pongAddress, 'sample.unknown');
  } catch (error) {
    console.log(`ping: spawning an unknown kind failed with ${(error as { code: string }).code}`);
  }

  // Watch across nodes: a stop there is a Terminated here, and so is the whole node going away.
  const seen: Terminated[] = [];
  const bothSeen = new Promise<void>((resolve) => {
    const watcher = system.root.spawn(
      Props.fromFunc((context) => {
        const message = context.message;
        if (message instanceof PID) context.watch(message);
        if (message instanceof Terminated && seen.push(message) === 2) resolve();
      }),
    );
    system.root.send(watcher, spawned);
    system.root.send(watcher, ponger);
  });
  await system.root.request(ponger, new Ping(100), 5_000); // the watches have left by now
  await system.root.stopAsync(spawned);
  child.send('stop');
  await bothSeen;
  for (const { who, why } of seen) {
    console.log(
      `ping: the watcher saw ${who.id === 'ponger' ? 'ponger' : 'the spawned ponger'} end: ${why}`,
    );
  }
} catch (error) {
  console.error('remote-ping-pong failed:', error);
  process.exitCode = 1;
} finally {
  if (child.exitCode === null) {
    child.send('stop');
    await new Promise((resolve) => child.once('exit', resolve));
  }
  await remote.shutdown();
  await system.shutdown();
  console.log('ping: both nodes stopped');
}
