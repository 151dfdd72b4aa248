import type { ActorSystem } from './actor-system.ts';
import { EMPTY_HEADERS, MessageEnvelope, type Headers } from './message-envelope.ts';
import {
  composeMiddleware,
  deliverEnvelope,
  type Sender,
  type SenderMiddleware,
} from './middleware.ts';
import type { PID } from './pid.ts';
import type { Props } from './props.ts';
import { SpawnerContextBase } from './spawner-context-base.ts';

/**
 * The context of code outside any actor: spawns top-level actors and sends or requests from the
 * outside. `withHeaders` and `withSenderMiddleware` derive a root context that applies them.
 *
 * @example
 * const pid = system.root.spawnNamed(Props.fromFunc(echo), 'echo');
 * const reply = await system.root.request<string>(pid, 'hi', 1000);
 */
export class RootContext extends SpawnerContextBase {
  readonly self: PID | undefined = undefined;
  protected readonly senderChain: Sender | undefined;

  constructor(
    readonly system: ActorSystem,
    readonly headers: Headers = EMPTY_HEADERS,
    private readonly senderMiddleware: readonly SenderMiddleware[] = [],
  ) {
    super();
    const withHeaders = headers === EMPTY_HEADERS ? [] : [addHeaders(headers)];
    const middleware = [...withHeaders, ...senderMiddleware];
    this.senderChain =
      middleware.length === 0 ? undefined : composeMiddleware(middleware, deliverEnvelope);
  }

  /** A root context whose every outbound message carries `headers`. */
  withHeaders(headers: Headers): RootContext {
    return new RootContext(this.system, { ...this.headers, ...headers }, this.senderMiddleware);
  }

  /** A root context whose outbound messages pass through `middleware`. */
  withSenderMiddleware(...middleware: SenderMiddleware[]): RootContext {
    return new RootContext(this.system, this.headers, [...this.senderMiddleware, ...middleware]);
  }

  protected childId(name: string): string {
    return this.system.registry.idPrefix + name;
  }

  protected spawnWithId(props: Props, id: string): PID {
    return props.spawn(this.system, id, undefined);
  }
}

/** Adds `headers` under the envelope's own (a per-message header wins). */
function addHeaders(headers: Headers): SenderMiddleware {
  return (next) => (context, target, envelope) =>
    next(
      context,
      target,
      new MessageEnvelope(envelope.message, envelope.sender, { ...headers, ...envelope.headers }),
    );
}
