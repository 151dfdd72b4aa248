import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import { PID, Terminated, type ActorSystem } from '../../runtime/index.ts';
import { EndpointTerminated, type Remote } from '../../remoting/index.ts';
import { TestProbe } from '../../testkit/index.ts';
import { Greeting } from './fixtures/remote-kinds.ts';
import { startLocalNode } from './node-fixture.ts';
import { startPeer, type Peer } from './peer-fixture.ts';

type EchoReply = {
  echo: unknown;
  isGreeting: boolean;
  sender: string;
  headers: Record<string, string>;
  node: string;
};

describe.each(['tcp', 'grpc'] as const)('remote over %s: two processes', (transport) => {
  let peer: Peer;
  let system: ActorSystem;
  let remote: Remote;

  beforeAll(async () => {
    peer = await startPeer({ transport });
    ({ system, remote } = await startLocalNode({ transport }));
  }, 30_000);

  test('request/response keeps sender and headers, and a registered class arrives as itself', async () => {
    const echo = new PID(peer.address, 'echo');
    const reply = await system.root
      .withHeaders({ trace: 'abc' })
      .request<EchoReply>(echo, new Greeting('hi', 'a'), 5_000);
    expect(reply).toEqual({
      echo: new Greeting('hi', 'a'),
      isGreeting: true,
      sender: remote.address,
      headers: { trace: 'abc' },
      node: peer.address,
    });
  });

  test('the other node requests an actor of ours', async () => {
    system.root.spawnNamed(
      (await import('./fixtures/remote-kinds.ts')).RemoteEcho,
      `local-echo-${transport}`,
    );
    const reply = (await peer.request(remote.address, `local-echo-${transport}`, 42)) as EchoReply;
    expect(reply).toMatchObject({ echo: 42, sender: peer.address, node: remote.address });
  });

  test('remote spawn of a kind; an unknown kind and a taken name come back typed', async () => {
    const pid = await remote.spawn(peer.address, 'test.remote.echo', `spawned-${transport}`);
    expect(pid.address).toBe(peer.address);
    await expect(system.root.request<EchoReply>(pid, 'x', 5_000)).resolves.toMatchObject({
      echo: 'x',
    });
    await expect(remote.spawn(peer.address, 'no.such.kind')).rejects.toMatchObject({
      code: 'ERR_UNKNOWN_KIND',
    });
    await expect(
      remote.spawn(peer.address, 'test.remote.echo', `spawned-${transport}`),
    ).rejects.toMatchObject({ code: 'ERR_NAME_EXISTS' });
  });

  test('forward across nodes keeps the original sender', async () => {
    const forwarder = await remote.spawn(peer.address, 'test.remote.forwarder');
    const echo = new PID(peer.address, 'echo');
    await system.root.request(forwarder, { forwardTo: echo }, 5_000);
    const reply = await system.root.request<EchoReply>(forwarder, 'via forwarder', 5_000);
    expect(reply).toMatchObject({ echo: 'via forwarder', sender: remote.address });
  });

  test('watch a remote actor, stop it remotely, and receive Terminated', async () => {
    const probe = TestProbe.spawn(system);
    const pid = await remote.spawn(peer.address, 'test.remote.echo');
    probe.watch(pid);
    // A round trip after the Watch orders it before the stop on the other node.
    await system.root.request(pid, 'ping', 5_000);
    system.root.stop(pid);
    const terminated = await probe.expectInstance(Terminated, 5_000);
    expect(terminated.who.toString()).toBe(pid.toString());
    expect(terminated.why).toBe('Stopped');
  });

  test('poison across nodes, then requests to the actor fail fast as dead letters', async () => {
    const pid = await remote.spawn(peer.address, 'test.remote.echo');
    await system.root.poisonAsync(pid);
    await expect(system.root.request(pid, 'anyone?', 5_000)).rejects.toMatchObject({
      code: 'ERR_DEAD_LETTER',
    });
  });

  test('a message with no codec is refused at the sender; the link stays up', async () => {
    class Unregistered {
      readonly x = 1;
    }
    const echo = new PID(peer.address, 'echo');
    expect(() => system.root.send(echo, new Unregistered())).toThrow(
      expect.objectContaining({ code: 'ERR_NOT_SERIALIZABLE' }),
    );
    await expect(system.root.request(echo, 'still there', 5_000)).resolves.toMatchObject({
      echo: 'still there',
    });
  });
});

