import { defineKind, Props, Started, type Context, type PID } from '../../runtime/index.ts';

/**
 * The actor kinds and messages of the remoting benchmarks. Both processes import this module:
 * the peer defines the kinds that the benchmark spawns on it with `remote.spawn`, and the
 * benchmark builds the same messages. Every message that crosses is a plain object or a number,
 * which the built-in value codec encodes.
 */

/** Filler of a tell message: with it, `{ n, text }` encodes to 30 to 32 bytes (`n` below 2^21). */
export const TEXT = 'spindle-remote-ab';

/** One tell message: about 32 bytes of payload on the wire. */
export interface Tick {
  readonly n: number;
  readonly text: string;
}

/** What the counter is told before a burst: how many ticks to expect and whom to tell. */
export interface CountSetup {
  readonly expect: number;
  readonly report: PID;
}

/** The counter's report once it has counted what it expected. */
export interface CountReport {
  readonly counted: number;
}

/** The kind name of `RemoteCounter`, for `remote.spawn`. */
export const COUNTER_KIND = 'bench.remote.counter';
/** The kind name of `RemoteEcho`, for `remote.spawn`. */
export const ECHO_KIND = 'bench.remote.echo';

/**
 * Counts ticks; a `CountSetup` resets it, and on reaching `expect` it sends a `CountReport`
 * to `report` (an actor on the benchmark's node, so the report crosses back).
 */
export const RemoteCounter = defineKind(
  COUNTER_KIND,
  Props.fromProducer(() => {
    let count = 0;
    let expect = -1;
    let report: PID | undefined;
    return {
      receive(context: Context) {
        const message = context.message as Partial<Tick & CountSetup>;
        if (typeof message !== 'object' || message === null) return;
        if (typeof message.n === 'number') {
          if (++count === expect) context.send(report!, { counted: count }); // set with expect
        } else if (message.expect !== undefined && message.report !== undefined) {
          count = 0;
          expect = message.expect;
          report = message.report;
        }
      },
    };
  }),
);

/** Answers every number with the same number, to whoever sent it (a pinger, a request). */
export const RemoteEcho = defineKind(
  ECHO_KIND,
  Props.fromFunc((context) => {
    const message = context.message;
    if (typeof message === 'number') context.respond(message);
    else if (message !== Started) context.respond(-1);
  }),
);
