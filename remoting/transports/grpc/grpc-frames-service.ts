import {
  Metadata,
  ServerInterceptingCall,
  status as GrpcStatus,
  type ServerInterceptor,
  type ServiceDefinition,
} from '@grpc/grpc-js';
import type { CallStatus } from './grpc-connection.ts';

/** The path of the single method: a bidi stream whose messages are frames. */
export const FRAMES_PATH = '/spindle.remoting.Frames/Stream';

/**
 * The service the listening side offers. Frames are already encoded, so (de)serialization is the
 * identity on bytes and no .proto file is involved.
 */
export const FRAMES_SERVICE: ServiceDefinition = {
  stream: {
    path: FRAMES_PATH,
    requestStream: true,
    responseStream: true,
    requestSerialize: asBuffer,
    requestDeserialize: asFrame,
    responseSerialize: asBuffer,
    responseDeserialize: asFrame,
  },
};

/** Frames leave as they are; a plain Uint8Array is viewed as a Buffer without copying. */
export function asBuffer(frame: Uint8Array): Buffer {
  return Buffer.isBuffer(frame) ? frame : Buffer.from(frame.buffer, frame.byteOffset, frame.length);
}

/** An incoming message is the frame itself. */
export function asFrame(bytes: Buffer): Buffer {
  return bytes;
}

/** What the server side keeps of an inbound call beyond its stream. */
export interface InboundCall {
  /** The status the call sent, once it sent one. */
  status?: CallStatus;
  /** Ends the call at once with ABORTED (the stream object itself has no way to). */
  abort(): void;
}

/** Inbound calls by their request metadata: the handler receives that same object. */
const inboundCalls = new WeakMap<Metadata, InboundCall>();

/** The inbound call whose request carried `metadata`, when `trackInbound` saw it arrive. */
export function inboundCallOf(metadata: Metadata): InboundCall | undefined {
  return inboundCalls.get(metadata);
}

/**
 * grpc-js refuses an oversized incoming message inside the call: it sends RESOURCE_EXHAUSTED to
 * the peer and tells the handler only that the call was cancelled. This interceptor wraps the
 * base call's `sendStatus` (which that refusal goes through too) to record the status, so the
 * server side can close with `FrameTooLargeError`, and to let the connection abort the call.
 */
export const trackInbound: ServerInterceptor = (_method, call) => {
  const sendStatus = call.sendStatus.bind(call);
  const inbound: InboundCall = {
    abort: () =>
      sendStatus({
        code: GrpcStatus.ABORTED,
        details: 'the listening side aborted the stream',
        metadata: new Metadata(),
      }),
  };
  call.sendStatus = (status) => {
    inbound.status ??= status;
    sendStatus(status);
  };
  return new ServerInterceptingCall(call, {
    start: (next) =>
      next({
        onReceiveMetadata: (metadata, pass) => {
          inboundCalls.set(metadata, inbound);
          pass(metadata);
        },
      }),
  });
};
