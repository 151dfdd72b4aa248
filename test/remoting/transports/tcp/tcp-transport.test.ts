import fc from 'fast-check';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { connect as netConnect, createServer, Socket } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FrameTooLargeError } from '../../../../runtime/index.ts';
import type { CloseReason, Connection } from '../../../../remoting/transport.ts';
import { FrameSplitter } from '../../../../remoting/transports/tcp/frame-splitter.ts';
import { TCP_DEFAULTS } from '../../../../remoting/transports/tcp/tcp-config.ts';
import { TcpConnection } from '../../../../remoting/transports/tcp/tcp-connection.ts';
import {
  TcpTransport,
  type TcpTlsOptions,
  type TcpTransportOptions,
} from '../../../../remoting/transports/tcp/tcp-transport.ts';
import { withTimeout } from '../../../../testkit/index.ts';
import { transportConformance } from '../../../conformance/transport.suite.ts';

const fixtures = new URL('../../../fixtures/tls/', import.meta.url);
const pem = (file: string): Buffer => readFileSync(new URL(file, fixtures));
const TLS: TcpTlsOptions = { key: pem('node.key'), cert: pem('node.crt'), ca: pem('ca.crt') };
const SETTINGS = { maxFrameBytes: 1024 * 1024, closeTimeoutMs: 5_000 };
const WAIT_MS = 10_000;

transportConformance('tcp', (options) => new TcpTransport(options));

transportConformance('tcp+tls', (options) => new TcpTransport({ ...options, tls: TLS }), {
  tls: {
    // Without `ca` the client trusts only Node's root CAs, which never signed the test CA.
    untrustedClient: () => new TcpTransport({ tls: { key: TLS.key, cert: TLS.cert } }),
  },
});

/** Every server, socket and transport a test opens, closed after it. */
const servers: Server[] = [];
const sockets: Socket[] = [];
const transports: TcpTransport[] = [];

afterEach(async () => {
  vi.restoreAllMocks();
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(transports.splice(0).map((t) => t.close()));
  await Promise.all(
    servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
  );
});

function transport(options: TcpTransportOptions = {}): TcpTransport {
  const made = new TcpTransport(options);
  transports.push(made);
  return made;
}

