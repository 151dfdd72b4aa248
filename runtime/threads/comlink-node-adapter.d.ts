// comlink ships this adapter without a declaration beside the .mjs file; this is its shape.
declare module 'comlink/dist/esm/node-adapter.mjs' {
  import type { Endpoint } from 'comlink';

  /** Something with Node's `postMessage` and `on`/`off` (a Worker, parentPort, a MessagePort). */
  interface NodeEndpoint {
    postMessage(message: unknown, transfer?: readonly unknown[]): void;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Node's overloaded listeners
    on(type: 'message', listener: (value: any) => void): unknown;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Node's overloaded listeners
    off(type: 'message', listener: (value: any) => void): unknown;
    start?: () => void;
  }

  /** Adapts a Node message endpoint to comlink's Endpoint. */
  export default function nodeEndpoint(endpoint: NodeEndpoint): Endpoint;
}
