import {
  Client,
  Metadata,
  Server,
  status as GrpcStatus,
  type ChannelOptions,
  type ServerDuplexStream,
  type StatusObject,
} from '@grpc/grpc-js';
import {
  ConnectFailedError,
  InvalidConfigError,
  TimeoutError,
  TransportClosedError,
} from '../../../runtime/index.ts';
import type { Connection, Transport, TransportOptions } from '../../transport.ts';
import { GRPC_DEFAULTS } from './grpc-config.ts';
import { GrpcConnection } from './grpc-connection.ts';
import { channelCredentials, serverCredentials, type GrpcTlsOptions } from './grpc-credentials.ts';
import {
  asBuffer,
  asFrame,
  FRAMES_PATH,
  FRAMES_SERVICE,
  inboundCallOf,
  trackInbound,
} from './grpc-frames-service.ts';

// Importable from here as well, next to the options that use it.
export type { GrpcTlsOptions } from './grpc-credentials.ts';

/** Options of the gRPC transport; omitted fields take `GRPC_DEFAULTS`. */
export interface GrpcTransportOptions extends TransportOptions {
  /** Listen and connect over TLS; without it the transport speaks plaintext HTTP/2. */
  readonly tls?: GrpcTlsOptions;
  /** Interval of HTTP/2 keepalive pings on each side; 0 turns them off. */
  readonly keepaliveMs?: number;
  /** How long `connect` waits for the peer to take the stream. */
  readonly connectTimeoutMs?: number;
  /** How long a closing connection waits for the peer to end the stream before aborting it. */
  readonly closeTimeoutMs?: number;
}

/**
 * A transport over gRPC (@grpc/grpc-js): each connection is one bidi stream on its own HTTP/2
 * channel, each frame one gRPC message. The accepting side sends response headers as soon as it
 * takes the stream; `connect` resolves on them, so a refused or unreachable peer rejects.
 *
 * @example
 * const server = new GrpcTransport({ maxFrameBytes: 1 << 20 });
 * const address = await server.listen('127.0.0.1', 0, (connection) =>
 *   connection.attach({ onFrame: (frame) => handle(frame), onClose: () => {} }),
 * );
 * const connection = await new GrpcTransport().connect(address);
 * connection.send(frame);
 */
export class GrpcTransport implements Transport {
  readonly name = 'grpc';
  private readonly maxFrameBytes: number;
  private readonly connectTimeoutMs: number;
  private readonly closeTimeoutMs: number;
  private readonly tls: GrpcTlsOptions | undefined;
  private readonly channelOptions: ChannelOptions;
  private server: Server | undefined;
  private onConnection: ((connection: Connection) => void) | undefined;
  private readonly connections = new Set<GrpcConnection>();
  /** Rejecters of connects still waiting for the peer's stream. */
  private readonly pending = new Set<(error: Error) => void>();
  private allFinished: (() => void) | undefined;
  private closed: Promise<void> | undefined;

  constructor(options: GrpcTransportOptions = {}) {
    this.maxFrameBytes = checked('maxFrameBytes', options.maxFrameBytes, 1, 2 ** 31 - 1);
    this.connectTimeoutMs = checked('connectTimeoutMs', options.connectTimeoutMs, 1);
    this.closeTimeoutMs = checked('closeTimeoutMs', options.closeTimeoutMs, 1);
    const keepaliveMs = checked('keepaliveMs', options.keepaliveMs, 0);
    this.tls = options.tls;
    this.channelOptions = {
      // A message is exactly one frame (identity serialization), so the limits are the frame's.
      'grpc.max_receive_message_length': this.maxFrameBytes,
      'grpc.max_send_message_length': this.maxFrameBytes,
      ...(keepaliveMs > 0 && {
        'grpc.keepalive_time_ms': keepaliveMs,
        'grpc.keepalive_timeout_ms': GRPC_DEFAULTS.keepaliveTimeoutMs,
      }),
    };
  }

  /** Binds `host:port`, resolves with the bound `host:port`; each stream becomes a connection. */
  listen(
    host: string,
    port: number,
    onConnection: (connection: Connection) => void,
  ): Promise<string> {
    if (this.closed) return Promise.reject(closedError('listen'));
    if (this.server) return Promise.reject(new InvalidConfigError('the transport already listens'));
    const server = new Server({ ...this.channelOptions, interceptors: [trackInbound] });
    server.addService(FRAMES_SERVICE, { stream: this.accept });
    this.server = server;
    this.onConnection = onConnection;
    const hostPart = host.includes(':') ? `[${host}]` : host;
    return new Promise((resolve, reject) => {
      server.bindAsync(`${hostPart}:${port}`, serverCredentials(this.tls), (error, bound) => {
        if (error) {
          this.server = undefined;
          server.forceShutdown();
          reject(bindError(error));
        } else resolve(`${hostPart}:${bound}`);
      });
    });
  }

