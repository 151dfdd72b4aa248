/** Defaults of remoting; every field can be set in `RemoteOptions`. */
export const REMOTING_DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  /** 0 picks a free port; the bound address becomes the node's address. */
  port: 0,
  transport: 'tcp',
  /** Largest frame (one batch) sent or accepted; larger messages are refused at the sender. */
  maxFrameBytes: 16 * 1024 * 1024,
  /** A batch is cut at this many envelopes or this many bytes, whichever comes first. */
  batchMaxMessages: 4096,
  batchMaxBytes: 256 * 1024,
  /** How long a connection attempt, including the handshake, may take. */
  connectTimeoutMs: 5_000,
  /** Reconnect backoff: initial delay, cap, and random jitter added to each delay. */
  reconnectInitialMs: 100,
  reconnectMaxMs: 5_000,
  reconnectJitterMs: 100,
  /** Connection attempts in a row before the endpoint is terminated (EndpointTerminated). */
  reconnectMaxRetries: 8,
  /** How long `remote.spawn` waits for the other node's answer. */
  spawnTimeoutMs: 5_000,
});
