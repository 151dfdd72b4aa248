import type { Headers, PID } from '../runtime/index.ts';
import type { RemoteContext } from './remote-context.ts';
import { EndpointConnected } from './remote-events.ts';
import { clientProof, newNonce, proofMatches, serverProof } from './handshake-proof.ts';
import type { CloseReason, Connection } from './transport.ts';
import { BatchEncoder } from './wire/batch-encoder.ts';
import { decodeRemoteMessage, encodeConnectRequest } from './wire/frame-decoder.ts';
import { PROTOCOL_VERSION, type EnvelopeKind } from './wire/wire-config.ts';

type State = 'connecting' | 'handshaking' | 'connected' | 'backoff' | 'terminated';

/**
 * The way out to one other node. Messages are encoded at once (a message that cannot be encoded
 * throws at the sender), gathered into one batch per event-loop turn, and written as one frame.
 * The connection is made on first use and remade with backoff when it drops; frames wait in order
 * until it is up. After `reconnectMaxRetries` failed attempts in a row, or a refusal, the endpoint
 * terminates: see `EndpointTerminated`.
 *
 *   connecting ─▶ handshaking ─▶ connected ─(drop)─▶ backoff ─▶ connecting …
 *        └────────(refused, blocked, retries spent)──────────▶ terminated
 */
export class Endpoint {
  private state: State = 'connecting';
  private readonly encoder: BatchEncoder;
  private readonly frames: Uint8Array[] = [];
  private connection: Connection | undefined;
  private flushArmed = false;
  private blocked = false;
  private attempts = 0;
  private generation = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private handshakeTimer: NodeJS.Timeout | undefined;
  private clientNonce: Uint8Array | undefined;
  /** The other node's system id once known. */
  systemId: string | undefined;

  constructor(
    readonly address: string,
    private readonly remote: RemoteContext,
  ) {
    this.encoder = new BatchEncoder(remote.codecs, remote.options.maxFrameBytes);
    this.connect();
  }

  get terminated(): boolean {
    return this.state === 'terminated';
  }

  get connected(): boolean {
    return this.state === 'connected';
  }

  /** Queues one message for `targetId` on the other node; throws if it cannot be encoded. */
  send(
    targetId: string,
    message: unknown,
    sender: PID | undefined,
    headers: Headers,
    kind: EnvelopeKind,
  ): void {
    if (this.state === 'terminated') {
      // A PID that still caches this endpoint: the node is gone, as for a dead local actor.
      this.remote.deadLetter(this.address, targetId, message, sender, headers);
      return;
    }
    const encoder = this.encoder;
    const from = this.remote.publicPid(sender);
    try {
      if (!encoder.add(targetId, message, from, headers, kind)) {
        this.flush(); // the batch is full: this envelope starts the next one
        encoder.add(targetId, message, from, headers, kind);
      }
    } catch (error) {
      this.remote.metrics.serializationErrors++;
      throw error;
    }
    const { batchMaxMessages, batchMaxBytes } = this.remote.options;
    if (encoder.size >= batchMaxMessages || encoder.bytes >= batchMaxBytes) this.flush();
    else if (!this.flushArmed) {
      this.flushArmed = true;
      setImmediate(this.flushLater);
    }
  }

  private readonly flushLater = (): void => {
    this.flushArmed = false;
    this.flush();
  };

  /** Turns the current batch into a frame and writes what the connection takes. */
  private flush(): void {
    const messages = this.encoder.size;
    const frame = this.encoder.flush();
    if (frame === undefined) return;
    this.remote.metrics.batchSent(messages, frame.length);
    this.frames.push(frame);
    this.writeFrames();
  }

  private writeFrames(): void {
    const connection = this.connection;
    if (this.state !== 'connected' || connection === undefined) return;
    const frames = this.frames;
    let i = 0;
    while (i < frames.length) {
      const writable = connection.send(frames[i++]!); // i < length
      if (!writable) break; // onDrain resumes
    }
    frames.splice(0, i);
  }

  // ── connecting ─────────────────────────────────────────────────────────────────────────────

  private connect(): void {
    this.state = 'connecting';
    this.attempts++;
    // Results of an earlier attempt that arrive late (a connect that outlived its timeout) are
    // ignored: each attempt only acts while it is the current one.
    const attempt = ++this.generation;
    const { transport, options, logger } = this.remote;
    const timer = setTimeout(() => {
      if (attempt === this.generation) this.connectionFailed(new Error('connect timed out'));
    }, options.connectTimeoutMs);

    this.handshakeTimer = timer;
    transport.connect(this.address).then(
      (connection) => {
        if (attempt !== this.generation || this.state !== 'connecting') {
          connection.close();
          return;
        }
        this.state = 'handshaking';
        this.connection = connection;
        connection.attach({
          onFrame: (frame) => this.onFrame(connection, frame),
          onClose: (reason) => this.onClose(connection, reason),
          onDrain: () => this.writeFrames(),
        });
      },
      (error: unknown) => {
        logger.debug(
          { address: this.address, err: error, attempt: this.attempts },
          'connect failed',
        );
        if (attempt === this.generation) this.connectionFailed(error);
      },
    );
  }

