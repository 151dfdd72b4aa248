/** Defaults of the gRPC transport; every field can be set in `GrpcTransportOptions`. */
export const GRPC_DEFAULTS = Object.freeze({
  /** Largest frame sent or accepted, in bytes (the same as remoting's default). */
  maxFrameBytes: 16 * 1024 * 1024,
  /** How long `connect` waits for the peer to open the stream before it rejects. */
  connectTimeoutMs: 5_000,
  /** How long a closing connection waits for the peer to finish the stream before cancelling it. */
  closeTimeoutMs: 5_000,
  /** Interval of HTTP/2 keepalive pings, so a dead peer shows on an idle link; 0 turns them off. */
  keepaliveMs: 10_000,
  /** How long a keepalive ping may stay unanswered before the connection is dropped. */
  keepaliveTimeoutMs: 10_000,
});