/** A raw listener on 127.0.0.1; resolves with its port. */
async function rawServer(onSocket: (socket: Socket) => void): Promise<number> {
  const server = createServer((socket) => {
    sockets.push(socket);
    onSocket(socket);
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening', { signal: AbortSignal.timeout(WAIT_MS) });
  return (server.address() as AddressInfo).port;
}

/** Two connected raw sockets on loopback: `[connecting side, accepted side]`. */
async function socketPair(): Promise<[Socket, Socket]> {
  let accepted: ((socket: Socket) => void) | undefined;
  const acceptedSocket = new Promise<Socket>((resolve) => (accepted = resolve));
  const port = await rawServer((socket) => accepted?.(socket));
  const client = netConnect(port, '127.0.0.1');
  sockets.push(client);
  await once(client, 'connect', { signal: AbortSignal.timeout(WAIT_MS) });
  return [client, await acceptedSocket];
}

/** A raw socket to `port` that writes `bytes`; resolves when the far side has closed it. */
async function rawPeer(port: number, bytes: Uint8Array): Promise<void> {
  const socket = netConnect(port, '127.0.0.1');
  sockets.push(socket);
  socket.on('error', () => undefined);
  await once(socket, 'connect', { signal: AbortSignal.timeout(WAIT_MS) });
  socket.write(bytes);
  // Not `once`: that rejects on the 'error' (a reset) that may come before 'close'.
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  await withTimeout(closed, WAIT_MS, () => 'the listener kept the raw peer connected');
}

/** Handlers that record frames and the close, with promises for both. */
function recorder(connection: Connection): {
  frames: Uint8Array[];
  closes: CloseReason[];
  closed: () => Promise<CloseReason>;
  received: (count: number) => Promise<void>;
} {
  const frames: Uint8Array[] = [];
  const closes: CloseReason[] = [];
  let onClosed: (reason: CloseReason) => void = () => undefined;
  const closing = new Promise<CloseReason>((resolve) => (onClosed = resolve));
  const closed = (): Promise<CloseReason> =>
    withTimeout(closing, WAIT_MS, () => `no onClose after ${WAIT_MS} ms`);
  const waiters: (() => void)[] = [];
  connection.attach({
    onFrame: (frame) => {
      frames.push(frame);
      for (const wake of waiters.splice(0)) wake();
    },
    onClose: (reason) => {
      closes.push(reason);
      onClosed(reason);
    },
  });
  const arrived = async (count: number): Promise<void> => {
    while (frames.length < count) {
      const next = new Promise<void>((resolve) => waiters.push(resolve));
      const lost = closing.then(() => {
        throw new Error(`closed after ${frames.length} of ${count} frames`);
      });
      await Promise.race([next, lost]);
    }
  };
  const received = (count: number): Promise<void> =>
    withTimeout(arrived(count), WAIT_MS, () => `${frames.length} of ${count} frames arrived`);
  return { frames, closes, closed, received };
}

/** A listener that records each accepted connection; `nth` waits for one. */
async function tcpListener(
  server: TcpTransport,
): Promise<{ address: string; nth: (i: number) => Promise<Connection>; count: () => number }> {
  const accepted: Connection[] = [];
  const waiters: (() => void)[] = [];
  const address = await server.listen('127.0.0.1', 0, (connection) => {
    accepted.push(connection);
    for (const wake of waiters.splice(0)) wake();
  });
  const acceptedNth = async (i: number): Promise<Connection> => {
    while (accepted.length <= i) await new Promise<void>((resolve) => waiters.push(resolve));
    return accepted[i]!; // the loop ran until it exists
  };
  const nth = (i: number): Promise<Connection> =>
    withTimeout(acceptedNth(i), WAIT_MS, () => `${accepted.length} of ${i + 1} accepted`);
  return { address, nth, count: () => accepted.length };
}

function framed(...frames: Uint8Array[]): Buffer {
  return Buffer.concat(
    frames.flatMap((frame) => {
      const prefix = Buffer.alloc(4);
      prefix.writeUInt32BE(frame.byteLength);
      return [prefix, frame];
    }),
  );
}

describe('TcpConnection', () => {
  it('tcp: frames sent in one turn go out in one socket write', async () => {
    const [client, server] = await socketPair();
    const connection = new TcpConnection(client, SETTINGS);
    const write = vi.spyOn(client, 'write');
    const frames = Array.from({ length: 1_000 }, (_, i) => Buffer.from(`frame ${i}`));
    for (const frame of frames) connection.send(frame);
    expect(write).not.toHaveBeenCalled();
    await Promise.resolve(); // the flush was queued first, so it has run by now
    expect(write).toHaveBeenCalledTimes(1);

    await expectReceived(server, framed(...frames));

    connection.send(Buffer.from('next turn'));
    await Promise.resolve();
    expect(write).toHaveBeenCalledTimes(2);
  });

  it('tcp: a large frame is written by reference between packed runs inside one cork', async () => {
    const [client, server] = await socketPair();
    const connection = new TcpConnection(client, SETTINGS);
    const write = vi.spyOn(client, 'write');
    const cork = vi.spyOn(client, 'cork');
    const uncork = vi.spyOn(client, 'uncork');
    const large = new Uint8Array(100 * 1024).fill(7);
    const frames = [Buffer.from('a'), Buffer.from('bc'), large, Buffer.from('d')];
    for (const frame of frames) connection.send(frame);
    await Promise.resolve();
    expect(cork).toHaveBeenCalledTimes(1);
    expect(uncork).toHaveBeenCalledTimes(1);
    expect(write.mock.calls.map((call) => call[0])).toContain(large);

    await expectReceived(server, framed(...frames));
  });

  it('tcp: bufferedBytes counts queued frames with their prefixes until the flush', async () => {
    const [client] = await socketPair();
    const connection = new TcpConnection(client, SETTINGS);
    connection.send(new Uint8Array(10));
    connection.send(new Uint8Array(0));
    expect(connection.bufferedBytes).toBe(18);
    await Promise.resolve();
    expect(connection.bufferedBytes).toBeLessThanOrEqual(18);
  });

  it('tcp: attach takes handlers only once', async () => {
    const [client] = await socketPair();
    const connection = new TcpConnection(client, SETTINGS);
    const handlers = { onFrame: () => undefined, onClose: () => undefined };
    connection.attach(handlers);
    expect(() => connection.attach(handlers)).toThrow(/once/);
  });

  it('tcp: an unattached connection stops reading past 1 MiB and catches up on attach', async () => {
    const [client, server] = await socketPair();
    const connection = new TcpConnection(server, { ...SETTINGS, maxFrameBytes: 64 * 1024 });
    const frames = Array.from({ length: 64 }, (_, i) => new Uint8Array(32 * 1024).fill(i));
    client.write(framed(...frames));
    await once(server, 'pause', { signal: AbortSignal.timeout(WAIT_MS) });

    const { frames: received, received: arrived } = recorder(connection);
    await arrived(frames.length);
    expect(received.map((frame) => frame[0])).toEqual(frames.map((_, i) => i));
  });

  it('tcp: a handler that throws closes the connection with its error', async () => {
    const [client, server] = await socketPair();
    const connection = new TcpConnection(server, SETTINGS);
    const failure = new Error('handler failed');
    let reason: CloseReason;
    const closed = new Promise<void>((resolve) => {
      connection.attach({
        onFrame: () => {
          throw failure;
        },
        onClose: (why) => {
          reason = why;
          resolve();
        },
      });
    });
    client.on('error', () => undefined);
    client.write(framed(Buffer.from('x'), Buffer.from('y')));
    await withTimeout(closed, WAIT_MS, () => 'no onClose');
    expect(reason).toBe(failure);
  });

  it('tcp: a peer that ends inside a frame closes the connection with a DecodeError', async () => {
    const [client, server] = await socketPair();
    const { closed, frames } = recorder(new TcpConnection(server, SETTINGS));
    const whole = framed(Buffer.from('whole'), new Uint8Array(100));
    client.end(whole.subarray(0, whole.length - 10));
    const reason = await closed();
    expect(reason).toMatchObject({ code: 'ERR_DECODE' });
    expect(frames.map((f) => Buffer.from(f).toString())).toEqual(['whole']);
  });

  it('tcp: a reset by the peer ends in exactly one onClose with the socket error', async () => {
    const [client, server] = await socketPair();
    const connection = new TcpConnection(client, SETTINGS);
    const { closed, closes } = recorder(connection);
    server.resetAndDestroy();
    const reason = await closed();
    expect(reason).toMatchObject({ code: 'ECONNRESET' });
    connection.close(new Error('after the fact'));
    expect(connection.send(new Uint8Array(1))).toBe(false);
    await withTimeout(connection.closed, WAIT_MS, () => 'the socket did not close');
    expect(closes).toHaveLength(1);
  });
});

describe('TcpTransport', () => {
  it('tcp: sockets get TCP_NODELAY on both sides, with and without TLS', async () => {
    for (const options of [{}, { tls: TLS }]) {
      const noDelay = vi.spyOn(Socket.prototype, 'setNoDelay');
      const server = transport(options);
      const { address, nth } = await tcpListener(server);
      await transport(options).connect(address);
      await nth(0);
      const enabled = noDelay.mock.calls.flatMap((call, i) =>
        call[0] === true ? [noDelay.mock.contexts[i]] : [],
      );
      expect(new Set(enabled).size).toBeGreaterThanOrEqual(2);
      noDelay.mockRestore();
    }
  });

  it('tcp: a raw peer that declares an oversized frame or sends garbage is disconnected, and the listener keeps accepting', async () => {
    const server = transport({ maxFrameBytes: 1024 });
    const { address, nth } = await tcpListener(server);
    const port = Number(address.split(':')[1]);

    const declared = rawPeer(port, Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 2, 3]));
    const tooLarge = recorder(await nth(0));
    await declared;
    const garbage = rawPeer(port, Buffer.from('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n'));
    const http = recorder(await nth(1));
    await garbage;
    expect(await tooLarge.closed()).toMatchObject({
      code: 'ERR_FRAME_TOO_LARGE',
      size: 0xffff_ffff,
      maximum: 1024,
    });
    expect(await http.closed()).toMatchObject({ code: 'ERR_FRAME_TOO_LARGE' });
    expect(tooLarge.frames.length + http.frames.length).toBe(0);

    const client = await transport().connect(address);
    const good = recorder(await nth(2));
    client.send(Buffer.from('still here'));
    await good.received(1);
    expect(Buffer.from(good.frames[0]!).toString()).toBe('still here');
  });

  it('tcp+tls: a client without a certificate is refused by a listener that has a CA', async () => {
    const server = transport({ tls: TLS });
    const { address, count } = await tcpListener(server);
    const port = Number(address.split(':')[1]);
    const socket = tlsConnect({ host: '127.0.0.1', port, ca: TLS.ca as Buffer });
    sockets.push(socket);
    const errors: Error[] = [];
    socket.on('error', (error: Error) => errors.push(error));
    await new Promise((resolve) => socket.once('close', resolve));
    expect(errors.length).toBeGreaterThan(0);
    expect(count()).toBe(0);
  });

  it('tcp+tls: connect rejects with a timeout when the handshake never completes', async () => {
    const port = await rawServer(() => undefined);
    const client = transport({ tls: TLS, connectTimeoutMs: 50 });
    await expect(client.connect(`127.0.0.1:${port}`)).rejects.toMatchObject({
      code: 'ERR_TIMEOUT',
    });
  });

  it('tcp: options out of range throw InvalidConfigError', () => {
    for (const options of [
      { maxFrameBytes: 0 },
      { maxFrameBytes: 1.5 },
      { maxFrameBytes: 2 ** 32 },
      { connectTimeoutMs: -1 },
      { closeTimeoutMs: Number.NaN },
    ]) {
      expect(() => new TcpTransport(options)).toThrow(
        expect.objectContaining({ code: 'ERR_INVALID_CONFIG' }),
      );
    }
    expect(new TcpTransport().name).toBe('tcp');
    expect(TCP_DEFAULTS.maxFrameBytes).toBe(16 * 1024 * 1024);
  });

  it('tcp: listening twice, or after close, rejects', async () => {
    const server = transport();
    await server.listen('127.0.0.1', 0, () => undefined);
    await expect(server.listen('127.0.0.1', 0, () => undefined)).rejects.toThrow(/already/);
    await server.close();
    await expect(server.listen('127.0.0.1', 0, () => undefined)).rejects.toMatchObject({
      code: 'ERR_TRANSPORT_CLOSED',
    });
  });
});

