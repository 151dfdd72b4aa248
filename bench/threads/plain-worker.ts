import { expose } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { parentPort, workerData } from 'node:worker_threads';

/**
 * The baseline worker of the thread benchmarks: a bare worker thread with no actor runtime,
 * talking to the main thread the ordinary ways (`postMessage`, or comlink over it). Its mode
 * comes in `workerData`:
 *
 *   count    counts `{ n }` messages after an `{ expect }` message; posts the count on reaching it
 *   echo     posts every message straight back
 *   comlink  exposes `{ echo(x) }` through comlink
 *   loop     runs `busyLoop(n)` for every number `n` it receives and posts the result
 */
export type PlainWorkerMode = 'count' | 'echo' | 'comlink' | 'loop';

/** The API the worker exposes in `comlink` mode. */
export interface EchoApi {
  echo(value: number): number;
}

/**
 * A fixed amount of pure CPU work (`n` steps of an integer hash), the same on every thread: what
 * the machine's cores give in parallel, with nothing of the runtime in it.
 */
export function busyLoop(n: number): number {
  let x = 0;
  for (let i = 0; i < n; i++) x = (Math.imul(x, 31) + i) | 0;
  return x;
}

/** The entry URL, for `launchWorker`. */
export const PLAIN_WORKER = new URL('./plain-worker.ts', import.meta.url);

const port = parentPort;
const mode = (workerData as { mode?: PlainWorkerMode } | undefined)?.mode;

if (port !== null) {
  if (mode === 'count') {
    let count = 0;
    let expect = -1;
    port.on('message', (message: { n?: number; expect?: number }) => {
      if (message.n !== undefined) {
        if (++count === expect) port.postMessage(count);
      } else if (message.expect !== undefined) {
        count = 0;
        expect = message.expect;
      }
    });
  } else if (mode === 'echo') {
    port.on('message', (message: unknown) => port.postMessage(message));
  } else if (mode === 'comlink') {
    const api: EchoApi = { echo: (value) => value };
    expose(api, nodeEndpoint(port));
  } else if (mode === 'loop') {
    port.on('message', (n: number) => port.postMessage(busyLoop(n)));
  }
}
