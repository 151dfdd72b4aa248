import { describe, expect, it } from 'vitest';
import {
  clientProof,
  newNonce,
  proofMatches,
  serverProof,
} from '../../remoting/handshake-proof.ts';

describe('handshake proofs', () => {
  it('handshake-proof: a proof verifies only with the same secret, nonces, id and direction', () => {
    const server = newNonce();
    const client = newNonce();
    expect(server).not.toEqual(client);
    const proof = clientProof('s3cret', server, client, 'node-a');
    expect(proofMatches(clientProof('s3cret', server, client, 'node-a'), proof)).toBe(true);
    expect(proofMatches(clientProof('other', server, client, 'node-a'), proof)).toBe(false);
    expect(proofMatches(clientProof('s3cret', newNonce(), client, 'node-a'), proof)).toBe(false);
    expect(proofMatches(clientProof('s3cret', server, client, 'node-b'), proof)).toBe(false);
    // The server's answer over the same values is a different proof: no reflection.
    expect(proofMatches(serverProof('s3cret', server, client, 'node-a'), proof)).toBe(false);
    expect(proofMatches(new Uint8Array(0), proof)).toBe(false);
  });
});
