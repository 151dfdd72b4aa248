import { connect as netConnect, createServer as createNetServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { connect as tlsConnect, createServer as createTlsServer } from 'node:tls';
import type { ConnectionOptions, TlsOptions } from 'node:tls';
import { InvalidConfigError, TimeoutError, TransportClosedError } from '../../../runtime/index.ts';
import type { Connection, Transport, TransportOptions } from '../../transport.ts';
import { MAX_WIRE_FRAME_BYTES, TCP_DEFAULTS } from './tcp-config.ts';
import { formatAddress, TcpConnection, type TcpConnectionSettings } from './tcp-connection.ts';

/** TLS material of a node: its own key and certificate, and the CA its peers must chain to. */
export interface TcpTlsOptions {
  /** The node's private key (PEM). */
  readonly key: string | Buffer;
  /** The node's certificate (PEM), shown to peers on both sides of a connection. */
  readonly cert: string | Buffer;
  /**
   * Certificates trusted to sign peers' certificates, instead of Node's root CAs. When set, the
   * listening side also asks connecting nodes for a certificate signed by them (mutual TLS).
   */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  /** False accepts any certificate, on both sides (for tests only); default true. */
  readonly rejectUnauthorized?: boolean;
  /** The name the server's certificate must carry, when it is not the host connected to. */
  readonly servername?: string;
}

/** Options of the TCP transport; omitted fields take `TCP_DEFAULTS`. */
export interface TcpTransportOptions extends TransportOptions {
  /** Speak TLS instead of plain TCP. */
  readonly tls?: TcpTlsOptions;
  /** How long `connect` may take, TLS handshake included. */
  readonly connectTimeoutMs?: number;
  /** How long an orderly close waits for the peer before the socket is dropped. */
  readonly closeTimeoutMs?: number;
}

/**
 * The remoting transport over `node:net` (or `node:tls`): length-prefixed frames on one socket
 * per connection, written in one batch per event-loop turn. With `tls`, the connecting side
 * verifies the listener's certificate, and with `tls.ca` the listener verifies the connecting
 * node's too.
 *
 * @example
 * const transport = new TcpTransport({ maxFrameBytes: 4 * 1024 * 1024 });
 * const address = await transport.listen('127.0.0.1', 0, (connection) => accept(connection));
 * const connection = await new TcpTransport().connect(address);
 * connection.attach({ onFrame: (frame) => read(frame), onClose: (reason) => gone(reason) });
 * connection.send(frame);
 */
export class TcpTransport implements Transport {
  readonly name = 'tcp';
  private readonly settings: TcpConnectionSettings;
  private readonly connectTimeoutMs: number;
  private readonly tls: TcpTlsOptions | undefined;
  private server: Server | undefined = undefined;
  private readonly connections = new Set<TcpConnection>();
  /** Outbound sockets not yet connected (or not yet through the TLS handshake). */
  private readonly connecting = new Set<Socket>();
  /** Inbound raw sockets of a TLS listener, from accept until they close. */
  private readonly inbound = new Set<Socket>();
  private stopped = false;
  private closing: Promise<void> | undefined = undefined;

  constructor(options: TcpTransportOptions = {}) {
    const maxFrameBytes = options.maxFrameBytes ?? TCP_DEFAULTS.maxFrameBytes;
    if (!Number.isInteger(maxFrameBytes) || maxFrameBytes < 1) {
      throw new InvalidConfigError(
        `maxFrameBytes must be a positive integer, got ${maxFrameBytes}`,
      );
    }
    if (maxFrameBytes > MAX_WIRE_FRAME_BYTES) {
      throw new InvalidConfigError(`maxFrameBytes must fit the 32-bit frame prefix`);
    }
    const { connectTimeoutMs, closeTimeoutMs } = TCP_DEFAULTS;
    this.connectTimeoutMs = positiveMs(
      'connectTimeoutMs',
      options.connectTimeoutMs ?? connectTimeoutMs,
    );
    this.settings = {
      maxFrameBytes,
      closeTimeoutMs: positiveMs('closeTimeoutMs', options.closeTimeoutMs ?? closeTimeoutMs),
    };
    this.tls = options.tls;
  }

  listen(
    host: string,
    port: number,
    onConnection: (connection: Connection) => void,
  ): Promise<string> {
    if (this.stopped) return Promise.reject(closedError('listen'));
    if (this.server !== undefined) {
      return Promise.reject(new Error(`the ${this.name} transport is already listening`));
    }
    const accept = (socket: Socket): void => this.accept(socket, onConnection);
    const tls = this.tls;
    const server = tls === undefined ? createNetServer(accept) : this.tlsServer(tls, accept);
    this.server = server;
    return new Promise((resolve, reject) => {
      const failed = (error: Error): void => {
        this.server = undefined;
        reject(error);
      };
      server.once('error', failed);
      server.listen({ host, port }, () => {
        server.off('error', failed);
        if (this.stopped) {
          server.close();
          reject(closedError('listen'));
          return;
        }
        // Accept errors (EMFILE and the like) must not crash the node; the listener keeps going.
        server.on('error', () => undefined);
        const bound = server.address() as AddressInfo;
        resolve(formatAddress(bound.address, bound.port));
      });
    });
  }

  connect(address: string): Promise<Connection> {
    if (this.stopped) return Promise.reject(closedError('connect'));
    return new Promise((resolve, reject) => {
      const [host, port] = parseAddress(address); // a malformed address rejects here
      const tls = this.tls;
      const socket =
        tls === undefined ? netConnect({ host, port }) : tlsConnect(tlsClient(tls, host, port));
      const ready = tls === undefined ? 'connect' : 'secureConnect';
      this.connecting.add(socket);
      const timer = setTimeout(() => {
        socket.destroy(
          new TimeoutError(`connecting to ${address} took over ${this.connectTimeoutMs} ms`),
        );
      }, this.connectTimeoutMs);
      const settle = (): void => {
        clearTimeout(timer);
        this.connecting.delete(socket);
        socket.off('error', failed);
        socket.off('close', failed);
        socket.off(ready, established);
      };
      const failed = (error?: Error | boolean): void => {
        settle();
        socket.destroy();
        reject(
          error instanceof Error
            ? error
            : new Error(`${address} closed the connection during setup`),
        );
      };
      const established = (): void => {
        settle();
        const connection = new TcpConnection(socket, this.settings);
        this.track(connection);
        resolve(connection);
      };
      socket.once('error', failed);
      socket.once('close', failed);
      socket.once(ready, established);
    });
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.stopped = true;
    const server = this.server;
    const unbound =
      server === undefined
        ? Promise.resolve()
        : new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.connecting) socket.destroy(closedError('connect'));
    await Promise.all(
      Array.from(this.connections, (connection) => {
        connection.close();
        return connection.closed;
      }),
    );
    // What is left are inbound TLS handshakes still in progress: they would hold the listener open.
    for (const socket of this.inbound) socket.destroy();
    await unbound;
  }

  private tlsServer(tls: TcpTlsOptions, accept: (socket: Socket) => void): Server {
    const options: TlsOptions = {
      key: tls.key,
      cert: tls.cert,
      requestCert: tls.ca !== undefined,
      rejectUnauthorized: tls.rejectUnauthorized ?? true,
      handshakeTimeout: this.connectTimeoutMs,
    };
    if (tls.ca !== undefined) options.ca = copyCa(tls.ca);
    const server = createTlsServer(options, accept);
    server.on('connection', (raw: Socket) => {
      this.inbound.add(raw);
      raw.once('close', () => this.inbound.delete(raw));
    });
    // A refused handshake already destroys its socket; there is nothing more to do.
    server.on('tlsClientError', () => undefined);
    return server;
  }

  private accept(socket: Socket, onConnection: (connection: Connection) => void): void {
    if (this.stopped) {
      socket.destroy();
      return;
    }
    const connection = new TcpConnection(socket, this.settings);
    this.track(connection);
    try {
      onConnection(connection);
    } catch (error) {
      connection.close(error instanceof Error ? error : new Error(String(error)));
    }
  }

  private track(connection: TcpConnection): void {
    this.connections.add(connection);
    void connection.closed.then(() => this.connections.delete(connection));
  }
}

