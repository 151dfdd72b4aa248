/**
 * The peer of the remoting benchmarks' subjects: a Spindle node in its own process, with remoting
 * over the transport named in `BENCH_REMOTE_TRANSPORT` (`tcp` or `grpc`) on a free loopback port.
 * The benchmark spawns the kinds of `bench-kinds.ts` on it with `remote.spawn`. Started by
 * `RemotePair`; not to be imported.
 */
import { ActorSystem } from '../../runtime/index.ts';
import { Remote } from '../../remoting/index.ts';
import './bench-kinds.ts';
import { servePeer } from './peer-process.ts';

const transport = process.env['BENCH_REMOTE_TRANSPORT'] === 'grpc' ? 'grpc' : 'tcp';
const system = new ActorSystem();
const remote = await Remote.start(system, { transport });
servePeer(remote.address);
