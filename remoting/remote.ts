import {
  AddressTerminatedError,
  EMPTY_HEADERS,
  LOCAL_ADDRESS,
  MessageEnvelope,
  PeerWatches,
  PID,
  SpindleError,
  type ActorSystem,
  type CodecRegistry,
  type Headers,
  type Logger,
  defaultCodecs,
} from '../runtime/index.ts';
import type { BlockList } from './block-list.ts';
import { Endpoint } from './endpoint.ts';
import { deliverEnvelopes } from './envelope-delivery.ts';
import { InboundConnection } from './inbound-connection.ts';
import type { SpawnResponse } from './remote-activator.ts';
import {
  ACTIVATOR_ID,
  activatorProps,
  registerActivatorCodecs,
  SpawnRequest,
} from './remote-activator.ts';
import type { RemoteContext } from './remote-context.ts';
import { EndpointTerminated } from './remote-events.ts';
import { RemoteMetrics } from './remote-metrics.ts';
import {
  blockListOf,
  resolveRemoteOptions,
  type RemoteOptions,
  type ResolvedRemoteOptions,
} from './remote-options.ts';
import { RemoteProcess } from './remote-process.ts';
import type { Transport } from './transport.ts';
import { GrpcTransport } from './transports/grpc/grpc-transport.ts';
import { TcpTransport } from './transports/tcp/tcp-transport.ts';
import { decodeRemoteMessage, type DecodedEnvelope } from './wire/frame-decoder.ts';

/** A node with worker threads: remoting stamps its bound address on every thread. */
export interface AddressableNode {
  readonly system: ActorSystem;
  setAddress(address: string): Promise<void>;
}

interface Peer {
  readonly endpoint: Endpoint;
  readonly process: RemoteProcess;
}

/**
 * Remoting for one node: it listens on a port, makes PIDs of other nodes resolve to endpoints,
 * delivers what other nodes send, spawns kinds on request, and applies the block list. Start it
 * on the main thread before PIDs leave the node; actors on worker threads reach other nodes
 * through it.
 *
 * @example
 * const remote = await Remote.start(system, { port: 0, secret: process.env.CLUSTER_SECRET });
 * const pid = await remote.spawn('10.0.0.7:4020', 'counter');
 * system.root.send(pid, { add: 1 });
 */
export class Remote implements RemoteContext {
  readonly metrics = new RemoteMetrics();
  readonly systemId: string;
  readonly secret: string | undefined;
  readonly blockList: BlockList;
  readonly codecs: CodecRegistry;
  readonly logger: Logger;
  private readonly peers = new Map<string, Peer>();
  private readonly inbound = new Set<InboundConnection>();
  private readonly watches = new PeerWatches<string>();
  private unresolve: (() => void) | undefined;
  private unblock: (() => void) | undefined;
  private stopped: Promise<void> | undefined;
  private boundAddress = '';

  private constructor(
    readonly system: ActorSystem,
    readonly transport: Transport,
    readonly options: ResolvedRemoteOptions,
    given: RemoteOptions,
  ) {
    this.systemId = system.id;
    this.secret = given.secret;
    this.blockList = blockListOf(given);
    this.codecs = given.codecs ?? defaultCodecs;
    this.logger = given.logger ?? system.logger;
    registerActivatorCodecs(this.codecs);
  }

  /** Binds the port, takes its address as the node's, and starts serving other nodes. */
  static async start(
    target: ActorSystem | AddressableNode,
    options: RemoteOptions = {},
  ): Promise<Remote> {
    const resolved = resolveRemoteOptions(options);
    const system = 'setAddress' in target ? target.system : target;
    const transport = makeTransport(options, resolved);
    const remote = new Remote(system, transport, resolved, options);
    const bound = await transport.listen(resolved.host, resolved.port, (connection) =>
      remote.accept(connection),
    );
    const address = options.advertisedAddress ?? bound;
    remote.boundAddress = address;
    if ('setAddress' in target) await target.setAddress(address);
    else system.registry.address = address;
    remote.unresolve = system.registry.addResolver((pid) => remote.resolve(pid));
    remote.unblock = remote.blockList.onBlocked((id) => remote.applyBlock(id));
    system.spawnActor(ACTIVATOR_ID, activatorProps, undefined);
    remote.logger.info(
      { address, systemId: remote.systemId, transport: transport.name },
      'remoting started',
    );
    return remote;
  }

  /** This node's address, `host:port`. */
  get address(): string {
    return this.boundAddress;
  }

  /**
   * Spawns `kind` on the node at `address` and resolves with its PID. Rejects with the other
   * node's typed error (`ERR_UNKNOWN_KIND`, `ERR_NAME_EXISTS`), `ERR_TIMEOUT`, or
   * `ERR_ADDRESS_TERMINATED` when the node cannot be reached.
   */
  async spawn(address: string, kind: string, name?: string, timeoutMs?: number): Promise<PID> {
    const activator = new PID(address, ACTIVATOR_ID);
    const response = await this.system.root.request<SpawnResponse>(
      activator,
      new SpawnRequest(kind, name ?? ''),
      timeoutMs ?? this.options.spawnTimeoutMs,
    );
    if (response.pid !== undefined) return response.pid;
    throw new SpindleError(
      response.errorCode,
      `remote spawn of '${kind}' at ${address} failed: ${response.errorMessage}`,
    );
  }