describe('FrameSplitter', () => {
  function split(chunks: Buffer[], max = 1024): Buffer[] {
    const out: Buffer[] = [];
    const splitter = new FrameSplitter(max, (frame) => out.push(frame));
    for (const chunk of chunks) splitter.push(chunk);
    return out;
  }

  it('frame splitter: any chunking of a stream yields the same frames', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 20 }),
        fc.array(fc.nat({ max: 400 }), { maxLength: 30 }),
        (frames, cuts) => {
          const stream = framed(...frames);
          const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort(
            (a, b) => a - b,
          );
          const chunks: Buffer[] = [];
          let start = 0;
          for (const point of [...points, stream.length]) {
            chunks.push(stream.subarray(start, point));
            start = point;
          }
          const out = split(chunks);
          expect(out.map((f) => [...f])).toEqual(frames.map((f) => [...f]));
        },
      ),
    );
  });

  it('frame splitter: frames inside one chunk are views, split frames are copied once', () => {
    const stream = framed(Buffer.from('abc'), Buffer.from('defgh'));
    const [first, second] = split([stream.subarray(0, 13), stream.subarray(13)]); // 'de|fgh'
    stream.fill(0x2e); // '.': a view shows it, a copy does not
    expect(Buffer.from(first!).toString()).toBe('...');
    expect(Buffer.from(second!).toString()).toBe('defgh');
  });

  it('frame splitter: a declared length over the maximum throws before any body arrives, and keeps failing', () => {
    const delivered: Buffer[] = [];
    const splitter = new FrameSplitter(16, (frame) => delivered.push(frame));
    const stream = framed(Buffer.from('ok'));
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32BE(17);
    splitter.push(Buffer.concat([stream, prefix.subarray(0, 2)]));
    expect(() => splitter.push(prefix.subarray(2))).toThrow(FrameTooLargeError);
    expect(() => splitter.push(framed(Buffer.from('x')))).toThrow(FrameTooLargeError);
    expect(delivered.map((f) => f.toString())).toEqual(['ok']);
  });

  it('frame splitter: holds only the bytes received of a partial frame', () => {
    const splitter = new FrameSplitter(1024 * 1024, () => undefined);
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32BE(1024 * 1024);
    splitter.push(prefix);
    splitter.push(Buffer.alloc(10));
    expect(splitter.bufferedBytes).toBe(14);
  });
});

/** Waits until `socket` has received `expected.length` bytes and checks they are `expected`. */
async function expectReceived(socket: Socket, expected: Buffer): Promise<void> {
  const chunks: Buffer[] = [];
  let length = 0;
  socket.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    length += chunk.length;
  });
  while (length < expected.length) {
    await once(socket, 'data', { signal: AbortSignal.timeout(WAIT_MS) });
  }
  expect(Buffer.concat(chunks).equals(expected)).toBe(true);
}
