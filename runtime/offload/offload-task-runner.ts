import { InvalidConfigError } from '../errors.ts';
import { encodeTaskFailure } from './task-failure.ts';
import { ensureTypeScriptLoader } from '../typescript-loader.ts';

/** What the pool hands a thread for one task. */
export interface OffloadTaskMessage {
  /** File URL of the task module. */
  readonly task: string;
  /** The argument of the task's default export. */
  readonly input: unknown;
  /** URL of the `tsx` API when the task is TypeScript, so the thread can register it first. */
  readonly loader?: string;
}

type TaskFunction = (input: unknown) => unknown;

/** Default exports of the task modules this thread has loaded, by URL. */
const tasks = new Map<string, TaskFunction>();

/**
 * The module piscina loads on every pool thread: one entry for all task files, so a single pool
 * serves them all. It loads the task module (registering `tsx` first for TypeScript), calls its
 * default export on the input, and flattens a thrown error so `name` and `code` survive the trip.
 */
export default async function runOffloadTask(message: OffloadTaskMessage): Promise<unknown> {
  try {
    const run = tasks.get(message.task) ?? (await loadTask(message));
    return await run(message.input);
  } catch (error) {
    // piscina posts the rejection value back as is: a plain object clones without loss.
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    throw encodeTaskFailure(error);
  }
}

async function loadTask({ task, loader }: OffloadTaskMessage): Promise<TaskFunction> {
  if (loader !== undefined) await ensureTypeScriptLoader(loader);
  const module = (await import(task)) as { default?: unknown };
  if (typeof module.default !== 'function') {
    throw new InvalidConfigError(`offload task ${task} has no default export function`);
  }
  const run = module.default as TaskFunction;
  tasks.set(task, run);
  return run;
}
