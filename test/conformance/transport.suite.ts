import { afterEach, describe, expect, it } from 'vitest';
import type {
  CloseReason,
  Connection,
  Transport,
  TransportOptions,
} from '../../remoting/transport.ts';
import { withTimeout } from '../../testkit/index.ts';

/** Options of the conformance run beyond the transport factory. */
export interface TransportConformanceOptions {
  /** Set when `make` builds TLS transports: the suite then checks an untrusting client. */
  readonly tls?: {
    /** Makes a transport whose connects do not trust the certificate of `make`'s listeners. */
    readonly untrustedClient: () => Transport | Promise<Transport>;
  };
}

const KiB = 1024;
const MiB = 1024 * KiB;
/** The frame limit of ordinary transports in the suite: room for the 8 MiB frame. */
const LIMIT = 16 * MiB;
/** The frame limit of the transports that test oversized frames. */
const SMALL_LIMIT = 1 * KiB;
/** How long any single expectation may take before the test fails (a latch, not a sleep). */
const WAIT_MS = 10_000;

/** Conditions to wait on, re-checked on every `notify()`; each wait fails after `WAIT_MS`. */
class Latches {
  private readonly waiting = new Set<() => void>();

  notify(): void {
    for (const check of this.waiting) check();
  }

  until(what: string, test: () => boolean): Promise<void> {
    if (test()) return Promise.resolve();
    const met = new Promise<void>((resolve) => {
      const check = (): void => {
        if (!test()) return;
        this.waiting.delete(check);
        resolve();
      };
      this.waiting.add(check);
    });
    return withTimeout(met, WAIT_MS, () => `still waiting for ${what} after ${WAIT_MS} ms`);
  }
}

/** Attaches to a connection and records what it reports, with latches to wait on. */
class Probe {
  readonly frames: Uint8Array[] = [];
  /** Protocol violations seen: a frame after close, a second close. */
  readonly violations: string[] = [];
  closes = 0;
  reason: CloseReason = undefined;
  framesAtClose = -1;
  drains = 0;
  private readonly latches = new Latches();

  constructor(readonly connection: Connection) {
    connection.attach({
      onFrame: (frame) => {
        if (this.closes > 0) this.violations.push('onFrame after onClose');
        this.frames.push(frame);
        this.latches.notify();
      },
      onClose: (reason) => {
        if (++this.closes > 1) this.violations.push('onClose called again');
        this.reason = reason;
        this.framesAtClose = this.frames.length;
        this.latches.notify();
      },
      onDrain: () => {
        this.drains++;
        this.latches.notify();
      },
    });
  }

  received(count: number): Promise<void> {
    return this.latches.until(`${count} frames (have ${this.frames.length})`, () => {
      return this.frames.length >= count;
    });
  }

  closed(): Promise<void> {
    return this.latches.until('onClose', () => this.closes > 0);
  }

  drained(): Promise<void> {
    return this.latches.until('onDrain', () => this.drains > 0);
  }
}

/** Collects the connections a listener accepts, in order. */
class Acceptor {
  readonly accepted: Connection[] = [];
  private readonly latches = new Latches();
  readonly onConnection = (connection: Connection): void => {
    this.accepted.push(connection);
    this.latches.notify();
  };

  async nth(index: number): Promise<Connection> {
    await this.latches.until(`accepted connection #${index + 1}`, () => {
      return this.accepted.length > index;
    });
    return this.accepted[index]!;
  }
}

/** Bytes `0..size-1` of a pattern that differs per `seed`, so swapped or shifted frames show. */
function pattern(size: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed * 7 + (i >>> 8)) & 0xff;
  return bytes;
}

/** A frame that carries its index, for order checks over many frames. */
function indexed(index: number): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setUint32(0, index);
  bytes[4] = index & 0xff;
  return bytes;
}

function indexOf(frame: Uint8Array): number {
  return new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(0);
}

