import {
  EMPTY_HEADERS,
  isEnvelope,
  Unwatch,
  Watch,
  type PeerWatches,
  type PID,
  type Process,
} from '../runtime/index.ts';
import type { Endpoint } from './endpoint.ts';
import { KIND_STOP, KIND_SYSTEM, KIND_USER } from './wire/wire-config.ts';

/**
 * Every actor of one other node, as seen from this node: a send hands the message to that node's
 * endpoint, which encodes it at once and batches it. PIDs of the node cache this process; when
 * the endpoint terminates the process is marked dead and PIDs resolve afresh (a new endpoint).
 */
export class RemoteProcess implements Process {
  constructor(
    private readonly endpoint: Endpoint,
    private readonly watches: PeerWatches<string>,
  ) {}

  get dead(): boolean {
    return this.endpoint.terminated;
  }

  sendUser(pid: PID, message: unknown): void {
    if (isEnvelope(message)) {
      this.endpoint.send(pid.id, message.message, message.sender, message.headers, KIND_USER);
    } else {
      this.endpoint.send(pid.id, message, undefined, EMPTY_HEADERS, KIND_USER);
    }
  }

  sendSystem(pid: PID, message: unknown): void {
    this.endpoint.send(pid.id, message, undefined, EMPTY_HEADERS, KIND_SYSTEM);
    // Recorded after the send, which throws for a message that cannot be encoded.
    if (message instanceof Watch) this.watches.add(pid.address, pid, message.watcher);
    else if (message instanceof Unwatch) this.watches.remove(pid.address, pid, message.watcher);
  }

  sendStop(pid: PID): void {
    this.endpoint.send(pid.id, undefined, undefined, EMPTY_HEADERS, KIND_STOP);
  }
}
