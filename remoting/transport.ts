/**
 * The seam between remoting and the network: connections that carry whole frames (one encoded
 * `RemoteMessage` each) in order. Implementations: `transports/tcp/` (node:net, optionally TLS)
 * and `transports/grpc/` (@grpc/grpc-js, one bidi stream per connection). Both pass
 * `test/conformance/transport.suite.ts`.
 *
 * A connection is used in one direction for messages: the side that connected writes batches,
 * the side that accepted reads them (plus the handshake, which goes both ways). A node talks to
 * a peer over its own outbound connection and hears back over the peer's.
 */
export interface Transport {
  /** The transport's name in configuration and logs (`tcp`, `grpc`). */
  readonly name: string;
  /**
   * Starts accepting connections on `host:port` (port 0 picks a free one) and resolves with the
   * bound address as `host:port`. A port in use rejects with the underlying error.
   */
  listen(
    host: string,
    port: number,
    onConnection: (connection: Connection) => void,
  ): Promise<string>;
  /** Opens a connection to `address` (`host:port`); rejects if it cannot be established. */
  connect(address: string): Promise<Connection>;
  /** Stops listening and closes every connection it made or accepted. */
  close(): Promise<void>;
}

/** Why a connection closed: undefined for an orderly close, else the error. */
export type CloseReason = Error | undefined;

/** Handlers a connection's owner installs; frames that arrive before `onFrame` is set are kept. */
export interface ConnectionHandlers {
  /** One whole frame, in order; the bytes are the handler's to keep. */
  onFrame(frame: Uint8Array): void;
  /** The connection closed (by either side, or on an error such as an oversized frame). */
  onClose(reason: CloseReason): void;
  /** The connection can take more bytes after `send` returned false. */
  onDrain?(): void;
}

/** One established connection carrying length-delimited frames. */
export interface Connection {
  /** The peer's `host:port` as seen on the socket (not its listen address). */
  readonly remoteAddress: string;
  /** Bytes queued and not yet written to the network. */
  readonly bufferedBytes: number;
  /** True until the connection closes. */
  readonly open: boolean;
  /** Installs the handlers (once); buffered frames are delivered right after. */
  attach(handlers: ConnectionHandlers): void;
  /**
   * Queues one frame; the transport owns it from now on, so the caller must not change it. Frames
   * queued in the same event-loop turn go out in one write. A frame over the transport's maximum
   * throws `FrameTooLargeError` and the connection stays up. Returns false when the caller should
   * wait for `onDrain` before sending more (back-pressure); the frame is queued all the same.
   * After the connection has closed, the frame is dropped and the result is false.
   */
  send(frame: Uint8Array): boolean;
  /** Closes the connection after queued frames are written; `reason` is passed to `onClose`. */
  close(reason?: Error): void;
}

/** Options common to every transport. */
export interface TransportOptions {
  /** The largest frame sent or accepted, in bytes; a larger incoming frame closes the connection. */
  readonly maxFrameBytes?: number;
}
