import type { PID } from './pid.ts';

/** String headers carried beside a message (tracing ids, auth context); never mutated in flight. */
export type Headers = Readonly<Record<string, string>>;

/** No headers: shared so that header-less messages allocate nothing. */
export const EMPTY_HEADERS: Headers = Object.freeze({});

/**
 * A message with its sender and headers. Allocated only when a message has either; a bare
 * message travels unwrapped, which keeps the common `send` path allocation-free.
 */
export class MessageEnvelope {
  constructor(
    readonly message: unknown,
    readonly sender: PID | undefined,
    readonly headers: Headers,
  ) {}
}

/**
 * True when `message` is a `MessageEnvelope`; tested on every delivery. A constructor comparison
 * rather than `instanceof`: it stays inline even where the class's `name` was redefined (tsx and
 * other esbuild-based loaders keep names that way), which sends `instanceof` down V8's generic
 * path. Envelopes are never subclassed, so both tests agree.
 */
export function isEnvelope(message: unknown): message is MessageEnvelope {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { constructor?: unknown }).constructor === MessageEnvelope
  );
}

/** The payload of a possibly wrapped message. */
export function unwrapMessage(message: unknown): unknown {
  return isEnvelope(message) ? message.message : message;
}

/** The sender of a possibly wrapped message. */
export function unwrapSender(message: unknown): PID | undefined {
  return isEnvelope(message) ? message.sender : undefined;
}
