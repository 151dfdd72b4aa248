import { credentials, ServerCredentials, type ChannelCredentials } from '@grpc/grpc-js';

/** A node's TLS material (the same shape as the TCP transport's): key, certificate, trusted CA. */
export interface GrpcTlsOptions {
  /** The node's private key (PEM). */
  readonly key: string | Buffer;
  /** The node's certificate (PEM), shown to peers on both sides of a connection. */
  readonly cert: string | Buffer;
  /**
   * Certificates trusted to sign peers' certificates, instead of the system's roots. When set,
   * the listening side also asks connecting nodes for a certificate signed by them (mutual TLS),
   * unless `rejectUnauthorized` is false.
   */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  /** False accepts any certificate, on both sides; for tests only. Default true. */
  readonly rejectUnauthorized?: boolean;
  /** The name the listener's certificate must carry, when it is not the host connected to. */
  readonly servername?: string;
}

/** The listening side's credentials: plaintext without `tls`. */
export function serverCredentials(tls: GrpcTlsOptions | undefined): ServerCredentials {
  if (!tls) return ServerCredentials.createInsecure();
  const askClients = tls.ca !== undefined && tls.rejectUnauthorized !== false;
  return ServerCredentials.createSsl(
    pem(tls.ca),
    [{ private_key: Buffer.from(tls.key), cert_chain: Buffer.from(tls.cert) }],
    askClients,
  );
}

/** The connecting side's credentials: plaintext without `tls`. */
export function channelCredentials(tls: GrpcTlsOptions | undefined): ChannelCredentials {
  if (!tls) return credentials.createInsecure();
  const trustAll = tls.rejectUnauthorized === false;
  return credentials.createSsl(
    pem(tls.ca),
    Buffer.from(tls.key),
    Buffer.from(tls.cert),
    trustAll ? { rejectUnauthorized: false, checkServerIdentity: () => undefined } : {},
  );
}

/** One PEM buffer from one or several certificates, as grpc-js takes them. */
function pem(ca: GrpcTlsOptions['ca']): Buffer | null {
  if (ca === undefined) return null;
  if (typeof ca === 'string' || Buffer.isBuffer(ca)) return Buffer.from(ca);
  return Buffer.concat(ca.map((one) => Buffer.from(`${one.toString().trimEnd()}\n`)));
}
