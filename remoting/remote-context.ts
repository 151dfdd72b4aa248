import type { ActorSystem, CodecRegistry, Headers, Logger, PID } from '../runtime/index.ts';
import type { BlockList } from './block-list.ts';
import type { Endpoint } from './endpoint.ts';
import type { RemoteMetrics } from './remote-metrics.ts';
import type { ResolvedRemoteOptions } from './remote-options.ts';
import type { Transport } from './transport.ts';
import type { DecodedEnvelope } from './wire/frame-decoder.ts';

/** What endpoints and connections of one node share: its identity, settings and sinks. */
export interface RemoteContext {
  readonly system: ActorSystem;
  readonly codecs: CodecRegistry;
  readonly transport: Transport;
  readonly options: ResolvedRemoteOptions;
  readonly logger: Logger;
  readonly metrics: RemoteMetrics;
  readonly blockList: BlockList;
  /** This node's system id: new for every start, so a restarted node is a new peer. */
  readonly systemId: string;
  readonly secret: string | undefined;
  /** This node's bound address, `host:port`. */
  readonly address: string;
  /** `pid` as other nodes must see it (a PID made before remoting started says `local`). */
  publicPid(pid: PID | undefined): PID | undefined;
  /** Delivers envelopes that arrived from `from` to local actors (or dead letters). */
  deliver(envelopes: readonly DecodedEnvelope[], from: string): void;
  /** A message for a node whose endpoint has terminated becomes a dead letter here. */
  deadLetter(
    address: string,
    targetId: string,
    message: unknown,
    sender: PID | undefined,
    headers: Headers,
  ): void;
  /** An endpoint gave up: apply the consequences; `unsent` are frames that never left. */
  endpointTerminated(endpoint: Endpoint, reason: string, unsent: readonly Uint8Array[]): void;
}
