import { InvalidConfigError, UnknownKindError } from './errors.ts';
import type { Props } from './props.ts';

/**
 * Named actor recipes that every thread (and, with remoting, every node) can rebuild: a `Props`
 * holds functions, which cannot cross a thread, so a spawn elsewhere sends the kind's name and the
 * other side looks it up here. Register kinds in a module that every thread loads.
 */
export class KindRegistry {
  private readonly kinds = new Map<string, Props>();

  /** Registers `props` under `name` and returns them tagged with it (`props.kind === name`). */
  define(name: string, props: Props): Props {
    if (name.length === 0) throw new InvalidConfigError('a kind name must not be empty');
    const existing = this.kinds.get(name);
    if (existing !== undefined) {
      throw new InvalidConfigError(`the actor kind '${name}' is already defined`);
    }
    const tagged = props.withKind(name);
    this.kinds.set(name, tagged);
    return tagged;
  }

  /** The props of kind `name`; an unknown name is an `UnknownKindError`. */
  get(name: string): Props {
    const props = this.kinds.get(name);
    if (props === undefined) throw new UnknownKindError(name);
    return props;
  }

  /** True when `name` is defined. */
  has(name: string): boolean {
    return this.kinds.has(name);
  }

  /** Every defined kind name. */
  get names(): readonly string[] {
    return [...this.kinds.keys()];
  }
}

/** The kinds of this thread: modules define theirs at import time with `defineKind`. */
export const defaultKinds = new KindRegistry();

/**
 * Defines an actor kind on this thread's default registry. Call it at the top level of a module
 * that every worker thread loads (the node's `modules` option), so each thread knows the kind.
 *
 * @example
 * export const Counter = defineKind('counter', Props.fromProducer(() => new CounterActor()));
 * const pid = node.root.spawn(Counter.withPlacement(Placement.roundRobin()));
 */
export function defineKind(name: string, props: Props): Props {
  return defaultKinds.define(name, props);
}
