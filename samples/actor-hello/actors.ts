import { setTimeout as delay } from 'node:timers/promises';
import {
  OneForOneStrategy,
  Props,
  Restarting,
  Started,
  Stopped,
  Stopping,
  Terminated,
  type Actor,
  type Context,
  type PID,
  type Receive,
} from '../../runtime/index.ts';

/** Asks the greeter for a greeting; an empty name is a bug the greeter fails on. */
export class Greet {
  constructor(readonly name: string) {}
}

/** Asks the lookup actor to resolve `key` in its (slow) directory. */
export class Lookup {
  constructor(readonly key: string) {}
}

/** Asks the monitor to answer with `Terminated` once `pid` has terminated. */
export class NotifyWhenTerminated {
  constructor(readonly pid: PID) {}
}

/** Asks the parent for the PIDs of its children. */
export class GetChildren {}

/** The parent's answer to `GetChildren`. */
export interface Children {
  readonly greeter: PID;
  readonly lookup: PID;
}

/** The failure the greeter throws on a bad request; the parent's supervisor restarts on it. */
export class InvalidGreeting extends Error {
  override readonly name = 'InvalidGreeting';
}

// Counts greeter instances across restarts, so the story shows that a restart is a fresh object.
let greeterInstances = 0;

/** A class actor with state: it numbers its greetings and fails on an empty name. */
export class Greeter implements Actor {
  private readonly instance = ++greeterInstances;
  private greetings = 0;

  receive(context: Context): void {
    const message = context.message;
    if (message === Started) {
      console.log(`greeter: started (instance ${this.instance})`);
    } else if (message === Restarting) {
      console.log(`greeter: restarting, instance ${this.instance} is discarded`);
    } else if (message === Stopping) {
      console.log('greeter: stopping');
    } else if (message instanceof Greet) {
      if (message.name === '') throw new InvalidGreeting('cannot greet an empty name');
      this.greetings++;
      context.respond(
        `hello, ${message.name} (greeting ${this.greetings} of instance ${this.instance})`,
      );
    }
  }
}

const directory = new Map([
  ['db', 'db.internal:5432'],
  ['cache', 'cache.internal:6379'],
]);

/**
 * An async function actor: while one lookup awaits its (simulated) I/O, the mailbox holds the
 * next one back, so lookups run one at a time, in arrival order.
 */
export const lookup: Receive = async (context) => {
  const message = context.message;
  if (message === Started) console.log('lookup: started');
  else if (message === Stopped) console.log('lookup: stopped');
  else if (message instanceof Lookup) {
    console.log(`lookup: resolving ${message.key}`);
    await delay(10);
    const address = directory.get(message.key) ?? 'unknown';
    console.log(`lookup: ${message.key} is ${address}`);
    context.respond(address);
  }
};

const greeterProps = Props.fromProducer(() => new Greeter());
const lookupProps = Props.fromFunc(lookup);

/** The parent: spawns the two children on start and supervises them (see `parentProps`). */
class Parent implements Actor {
  private children: Children | undefined;

  receive(context: Context): void {
    const message = context.message;
    if (message === Started) {
      this.children = {
        greeter: context.spawnNamed(greeterProps, 'greeter'),
        lookup: context.spawnNamed(lookupProps, 'lookup'),
      };
      console.log('parent: started, spawned greeter and lookup');
    } else if (message instanceof GetChildren) {
      context.respond(this.children);
    } else if (message === Stopping) {
      const children = context.children.map((pid) => pid.id).join(', ');
      console.log(`parent: stopping, children first: ${children}`);
    } else if (message === Stopped) {
      console.log('parent: stopped');
    }
  }
}

/**
 * The parent's recipe: a bad greeting restarts the failed child only (one-for-one), at most 3
 * times a second; any other failure stops it.
 */
export const parentProps = Props.fromProducer(() => new Parent()).withSupervisor(
  new OneForOneStrategy(
    (reason) => (reason instanceof InvalidGreeting ? 'restart' : 'stop'),
    3,
    1_000,
  ),
);

/** Watches actors on request and answers each requester with the `Terminated` it receives. */
class Monitor implements Actor {
  private readonly waiting = new Map<string, PID>();

  receive(context: Context): void {
    const message = context.message;
    if (message instanceof NotifyWhenTerminated && context.sender !== undefined) {
      this.waiting.set(message.pid.id, context.sender);
      context.watch(message.pid);
    } else if (message instanceof Terminated) {
      console.log(`monitor: ${message.who.toString()} terminated (${message.why})`);
      const requester = this.waiting.get(message.who.id);
      this.waiting.delete(message.who.id);
      if (requester !== undefined) context.send(requester, message);
    }
  }
}

/** The monitor's recipe. */
export const monitorProps = Props.fromProducer(() => new Monitor());
