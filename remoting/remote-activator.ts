import { defaultCodecs, PID, Props, type CodecRegistry } from '../runtime/index.ts';
import { actorTypes } from './wire/proto-schema.ts';

/** The id of every node's activator: `$` keeps it apart from user names, `.` from generated ids. */
export const ACTIVATOR_ID = '$remote.activator';

/** Asks a node to spawn one of its kinds (`remote.spawn`). */
export class SpawnRequest {
  constructor(
    readonly kind: string,
    /** A name for the actor, or '' for a generated one. */
    readonly name: string,
  ) {}
}

/** The activator's answer: the PID, or the code and message of the error that prevented it. */
export class SpawnResponse {
  constructor(
    readonly pid: PID | undefined,
    readonly errorCode: string,
    readonly errorMessage: string,
  ) {}
}

/** Registers the remote-spawn messages on `codecs`, encoded as in `proto/actor.proto`. */
export function registerActivatorCodecs(codecs: CodecRegistry = defaultCodecs): void {
  const { SpawnRequest: requestType, SpawnResponse: responseType } = actorTypes;
  codecs.register(SpawnRequest, {
    typeName: requestType.fullName.slice(1),
    encode: (request, writer) => writer.raw(requestType.encode(request).finish()),
    decode: (bytes) => {
      const { kind, name } = requestType.toObject(requestType.decode(bytes), DEFAULTS) as {
        kind: string;
        name: string;
      };
      return new SpawnRequest(kind, name);
    },
  });
  codecs.register(SpawnResponse, {
    typeName: responseType.fullName.slice(1),
    encode: (response, writer) =>
      writer.raw(
        responseType
          .encode({
            pid: response.pid === undefined ? undefined : response.pid.toJSON(),
            errorCode: response.errorCode,
            errorMessage: response.errorMessage,
          })
          .finish(),
      ),
    decode: (bytes) => {
      const { pid, errorCode, errorMessage } = responseType.toObject(
        responseType.decode(bytes),
        DEFAULTS,
      ) as { pid?: { address: string; id: string }; errorCode: string; errorMessage: string };
      return new SpawnResponse(
        pid === undefined || pid === null ? undefined : new PID(pid.address, pid.id),
        errorCode,
        errorMessage,
      );
    },
  });
}

/** protobufjs `toObject` options: defaults filled in, so absent strings read as ''. */
const DEFAULTS = { defaults: true } as const;

/**
 * The actor that spawns kinds on behalf of other nodes. It spawns top-level actors on its own
 * thread from the system's kinds, and answers every request, with the PID or with the error's
 * code (`ERR_UNKNOWN_KIND`, `ERR_NAME_EXISTS`, ...).
 */
export const activatorProps = Props.fromFunc((context) => {
  const request = context.message;
  if (!(request instanceof SpawnRequest)) return;
  try {
    const props = context.system.kinds.get(request.kind);
    const root = context.system.root;
    const pid = request.name === '' ? root.spawn(props) : root.spawnNamed(props, request.name);
    context.respond(new SpawnResponse(pid, '', ''));
  } catch (error) {
    const e = error as { code?: unknown; message?: unknown };
    const code = typeof e.code === 'string' ? e.code : 'ERR_SPAWN';
    context.respond(new SpawnResponse(undefined, code, String(e.message ?? error)));
  }
});
