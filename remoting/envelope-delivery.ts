import {
  deliverFromPeer,
  EMPTY_HEADERS,
  MessageEnvelope,
  PID,
  Terminated,
  type ActorSystem,
  type PeerWatches,
  type Process,
} from '../runtime/index.ts';
import type { DecodedEnvelope } from './wire/frame-decoder.ts';
import { KIND_STOP, KIND_SYSTEM } from './wire/wire-config.ts';

/** An envelope whose type or payload could not be decoded, as its dead letter shows it. */
export class UndecodableMessage {
  constructor(
    readonly typeName: string,
    readonly reason: string,
  ) {}
}

/**
 * Delivers envelopes that arrived from another node to their targets on this node: an actor of
 * the main thread, of a worker thread (through the registry's thread resolver, so through the
 * ring), a future, or dead letters for unknown targets and undecodable messages.
 */
export function deliverEnvelopes(
  system: ActorSystem,
  watches: PeerWatches<string>,
  envelopes: readonly DecodedEnvelope[],
): number {
  const registry = system.registry;
  const address = system.address;
  let undecodable = 0;
  // A batch often holds many envelopes for one actor: resolve it once while it stays alive.
  let target = new PID(address, '');
  let process: Process | undefined;
  for (const envelope of envelopes) {
    if (envelope.target !== target.id || process === undefined || process.dead) {
      target = new PID(address, envelope.target);
      process = undefined;
    }
    const message = envelope.message;
    if (envelope.error !== undefined || message === undefined) {
      if (envelope.error !== undefined) {
        undecodable++;
        const shown = new UndecodableMessage(envelope.typeName, envelope.error.message);
        system.deadLetter.sendUser(target, wrap(shown, envelope));
        continue;
      }
    }
    process ??= registry.get(target);
    if (envelope.kind === KIND_SYSTEM) {
      // A watched remote actor ended: nobody need be told again when its node goes.
      if (message instanceof Terminated && message.who.address !== address) {
        watches.remove(message.who.address, message.who, target);
      }
      process.sendSystem(target, message);
    } else if (envelope.kind === KIND_STOP) {
      process.sendStop(target);
    } else {
      deliverFromPeer(system, process, target, wrap(message, envelope));
    }
  }
  return undecodable;
}

/** The message as delivered: bare, or in an envelope when it has a sender or headers. */
function wrap(message: unknown, envelope: DecodedEnvelope): unknown {
  if (envelope.sender === undefined && envelope.headers === EMPTY_HEADERS) return message;
  return new MessageEnvelope(message, envelope.sender, envelope.headers);
}
