/**
 * actor-toolkit: receive/sender/spawn middleware, the EventStream, bounded mailboxes with both
 * overflow policies, and the ManualScheduler's deterministic steps and virtual time. The whole
 * system runs on a ManualScheduler, so nothing happens until the story says so and every run
 * prints the same lines. Run it with `npx tsx samples/actor-toolkit/main.ts`.
 */
import {
  ActorSystem,
  DeadLetterEvent,
  ManualScheduler,
  SupervisionEvent,
  type PID,
} from '../../runtime/index.ts';
import {
  collectorProps,
  echoProps,
  fragileProps,
  OrderPlaced,
  RushOrderPlaced,
  sleeperProps,
  stampFrom,
} from './actors.ts';

const scheduler = new ManualScheduler();
const system = new ActorSystem({ scheduler });
const { eventStream } = system;

/** Sends `count` numbers from 1 up, reporting each one `send` refused. */
function sendNumbers(target: PID, count: number): void {
  for (let n = 1; n <= count; n++) {
    try {
      system.root.send(target, n);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code !== 'ERR_MAILBOX_FULL') throw error;
      console.log(`mailbox: send ${n} to ${target.toString()} threw ${code}`);
    }
  }
}

try {
  console.log('== middleware ==');
  // The spawn middleware runs inside spawn; the root's sender middleware stamps a header that
  // the echo's receive middleware prints; the echo's own sender middleware traces its reply.
  const echo = system.root.spawnNamed(echoProps, 'echo');
  const reply = system.root.withSenderMiddleware(stampFrom).request<string>(echo, 'hi');
  scheduler.runUntilIdle();
  console.log(`main: echo answered "${await reply}"`);

  console.log('== event stream ==');
  const orders = eventStream.subscribe(OrderPlaced, (event) =>
    console.log(`events: ${event.constructor.name} ${event.id}`),
  );
  const deadLetters = eventStream.subscribe(DeadLetterEvent, (event) =>
    console.log(
      `events: dead letter ${JSON.stringify(event.message)} to ${event.pid?.toString()} (${event.reason})`,
    ),
  );
  const restarts = eventStream.subscribeWhere(
    (event): event is SupervisionEvent =>
      event instanceof SupervisionEvent && event.directive === 'restart',
    (event) =>
      console.log(
        `events: ${event.child.toString()} failed on "${String(event.message)}", restart`,
      ),
  );
  eventStream.publish(new OrderPlaced('A-1'));
  eventStream.publish(new RushOrderPlaced('A-2')); // a subclass matches its parent's subscription
  orders.unsubscribe();
  eventStream.publish(new OrderPlaced('A-3')); // nobody listens for it any more
  console.log(`events: orders subscription active: ${orders.active}`);
  const fragile = system.root.spawnNamed(fragileProps, 'fragile');
  system.root.send(fragile, 'boom');
  scheduler.runUntilIdle(); // the failure, then the guardian's decision on a later turn
  const gone = system.root.stopAsync(fragile);
  scheduler.runUntilIdle();
  await gone;
  system.root.send(fragile, 'late'); // no actor lives there now: a dead letter
  restarts.unsubscribe();

  console.log('== bounded mailboxes ==');
  // Nothing runs until the scheduler is stepped, so a mailbox of 2 fills up deterministically.
  const dropped: number[] = [];
  const dropper = system.root.spawnNamed(
    collectorProps(dropped).withMailbox({ capacity: 2, overflow: 'drop' }),
    'dropper',
  );
  sendNumbers(dropper, 4);
  const rejected: number[] = [];
  const rejecter = system.root.spawnNamed(
    collectorProps(rejected).withMailbox({ capacity: 2, overflow: 'reject' }),
    'rejecter',
  );
  sendNumbers(rejecter, 3);
  scheduler.runUntilIdle();
  console.log(`mailbox: dropper handled ${dropped.join(', ')}`);
  console.log(`mailbox: rejecter handled ${rejected.join(', ')}`);
  deadLetters.unsubscribe();

  console.log('== manual scheduler ==');
  const sleeper = system.root.spawnNamed(
    sleeperProps(() => scheduler.now()),
    'sleeper',
  );
  console.log(`scheduler: ${scheduler.pending} task pending, nothing has run yet`);
  scheduler.step();
  console.log(`scheduler: after one step, ${scheduler.pending} pending`);
  scheduler.advance(600);
  system.root.send(sleeper, 'work'); // activity at t=600 pushes the timeout to t=1600
  scheduler.advance(400);
  console.log(`scheduler: t=${scheduler.now()}, no timeout yet`);
  scheduler.advance(600);
  scheduler.advance(5_000);
  console.log(`scheduler: t=${scheduler.now()}, still one timeout per idle period`);

  console.log('== shutdown ==');
  const stopped = system.shutdown();
  scheduler.runUntilIdle(); // with a ManualScheduler, even shutdown runs only when stepped
  await stopped;
  console.log(`main: done, ${system.topLevelActors.length} actors left`);
} catch (error) {
  console.error('actor-toolkit failed:', error);
  process.exitCode = 1;
  const stopped = system.shutdown();
  scheduler.runUntilIdle();
  await stopped;
}
