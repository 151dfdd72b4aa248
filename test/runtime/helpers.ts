import {
  type ActorSystem,
  type ManualScheduler,
  PID,
  Props,
  ReceiveTimeout,
  Restarting,
  Started,
  Stopped,
  Stopping,
  Terminated,
  type Receive,
  type Runnable,
  type SupervisorStrategy,
} from '../../runtime/index.ts';
import type { VirtualSystem } from './system-fixture.ts';

/** A scheduler task that appends `name` to `log` and then runs `then`, if given. */
export function task(log: string[], name: string, then?: () => void): Runnable {
  return {
    run: () => {
      log.push(name);
      then?.();
    },
  };
}

/** Sends each message from the root context, in order, and runs the system until it is idle. */
export function deliver(
  system: ActorSystem,
  scheduler: ManualScheduler,
  pid: PID,
  ...messages: unknown[]
): void {
  for (const message of messages) system.root.send(pid, message);
  scheduler.runUntilIdle();
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

/** Props of an actor that only records what it receives, as `name:message`. */
export function leaf(log: string[], name: string): Props {
  return Props.fromFunc(recording(log, name));
}

/** Props of an actor that watches `target` once it has started and records what it receives. */
export function watching(log: string[], name: string, target: PID): Props {
  return Props.fromFunc(
    recording(log, name, (context) => {
      if (context.message === Started) context.watch(target);
    }),
  );
}

/**
 * Spawns `props` as the top-level actor `name` and runs the system until it (with any children it
 * spawns on Started) has started; then empties `log`, so that it holds only what follows.
 */
export function spawnStarted(v: VirtualSystem, props: Props, name: string, log: string[]): PID {
  const pid = v.system.root.spawnNamed(props, name);
  v.scheduler.runUntilIdle();
  log.length = 0;
  return pid;
}

/** Runs `fn` and returns what it threw, or `undefined` when it returned normally. */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
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
 * Sends a fresh `Boom` to the actor `id` `times` times, running the system after each one and
 * advancing virtual time by `spacingMs` between them.
 */
export function failRepeatedly(
  v: VirtualSystem,
  id: string,
  times: number,
  spacingMs: number,
): void {
  for (let i = 0; i < times; i++) {
    v.system.root.send(pidOf(v.system, id), new Boom(`failure ${i + 1}`));
    v.scheduler.runUntilIdle();
    if (i < times - 1) v.scheduler.advance(spacingMs);
  }
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

/** A promise together with the functions that settle it, for work a test finishes by hand. */
export interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

/** Creates a promise that the test settles by hand, for async receives and continuations. */
export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void; // assigned synchronously by the Promise executor
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
