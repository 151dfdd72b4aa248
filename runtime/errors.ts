/**
 * Typed errors with stable codes. Callers match on `code`, never on the class: classes do not
 * survive a thread boundary or the wire, codes do.
 */
export class SpindleError extends Error {
  /** A stable, documented identifier such as `ERR_TIMEOUT`. */
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Options every Spindle error accepts: an underlying `cause`. */
export interface ErrorOptions {
  readonly cause?: unknown;
}

/** A request or wait did not complete within its deadline. */
export class TimeoutError extends SpindleError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_TIMEOUT', message, options);
  }
}

/** A request reached a PID that has no live process: it was answered by the dead-letter process. */
export class DeadLetterError extends SpindleError {
  constructor(
    readonly target: string,
    options?: ErrorOptions,
  ) {
    super('ERR_DEAD_LETTER', `no live actor at ${target}`, options);
  }
}

/** `spawnNamed` was given a name that a live process already holds. */
export class NameExistsError extends SpindleError {
  constructor(
    readonly id: string,
    options?: ErrorOptions,
  ) {
    super('ERR_NAME_EXISTS', `an actor named '${id}' already exists`, options);
  }
}

/** An actor name is empty or uses a reserved character. */
export class InvalidNameError extends SpindleError {
  constructor(
    readonly actorName: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super('ERR_INVALID_NAME', `invalid actor name '${actorName}': ${reason}`, options);
  }
}

/** A bounded mailbox with the `reject` overflow policy was full. */
export class MailboxFullError extends SpindleError {
  constructor(
    readonly target: string,
    readonly capacity: number,
    options?: ErrorOptions,
  ) {
    super('ERR_MAILBOX_FULL', `mailbox of ${target} is full (capacity ${capacity})`, options);
  }
}

/** A configuration value is out of range or of the wrong type. */
export class InvalidConfigError extends SpindleError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_INVALID_CONFIG', message, options);
  }
}

/** The actor system is shutting down or stopped and refuses new work. */
export class SystemStoppedError extends SpindleError {
  constructor(what: string, options?: ErrorOptions) {
    super('ERR_SYSTEM_STOPPED', `the actor system is stopped: cannot ${what}`, options);
  }
}