  private onFrame(connection: Connection, frame: Uint8Array): void {
    if (connection !== this.connection) return;
    let decoded;
    try {
      decoded = decodeRemoteMessage(frame, this.remote.codecs);
    } catch (error) {
      this.remote.metrics.decodeErrors++;
      this.remote.logger.warn(
        { address: this.address, err: error },
        'bad frame from endpoint; closing',
      );
      connection.close(error as Error);
      return;
    }
    switch (decoded.kind) {
      case 'server-hello':
        this.answerHello(connection, decoded.nonce, decoded.protocolVersion);
        break;
      case 'connect-response':
        this.handshakeAnswered(decoded);
        break;
      case 'batch':
        if (this.state !== 'connected') {
          connection.close(new Error('a batch before the handshake completed'));
          break;
        }
        this.remote.metrics.frameReceived(frame.length, decoded.envelopes.length);
        this.remote.deliver(decoded.envelopes, this.address);
        break;
      case 'disconnect':
        this.terminate(`the node said goodbye: ${decoded.reason}`);
        break;
      default:
        connection.close(new Error(`unexpected ${decoded.kind} on an outbound connection`));
    }
  }

  private answerHello(connection: Connection, serverNonce: Uint8Array, version: number): void {
    if (this.state !== 'handshaking') return;
    if (version !== PROTOCOL_VERSION) {
      this.terminate(`protocol version ${version} is not ${PROTOCOL_VERSION}`);
      return;
    }
    const { systemId, secret } = this.remote;
    const nonce = newNonce();
    this.clientNonce = nonce;
    const address = this.remote.address;
    const proof =
      secret === undefined ? new Uint8Array(0) : clientProof(secret, serverNonce, nonce, systemId);
    connection.send(
      encodeConnectRequest({ protocolVersion: PROTOCOL_VERSION, systemId, address, nonce, proof }),
    );
    this.serverNonce = serverNonce;
  }

  private serverNonce: Uint8Array | undefined;

  private handshakeAnswered(answer: {
    systemId: string;
    blocked: boolean;
    refused: boolean;
    reason: string;
    proof: Uint8Array;
  }): void {
    if (this.state !== 'handshaking') return;
    if (answer.blocked || answer.refused) {
      this.blocked = answer.blocked;
      this.terminate(answer.blocked ? 'this node is blocked there' : `refused: ${answer.reason}`);
      return;
    }
    const secret = this.remote.secret;
    if (secret !== undefined) {
      const expected = serverProof(secret, this.clientNonce!, this.serverNonce!, answer.systemId); // set in answerHello
      if (!proofMatches(expected, answer.proof)) {
        this.terminate('the node could not prove the cluster secret');
        return;
      }
    }
    if (this.remote.blockList.has(answer.systemId)) {
      this.terminate(`the node's id ${answer.systemId} is blocked`);
      return;
    }
    clearTimeout(this.handshakeTimer);
    this.systemId = answer.systemId;
    this.state = 'connected';
    this.attempts = 0;
    this.remote.metrics.endpointsUp++;
    this.remote.logger.info(
      { address: this.address, systemId: answer.systemId },
      'endpoint connected',
    );
    this.remote.system.eventStream.publish(new EndpointConnected(this.address, answer.systemId));
    this.writeFrames();
  }

  private onClose(connection: Connection, reason: CloseReason): void {
    if (connection !== this.connection) return;
    this.connection = undefined;
    if (this.state === 'terminated') return;
    if (this.state === 'connected') {
      this.remote.metrics.endpointsDown++;
      this.remote.logger.warn({ address: this.address, err: reason }, 'endpoint connection lost');
    }
    this.connectionFailed(reason ?? new Error('connection closed'));
  }

  private connectionFailed(reason: unknown): void {
    clearTimeout(this.handshakeTimer);
    if (this.state === 'terminated' || this.state === 'backoff') return;
    const connection = this.connection;
    this.connection = undefined;
    connection?.close();
    const { reconnectMaxRetries, reconnectInitialMs, reconnectMaxMs, reconnectJitterMs } =
      this.remote.options;
    if (this.attempts > reconnectMaxRetries) {
      this.terminate(`unreachable after ${this.attempts} attempts: ${describe(reason)}`);
      return;
    }
    this.state = 'backoff';
    const delay =
      Math.min(reconnectMaxMs, reconnectInitialMs * 2 ** (this.attempts - 1)) +
      Math.random() * reconnectJitterMs;
    this.retryTimer = setTimeout(() => this.connect(), delay).unref();
  }

  // ── the end ────────────────────────────────────────────────────────────────────────────────

  /**
   * Gives up on the node: queued messages become dead letters, requests to it fail with
   * `ERR_ADDRESS_TERMINATED`, watchers of its actors receive `Terminated`.
   */
  terminate(reason: string): void {
    if (this.state === 'terminated') return;
    const wasConnected = this.state === 'connected';
    this.state = 'terminated';
    clearTimeout(this.retryTimer);
    clearTimeout(this.handshakeTimer);
    const connection = this.connection;
    this.connection = undefined;
    connection?.close();
    if (wasConnected) this.remote.metrics.endpointsDown++;
    const pending = this.encoder.flush();
    if (pending !== undefined) this.frames.push(pending);
    this.remote.endpointTerminated(this, reason, this.frames.splice(0));
  }

  /** Closes the connection without the termination side effects (node shutdown). */
  close(): void {
    clearTimeout(this.retryTimer);
    clearTimeout(this.handshakeTimer);
    this.flush(); // written while still connected; the transport sends queued frames before closing
    this.state = 'terminated';
    this.connection?.close();
    this.connection = undefined;
  }

  /** True when the endpoint was refused because this node is blocked there. */
  get refusedAsBlocked(): boolean {
    return this.blocked;
  }
}

function describe(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason);
}
