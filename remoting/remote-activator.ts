import { defaultCodecs, Props, type CodecRegistry, type PID } from '../runtime/index.ts';

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

/** Registers the remote-spawn messages on `codecs`. */
export function registerActivatorCodecs(codecs: CodecRegistry = defaultCodecs): void {
  codecs.registerJson(SpawnRequest, 'spindle.remote.SpawnRequest');
  codecs.registerJson(SpawnResponse, 'spindle.remote.SpawnResponse');
}

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
