import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

/**
 * The schemas in `proto/`, loaded once. The path is relative to this module, which works from the
 * sources and from a built package alike, since the build copies `proto/` beside `runtime/`.
 */
const root = protobuf.loadSync([
  fileURLToPath(new URL('../../proto/remote.proto', import.meta.url)),
  fileURLToPath(new URL('../../proto/actor.proto', import.meta.url)),
]);

/** The protobufjs root holding the `spindle.remote` and `spindle.actor` packages. */
export const protoRoot: protobuf.Root = root;

/** The `spindle.remote` message types: the frames nodes exchange. */
export const remoteTypes = Object.freeze({
  RemoteMessage: root.lookupType('spindle.remote.RemoteMessage'),
  MessageBatch: root.lookupType('spindle.remote.MessageBatch'),
  MessageEnvelope: root.lookupType('spindle.remote.MessageEnvelope'),
  Pid: root.lookupType('spindle.remote.Pid'),
  ServerHello: root.lookupType('spindle.remote.ServerHello'),
  ConnectRequest: root.lookupType('spindle.remote.ConnectRequest'),
  ConnectResponse: root.lookupType('spindle.remote.ConnectResponse'),
  DisconnectRequest: root.lookupType('spindle.remote.DisconnectRequest'),
});

/** The `spindle.actor` message types: the wire shape of system messages for other languages. */
export const actorTypes = Object.freeze({
  Pid: root.lookupType('spindle.actor.Pid'),
  Watch: root.lookupType('spindle.actor.Watch'),
  Unwatch: root.lookupType('spindle.actor.Unwatch'),
  Terminated: root.lookupType('spindle.actor.Terminated'),
  Stop: root.lookupType('spindle.actor.Stop'),
  PoisonPill: root.lookupType('spindle.actor.PoisonPill'),
  DeadLetterResponse: root.lookupType('spindle.actor.DeadLetterResponse'),
  SpawnRequest: root.lookupType('spindle.actor.SpawnRequest'),
  SpawnResponse: root.lookupType('spindle.actor.SpawnResponse'),
});