  /** Addresses of the nodes this one has an endpoint to, and whether each is connected. */
  endpoints(): { address: string; connected: boolean; systemId: string | undefined }[] {
    return [...this.peers.values()].map(({ endpoint }) => ({
      address: endpoint.address,
      connected: endpoint.connected,
      systemId: endpoint.systemId,
    }));
  }

  /** Closes every connection and stops listening; queued batches are written first. */
  shutdown(): Promise<void> {
    return (this.stopped ??= this.stopAll());
  }

  private async stopAll(): Promise<void> {
    this.unresolve?.();
    this.unblock?.();
    for (const { endpoint } of this.peers.values()) endpoint.close();
    this.peers.clear();
    for (const inbound of this.inbound) inbound.close('node shutting down');
    await this.transport.close();
    this.logger.info({ address: this.address }, 'remoting stopped');
  }

  // ── RemoteContext ──────────────────────────────────────────────────────────────────────────

  publicPid(pid: PID | undefined): PID | undefined {
    if (pid === undefined || pid.address !== LOCAL_ADDRESS) return pid;
    return new PID(this.address, pid.id);
  }

  deliver(envelopes: readonly DecodedEnvelope[]): void {
    this.metrics.decodeErrors += deliverEnvelopes(this.system, this.watches, envelopes);
  }

  deadLetter(
    address: string,
    targetId: string,
    message: unknown,
    sender: PID | undefined,
    headers: Headers,
  ): void {
    const wrapped =
      sender === undefined && headers === EMPTY_HEADERS
        ? message
        : new MessageEnvelope(message, sender, headers);
    this.system.deadLetter.sendUser(new PID(address, targetId), wrapped);
  }

  endpointTerminated(endpoint: Endpoint, reason: string, unsent: readonly Uint8Array[]): void {
    const { address } = endpoint;
    const peer = this.peers.get(address);
    if (peer?.endpoint === endpoint) this.peers.delete(address);
    this.logger.warn({ address, reason }, 'endpoint terminated');
    const system = this.system;
    const notified = this.watches.peerDied(address, 'AddressTerminated', system.registry);
    const failed = system.failPendingRequests(
      (target) => target.address === address,
      () => new AddressTerminatedError(address),
    );
    const dropped = this.deadLetterUnsent(address, unsent);
    this.logger.debug({ address, notified, failed, dropped }, 'endpoint termination applied');
    system.eventStream.publish(new EndpointTerminated(address, reason));
  }

  // ── internals ──────────────────────────────────────────────────────────────────────────────

  private resolve(pid: PID): RemoteProcess | undefined {
    const address = pid.address;
    if (address === this.address || address === LOCAL_ADDRESS || this.stopped !== undefined) {
      return undefined;
    }
    let peer = this.peers.get(address);
    if (peer === undefined || peer.endpoint.terminated) {
      const endpoint = new Endpoint(address, this);
      peer = { endpoint, process: new RemoteProcess(endpoint, this.watches) };
      this.peers.set(address, peer);
    }
    return peer.process;
  }

  private accept(connection: Parameters<Parameters<Transport['listen']>[2]>[0]): void {
    if (this.stopped !== undefined) {
      connection.close(new Error('node shutting down'));
      return;
    }
    const inbound = new InboundConnection(connection, this, (gone) => this.inbound.delete(gone));
    this.inbound.add(inbound);
  }

  /** A newly blocked id: close its connections both ways. */
  private applyBlock(id: string): void {
    for (const inbound of this.inbound) if (inbound.peerId === id) inbound.close('blocked');
    for (const { endpoint } of this.peers.values()) {
      if (endpoint.systemId === id) endpoint.terminate(`node ${id} is blocked`);
    }
  }

  /** Messages that never left become dead letters, as they would for a dead local actor. */
  private deadLetterUnsent(address: string, unsent: readonly Uint8Array[]): number {
    let dropped = 0;
    for (const frame of unsent) {
      try {
        const decoded = decodeRemoteMessage(frame, this.codecs);
        if (decoded.kind !== 'batch') continue;
        for (const envelope of decoded.envelopes) {
          this.system.deadLetter.sendUser(new PID(address, envelope.target), envelope.message);
          dropped++;
        }
      } catch (error) {
        this.logger.error({ address, err: error }, 'could not read back an unsent batch');
      }
    }
    return dropped;
  }
}

function makeTransport(options: RemoteOptions, resolved: ResolvedRemoteOptions): Transport {
  const given = options.transport ?? 'tcp';
  if (typeof given !== 'string') return given;
  const common = {
    maxFrameBytes: resolved.maxFrameBytes,
    connectTimeoutMs: resolved.connectTimeoutMs,
    ...(options.tls === undefined ? {} : { tls: options.tls }),
  };
  return given === 'grpc' ? new GrpcTransport(common) : new TcpTransport(common);
}
