import { InvalidConfigError, type CodecRegistry, type Logger } from '../runtime/index.ts';
import { BlockList } from './block-list.ts';
import { REMOTING_DEFAULTS } from './remoting-config.ts';
import type { Transport } from './transport.ts';

/** TLS material for the transports (PEM strings or buffers). */
export interface RemoteTlsOptions {
  readonly key: string | Buffer;
  readonly cert: string | Buffer;
  readonly ca?: string | Buffer;
  readonly rejectUnauthorized?: boolean;
}

/** Options of `Remote.start`; defaults in `REMOTING_DEFAULTS`. */
export interface RemoteOptions {
  readonly host?: string;
  readonly port?: number;
  /** The address other nodes reach this one at, when it differs from the bound one (NAT). */
  readonly advertisedAddress?: string;
  /** `tcp` (default), `grpc`, or a Transport of your own. */
  readonly transport?: 'tcp' | 'grpc' | Transport;
  readonly tls?: RemoteTlsOptions;
  /** A shared cluster secret: peers must prove it (HMAC challenge) or are refused. */
  readonly secret?: string;
  readonly blockList?: BlockList | Iterable<string>;
  readonly maxFrameBytes?: number;
  readonly batchMaxMessages?: number;
  readonly batchMaxBytes?: number;
  readonly connectTimeoutMs?: number;
  readonly reconnectInitialMs?: number;
  readonly reconnectMaxMs?: number;
  readonly reconnectJitterMs?: number;
  readonly reconnectMaxRetries?: number;
  readonly spawnTimeoutMs?: number;
  /** The codecs of messages (default: the thread's `defaultCodecs`). */
  readonly codecs?: CodecRegistry;
  readonly logger?: Logger;
}

/** The numeric settings, resolved and checked. */
export interface ResolvedRemoteOptions {
  readonly host: string;
  readonly port: number;
  readonly maxFrameBytes: number;
  readonly batchMaxMessages: number;
  readonly batchMaxBytes: number;
  readonly connectTimeoutMs: number;
  readonly reconnectInitialMs: number;
  readonly reconnectMaxMs: number;
  readonly reconnectJitterMs: number;
  readonly reconnectMaxRetries: number;
  readonly spawnTimeoutMs: number;
}

/** Fills defaults and refuses out-of-range values with `InvalidConfigError`. */
export function resolveRemoteOptions(options: RemoteOptions): ResolvedRemoteOptions {
  const d = REMOTING_DEFAULTS;
  const resolved: ResolvedRemoteOptions = {
    host: options.host ?? d.host,
    port: options.port ?? d.port,
    maxFrameBytes: options.maxFrameBytes ?? d.maxFrameBytes,
    batchMaxMessages: options.batchMaxMessages ?? d.batchMaxMessages,
    batchMaxBytes: options.batchMaxBytes ?? d.batchMaxBytes,
    connectTimeoutMs: options.connectTimeoutMs ?? d.connectTimeoutMs,
    reconnectInitialMs: options.reconnectInitialMs ?? d.reconnectInitialMs,
    reconnectMaxMs: options.reconnectMaxMs ?? d.reconnectMaxMs,
    reconnectJitterMs: options.reconnectJitterMs ?? d.reconnectJitterMs,
    reconnectMaxRetries: options.reconnectMaxRetries ?? d.reconnectMaxRetries,
    spawnTimeoutMs: options.spawnTimeoutMs ?? d.spawnTimeoutMs,
  };
  if (!Number.isInteger(resolved.port) || resolved.port < 0 || resolved.port > 65_535) {
    throw new InvalidConfigError(`port must be an integer from 0 to 65535, got ${resolved.port}`);
  }
  for (const [key, value] of Object.entries(resolved)) {
    if (key === 'host' || key === 'port') continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new InvalidConfigError(`${key} must be a non-negative number, got ${String(value)}`);
    }
  }
  for (const key of ['maxFrameBytes', 'batchMaxMessages', 'batchMaxBytes'] as const) {
    if (resolved[key] < 1) throw new InvalidConfigError(`${key} must be at least 1`);
  }
  if (resolved.batchMaxBytes > resolved.maxFrameBytes) {
    throw new InvalidConfigError('batchMaxBytes must not exceed maxFrameBytes');
  }
  if (options.secret !== undefined && options.secret.length === 0) {
    throw new InvalidConfigError('secret must not be empty');
  }
  return resolved;
}

/** The block list of the options: the one given, or a new one with the given ids. */
export function blockListOf(options: RemoteOptions): BlockList {
  const given = options.blockList;
  return given instanceof BlockList ? given : new BlockList(given ?? []);
}
