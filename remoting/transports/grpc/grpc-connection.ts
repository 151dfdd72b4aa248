import type { Readable, Writable } from 'node:stream';
import { status as GrpcStatus, type StatusObject } from '@grpc/grpc-js';
import {
  FrameTooLargeError,
  RingQueue,
  ConnectionLostError,
  TimeoutError,
} from '../../../runtime/index.ts';
import type { CloseReason, Connection, ConnectionHandlers } from '../../transport.ts';

/**
 * The parts of a gRPC bidi call (a client's `ClientDuplexStream` or a server's
 * `ServerDuplexStream`) that a connection uses. Each message on it is one frame.
 */
export type FrameCall = Readable & Writable & { getPeer(): string };

/** The status a call ended with, as far as this side knows it. */
export type CallStatus = Pick<StatusObject, 'code' | 'details'>;

/** What differs between the two sides of a call, and what the transport wants to hear. */
export interface CallSide {
  /** The largest frame sent or accepted, in bytes. */
  readonly maxFrameBytes: number;
  /** How long `close` waits for the call to end before it aborts it. */
  readonly closeTimeoutMs: number;
  /** Ends the call at once: a client cancels it, a server sends ABORTED without flushing. */
  abort(): void;
  /** Called once, after `onClose`: the transport forgets the connection and frees its channel. */
  finished(connection: GrpcConnection): void;
}

/** Received bytes kept for a connection with no handlers yet before reading pauses. */
const EARLY_PAUSE_BYTES = 1024 * 1024;

/**
 * One frame connection over one gRPC bidi call. Frames and 'drain' it hears from the call; the
 * transport tells it the rest, since the two sides learn it differently: the peer half-closed
 * (`peerEnded`, server side) and the call is over (`ended`, from the client's 'status' or the
 * server's 'cancelled').
 *
 *   open ──close()──▶ closing ──call ends, or closeTimeoutMs then abort──▶ finished
 *     └── call ends (peer closed, error, oversized frame, link lost) ────▶ finished
 *
 * `onClose` runs once, on entering finished, after every frame the call had already received.
 */
export class GrpcConnection implements Connection {
  readonly remoteAddress: string;
  private readonly call: FrameCall;
  private readonly side: CallSide;
  private handlers: ConnectionHandlers | undefined;
  /** Frames that arrived before `attach`, and the close that did. */
  private early: Buffer[] = [];
  private earlyBytes = 0;
  private earlyClose: { reason: CloseReason } | undefined;
  /** Sizes of frames handed to the call and not yet written, oldest first. */
  private sizes = new RingQueue<number>();
  private queuedBytes = 0;
  private isOpen = true;
  private isFinished = false;
  /** The reason this side gave (`close`, a throwing handler, the close timeout). */
  private localReason: CloseReason;
  private closeTimer: NodeJS.Timeout | undefined;

  constructor(call: FrameCall, side: CallSide) {
    this.call = call;
    this.side = side;
    this.remoteAddress = formatPeer(call.getPeer());
    call.on('data', this.onData);
    call.on('drain', this.onDrain);
    // gRPC reports a failed call as 'error' and then as its end; the end is what counts.
    call.on('error', ignore);
  }

  /** Bytes handed to gRPC and not yet written to the HTTP/2 stream. */
  get bufferedBytes(): number {
    return this.queuedBytes;
  }

  /** True until the connection closes, starts closing, or the peer ends its side. */
  get open(): boolean {
    return this.isOpen;
  }

  /** Installs the handlers, then delivers what arrived before them. */
  attach(handlers: ConnectionHandlers): void {
    if (this.handlers) throw new Error('a connection takes handlers only once');
    this.handlers = handlers;
    const early = this.early;
    this.early = [];
    this.earlyBytes = 0;
    for (const frame of early) if (!this.deliver(frame)) break;
    if (this.earlyClose) handlers.onClose(this.earlyClose.reason);
    else if (this.call.isPaused()) this.call.resume();
  }

  /** Writes one frame as one gRPC message; false means wait for `onDrain`. */
  send(frame: Uint8Array): boolean {
    const size = frame.byteLength;
    if (size > this.side.maxFrameBytes) throw new FrameTooLargeError(size, this.side.maxFrameBytes);
    if (!this.isOpen) return false;
    this.queuedBytes += size;
    this.sizes.push(size);
    return this.call.write(frame, this.onWritten);
  }

