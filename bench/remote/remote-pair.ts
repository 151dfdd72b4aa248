import { ActorSystem, type PID } from '../../runtime/index.ts';
import { Remote } from '../../remoting/index.ts';
import { launchPeer, type PeerProcess } from './peer-process.ts';

const SPINDLE_PEER = new URL('./spindle-peer.ts', import.meta.url);

/** The transports a benchmark case runs over. */
export type TransportName = 'tcp' | 'grpc';

/**
 * A subject's two nodes: an actor system with remoting in the benchmark's process (node A) and
 * a `spindle-peer.ts` process (node B), over one transport on loopback. Started in a subject's
 * setup and stopped in its teardown, so that neither start-up is measured.
 */
export class RemotePair {
  private systemOf: ActorSystem | undefined;
  private remoteOf: Remote | undefined;
  private peer: PeerProcess | undefined;

  constructor(readonly transport: TransportName) {}

  /** Node A's actor system (after `start`). */
  get system(): ActorSystem {
    return this.systemOf!; // set in start, which every setup awaits first
  }

  /** Node A's remoting (after `start`). */
  get remote(): Remote {
    return this.remoteOf!; // set in start, like the system
  }

  /** Starts node B's process, then node A. */
  async start(): Promise<void> {
    this.peer = await launchPeer(SPINDLE_PEER, {
      BENCH_REMOTE_TRANSPORT: this.transport,
      // Node A's shutdown drops B's connection to it, which B would log as a warning.
      SPINDLE_LOG_LEVEL: process.env['BENCH_PEER_LOG_LEVEL'] ?? 'error',
    });
    this.systemOf = new ActorSystem();
    this.remoteOf = await Remote.start(this.systemOf, { transport: this.transport });
  }

  /**
   * Spawns `kind` on node B. Its round trip also opens the connections both ways (A's to B
   * carries the request, B's to A the answer), so the first measured message finds them up.
   */
  spawnThere(kind: string): Promise<PID> {
    return this.remote.spawn(this.peer!.address, kind); // set in start
  }

  /** Stops node A's remoting and system, then node B's process. */
  async stop(): Promise<void> {
    try {
      await this.remoteOf?.shutdown();
      await this.systemOf?.shutdown();
    } finally {
      await this.peer?.stop();
    }
  }
}
