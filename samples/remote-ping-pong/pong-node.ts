/**
 * The pong node: its own process, with remoting on a free loopback port. It tells its parent the
 * address it bound, serves pings until told to stop, then shuts down cleanly.
 */
import { ActorSystem } from '../../runtime/index.ts';
import { Remote } from '../../remoting/index.ts';
import { Ponger } from './messages.ts';

const system = new ActorSystem();
const remote = await Remote.start(system, {
  port: 0,
  transport: process.env.TRANSPORT === 'grpc' ? 'grpc' : 'tcp',
});
system.root.spawnNamed(Ponger, 'ponger');
process.send?.({ address: remote.address });
process.once('message', () => {
  void remote
    .shutdown()
    .then(() => system.shutdown())
    .then(() => process.exit(0));
});