  /** Opens a channel and one stream to `address`; resolves once the peer has taken the stream. */
  connect(address: string): Promise<Connection> {
    if (this.closed) return Promise.reject(closedError('connect'));
    if (!/^(\[[0-9a-fA-F:.]+\]|[^:\s[\]]+):\d{1,5}$/.test(address)) {
      return Promise.reject(new InvalidConfigError(`'${address}' is not a host:port address`));
    }
    const client = new Client(address, channelCredentials(this.tls), {
      ...this.channelOptions,
      ...(this.tls?.servername !== undefined && {
        'grpc.ssl_target_name_override': this.tls.servername,
      }),
      // One HTTP/2 connection per transport connection, never shared with another channel.
      'grpc.use_local_subchannel_pool': 1,
      // No retries: a lost stream is reconnected above. And no retry buffer: while it has room,
      // grpc-js acknowledges a write at once and keeps the message for replay, which defeats
      // back-pressure and costs time quadratic in the messages it holds.
      'grpc.enable_retries': 0,
      'grpc.per_rpc_retry_buffer_size': 0,
      'grpc.service_config_disable_resolution': 1,
    });
    const call = client.makeBidiStreamRequest(FRAMES_PATH, asBuffer, asFrame, new Metadata());
    call.on('error', ignore);
    return new Promise((resolve, reject) => {
      const settle = (): void => {
        clearTimeout(timer);
        call.removeListener('metadata', onHeaders);
        call.removeListener('status', onStatus);
        this.pending.delete(fail);
      };
      const fail = (error: Error): void => {
        settle();
        call.cancel();
        client.close();
        reject(error);
      };
      const onStatus = (status: StatusObject): void => fail(connectError(address, status));
      const onHeaders = (): void => {
        settle();
        const connection = new GrpcConnection(call, {
          maxFrameBytes: this.maxFrameBytes,
          closeTimeoutMs: this.closeTimeoutMs,
          abort: () => call.cancel(),
          finished: (finished) => {
            this.forget(finished);
            client.close();
          },
        });
        call.on('status', (status: StatusObject) => connection.ended(status));
        this.connections.add(connection);
        resolve(connection);
      };
      const timer = setTimeout(
        () =>
          fail(new TimeoutError(`no gRPC stream to ${address} within ${this.connectTimeoutMs} ms`)),
        this.connectTimeoutMs,
      );
      call.once('metadata', onHeaders);
      call.once('status', onStatus);
      this.pending.add(fail);
    });
  }

  /** Refuses new streams, closes every connection (each within `closeTimeoutMs`), then unbinds. */
  close(): Promise<void> {
    this.closed ??= this.shutdown();
    return this.closed;
  }

  private async shutdown(): Promise<void> {
    for (const fail of [...this.pending]) fail(closedError('connect'));
    const finished = new Promise<void>((resolve) => {
      if (this.connections.size === 0) resolve();
      else this.allFinished = resolve;
    });
    for (const connection of [...this.connections]) connection.close();
    await finished;
    const server = this.server;
    this.server = undefined;
    if (server) await this.stopServer(server);
  }

  // Every connection's call has ended by now, so a graceful shutdown only flushes trailers.
  private stopServer(server: Server): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, this.closeTimeoutMs);
      timer.unref();
      server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private readonly accept = (call: ServerDuplexStream<Buffer, Uint8Array>): void => {
    const onConnection = this.onConnection;
    if (this.closed || !onConnection) {
      // An error status (grpc-js's way to fail a streaming handler) makes the connect reject.
      const refusal = new Error('the transport is closing');
      call.emit('error', Object.assign(refusal, { code: GrpcStatus.UNAVAILABLE }));
      return;
    }
    const inbound = inboundCallOf(call.metadata);
    // The response headers are the connecting side's signal that the stream is taken.
    call.sendMetadata(new Metadata());
    const connection = new GrpcConnection(call, {
      maxFrameBytes: this.maxFrameBytes,
      closeTimeoutMs: this.closeTimeoutMs,
      abort: () => inbound?.abort(),
      finished: (finished) => this.forget(finished),
    });
    // A lost link also ends the request stream, but only after grpc-js has queued the
    // 'cancelled' event (a process.nextTick); waiting one check phase lets that come first, so a
    // drop is not taken for the peer's orderly half-close.
    call.on('end', () => setImmediate(() => connection.peerEnded()));
    call.on('cancelled', () => connection.ended(inbound?.status));
    this.connections.add(connection);
    try {
      onConnection(connection);
    } catch (error) {
      connection.close(error instanceof Error ? error : new Error(String(error)));
    }
  };

  private forget(connection: GrpcConnection): void {
    this.connections.delete(connection);
    if (this.connections.size === 0) this.allFinished?.();
  }
}

function ignore(): void {}

/** The option's value, or its default; out of range throws `InvalidConfigError`. */
function checked(
  name: keyof typeof GRPC_DEFAULTS,
  value: number | undefined,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const v = value ?? GRPC_DEFAULTS[name];
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new InvalidConfigError(`grpc transport: ${name} must be an integer in [${min}, ${max}]`);
  }
  return v;
}

/** Why a stream could not be opened, from the status gRPC ended it with. */
function connectError(address: string, status: StatusObject): ConnectFailedError {
  const detail = status.details.replace(/\.?\s*Resolution note:\s*$/, '');
  const cause = new Error(`${GrpcStatus[status.code]}: ${status.details}`);
  return new ConnectFailedError(address, detail, { cause });
}

function closedError(what: string): TransportClosedError {
  return new TransportClosedError(what);
}

/** grpc-js puts the socket error (EADDRINUSE, ...) in its message only; lift its code out. */
function bindError(error: Error): Error {
  const code = /\b(E[A-Z]{3,})\b/.exec(error.message)?.[1];
  return code === undefined
    ? error
    : Object.assign(new Error(error.message, { cause: error }), { code });
}
