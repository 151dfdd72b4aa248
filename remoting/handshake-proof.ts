import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Proofs of a shared cluster secret for the handshake: each side answers the other's random nonce
 * with an HMAC-SHA256 over it, its own identity and the direction, so the secret never travels
 * and a recorded proof is useless against a fresh nonce.
 *
 *   accepting side ── ServerHello { nonce S } ──────────────────────────▶ connecting side
 *   accepting side ◀─ ConnectRequest { id C, nonce C, HMAC(k, "c"|S|C|id C) } ─
 *   accepting side ── ConnectResponse { id S, HMAC(k, "s"|C|S|id S) } ──▶
 */
export function newNonce(): Uint8Array {
  return randomBytes(16);
}

/** The proof the connecting side sends: over the server's nonce, its own nonce and its id. */
export function clientProof(
  secret: string,
  serverNonce: Uint8Array,
  clientNonce: Uint8Array,
  id: string,
): Uint8Array {
  return mac(secret, 'c', serverNonce, clientNonce, id);
}

/** The proof the accepting side answers with: over the client's nonce, its own nonce and its id. */
export function serverProof(
  secret: string,
  clientNonce: Uint8Array,
  serverNonce: Uint8Array,
  id: string,
): Uint8Array {
  return mac(secret, 's', clientNonce, serverNonce, id);
}

/** Compares proofs in constant time. */
export function proofMatches(expected: Uint8Array, actual: Uint8Array): boolean {
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

function mac(
  secret: string,
  direction: string,
  first: Uint8Array,
  second: Uint8Array,
  id: string,
): Uint8Array {
  return createHmac('sha256', secret)
    .update(direction)
    .update(first)
    .update(second)
    .update(id)
    .digest();
}
