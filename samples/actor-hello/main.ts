/**
 * actor-hello: a supervised parent with two children, request/response, a failure that
 * supervision restarts, an async receive, watch/Terminated, a dead letter and a clean shutdown.
 * Run it with `npx tsx samples/actor-hello/main.ts`: the story goes to stdout with console.log;
 * runtime logs go through pino at `SPINDLE_LOG_LEVEL` (set it to `silent` to see the story alone).
 */
import { ActorSystem, SupervisionEvent, type Terminated } from '../../runtime/index.ts';
import {
  GetChildren,
  Greet,
  Lookup,
  monitorProps,
  NotifyWhenTerminated,
  parentProps,
  type Children,
} from './actors.ts';

const system = new ActorSystem();
const root = system.root;

// Every failure, and the directive its supervisor applied, is published on the EventStream.
system.eventStream.subscribe(SupervisionEvent, (event) => {
  const reason = event.reason instanceof Error ? event.reason.message : String(event.reason);
  console.log(`supervision: ${event.child.toString()} failed (${reason}), ${event.directive}`);
});

try {
  console.log('main: spawning the parent');
  const parent = root.spawnNamed(parentProps, 'parent');
  const { greeter, lookup } = await root.request<Children>(parent, new GetChildren(), 1_000);

  // Request/response: each request is answered through the future behind it.
  const greet = (name: string): Promise<string> => root.request<string>(greeter, new Greet(name));
  console.log(`main: greeter answered "${await greet('Ada')}"`);
  console.log(`main: greeter answered "${await greet('Grace')}"`);

  // A failure: the greeter throws, its parent's strategy restarts it as a fresh instance, and the
  // request queued behind the bad message is answered by the new instance.
  console.log('main: sending an empty name to the greeter');
  root.send(greeter, new Greet(''));
  console.log(`main: greeter answered "${await greet('Linus')}"`);

  // An async receive: both requests are queued at once and handled one after the other.
  const addresses = await Promise.all([
    root.request<string>(lookup, new Lookup('db')),
    root.request<string>(lookup, new Lookup('cache')),
  ]);
  console.log(`main: lookups answered ${addresses.join(', ')}`);

  // Watch/Terminated: the monitor answers once the greeter, poisoned here, has terminated.
  const monitor = root.spawnNamed(monitorProps, 'monitor');
  const terminated = root.request<Terminated>(monitor, new NotifyWhenTerminated(greeter));
  root.poison(greeter);
  const { who, why } = await terminated;
  console.log(`main: monitor reported ${who.toString()} ${why}`);

  // A request to a stopped actor fails fast with a stable error code instead of timing out.
  try {
    await greet('Ada');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code !== 'ERR_DEAD_LETTER') throw error;
    console.log(`main: request to the stopped greeter failed with ${code}`);
  }

  console.log('main: shutting down');
  await system.shutdown();
  console.log('main: done');
} catch (error) {
  console.error('actor-hello failed:', error);
  process.exitCode = 1;
  await system.shutdown();
}