function expectSameBytes(actual: Uint8Array | undefined, expected: Uint8Array): void {
  expect(actual?.byteLength).toBe(expected.byteLength);
  const a = Buffer.from(actual!.buffer, actual!.byteOffset, actual!.byteLength); // length checked
  const b = Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength);
  expect(Buffer.compare(a, b), `frame of ${expected.byteLength} bytes differs`).toBe(0);
}

function codeOf(error: unknown): unknown {
  return (error as { code?: unknown } | undefined)?.code;
}

/**
 * Registers the behaviour every remoting transport must show, in a `describe` named after the
 * transport. `make` builds a fresh transport with the given options (the suite sets
 * `maxFrameBytes`: 16 MiB for most transports, 1 KiB for the ones that test oversized frames);
 * every transport made is closed after its test. A transport that ignores `maxFrameBytes` fails.
 *
 * @example
 * transportConformance('tcp', (options) => new TcpTransport(options));
 */
export function transportConformance(
  name: string,
  make: (options: TransportOptions) => Transport | Promise<Transport>,
  options: TransportConformanceOptions = {},
): void {
  describe(`transport conformance: ${name}`, () => {
    let transports: Transport[] = [];
    let probes: Probe[] = [];

    afterEach(async () => {
      const open = transports;
      transports = [];
      await Promise.all(open.map((transport) => transport.close()));
      const violations = probes.flatMap((probe) => probe.violations);
      probes = [];
      expect(violations).toEqual([]);
    });

    async function transport(maxFrameBytes = LIMIT): Promise<Transport> {
      const made = await make({ maxFrameBytes });
      transports.push(made);
      return made;
    }

    function probe(connection: Connection): Probe {
      const made = new Probe(connection);
      probes.push(made);
      return made;
    }

    async function listening(
      maxFrameBytes = LIMIT,
    ): Promise<{ transport: Transport; acceptor: Acceptor; address: string }> {
      const server = await transport(maxFrameBytes);
      const acceptor = new Acceptor();
      const address = await server.listen('127.0.0.1', 0, acceptor.onConnection);
      return { transport: server, acceptor, address };
    }

    /** A listener and a client connected to it, both ends probed. */
    async function pair(
      serverLimit = LIMIT,
      clientLimit = LIMIT,
    ): Promise<{ client: Probe; server: Probe }> {
      const { acceptor, address } = await listening(serverLimit);
      const client = await (await transport(clientLimit)).connect(address);
      return { client: probe(client), server: probe(await acceptor.nth(0)) };
    }

    it(`${name}: listen on 127.0.0.1 port 0 resolves with the bound host:port`, async () => {
      const { acceptor, address } = await listening();
      expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(Number(address.split(':')[1])).toBeGreaterThan(0);

      const client = await (await transport()).connect(address);
      const accepted = await acceptor.nth(0);
      expect(client.open).toBe(true);
      expect(accepted.open).toBe(true);
      expect(client.remoteAddress).toBe(address);
      expect(accepted.remoteAddress).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(accepted.remoteAddress).not.toBe(address);
    });

    it(`${name}: frames of 0 B, 1 B, 64 KiB and 8 MiB arrive whole and in order, both ways`, async () => {
      const { client, server } = await pair();
      const sizes = [0, 1, 64 * KiB, 8 * MiB, 1, 0];
      const outbound = sizes.map((size, i) => pattern(size, i));
      const inbound = sizes.map((size, i) => pattern(size, i + 100));
      for (const frame of outbound) client.connection.send(frame);
      for (const frame of inbound) server.connection.send(frame);

      await Promise.all([server.received(sizes.length), client.received(sizes.length)]);
      outbound.forEach((frame, i) => expectSameBytes(server.frames[i], frame));
      inbound.forEach((frame, i) => expectSameBytes(client.frames[i], frame));
      expect(server.frames).toHaveLength(sizes.length);
    });

    it(`${name}: 10,000 frames sent in one turn arrive in order`, async () => {
      const { client, server } = await pair();
      const count = 10_000;
      for (let i = 0; i < count; i++) client.connection.send(indexed(i));
      for (let i = 0; i < count; i++) server.connection.send(indexed(count - i));

      await Promise.all([server.received(count), client.received(count)]);
      expect(server.frames.map(indexOf)).toEqual(Array.from({ length: count }, (_, i) => i));
      expect(client.frames.map(indexOf)).toEqual(
        Array.from({ length: count }, (_, i) => count - i),
      );
    });

    it(`${name}: an outgoing frame over maxFrameBytes throws FrameTooLargeError and the connection keeps working`, async () => {
      const { client, server } = await pair(LIMIT, SMALL_LIMIT);
      let thrown: unknown;
      try {
        client.connection.send(new Uint8Array(SMALL_LIMIT + 1));
      } catch (error) {
        thrown = error;
      }
      expect(codeOf(thrown)).toBe('ERR_FRAME_TOO_LARGE');
      expect(thrown).toMatchObject({ size: SMALL_LIMIT + 1, maximum: SMALL_LIMIT });

      const largest = pattern(SMALL_LIMIT, 1);
      client.connection.send(largest);
      client.connection.send(pattern(3, 2));
      await server.received(2);
      expectSameBytes(server.frames[0], largest);
      expectSameBytes(server.frames[1], pattern(3, 2));
      expect(client.connection.open).toBe(true);
      expect(client.closes + server.closes).toBe(0);
    });

    it(`${name}: an incoming frame over maxFrameBytes closes that connection only, with FrameTooLargeError`, async () => {
      const { acceptor, address } = await listening(SMALL_LIMIT);
      const sender = await transport(LIMIT);
      const bad = probe(await sender.connect(address));
      const badAccepted = probe(await acceptor.nth(0));
      const good = probe(await sender.connect(address));
      const goodAccepted = probe(await acceptor.nth(1));

      bad.connection.send(pattern(SMALL_LIMIT + 1, 1));
      await Promise.all([badAccepted.closed(), bad.closed()]);
      expect(codeOf(badAccepted.reason)).toBe('ERR_FRAME_TOO_LARGE');
      expect(badAccepted.frames).toHaveLength(0);
      expect(bad.connection.open).toBe(false);

      good.connection.send(pattern(SMALL_LIMIT, 2));
      goodAccepted.connection.send(pattern(10, 3));
      await Promise.all([goodAccepted.received(1), good.received(1)]);
      expectSameBytes(goodAccepted.frames[0], pattern(SMALL_LIMIT, 2));
      expect(goodAccepted.connection.open).toBe(true);

      const later = probe(await sender.connect(address));
      const laterAccepted = probe(await acceptor.nth(2));
      later.connection.send(pattern(5, 4));
      await laterAccepted.received(1);
      expect(good.closes + goodAccepted.closes + later.closes + laterAccepted.closes).toBe(0);
    });

    it(`${name}: closing the connecting side calls onClose once on both sides`, async () => {
      const { client, server } = await pair();
      client.connection.close();
      await Promise.all([client.closed(), server.closed()]);
      expect(client.reason).toBeUndefined();
      expect(server.reason).toBeUndefined();
      expect(client.connection.open).toBe(false);
      expect(server.connection.open).toBe(false);

      client.connection.close(new Error('again'));
      server.connection.close();
      await Promise.all(transports.splice(0).map((t) => t.close()));
      expect([client.closes, server.closes]).toEqual([1, 1]);
    });

    it(`${name}: closing the accepting side with a reason reports it there and calls onClose once on both sides`, async () => {
      const { client, server } = await pair();
      const reason = new Error('shutting down');
      server.connection.close(reason);
      await Promise.all([client.closed(), server.closed()]);
      expect(server.reason).toBe(reason);
      expect(client.reason).toBeUndefined();

      await Promise.all(transports.splice(0).map((t) => t.close()));
      expect([client.closes, server.closes]).toEqual([1, 1]);
    });

    it(`${name}: close writes the frames queued before it`, async () => {
      const { client, server } = await pair();
      for (let i = 0; i < 100; i++) client.connection.send(indexed(i));
      client.connection.send(pattern(256 * KiB, 9));
      client.connection.close();
      await server.closed();
      expect(server.framesAtClose).toBe(101);
      expect(server.frames.slice(0, 100).map(indexOf)).toEqual(
        Array.from({ length: 100 }, (_, i) => i),
      );
      expectSameBytes(server.frames[100], pattern(256 * KiB, 9));
    });

    it(`${name}: connecting to a port nobody listens on rejects`, async () => {
      const { transport: server, address } = await listening();
      await server.close();
      await expect((await transport()).connect(address)).rejects.toThrow();
      await expect((await transport()).connect('no port here')).rejects.toThrow();
    });

    it(`${name}: send returns false under back-pressure and onDrain follows`, async () => {
      const { client, server } = await pair();
      const frame = pattern(4 * KiB, 5);
      let sent = 0;
      let accepted = true;
      while (accepted && sent < (64 * MiB) / frame.byteLength) {
        accepted = client.connection.send(frame);
        sent++;
      }
      expect(accepted).toBe(false);
      expect(client.connection.bufferedBytes).toBeGreaterThan(0);

      await client.drained();
      expect(client.connection.send(pattern(1, 6))).toBe(true);
      await server.received(sent + 1);
      expectSameBytes(server.frames[sent - 1], frame);
      expectSameBytes(server.frames[sent], pattern(1, 6));
    });

    it(`${name}: close() of the transport closes every connection it made or accepted and frees the port`, async () => {
      const a = await listening();
      const b = await listening();
      const fromB = [
        probe(await b.transport.connect(a.address)),
        probe(await b.transport.connect(a.address)),
      ];
      const acceptedByA = [probe(await a.acceptor.nth(0)), probe(await a.acceptor.nth(1))];
      const fromA = probe(await a.transport.connect(b.address));
      const acceptedByB = probe(await b.acceptor.nth(0));

      await a.transport.close();
      const all = [...fromB, ...acceptedByA, fromA, acceptedByB];
      await Promise.all(all.map((p) => p.closed()));
      expect(all.map((p) => p.connection.open)).toEqual(all.map(() => false));
      expect(all.map((p) => p.reason)).toEqual(all.map(() => undefined)); // an orderly close

      const again = await transport();
      const port = Number(a.address.split(':')[1]);
      await expect(again.listen('127.0.0.1', port, () => undefined)).resolves.toBe(a.address);
      await expect(a.transport.connect(b.address)).rejects.toThrow();
    });

    it(`${name}: frames that arrive before attach are delivered on attach, then the close`, async () => {
      const { acceptor, address } = await listening();
      const client = probe(await (await transport()).connect(address));
      const accepted = await acceptor.nth(0);
      const frames = [pattern(0, 1), pattern(1, 2), pattern(32 * KiB, 3)];
      for (const frame of frames) client.connection.send(frame);
      client.connection.close();
      // The connecting side closes once the peer has read everything up to its end of stream.
      await client.closed();

      const server = probe(accepted);
      await server.closed();
      expect(server.framesAtClose).toBe(frames.length);
      frames.forEach((frame, i) => expectSameBytes(server.frames[i], frame));
    });

    const tls = options.tls;
    if (tls !== undefined) {
      it(`${name}: a client that does not trust the listener's certificate is refused`, async () => {
        const { acceptor, address } = await listening();
        const untrusted = await tls.untrustedClient();
        transports.push(untrusted);
        await expect(untrusted.connect(address)).rejects.toThrow();
        expect(acceptor.accepted).toHaveLength(0);

        const trusted = probe(await (await transport()).connect(address));
        const accepted = probe(await acceptor.nth(0));
        trusted.connection.send(pattern(7, 7));
        await accepted.received(1);
      });
    }
  });
}
