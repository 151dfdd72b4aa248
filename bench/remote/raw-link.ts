import { connect, type Socket } from 'node:net';
import { launchPeer, type PeerProcess } from './peer-process.ts';
import { FrameReader, FrameWriter, type FrameHandler } from './raw-frames.ts';

const RAW_PEER = new URL('./raw-peer.ts', import.meta.url);

/** The modes of `raw-peer.ts`. */
export type RawMode = 'count' | 'codec' | 'echo';

/**
 * A baseline's connection: a `raw-peer.ts` process in `mode` and one socket to it. Incoming
 * frames go to the handler of the run under way; frames a handler queues on `writer` during one
 * read are written together once the read is processed.
 */
export class RawLink {
  private peer: PeerProcess | undefined;
  private connection: Socket | undefined;
  private writerOf: FrameWriter | undefined;
  private handler: FrameHandler = () => {};
  private readonly reader = new FrameReader((buffer, start, length) =>
    this.handler(buffer, start, length),
  );

  constructor(private readonly mode: RawMode) {}

  /** The socket to the peer (after `open`). */
  get socket(): Socket {
    return this.connection!; // set in open, which every setup awaits first
  }

  /** The coalescing writer of the socket (after `open`). */
  get writer(): FrameWriter {
    return this.writerOf!; // set in open, like the socket
  }

  /** Starts the peer and connects to it. */
  async open(): Promise<void> {
    this.peer = await launchPeer(RAW_PEER, { BENCH_RAW_MODE: this.mode });
    const [host, port] = splitAddress(this.peer.address);
    const socket = connect({ host, port, noDelay: true });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.on('error', () => socket.destroy());
    const writer = new FrameWriter(socket);
    socket.on('data', (chunk: Buffer) => {
      this.reader.push(chunk);
      writer.flush();
    });
    this.connection = socket;
    this.writerOf = writer;
  }

  /** Hands the frames that arrive from now on to `handler`. */
  onFrame(handler: FrameHandler): void {
    this.handler = handler;
  }

  /** Closes the socket and stops the peer. */
  async close(): Promise<void> {
    this.connection?.destroy();
    await this.peer?.stop();
  }
}

function splitAddress(address: string): [string, number] {
  const colon = address.lastIndexOf(':');
  return [address.slice(0, colon), Number(address.slice(colon + 1))];
}
