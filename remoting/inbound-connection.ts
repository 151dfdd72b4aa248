import { clientProof, newNonce, proofMatches, serverProof } from './handshake-proof.ts';
import type { RemoteContext } from './remote-context.ts';
import type { CloseReason, Connection } from './transport.ts';
import {
  decodeRemoteMessage,
  encodeConnectResponse,
  encodeServerHello,
} from './wire/frame-decoder.ts';
import { PROTOCOL_VERSION } from './wire/wire-config.ts';

/**
 * A connection another node opened to this one: the accepting side of the handshake, then the
 * batches it sends. Bad framing or a malformed frame closes this connection only, with a logged,
 * typed error; envelopes with an unknown type or target become dead letters.
 *
 *   ──▶ ServerHello { version, nonce S, id }
 *   ◀── ConnectRequest { version, id, address, nonce C, proof }   (checked: version, secret, block list)
 *   ──▶ ConnectResponse { id, blocked | refused + reason, proof }
 *   ◀── MessageBatch …
 */
export class InboundConnection {
  private readonly nonce = newNonce();
  private open = false;
  private readonly timer: NodeJS.Timeout;
  /** The peer's system id and listen address, once it has introduced itself. */
  peerId: string | undefined;
  peerAddress: string | undefined;

  constructor(
    readonly connection: Connection,
    private readonly remote: RemoteContext,
    private readonly onGone: (inbound: InboundConnection) => void,
  ) {
    this.timer = setTimeout(
      () => this.refuse('no handshake in time'),
      remote.options.connectTimeoutMs,
    );
    connection.attach({
      onFrame: (frame) => this.onFrame(frame),
      onClose: (reason) => this.onClose(reason),
    });
    connection.send(
      encodeServerHello({
        protocolVersion: PROTOCOL_VERSION,
        nonce: this.nonce,
        systemId: remote.systemId,
      }),
    );
  }

  /** Closes the connection (block list, shutdown). */
  close(reason: string): void {
    this.connection.close(new Error(reason));
  }

  private onFrame(frame: Uint8Array): void {
    const remote = this.remote;
    let decoded;
    try {
      decoded = decodeRemoteMessage(frame, remote.codecs);
    } catch (error) {
      remote.metrics.decodeErrors++;
      remote.logger.warn(
        { from: this.peerAddress ?? this.connection.remoteAddress, err: error },
        'malformed frame; closing the connection',
      );
      this.connection.close(error as Error);
      return;
    }
    if (decoded.kind === 'batch' && this.open) {
      remote.metrics.frameReceived(frame.length, decoded.envelopes.length);
      remote.deliver(decoded.envelopes, this.peerAddress!); // set before `open`
    } else if (decoded.kind === 'connect-request' && !this.open) {
      this.handshake(decoded);
    } else if (decoded.kind === 'disconnect') {
      this.connection.close();
    } else {
      remote.metrics.decodeErrors++;
      this.refuse(`unexpected ${decoded.kind} ${this.open ? 'after' : 'before'} the handshake`);
    }
  }

  private handshake(request: {
    protocolVersion: number;
    systemId: string;
    address: string;
    nonce: Uint8Array;
    proof: Uint8Array;
  }): void {
    const remote = this.remote;
    const { systemId, address } = request;
    this.peerId = systemId;
    this.peerAddress = address;
    if (request.protocolVersion !== PROTOCOL_VERSION) {
      this.refuse(`protocol version ${request.protocolVersion} is not ${PROTOCOL_VERSION}`);
      return;
    }
    const secret = remote.secret;
    if (secret !== undefined) {
      const expected = clientProof(secret, this.nonce, request.nonce, systemId);
      if (!proofMatches(expected, request.proof)) {
        this.refuse('the cluster secret was not proven');
        return;
      }
    }
    if (remote.blockList.has(systemId)) {
      remote.logger.warn({ from: address, systemId }, 'refused a blocked node');
      this.answer({ blocked: true, refused: false, reason: 'blocked' });
      this.connection.close(new Error('blocked'));
      return;
    }
    clearTimeout(this.timer);
    this.open = true;
    const proof =
      secret === undefined
        ? new Uint8Array(0)
        : serverProof(secret, request.nonce, this.nonce, remote.systemId);
    this.answer({ blocked: false, refused: false, reason: '', proof });
    remote.logger.debug({ from: address, systemId }, 'inbound connection accepted');
  }

  private answer(response: {
    blocked: boolean;
    refused: boolean;
    reason: string;
    proof?: Uint8Array;
  }): void {
    this.connection.send(
      encodeConnectResponse({
        systemId: this.remote.systemId,
        blocked: response.blocked,
        refused: response.refused,
        reason: response.reason,
        proof: response.proof ?? new Uint8Array(0),
      }),
    );
  }

  /** Turns the peer away with a logged reason, then closes. */
  private refuse(reason: string): void {
    clearTimeout(this.timer);
    this.remote.logger.warn(
      { from: this.peerAddress ?? this.connection.remoteAddress, systemId: this.peerId, reason },
      'refused a connection',
    );
    if (this.connection.open) {
      this.answer({ blocked: false, refused: true, reason });
      this.connection.close(new Error(reason));
    }
  }

  private onClose(reason: CloseReason): void {
    clearTimeout(this.timer);
    if (reason !== undefined && this.open) {
      this.remote.logger.debug(
        { from: this.peerAddress, err: reason },
        'inbound connection closed',
      );
    }
    this.onGone(this);
  }
}
