import { describe, expect, it } from 'vitest';
import {
  encodeConnectRequest,
  encodeConnectResponse,
  encodeDisconnect,
  encodeServerHello,
} from '../../../remoting/wire/handshake-codec.ts';
import { decodeRemoteMessage } from '../../../remoting/wire/frame-decoder.ts';
import { remoteTypes } from '../../../remoting/wire/proto-schema.ts';
import { PROTOCOL_VERSION } from '../../../remoting/wire/wire-config.ts';
import { codecs } from './frame-fixture.ts';

describe('handshake codec', () => {
  it('handshake: ServerHello round trips', () => {
    const hello = {
      protocolVersion: PROTOCOL_VERSION,
      nonce: new Uint8Array([1, 2, 3]),
      systemId: 'sys-ä',
    };
    expect(decodeRemoteMessage(encodeServerHello(hello), codecs)).toEqual({
      kind: 'server-hello',
      ...hello,
    });
  });

  it('handshake: ConnectRequest round trips, with and without a proof', () => {
    const request = {
      protocolVersion: 7,
      systemId: 'node-a',
      address: '10.0.0.1:4000',
      nonce: new Uint8Array(32).fill(9),
      proof: new Uint8Array([0xde, 0xad]),
    };
    expect(decodeRemoteMessage(encodeConnectRequest(request), codecs)).toEqual({
      kind: 'connect-request',
      ...request,
    });
    const bare = { ...request, proof: new Uint8Array(0) };
    expect(decodeRemoteMessage(encodeConnectRequest(bare), codecs)).toEqual({
      kind: 'connect-request',
      ...bare,
    });
  });

  it('handshake: ConnectResponse round trips, accepted, blocked and refused', () => {
    const responses = [
      { systemId: 'b', blocked: false, refused: false, reason: '', proof: new Uint8Array([1]) },
      { systemId: 'b', blocked: true, refused: false, reason: 'left', proof: new Uint8Array(0) },
      {
        systemId: '',
        blocked: false,
        refused: true,
        reason: 'bad proof',
        proof: new Uint8Array(0),
      },
    ];
    for (const response of responses) {
      expect(decodeRemoteMessage(encodeConnectResponse(response), codecs)).toEqual({
        kind: 'connect-response',
        ...response,
      });
    }
  });

  it('handshake: DisconnectRequest round trips', () => {
    expect(decodeRemoteMessage(encodeDisconnect('shutting down'), codecs)).toEqual({
      kind: 'disconnect',
      reason: 'shutting down',
    });
    expect(decodeRemoteMessage(encodeDisconnect(''), codecs)).toEqual({
      kind: 'disconnect',
      reason: '',
    });
  });

  it('handshake: encoded frames follow proto/remote.proto', () => {
    const frame = encodeConnectRequest({
      protocolVersion: 1,
      systemId: 's',
      address: 'h:1',
      nonce: new Uint8Array([5]),
      proof: new Uint8Array(0),
    });
    const object = remoteTypes.RemoteMessage.toObject(remoteTypes.RemoteMessage.decode(frame), {
      oneofs: true,
    });
    expect(object).toMatchObject({
      kind: 'connectRequest',
      connectRequest: { protocolVersion: 1, systemId: 's', address: 'h:1' },
    });
  });

  it('handshake: absent fields decode as proto3 defaults', () => {
    // server_hello = 2, an empty message.
    expect(decodeRemoteMessage(new Uint8Array([0x12, 0x00]), codecs)).toEqual({
      kind: 'server-hello',
      protocolVersion: 0,
      nonce: new Uint8Array(0),
      systemId: '',
    });
  });
});
