import { EventEmitter } from 'eventemitter3';

/** A live subscription; `unsubscribe` is idempotent. */
export interface Subscription {
  readonly active: boolean;
  unsubscribe(): void;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type EventClass<T> = abstract new (...args: any[]) => T;
type ErrorHandler = (error: unknown, event: unknown) => void;

const ANY = Symbol('any event');

/**
 * Typed publish/subscribe for system-wide events: dead letters, supervision failures, endpoint and
 * cluster events. Subscribe by class (instances of subclasses match too), by predicate, or to all.
 * A handler that throws is reported to `onError` and never stops delivery to the others.
 *
 * @example
 * const sub = system.eventStream.subscribe(DeadLetterEvent, (e) => console.log(e.pid));
 * sub.unsubscribe();
 */
export class EventStream {
  private readonly emitter = new EventEmitter();
  private readonly keys = new WeakMap<object, symbol>();
  private subscriptions = 0;
  private readonly foreign = new WeakSet<object>();

  constructor(private readonly onError: ErrorHandler = () => {}) {}

  /** Calls `handler` for every published instance of `type` (or of a subclass). */
  subscribe<T>(type: EventClass<T>, handler: (event: T) => void): Subscription {
    let key = this.keys.get(type);
    if (key === undefined) {
      key = Symbol(type.name);
      this.keys.set(type, key);
    }
    return this.listen(key, handler as (event: unknown) => void);
  }

  /** Calls `handler` for every published event that satisfies `predicate`. */
  subscribeWhere<T>(
    predicate: (event: unknown) => event is T,
    handler: (event: T) => void,
  ): Subscription;
  subscribeWhere(
    predicate: (event: unknown) => boolean,
    handler: (event: unknown) => void,
  ): Subscription;
  subscribeWhere(
    predicate: (event: unknown) => boolean,
    handler: (event: unknown) => void,
  ): Subscription {
    return this.listen(ANY, (event) => {
      if (predicate(event)) handler(event);
    });
  }

  /** Calls `handler` for every published event. */
  subscribeAll(handler: (event: unknown) => void): Subscription {
    return this.listen(ANY, handler);
  }

  /** Delivers `event` to every matching subscriber, synchronously. */
  publish(event: unknown): void {
    if (this.subscriptions === 0) return;
    if (typeof event === 'object' && event !== null) {
      for (
        let p = Object.getPrototypeOf(event) as object | null;
        p !== null;
        p = Object.getPrototypeOf(p) as object | null
      ) {
        const key = this.keys.get((p as { constructor: object }).constructor);
        if (key !== undefined) this.emitter.emit(key, event);
      }
    }
    this.emitter.emit(ANY, event);
  }

  /**
   * Publishes an event that another thread published first. Subscribers see it like any other;
   * `isForeign` tells it apart, so a bridge does not send it back and a logger logs it once.
   */
  publishForeign(event: object): void {
    this.foreign.add(event);
    this.publish(event);
  }

  /** True for an event delivered through `publishForeign`. */
  isForeign(event: unknown): boolean {
    return typeof event === 'object' && event !== null && this.foreign.has(event);
  }

  /** Number of live subscriptions. */
  get size(): number {
    return this.subscriptions;
  }

  private listen(key: symbol, handler: (event: unknown) => void): Subscription {
    const listener = (event: unknown): void => {
      try {
        handler(event);
      } catch (error) {
        this.onError(error, event);
      }
    };
    this.emitter.on(key, listener);
    this.subscriptions++;
    let active = true;
    return {
      get active() {
        return active;
      },
      unsubscribe: () => {
        if (!active) return;
        active = false;
        this.subscriptions--;
        this.emitter.off(key, listener);
      },
    };
  }
}
