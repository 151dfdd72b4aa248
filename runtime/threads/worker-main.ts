import { expose, wrap } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { parentPort, workerData } from 'node:worker_threads';
import { ActorSystem } from '../actor-system.ts';
import { ThreadHub } from './thread-hub.ts';
import {
  withPlainErrors,
  type NodeServices,
  type WorkerControl,
  type WorkerInit,
} from './worker-control.ts';
import { ForwardingOffloadPool } from './forwarding-offload-pool.ts';

/**
 * The entry of every worker thread: one ActorSystem shard joined to the node through its hub.
 * The node's `modules` were imported before this file (see `launchWorker`), so their kinds and
 * codecs are registered by the time the first frame arrives.
 */
const init = workerData as WorkerInit;
const services = wrap<NodeServices>(nodeEndpoint(init.services));
const system = new ActorSystem({
  address: init.address,
  thread: init.threadId,
  offload: new ForwardingOffloadPool(services),
  ...(init.throughput === undefined ? {} : { throughput: init.throughput }),
  ...(init.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: init.requestTimeoutMs }),
});
const hub = new ThreadHub(system, init);

const control: WorkerControl = {
  ready: () => withPlainErrors(() => true),
  spawn: (kind, name) =>
    withPlainErrors(() => {
      const props = system.kinds.get(kind);
      const pid =
        name === undefined ? system.root.spawn(props) : system.root.spawnNamed(props, name);
      return { address: pid.address, id: pid.id };
    }),
  stats: () => withPlainErrors(() => hub.stats()),
  quiescent: () => withPlainErrors(() => hub.quiescent()),
  attachSlot: (slot, threadId, inbound, outbound) =>
    withPlainErrors(() => hub.attachSlot(slot, threadId, inbound, outbound)),
  detachSlot: (slot, threadId) => withPlainErrors(() => hub.detachSlot(slot, threadId)),
  setAddress: (address) =>
    withPlainErrors(() => {
      system.registry.address = address;
    }),
  shutdownSystem: () => withPlainErrors(() => system.shutdown()),
  close: () =>
    withPlainErrors(async () => {
      await hub.stop();
      init.services.close();
    }),
};

expose(control, nodeEndpoint(parentPort!)); // a worker always has a parent port
