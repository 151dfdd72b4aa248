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

/** A message cannot be encoded to leave its thread or node: its type has no registered codec. */
export class SerializationError extends SpindleError {
  constructor(
    readonly typeName: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super('ERR_NOT_SERIALIZABLE', `cannot serialize ${typeName}: ${reason}`, options);
  }
}

/** Bytes that arrived from another thread or node could not be decoded. */
export class DecodeError extends SpindleError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_DECODE', message, options);
  }
}

/** A frame or message is larger than the configured maximum. */
export class FrameTooLargeError extends SpindleError {
  constructor(
    readonly size: number,
    readonly maximum: number,
    options?: ErrorOptions,
  ) {
    super(
      'ERR_FRAME_TOO_LARGE',
      `frame of ${size} bytes exceeds the maximum of ${maximum}`,
      options,
    );
  }
}

/** Props cannot be placed where asked: another thread needs a kind it can rebuild them from. */
export class PlacementError extends SpindleError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_PLACEMENT', message, options);
  }
}

/** A kind name is not registered on the thread or node asked to spawn it. */
export class UnknownKindError extends SpindleError {
  constructor(
    readonly kind: string,
    options?: ErrorOptions,
  ) {
    super('ERR_UNKNOWN_KIND', `no actor kind named '${kind}' is registered`, options);
  }
}

/** A worker thread died (uncaught error, exit, out of memory) with work still on it. */
export class ThreadCrashedError extends SpindleError {
  constructor(
    readonly thread: number,
    reason: string,
    options?: ErrorOptions,
  ) {
    super('ERR_THREAD_CRASHED', `worker thread ${thread} crashed: ${reason}`, options);
  }
}

/** The node a PID lives on is unreachable: its endpoint gave up reconnecting or was blocked. */
export class AddressTerminatedError extends SpindleError {
  constructor(
    readonly address: string,
    options?: ErrorOptions,
  ) {
    super('ERR_ADDRESS_TERMINATED', `the node at ${address} is unreachable`, options);
  }
}

/** A transport was used after `close()`: it neither listens nor connects any more. */
export class TransportClosedError extends SpindleError {
  constructor(what: string, options?: ErrorOptions) {
    super('ERR_TRANSPORT_CLOSED', `the transport is closed: cannot ${what}`, options);
  }
}

/** A transport could not open a connection to a peer (refused, unreachable, TLS refused). */
export class ConnectFailedError extends SpindleError {
  constructor(
    readonly address: string,
    detail: string,
    options?: ErrorOptions,
  ) {
    super('ERR_CONNECT_FAILED', `cannot connect to ${address}: ${detail}`, options);
  }
}

/** An established connection ended without an orderly close (reset, cancelled, link lost). */
export class ConnectionLostError extends SpindleError {
  constructor(message: string, options?: ErrorOptions) {
    super('ERR_CONNECTION_LOST', message, options);
  }
}
