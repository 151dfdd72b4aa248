/** Defaults of the TCP transport; every field can be set in `TcpTransportOptions`. */
export const TCP_DEFAULTS = Object.freeze({
  /** The largest frame sent or accepted: 16 MiB. The wire prefix could declare up to 4 GiB. */
  maxFrameBytes: 16 * 1024 * 1024,
  /** How long `connect` may take, TLS handshake included, before it rejects with a timeout. */
  connectTimeoutMs: 10_000,
  /** How long an orderly close waits for queued frames and the peer before dropping the socket. */
  closeTimeoutMs: 5_000,
});

/** The largest length the 32-bit frame prefix can declare. */
export const MAX_WIRE_FRAME_BYTES = 0xffff_ffff;
