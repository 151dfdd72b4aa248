import type { PeerWatches } from '../peer-watches.ts';
import type { PID } from '../pid.ts';
import type { Process } from '../process.ts';
import { Unwatch, Watch } from '../system-messages.ts';
import type { RingWriter } from './ring/ring-writer.ts';
import type { FrameEncoder } from './thread-frames.ts';

/**
 * Every actor of one other thread, as seen from this thread: a send encodes the message once and
 * writes it into the ring to that thread. PIDs of that thread cache this process, so a hot send
 * is one property read, one encode and one ring write. When the thread dies the process is
 * marked dead and PIDs re-resolve (to dead letters).
 */
export class ThreadProcess implements Process {
  dead = false;

  constructor(
    /** The id of the thread this process writes to. */
    readonly threadId: number,
    private readonly writer: RingWriter,
    private readonly encoder: FrameEncoder,
    private readonly watches: PeerWatches<number>,
  ) {}

  sendUser(pid: PID, message: unknown): void {
    const encoder = this.encoder;
    const length = encoder.userLength(pid.id, message);
    this.writer.send(encoder.bytes, length, encoder.words);
  }

  sendSystem(pid: PID, message: unknown): void {
    // Encode first: a message that cannot cross must not leave a watch recorded.
    const frame = this.encoder.system(pid.id, message);
    if (message instanceof Watch) this.watches.add(this.threadId, pid, message.watcher);
    else if (message instanceof Unwatch) this.watches.remove(this.threadId, pid, message.watcher);
    this.writer.send(frame);
  }

  sendStop(pid: PID): void {
    this.writer.send(this.encoder.stop(pid.id));
  }

  /** Writes a frame already encoded (a spawn, a bridged event). */
  sendFrame(frame: Uint8Array): void {
    this.writer.send(frame);
  }
}
