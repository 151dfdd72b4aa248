/** The sample's messages and the pong kind, loaded by both processes. */
import { defaultCodecs, defineKind, Props, type PID } from '../../runtime/index.ts';

/** A ping carrying its sequence number; registered so it crosses the wire as itself. */
export class Ping {
  constructor(readonly seq: number) {}
}
defaultCodecs.registerJson(Ping, 'sample.Ping');

/** The answer to a ping, saying which node answered. */
export class Pong {
  constructor(
    readonly seq: number,
    readonly node: string,
  ) {}
}
defaultCodecs.registerJson(Pong, 'sample.Pong');

/** Answers every Ping with a Pong; one-way pings (no sender) are counted and reported on 'count'. */
export const Ponger = defineKind(
  'sample.ponger',
  Props.fromProducer(() => {
    let oneWay = 0;
    return {
      receive(context) {
        const message = context.message;
        if (message instanceof Ping) {
          if (context.sender === undefined) oneWay++;
          else context.respond(new Pong(message.seq, context.system.address));
        } else if (message === 'count') {
          context.respond(oneWay);
        }
      },
    };
  }),
);

export type { PID };