describe('remote: failures and safety', () => {
  test('a killed peer: watchers get AddressTerminated, pending requests fail fast', async () => {
    const peer = await startPeer();
    const { system, remote } = await startLocalNode({
      reconnectMaxRetries: 2,
      reconnectInitialMs: 20,
      reconnectJitterMs: 10,
    });
    const probe = TestProbe.spawn(system);
    const silent = await remote.spawn(peer.address, 'test.remote.silent');
    probe.watch(silent);
    await system.root.request(new PID(peer.address, 'echo'), 'warm', 5_000);
    const terminated = new Promise<EndpointTerminated>((resolve) => {
      const sub = system.eventStream.subscribe(EndpointTerminated, (e) => {
        sub.unsubscribe();
        resolve(e);
      });
    });
    const pending = system.root.request(silent, 'never answered', 60_000);
    await peer.kill();
    await expect(pending).rejects.toMatchObject({ code: 'ERR_ADDRESS_TERMINATED' });
    const seen = await probe.expectInstance(Terminated, 10_000);
    expect(seen).toMatchObject({ why: 'AddressTerminated' });
    expect(seen.who.toString()).toBe(silent.toString());
    await expect(terminated).resolves.toMatchObject({ address: peer.address });
    expect(remote.metrics.snapshot().endpointsDown).toBeGreaterThanOrEqual(1);
  }, 30_000);

  test('a restarted peer on the same port is reached again', async () => {
    const first = await startPeer();
    const port = Number(first.address.split(':')[1]);
    const { system } = await startLocalNode({ reconnectInitialMs: 20, reconnectJitterMs: 10 });
    const echo = new PID(first.address, 'echo');
    await expect(system.root.request(echo, 1, 5_000)).resolves.toMatchObject({ echo: 1 });
    await first.kill();
    const second = await startPeer({ port });
    expect(second.address).toBe(first.address);
    expect(second.systemId).not.toBe(first.systemId);
    await expect
      .poll(
        () =>
          system.root.request(echo, 2, 1_000).then(
            (r) => (r as { echo: number }).echo,
            () => undefined,
          ),
        { timeout: 15_000, interval: 100 },
      )
      .toBe(2);
  }, 30_000);

  test('a wrong secret is refused; the right one connects', async () => {
    const peer = await startPeer({ secret: 'right-secret' });
    const wrong = await startLocalNode({ secret: 'wrong-secret', reconnectMaxRetries: 0 });
    await expect(
      wrong.system.root.request(new PID(peer.address, 'echo'), 'x', 5_000),
    ).rejects.toMatchObject({ code: 'ERR_ADDRESS_TERMINATED' });
    const none = await startLocalNode({ reconnectMaxRetries: 0 });
    await expect(
      none.system.root.request(new PID(peer.address, 'echo'), 'x', 5_000),
    ).rejects.toMatchObject({ code: 'ERR_ADDRESS_TERMINATED' });
    const right = await startLocalNode({ secret: 'right-secret' });
    await expect(
      right.system.root.request(new PID(peer.address, 'echo'), 'x', 5_000),
    ).resolves.toMatchObject({ echo: 'x' });
  }, 30_000);

  test('a blocked id is refused at the handshake and its connection is closed', async () => {
    const peer = await startPeer();
    const { system, remote } = await startLocalNode({ reconnectMaxRetries: 0 });
    const echo = new PID(peer.address, 'echo');
    await expect(system.root.request(echo, 'before', 5_000)).resolves.toMatchObject({
      echo: 'before',
    });
    const terminated = new Promise<EndpointTerminated>((resolve) => {
      system.eventStream.subscribe(EndpointTerminated, resolve);
    });
    await peer.block(remote.systemId);
    // Our outbound connection is closed; the reconnect is refused as blocked.
    await expect(terminated).resolves.toMatchObject({ address: peer.address });
    await expect(system.root.request(echo, 'after', 5_000)).rejects.toMatchObject({
      code: 'ERR_ADDRESS_TERMINATED',
    });
  }, 30_000);

  test('an oversized message is refused at the sender and the link stays up', async () => {
    const peer = await startPeer();
    const { system } = await startLocalNode({ maxFrameBytes: 64 * 1024, batchMaxBytes: 16 * 1024 });
    const echo = new PID(peer.address, 'echo');
    expect(() => system.root.send(echo, 'x'.repeat(100_000))).toThrow(
      expect.objectContaining({ code: 'ERR_FRAME_TOO_LARGE' }),
    );
    await expect(system.root.request(echo, 'small', 5_000)).resolves.toMatchObject({
      echo: 'small',
    });
  }, 30_000);

  test('a request to an unknown actor on another node fails fast as a dead letter', async () => {
    const peer = await startPeer();
    const { system } = await startLocalNode();
    await expect(
      system.root.request(new PID(peer.address, 'nobody-here'), 'hello?', 5_000),
    ).rejects.toMatchObject({ code: 'ERR_DEAD_LETTER' });
  }, 30_000);
});

describe.each(['tcp', 'grpc'] as const)('remote over %s with TLS', (transport) => {
  test('two nodes with the same CA talk; a node without TLS cannot reach them', async () => {
    const dir = new URL('../fixtures/tls/', import.meta.url);
    const tls = {
      key: readFileSync(new URL('node.key', dir), 'utf8'),
      cert: readFileSync(new URL('node.crt', dir), 'utf8'),
      ca: readFileSync(new URL('ca.crt', dir), 'utf8'),
    };
    const peer = await startPeer({ transport, tls });
    const { system } = await startLocalNode({ transport, tls });
    const echo = new PID(peer.address, 'echo');
    await expect(system.root.request(echo, 'over tls', 5_000)).resolves.toMatchObject({
      echo: 'over tls',
    });
    const plain = await startLocalNode({
      transport,
      reconnectMaxRetries: 0,
      connectTimeoutMs: 500,
    });
    // A PID object caches the process of the system that used it: give the other system its own.
    const echoFromPlain = new PID(peer.address, 'echo');
    await expect(plain.system.root.request(echoFromPlain, 'in clear', 5_000)).rejects.toMatchObject(
      {
        code: 'ERR_ADDRESS_TERMINATED',
      },
    );
    await peer.exit();
  }, 30_000);
});
