import { readFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CloseReason, Connection } from '../../../../remoting/transport.ts';
import {
  GrpcTransport,
  type GrpcTransportOptions,
} from '../../../../remoting/transports/grpc/grpc-transport.ts';
import { Latch } from '../../../../testkit/index.ts';
import { transportConformance } from '../../../conformance/transport.suite.ts';

const fixtures = join(import.meta.dirname, '..', '..', '..', 'fixtures', 'tls');
const key = readFileSync(join(fixtures, 'node.key'));
const cert = readFileSync(join(fixtures, 'node.crt'));
const ca = readFileSync(join(fixtures, 'ca.crt'));
const tls = { key, cert, ca };

transportConformance('grpc', (options) => new GrpcTransport(options));

transportConformance('grpc over TLS', (options) => new GrpcTransport({ ...options, tls }), {
  tls: { untrustedClient: () => new GrpcTransport({ tls: { key, cert } }) },
});

/** Records one connection's close; `closed` resolves with the reason of its first onClose. */
function closeOf(connection: Connection): { closed: Promise<CloseReason>; count: () => number } {
  let count = 0;
  let done!: (reason: CloseReason) => void; // assigned synchronously by the Promise executor
  const closed = new Promise<CloseReason>((resolve) => (done = resolve));
  connection.attach({
    onFrame: () => undefined,
    onClose: (reason) => {
      count++;
      done(reason);
    },
  });
  return { closed, count: () => count };
}

