import fc from 'fast-check';
import { connect, type Socket } from 'node:net';
import { describe, expect, test } from 'vitest';
import { EMPTY_HEADERS, PID, defaultCodecs } from '../../runtime/index.ts';
import { BatchEncoder } from '../../remoting/wire/batch-encoder.ts';
import { encodeConnectRequest } from '../../remoting/wire/frame-decoder.ts';
import { KIND_SYSTEM, KIND_USER, PROTOCOL_VERSION } from '../../remoting/wire/wire-config.ts';
import { startLocalNode } from './node-fixture.ts';
import { startPeer } from './peer-fixture.ts';

/** A length-prefixed frame as the TCP transport reads it. */
function framed(payload: Uint8Array): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt32BE(payload.length);
  return Buffer.concat([head, payload]);
}

const hello = encodeConnectRequest({
  protocolVersion: PROTOCOL_VERSION,
  systemId: 'fuzzer',
  address: '127.0.0.1:1',
  nonce: new Uint8Array(16),
  proof: new Uint8Array(0),
});

function validBatch(): Uint8Array {
  const batch = new BatchEncoder(defaultCodecs);
  batch.add(
    'echo',
    { n: 1, text: 'hello' },
    new PID('127.0.0.1:1', '$1'),
    EMPTY_HEADERS,
    KIND_USER,
  );
  batch.add('nobody', 'x', undefined, { a: 'b' }, KIND_USER);
  batch.add('echo', 'y', undefined, EMPTY_HEADERS, KIND_SYSTEM);
  return batch.flush()!;
}

/** Writes `bytes` to `address` and resolves once the node closes the socket or a moment passes. */
function throwAt(address: string, chunks: readonly Uint8Array[]): Promise<void> {
  const [host, port] = address.split(':');
  return new Promise((resolve) => {
    const socket: Socket = connect(Number(port), host);
    const done = (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve();
    };
    const timer = setTimeout(done, 40);
    socket.on('error', done);
    socket.on('close', done);
    socket.on('connect', () => {
      for (const chunk of chunks) socket.write(chunk);
    });
  });
}

/** Random bytes, random frames, huge length prefixes, and valid frames with bytes flipped. */
const attack = fc.oneof(
  fc.uint8Array({ maxLength: 512 }).map((bytes) => [bytes]),
  fc.uint8Array({ maxLength: 512 }).map((bytes) => [framed(bytes)]),
  fc.integer({ min: 17 * 1024 * 1024, max: 0xffffffff }).map((length) => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(length);
    return [head, Buffer.alloc(64)];
  }),
  fc
    .tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean())
    .map(([position, value, afterHandshake]) => {
      const frame = afterHandshake ? validBatch() : hello.slice();
      frame[position % frame.length] = value;
      return afterHandshake ? [framed(hello), framed(frame)] : [framed(frame)];
    }),
  fc.uint8Array({ maxLength: 256 }).map((bytes) => [framed(hello), framed(bytes)]),
);

describe('remote: bad input on a live port', () => {
  test('random and mutated frames never crash the node, which keeps serving a correct peer', async () => {
    const { system, remote } = await startLocalNode();
    system.root.spawnNamed((await import('./fixtures/remote-kinds.ts')).RemoteEcho, 'fuzz-echo');
    await fc.assert(
      fc.asyncProperty(attack, async (chunks) => {
        await throwAt(remote.address, chunks);
      }),
      { numRuns: 120 },
    );
    expect(remote.metrics.snapshot().decodeErrors).toBeGreaterThan(0);
    const peer = await startPeer();
    await expect(peer.request(remote.address, 'fuzz-echo', 'still serving')).resolves.toMatchObject(
      {
        echo: 'still serving',
      },
    );
    await peer.exit();
  }, 60_000);
});
