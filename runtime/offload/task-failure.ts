/**
 * An error thrown by an offloaded task, flattened so that it crosses a thread intact. Structured
 * clone keeps only `message` and `stack` of an error (and `name` only for built-in classes), so
 * the task's `name` and `code` would be lost without this.
 */
export interface TaskFailure {
  readonly spindleTaskFailure: true;
  readonly name: string;
  readonly message: string;
  readonly code?: string | number;
  readonly stack?: string;
}

/** An error rebuilt on the calling thread from a {@link TaskFailure}. */
export type OffloadTaskError = Error & { code?: string | number };

/** Flattens whatever a task threw (an error or any other value) into a {@link TaskFailure}. */
export function encodeTaskFailure(thrown: unknown): TaskFailure {
  if (!(thrown instanceof Error)) {
    return { spindleTaskFailure: true, name: 'Error', message: String(thrown) };
  }
  const { code } = thrown as { code?: unknown };
  return {
    spindleTaskFailure: true,
    name: thrown.name,
    message: thrown.message,
    ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
    ...(thrown.stack !== undefined ? { stack: thrown.stack } : {}),
  };
}

/** Rebuilds the task's error from `value` if it is a {@link TaskFailure}, else `undefined`. */
export function decodeTaskFailure(value: unknown): OffloadTaskError | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const failure = value as Partial<TaskFailure>;
  if (failure.spindleTaskFailure !== true) return undefined;
  const error: OffloadTaskError = new Error(String(failure.message));
  error.name = String(failure.name);
  if (failure.code !== undefined) error.code = failure.code;
  if (failure.stack !== undefined) error.stack = failure.stack;
  return error;
}