describe('grpc transport', () => {
  const transports: GrpcTransport[] = [];
  const servers: Server[] = [];
  const sockets: Socket[] = [];

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await Promise.all(transports.splice(0).map((t) => t.close()));
    await Promise.all(
      servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
    );
  });

  function transport(options: GrpcTransportOptions = {}): GrpcTransport {
    const made = new GrpcTransport(options);
    transports.push(made);
    return made;
  }

  /** A plain TCP listener that hands each accepted socket to `onSocket`. */
  async function tcpServer(onSocket: (socket: Socket) => void): Promise<string> {
    const server = createServer((socket) => {
      sockets.push(socket);
      socket.on('error', () => undefined);
      onSocket(socket);
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async function listening(options: GrpcTransportOptions = {}) {
    const accepted: Connection[] = [];
    const arrived = new Latch(1);
    const server = transport(options);
    const address = await server.listen('127.0.0.1', 0, (connection) => {
      accepted.push(connection);
      arrived.countDown();
    });
    return { server, address, accepted, arrived };
  }

  it('grpc: has the name grpc', () => {
    expect(transport().name).toBe('grpc');
  });

  it('grpc: out-of-range options throw InvalidConfigError', () => {
    for (const options of [
      { maxFrameBytes: 0 },
      { maxFrameBytes: 2 ** 31 },
      { maxFrameBytes: 1.5 },
      { connectTimeoutMs: 0 },
      { closeTimeoutMs: -1 },
      { keepaliveMs: Number.NaN },
    ]) {
      expect(() => new GrpcTransport(options), JSON.stringify(options)).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_CONFIG' }),
      );
    }
  });

  it('grpc: connecting to a closed port fails fast with ERR_CONNECT_FAILED', async () => {
    const { server, address } = await listening();
    await server.close();
    // The deadline is far away: only a fast failure yields ERR_CONNECT_FAILED, not ERR_TIMEOUT.
    const client = transport({ connectTimeoutMs: 60_000 });
    await expect(client.connect(address)).rejects.toMatchObject({ code: 'ERR_CONNECT_FAILED' });
  });

  it('grpc: a peer that takes TCP but never answers in gRPC rejects at the deadline', async () => {
    const address = await tcpServer(() => undefined);
    const client = transport({ connectTimeoutMs: 300 });
    await expect(client.connect(address)).rejects.toMatchObject({ code: 'ERR_TIMEOUT' });
  });

  it('grpc: listening on a port in use rejects with EADDRINUSE', async () => {
    const { address } = await listening();
    const port = Number(address.split(':')[1]);
    await expect(transport().listen('127.0.0.1', port, () => undefined)).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
  });

  it('grpc: both ends of an oversized frame close with its size and the limit', async () => {
    const { address, accepted, arrived } = await listening({ maxFrameBytes: 100 });
    const client = await transport({ maxFrameBytes: 1_000 }).connect(address);
    await arrived.wait();
    const serverSide = closeOf(accepted[0]!);
    const clientSide = closeOf(client);
    client.send(new Uint8Array(101));
    const [atServer, atClient] = await Promise.all([serverSide.closed, clientSide.closed]);
    for (const reason of [atServer, atClient]) {
      expect(reason).toMatchObject({ code: 'ERR_FRAME_TOO_LARGE', size: 101, maximum: 100 });
    }
  });

  it('grpc: a link that drops closes both ends with ERR_CONNECTION_LOST', async () => {
    const { address: target, accepted, arrived } = await listening();
    const [host, port] = target.split(':');
    const links: Socket[] = [];
    const linked = new Latch(1);
    // A TCP relay in front of the listener, so the test can cut the link under both ends.
    const relay = await tcpServer((inbound) => {
      const outbound = createConnectionTo(host!, Number(port));
      sockets.push(outbound);
      links.push(inbound, outbound);
      inbound.pipe(outbound).pipe(inbound);
      linked.countDown();
    });
    const client = await transport().connect(relay);
    await Promise.all([arrived.wait(), linked.wait()]);
    const serverSide = closeOf(accepted[0]!);
    const clientSide = closeOf(client);
    for (const link of links) link.destroy();
    const [atServer, atClient] = await Promise.all([serverSide.closed, clientSide.closed]);
    expect(atServer).toMatchObject({ code: 'ERR_CONNECTION_LOST' });
    expect(atClient).toMatchObject({ code: 'ERR_CONNECTION_LOST' });
    expect([serverSide.count(), clientSide.count()]).toEqual([1, 1]);
  });

  it('grpc: a handler that throws closes its connection with that error', async () => {
    const { address, accepted, arrived } = await listening();
    const client = await transport().connect(address);
    await arrived.wait();
    const boom = new Error('handler failed');
    const closed = new Latch(1);
    let reason: CloseReason;
    accepted[0]!.attach({
      onFrame: () => {
        throw boom;
      },
      onClose: (why) => {
        reason = why;
        closed.countDown();
      },
    });
    client.send(new Uint8Array(1));
    await closed.wait();
    expect(reason).toBe(boom);
    expect(accepted[0]!.open).toBe(false);
  });

  describe('over TLS', () => {
    it('grpc: a client without the CA is refused', async () => {
      const { address, accepted } = await listening({ tls });
      const noCa = transport({ tls: { key, cert } });
      await expect(noCa.connect(address)).rejects.toMatchObject({ code: 'ERR_CONNECT_FAILED' });
      expect(accepted).toHaveLength(0);
    });

    it('grpc: a plaintext client is refused by a TLS listener', async () => {
      const { address, accepted } = await listening({ tls });
      await expect(transport().connect(address)).rejects.toMatchObject({
        code: 'ERR_CONNECT_FAILED',
      });
      expect(accepted).toHaveLength(0);
    });

    it('grpc: a client that trusts every certificate gets through without the CA', async () => {
      const { address, accepted, arrived } = await listening({ tls });
      const lax = transport({ tls: { key, cert, rejectUnauthorized: false } });
      const client = await lax.connect(address.replace('127.0.0.1', 'localhost'));
      await arrived.wait();
      expect(client.open).toBe(true);
      expect(accepted).toHaveLength(1);
    });

    it('grpc: CAs given as a list and a servername other than the host are honoured', async () => {
      const { address, accepted, arrived } = await listening({ tls });
      const named = transport({ tls: { key, cert, ca: [ca.toString()], servername: 'localhost' } });
      const client = await named.connect(address);
      await arrived.wait();
      expect(client.open).toBe(true);
      expect(accepted).toHaveLength(1);
      const misnamed = transport({ tls: { key, cert, ca, servername: 'elsewhere.example' } });
      await expect(misnamed.connect(address)).rejects.toMatchObject({
        code: 'ERR_CONNECT_FAILED',
      });
    });
  });
});

/** Opens a TCP socket to `host:port` whose errors are expected (the test cuts it). */
function createConnectionTo(host: string, port: number): Socket {
  const socket = connect(port, host);
  socket.on('error', () => undefined);
  return socket;
}
