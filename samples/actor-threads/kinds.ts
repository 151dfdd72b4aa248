/**
 * The kinds and message types of the actor-threads sample. Every worker thread imports this
 * module before it starts (the node's `modules` option), so each thread can build these actors
 * and decode these messages.
 */
import { threadId } from 'node:worker_threads';
import { defaultCodecs, defineKind, Props, type Context } from '../../runtime/index.ts';

/** Adds `amount` to a word counter. A registered class: it crosses threads as itself. */
export class Count {
  constructor(
    readonly word: string,
    readonly amount: number,
  ) {}
}
defaultCodecs.registerJson(Count, 'sample.Count');

/** Published on a worker's EventStream when a counter passes a milestone; seen on every thread. */
export class Milestone {
  constructor(
    readonly word: string,
    readonly total: number,
  ) {}
}
defaultCodecs.registerJson(Milestone, 'sample.Milestone');

/** Counts words; answers `'total'` with `{ word, total, thread }`, where thread is its worker. */
export const WordCounter = defineKind(
  'sample.word-counter',
  Props.fromProducer(() => {
    let total = 0;
    let word = '';
    return {
      receive(context: Context) {
        const message = context.message;
        if (message instanceof Count) {
          word = message.word;
          total += message.amount;
          if (total % 1_000 === 0) {
            context.system.eventStream.publish(new Milestone(word, total));
          }
        } else if (message === 'total') {
          context.respond({ word, total, thread: threadId });
        }
      },
    };
  }),
);

/** Hashes text on the node's offload pool, off every actor thread, and answers the digest. */
export const Hasher = defineKind(
  'sample.hasher',
  Props.fromFunc(async (context) => {
    const message = context.message;
    if (typeof message === 'string') {
      const task = new URL('./hash-task.ts', import.meta.url);
      context.respond(await context.offload<string>(task, message));
    }
  }),
);