function tlsClient(tls: TcpTlsOptions, host: string, port: number): ConnectionOptions {
  const options: ConnectionOptions = {
    host,
    port,
    key: tls.key,
    cert: tls.cert,
    rejectUnauthorized: tls.rejectUnauthorized ?? true,
  };
  if (tls.ca !== undefined) options.ca = copyCa(tls.ca);
  if (tls.servername !== undefined) options.servername = tls.servername;
  return options;
}

function copyCa(
  ca: string | Buffer | readonly (string | Buffer)[],
): string | Buffer | (string | Buffer)[] {
  return typeof ca === 'string' || Buffer.isBuffer(ca) ? ca : [...ca];
}

/** Splits `host:port` (IPv6 hosts in brackets) and checks the port. */
function parseAddress(address: string): [string, number] {
  const colon = address.lastIndexOf(':');
  const port = Number(address.slice(colon + 1));
  let host = address.slice(0, colon);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (colon <= 0 || host === '' || !Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new InvalidConfigError(`'${address}' is not a host:port address`);
  }
  return [host, port];
}

function positiveMs(name: string, ms: number): number {
  if (!Number.isFinite(ms) || ms <= 0 || ms > 2_147_483_647) {
    throw new InvalidConfigError(`${name} must be a positive number of milliseconds, got ${ms}`);
  }
  return ms;
}

function closedError(what: string): TransportClosedError {
  return new TransportClosedError(what);
}