  /** Half-closes the call after the queued frames; the peer then ends it and `onClose` follows. */
  close(reason?: Error): void {
    if (this.isFinished) return;
    this.localReason ??= reason;
    if (!this.isOpen) return;
    this.isOpen = false;
    this.call.end();
    this.closeTimer = setTimeout(this.onCloseTimeout, this.side.closeTimeoutMs);
    this.closeTimer.unref();
  }

  /** The peer half-closed: end this side too, which ends the call. */
  peerEnded(): void {
    if (!this.isOpen) return;
    this.isOpen = false;
    this.call.end();
  }

  /** The call is over, with `status` if one was sent or received (none: cancelled or link lost). */
  ended(status: CallStatus | undefined): void {
    if (this.isFinished) return;
    // Messages the call has buffered but not emitted come before onClose; read() emits them.
    while (this.call.readableLength > 0 && !this.isFinished) {
      if (this.call.read() === null) break;
    }
    if (this.isFinished) return;
    this.isFinished = true;
    this.isOpen = false;
    clearTimeout(this.closeTimer);
    this.queuedBytes = 0;
    this.sizes = new RingQueue<number>();
    const reason = this.localReason ?? closeReasonOf(status);
    if (this.handlers) this.handlers.onClose(reason);
    else this.earlyClose = { reason };
    this.side.finished(this);
  }

  private readonly onData = (frame: Buffer): void => {
    if (this.isFinished) return;
    if (this.handlers) {
      this.deliver(frame);
      return;
    }
    this.early.push(frame);
    this.earlyBytes += frame.length;
    if (this.earlyBytes >= EARLY_PAUSE_BYTES) this.call.pause();
  };

  /** Hands one frame over; a throwing handler aborts the connection with its error. */
  private deliver(frame: Buffer): boolean {
    try {
      this.handlers!.onFrame(frame); // only called once handlers are attached
      return true;
    } catch (error) {
      this.fail(error);
      return false;
    }
  }

  private readonly onDrain = (): void => {
    if (!this.isOpen) return;
    try {
      this.handlers?.onDrain?.();
    } catch (error) {
      this.fail(error);
    }
  };

  // Write callbacks come in write order, so the oldest size is the frame just written.
  private readonly onWritten = (): void => {
    if (this.sizes.length > 0) this.queuedBytes -= this.sizes.shift();
  };

  private readonly onCloseTimeout = (): void => {
    this.localReason ??= new TimeoutError(
      `the peer did not end the stream within ${this.side.closeTimeoutMs} ms`,
    );
    this.abort();
  };

  private fail(error: unknown): void {
    this.localReason ??= error instanceof Error ? error : new Error(String(error));
    this.abort();
  }

  private abort(): void {
    this.isOpen = false;
    this.side.abort();
    this.ended(undefined);
  }
}

/** Maps how a call ended to a close reason: OK is orderly, RESOURCE_EXHAUSTED a too large frame. */
export function closeReasonOf(status: CallStatus | undefined): CloseReason {
  if (status === undefined) {
    return new ConnectionLostError('the gRPC stream was cancelled or its link lost');
  }
  if (status.code === GrpcStatus.OK) return undefined;
  const cause = new Error(`${GrpcStatus[status.code]}: ${status.details}`);
  if (status.code === GrpcStatus.RESOURCE_EXHAUSTED) {
    // grpc-js says "... larger than max (<size> vs <max>)"; the max may be the peer's.
    const sizes = /\((\d+) vs\.? (\d+)\)/.exec(status.details);
    return new FrameTooLargeError(Number(sizes?.[1] ?? Number.NaN), Number(sizes?.[2] ?? 0), {
      cause,
    });
  }
  return new ConnectionLostError(
    `the gRPC stream ended with ${GrpcStatus[status.code]}: ${status.details}`,
    { cause },
  );
}

/** `host:port` from grpc-js's peer string, with an IPv6 host in brackets as elsewhere. */
function formatPeer(peer: string): string {
  const colon = peer.lastIndexOf(':');
  const host = peer.slice(0, colon);
  if (colon <= 0 || !host.includes(':') || host.startsWith('[')) return peer;
  return `[${host}]${peer.slice(colon)}`;
}

function ignore(): void {}
