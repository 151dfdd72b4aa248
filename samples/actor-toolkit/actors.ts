import {
  MessageEnvelope,
  Props,
  ReceiveTimeout,
  Started,
  type Context,
  type ReceiveMiddleware,
  type SenderMiddleware,
  type SpawnMiddleware,
} from '../../runtime/index.ts';

/** A domain event published on the EventStream by the sample itself. */
export class OrderPlaced {
  constructor(readonly id: string) {}
}

/** A subclass: a subscription to `OrderPlaced` receives it too. */
export class RushOrderPlaced extends OrderPlaced {}

/** Prints every actor created from the props it is attached to, and where it was created. */
export const announceSpawn: SpawnMiddleware = (next) => (system, id, props, parent) => {
  const pid = next(system, id, props, parent);
  console.log(`spawn: ${pid.toString()} under ${parent?.toString() ?? 'the root'}`);
  return pid;
};

/** Prints each string message before the actor sees it, with the `from` header if any. */
export const traceReceive: ReceiveMiddleware = (next) => (ctx) => {
  if (typeof ctx.message === 'string') {
    console.log(`receive: ${ctx.self.toString()} <- "${ctx.message}" from ${ctx.headers['from']}`);
  }
  return next(ctx);
};

/** Stamps the sender's name into a `from` header on everything sent through it. */
export const stampFrom: SenderMiddleware = (next) => (ctx, target, envelope) =>
  next(
    ctx,
    target,
    new MessageEnvelope(envelope.message, envelope.sender, {
      ...envelope.headers,
      from: ctx.self?.toString() ?? 'root',
    }),
  );

/** Prints each reply the actor sends, after the actor has decided to send it. */
export const traceSend: SenderMiddleware = (next) => (ctx, target, envelope) => {
  console.log(`send: ${ctx.self?.toString()} -> ${JSON.stringify(envelope.message)}`);
  next(ctx, target, envelope);
};

/** An echo that answers in upper case, wrapped in all three kinds of middleware. */
export const echoProps = Props.fromFunc((ctx) => {
  if (typeof ctx.message === 'string') ctx.respond(ctx.message.toUpperCase());
})
  .withSpawnMiddleware(announceSpawn)
  .withReceiveMiddleware(traceReceive)
  .withSenderMiddleware(traceSend);

/** An actor that throws on `'boom'`, so its supervisor publishes a `SupervisionEvent`. */
export const fragileProps = Props.fromFunc((ctx) => {
  if (ctx.message === 'boom') throw new Error('boom');
});

/** Records the numbers a bounded mailbox let through, in the order they were handled. */
export function collectorProps(received: number[]): Props {
  return Props.fromFunc((ctx: Context) => {
    if (typeof ctx.message === 'number') received.push(ctx.message);
  });
}

/** Sets a 1 s receive timeout when started and prints, in virtual time, what it gets. */
export function sleeperProps(now: () => number): Props {
  return Props.fromFunc((ctx) => {
    if (ctx.message === Started) {
      ctx.setReceiveTimeout(1_000);
      console.log(`sleeper: started at t=${now()}, receive timeout 1000 ms`);
    } else if (ctx.message === ReceiveTimeout) {
      console.log(`sleeper: receive timeout at t=${now()}`);
    } else if (typeof ctx.message === 'string') {
      console.log(`sleeper: "${ctx.message}" at t=${now()}`);
    }
  });
}
