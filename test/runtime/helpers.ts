import {
  ActorSystem,
  ManualScheduler,
  PID,
  Props,
  ReceiveTimeout,
  Restarting,
  Started,
  Stopped,
  Stopping,
  Terminated,
  type ActorSystemOptions,
  type Receive,
  type SupervisorStrategy,
} from '../../runtime/index.ts';
import { withTimeout } from '../../testkit/index.ts';

/** An actor system driven by a `ManualScheduler`: nothing runs until the test steps it. */
export interface VirtualSystem {
  readonly system: ActorSystem;
  readonly scheduler: ManualScheduler;
}

/** Creates an actor system on virtual time. */
export function virtualSystem(options: Omit<ActorSystemOptions, 'scheduler'> = {}): VirtualSystem {
  const scheduler = new ManualScheduler();
  return { system: new ActorSystem({ ...options, scheduler }), scheduler };
}

/** Shuts a virtual-time system down, running the scheduler so that every actor can stop. */
export async function shutdownVirtual({ system, scheduler }: VirtualSystem): Promise<void> {
  const done = system.shutdown();
  scheduler.runUntilIdle();
  await withTimeout(done, 1_000, () => 'the actor system did not shut down');
}

/** Resolves once every promise callback queued so far (and those they queue) has run. */
export function flushPromises(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Alternates running mailboxes and promise callbacks until neither has work left: async receives
 * settle in microtasks and then reschedule their mailbox on the manual scheduler.
 */
export async function settle(scheduler: ManualScheduler): Promise<void> {
  for (let round = 0; round < 100; round++) {
    scheduler.runUntilIdle();
    await flushPromises();
    if (scheduler.pending === 0) return;
  }
  throw new Error('the actor system did not settle within 100 rounds');
}

/**
 * Advances virtual time one millisecond at a time until `done()` holds and returns how many
 * milliseconds that took, so a test can assert exactly when a timer-driven effect happened.
 */
export function advanceUntil(
  scheduler: ManualScheduler,
  done: () => boolean,
  limitMs = 60_000,
): number {
  for (let elapsed = 0; elapsed <= limitMs; elapsed++) {
    if (done()) return elapsed;
    scheduler.advance(1);
  }
  throw new Error(`condition still false after ${limitMs} ms of virtual time`);
}

/** A short name of a message for order logs: lifecycle names, `Terminated(id,why)`, a class name or the value. */
export function nameOf(message: unknown): string {
  if (message === Started) return 'Started';
  if (message === Stopping) return 'Stopping';
  if (message === Stopped) return 'Stopped';
  if (message === Restarting) return 'Restarting';
  if (message === ReceiveTimeout) return 'ReceiveTimeout';
  if (message instanceof Terminated) return `Terminated(${message.who.id},${message.why})`;
  if (message instanceof Error) return `${message.name}(${message.message})`;
  if (typeof message === 'object' && message !== null) return message.constructor.name;
  return String(message);
}

/** A receive that appends `name:message` to `log` and then runs `then`, if given. */
export function recording(log: string[], name: string, then?: Receive): Receive {
  return (context) => {
    log.push(`${name}:${nameOf(context.message)}`);
    return then?.(context);
  };
}

/** The error tests throw on purpose from an actor. */
export class Boom extends Error {
  constructor(message = 'boom') {
    super(message);
    this.name = 'Boom';
  }
}

/**
 * A supervised worker with a counter. `inc` adds one, `report` logs `count=n`, a `Boom` is thrown;
 * lifecycle messages and `Terminated` are logged as `name#instance:message`, so a log shows which
 * instance saw what and a restart is visible as a new instance number.
 */
export function countingWorker(log: string[], name: string): Props {
  let instances = 0;
  return Props.fromProducer(() => {
    const instance = ++instances;
    let count = 0;
    return {
      receive(context) {
        const message = context.message;
        if (message === 'inc') count++;
        else if (message === 'report') log.push(`${name}#${instance}:count=${count}`);
        else if (message instanceof Boom) throw message;
        else log.push(`${name}#${instance}:${nameOf(message)}`);
      },
    };
  });
}

/**
 * A parent that logs what it receives (as `name:message`) and spawns `children` under their names
 * on every `Started`, supervising them with `strategy` (the system guardian's when omitted).
 */
export function parentProps(
  log: string[],
  name: string,
  children: readonly (readonly [string, Props])[],
  strategy?: SupervisorStrategy,
): Props {
  const props = Props.fromFunc(
    recording(log, name, (context) => {
      if (context.message === Started)
        for (const [childName, childProps] of children) context.spawnNamed(childProps, childName);
    }),
  );
  return strategy === undefined ? props : props.withSupervisor(strategy);
}

/** The PID of the local actor with `id` (children are named `parent/child`). */
export function pidOf(system: ActorSystem, id: string): PID {
  return new PID(system.address, id);
}

/** True while a live actor is registered under `id`. */
export function isAlive(system: ActorSystem, id: string): boolean {
  return system.registry.getLocal(id) !== undefined;
}

/** Collects every event of `type` published on the system's EventStream. */
export function collect<T>(
  system: ActorSystem,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the EventStream's own key type
  type: abstract new (...args: any[]) => T,
): readonly T[] {
  const events: T[] = [];
  system.eventStream.subscribe(type, (event) => events.push(event));
  return events;
}

/** A promise together with its resolve function, for async receives a test finishes by hand. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void; // assigned synchronously by the Promise executor
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
